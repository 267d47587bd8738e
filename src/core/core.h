/* core.h — shared by the files of src/core only.
 *
 * Objects: a worker (one thread, one uv loop, its listeners, its store
 * connection) owns sessions; a session (one TCP connection, one libssh
 * session + ssh_event + uv_poll) owns channels. Everything of a session runs
 * on its worker's thread.
 */
#ifndef SFTPGW_CORE_H
#define SFTPGW_CORE_H

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <stdatomic.h>
#include <uv.h>

#include "sftpgw/buf.h"
#include "sftpgw/cert.h"
#include "sftpgw/chan.h"
#include "sftpgw/config.h"
#include "sftpgw/limits.h"
#include "sftpgw/sess.h"

#define CORE_MAX_WORKERS 64
#define SESS_MAX_CHANNELS 16        /* open channels per session */
#define CHAN_MAX_ENV 32             /* env requests kept per channel */
#define CHAN_MAX_ENV_BYTES 4096     /* their total size */
/* Input read back from libssh after back-pressure: at most libssh's buffer,
 * which stays within about two of its 1,280,000-byte windows (see chan.c). */
#define CHAN_HELD_MAX (4 * 1024 * 1024)
#define SESS_PUMP_ROUNDS 8          /* dopoll calls per wakeup while they make progress */
#define CORE_TICK_MS 1000           /* per-worker housekeeping period */

struct worker;
struct sess;

/* --- builtins.c --- */
const struct chan_kind *core_subsystem_find(const char *name);
const struct chan_kind *core_forward_kind(void);
int core_tunnel_check(const struct sess_info *s, const char *host, int port, const char **why);
const struct chan_kind *core_tunnel_kind(void);

/* --- daemon-wide state (main.c) --- */
struct core_global {
	struct sgw_config cfg;
	char *config_path;
	char *state_dir;
	int nworkers;
	struct worker *workers[CORE_MAX_WORKERS];
	atomic_uint_fast64_t next_sid;
	atomic_int sessions;          /* authenticated sessions, all workers */
	atomic_int unauth;            /* connections not yet authenticated */
	atomic_bool stopping;
};
extern struct core_global core_g;

/* --- listen.c --- */
/* Opens nworkers SO_REUSEPORT listening sockets for one "ADDR:PORT" (port 0:
 * one free port shared by all). fds[] receives them; bound gets "ADDR PORT". */
int listen_open(const char *spec, int nworkers, int *fds, char *bound, size_t boundsz);

/* --- worker.c --- */
struct worker {
	int idx;
	uv_thread_t thread;
	uv_loop_t loop;
	uv_async_t wake;              /* stop / reload requests from main */
	uv_timer_t tick;
	uv_poll_t *listeners;
	int *listen_fds;
	int nlisten;
	ssh_bind bind;
	struct store *store;          /* read connection, loop thread only */
	struct store *wstore;         /* write connection, threadpool only (mutex) */
	uv_mutex_t wlock;
	int64_t data_version;
	struct sess *sessions;        /* doubly linked list */
	int nsessions;
	bool stopping;
	uv_timer_t stop_timer;
	uv_idle_t idle;               /* runs kicked sessions' work */
	uv_timer_t accept_pause;      /* listeners resume after running out of fds */
	uint64_t accept_warned;       /* loop time of the last such warning */
	unsigned accept_pauses;       /* pauses since then */
	struct sess *dirty;           /* sessions kicked since the last idle run */
};
int worker_start(struct worker *w);
/* Asks every worker to stop accepting and wind down (from the main thread). */
void worker_stop_all(void);
/* Unlinks and frees a dead session (called by session.c). */
void worker_sess_gone(struct worker *w, struct sess *s);
/* Makes sure the idle handle runs kicked sessions soon. */
void worker_wake_idle(struct worker *w);
/* Sets up a worker (store connections, bind, listeners) on the main thread. */
int worker_init(struct worker *w, int idx, const int *fds, int nfds);
/* Reloads settings that can change at run time (SIGHUP). */
void worker_reload_all(void);
/* Runs a store write (audit, last_used) on the threadpool. Strings are copied. */
void worker_audit(struct worker *w, const char *event, const char *user, const char *fp,
                  const char *addr, const char *detail, int64_t touch_key_id);

/* --- session.c --- */
struct sess {
	struct sess_info info;        /* first: what kinds may see */
	struct worker *w;
	struct sess *prev, *next;
	int fd;
	ssh_session ssh;
	ssh_event ev;
	uv_poll_t poll;
	uv_timer_t timer;             /* login grace, then certificate expiry */
	int poll_events;
	int handles_open;             /* uv handles not yet closed */
	struct ssh_server_callbacks_struct scb;
	struct chan *chans;           /* list */
	int nchans;
	int auth_tries;
	bool authed;
	bool holds_unauth;            /* counted in limits_unauth */
	bool holds_sess;              /* counted in limits_sess */
	bool view_pending;            /* building the view on the threadpool */
	bool in_pump;
	bool dying;                   /* teardown started */
	bool ending;                  /* sess_end: channels told to finish */
	bool dirty;                   /* on the worker's dirty list */
	struct sess *dirty_next;
	char *refusal;                /* post-auth refusal for every channel, or NULL */
	int refusal_status;
	char fingerprint[64];
	char reason[256];             /* why the last key was refused (for the log) */
	struct cert_grant grant;
	int64_t key_id;
};
/* Takes a freshly accepted socket; closes it on failure. */
void sess_accept(struct worker *w, int fd, const struct sockaddr_storage *sa);
/* Schedules the session's work (output, starts, frees) for the worker's next
 * idle run: never runs it synchronously, so chan_* calls never re-enter a kind. */
void sess_kick(struct sess *s);
/* Runs that work now (worker.c's idle callback). */
void sess_run(struct sess *s);
/* Starts an orderly end (close channels, drain, disconnect). */
void sess_end(struct sess *s, const char *reason);
/* Per-second housekeeping: certificate expiry, revalidation after store changes. */
void sess_tick(struct sess *s, bool store_changed);
/* Disconnects at once (shutdown timeout). */
void sess_kill(struct sess *s);
/* Ends the session when its certificate expires at valid_before. */
void sess_cert_timer(struct sess *s, int64_t valid_before, int64_t now);

/* --- auth.c --- */
/* libssh's pubkey auth callback. */
int auth_pubkey_cb(ssh_session ssh, const char *user, struct ssh_key_struct *key, char state,
                   void *ud);
/* Called once authentication succeeded: environments, limits, view. */
void auth_session_ready(struct sess *s);

/* --- chan.c --- */
/* libssh's session-channel open callback. */
ssh_channel chan_open_session_cb(ssh_session ssh, void *ud);
/* direct-tcpip opens arrive as messages. */
int chan_message_cb(ssh_session ssh, ssh_message msg, void *ud);
/* Pushes queued output of every channel; starts channels whose view is ready;
 * frees finished channels. Returns true while some output is still queued. */
bool chan_flush_all(struct sess *s);
/* Closes every channel (connection gone). */
void chan_close_all(struct sess *s);
/* Tells every channel to finish: reason on stderr (if any), exit 255. */
void chan_end_all(struct sess *s, const char *reason);
/* The view became ready (or failed): start waiting channels. */
void chan_view_ready(struct sess *s);
/* Store changed: tell kinds that want to know. */
void chan_revalidate_all(struct sess *s);
/* True when the session has no channel left that needs the SSH session. */
bool chan_none_left(const struct sess *s);

#endif
