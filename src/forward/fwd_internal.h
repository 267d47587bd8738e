/* fwd_internal.h — shared by the files of src/forward only.
 *
 * One struct fwd per forwarded channel (shell, exec or direct-tcpip). Its
 * life: target choice (target.c) or the menu (menu.c) -> backend session
 * (backend.c: key load, resolve, connect, handshake, host key pin, auth) ->
 * channel setup and relay (relay.c) -> teardown. Everything runs on the
 * session's worker loop; libssh callbacks only record, the step function
 * (fwd__relay_step) acts after every ssh_event_dopoll.
 */
#ifndef SFTPGW_FWD_INTERNAL_H
#define SFTPGW_FWD_INTERNAL_H

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <stdbool.h>
#include <uv.h>

#include "sftpgw/buf.h"
#include "sftpgw/chan.h"
#include "sftpgw/store_node.h"

#define FWD_SIGQ_MAX 8                 /* signals queued while a request is pending */
#define FWD_IN_BUF_MAX (2 * 1024 * 1024) /* node output read but not yet queued to the client:
                                          libssh's window (1,280,000) plus slack */
/* The node's EOF is passed on only if its close does not follow this soon:
 * nothing (not even a message about a signal) may follow an EOF. */
#define FWD_EOF_DELAY_MS 250
#define FWD_KEEPALIVE_S 30             /* ignore message to the node when idle this long */
#define FWD_TCP_KEEPIDLE_S 30
#define FWD_TCP_KEEPINTVL_S 10
#define FWD_TCP_KEEPCNT 3
#define FWD_WHY_MAX 256                /* a failure reason */
#define FWD_PUMP_ROUNDS 8              /* dopoll calls per wakeup while they make progress */
#define FWD_ENV_PREFIX "SFTPGW_USER"

enum fwd_mode { FWD_SHELL, FWD_EXEC, FWD_TUNNEL };

enum fwd_state {
	FS_CHOOSE,      /* menu on the pty */
	FS_KEY,         /* loading the client key on the threadpool */
	FS_RESOLVE,     /* uv_getaddrinfo */
	FS_CONNECT,     /* non-blocking TCP connect */
	FS_HANDSHAKE,   /* ssh_connect */
	FS_AUTH,        /* ssh_userauth_publickey */
	FS_OPEN,        /* channel open (session or direct-tcpip) */
	FS_PTY,
	FS_ENV,
	FS_START,       /* shell or exec */
	FS_RELAY,
	FS_DONE         /* exit sent to the client; waiting for close() */
};

struct fwd_menu;

struct fwd {
	struct chan *ch;
	const struct sess_info *si;
	enum fwd_mode mode;
	enum fwd_state st;
	struct fwd_menu *menu;
	struct store_env env;
	struct store_node node;
	char label[NAME_MAX_LEN + NODE_MAX_LEN + 2]; /* "env/node" for messages */
	char **argv;                 /* tunnel: host, port, orig, oport */
	/* backend */
	uv_work_t key_req;
	uv_getaddrinfo_t gai;
	struct addrinfo *ai, *ai_next;
	uv_poll_t poll;
	uv_timer_t timer;            /* connect timeout, then keepalive */
	uv_timer_t eof_timer;        /* passes the node's EOF on unless its close follows */
	int poll_events;
	int fd;
	bool poll_open, timer_open, eof_timer_open;
	int async_pending;           /* key load / getaddrinfo in flight */
	int handles_open;
	char *key_path;
	ssh_key key;
	int key_err;
	ssh_session bs;
	ssh_event ev;
	ssh_channel bch;
	struct ssh_channel_callbacks_struct cb;
	uint64_t last_io;            /* uv_now of the last backend activity */
	/* channel setup */
	int env_idx;                 /* next client env entry to send */
	bool user_env_sent;
	bool winch_queued;
	char sigq[FWD_SIGQ_MAX][16];
	int nsig;
	/* relay */
	struct sbuf in_out, in_err;  /* node output not yet queued to the client */
	bool relay_started;
	bool client_blocked;         /* input() took less than offered */
	bool client_eof, client_eof_sent;
	bool node_eof_seen;          /* the node sent EOF and all its data was queued */
	bool node_eof_sent;          /* EOF passed on to the client */
	bool node_closed;
	bool got_status, got_signal, sig_core;
	int exit_status;
	char exit_sig[32];
	bool stopping;               /* backend teardown started */
	bool backend_live;           /* backend started and not yet gone */
	bool conn_lost;              /* the node connection failed mid-session */
	char why[FWD_WHY_MAX];       /* last connect error, for the message */
	bool closing;                /* close() was called */
	bool released;
	bool failed;
};

/* target.c */
#define FWD_MSG_MAX 768

struct fwd_choice {
	struct store_env env;
	struct store_node node;
	bool env_chosen;             /* env set (menu may still pick the node) */
	int status;                  /* exit status with msg */
	char msg[FWD_MSG_MAX];       /* one line, no newline */
};
/* Chooses env and node from the login target. Returns 0 with c->env and
 * c->node set; 1 when the menu should run (interactive only; c->env_chosen
 * tells whether the environment is already fixed); -1 refused (c->msg,
 * c->status). cmd is argv[0] of an exec, else NULL. */
int fwd__target_resolve(const struct sess_info *si, enum fwd_mode mode, bool interactive,
                        const char *cmd, struct fwd_choice *c);
/* "a, b" of the user's granted environments, for messages. */
void fwd__env_names(const struct sess_info *si, char *out, size_t outsz);
/* Picks a node by the environment's policy among nodes[0..n); -1 if none is up. */
int fwd__policy_pick(const char *policy, const struct store_node *nodes, size_t n);
/* Revalidation: NULL when env and node are still usable, else the reason. */
const char *fwd__target_recheck(struct fwd *f, char *buf, size_t bufsz);

/* menu.c */
/* Shows the menu (env_chosen: f->env is fixed, nodes only). Returns 0. */
int fwd__menu_start(struct fwd *f, bool env_chosen);
size_t fwd__menu_input(struct fwd *f, const uint8_t *data, size_t len);
void fwd__menu_redraw(struct fwd *f);
void fwd__menu_free(struct fwd *f);

/* backend.c */
/* Starts the backend session to f->node (key, resolve, connect, auth). */
void fwd__backend_start(struct fwd *f);
/* Closes handles and frees libssh objects; calls fwd__done_cb when all is gone. */
void fwd__backend_stop(struct fwd *f);
/* Re-arms the poll for libssh's pending output. */
void fwd__backend_arm(struct fwd *f);

/* relay.c */
/* Called after every backend step (libssh callbacks have recorded). */
void fwd__relay_step(struct fwd *f);
/* The backend failed: message to the client and exit 255. */
void fwd__fail(struct fwd *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Node chosen (menu or target): start the backend. */
void fwd__go(struct fwd *f);
/* Everything of the backend is closed: release the channel if close() came. */
void fwd__backend_gone(struct fwd *f);

#endif
