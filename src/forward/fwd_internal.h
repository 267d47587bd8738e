/* fwd_internal.h — shared by the files of src/forward only.
 *
 * One struct fwd per forwarded channel (shell, exec or direct-tcpip). Its
 * life: target choice (target.c) or the menu (menu.c) -> attach to the node
 * connection (backend.c: key load, resolve, connect, handshake, host key pin,
 * auth; one struct fwd_conn per gateway session and node, shared by its
 * channels) -> channel setup and relay (relay.c) -> detach. Everything runs
 * on the session's worker loop; libssh callbacks only record, the step
 * function (fwd__relay_step) acts after every ssh_event_dopoll.
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
/* Ciphers offered to nodes, cheapest first: libssh's default puts
 * chacha20-poly1305 first, which costs several times AES-GCM with AES-NI. Same
 * set as libssh's default, only reordered. */
#define FWD_NODE_CIPHERS "aes128-gcm@openssh.com,aes256-gcm@openssh.com," \
                         "chacha20-poly1305@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr"

enum fwd_mode { FWD_SHELL, FWD_EXEC, FWD_TUNNEL };

/* The node connection, shared by every forwarded channel of one gateway
 * session to one node (a shell, its tunnels, ssh -D's many connections). */
enum fwd_conn_state {
	FC_KEY,         /* loading the client key on the threadpool */
	FC_RESOLVE,     /* uv_getaddrinfo */
	FC_CONNECT,     /* non-blocking TCP connect */
	FC_HANDSHAKE,   /* ssh_connect */
	FC_AUTH,        /* ssh_userauth_publickey */
	FC_READY,
	FC_DEAD
};

struct fwd;

struct fwd_conn {
	struct fwd_conn *next;       /* this worker thread's connections */
	const struct sess_info *si;  /* compared only: the session may be gone before us */
	uint64_t sid;                /* for log lines */
	uv_loop_t *loop;
	const struct sgw_config *cfg;
	struct store_node node;
	char label[NAME_MAX_LEN + NODE_MAX_LEN + 2];
	enum fwd_conn_state st;
	struct fwd *chans;           /* attached channels, linked by cnext */
	int nchans;
	bool in_step;                /* walking chans: stop the conn afterwards */
	uv_work_t key_req;
	uv_getaddrinfo_t gai;
	struct addrinfo *ai, *ai_next;
	uv_poll_t poll;
	uv_timer_t timer;            /* connect timeout, then keepalive */
	int poll_events;
	int fd;
	bool poll_open, timer_open;
	int async_pending;           /* key load / getaddrinfo in flight */
	int handles_open;
	char *key_path;
	ssh_key key;
	int key_err;
	ssh_session bs;
	ssh_event ev;
	uint64_t last_io;            /* uv_now of the last backend activity */
	bool stopping;
	char why[FWD_WHY_MAX];       /* last connect error, for the message */
};

enum fwd_state {
	FS_CHOOSE,      /* menu on the pty */
	FS_WAIT,        /* the node connection is being set up */
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
	struct fwd_conn *conn;       /* NULL until the node is chosen, and after the end */
	struct fwd *cnext;
	ssh_channel bch;
	struct ssh_channel_callbacks_struct cb;
	uv_timer_t timer;            /* menu idle timeout, then the EOF delay */
	bool timer_open;
	/* channel setup */
	int env_idx;                 /* next client env entry to send */
	bool user_env_sent;
	bool winch_queued;
	char sigq[FWD_SIGQ_MAX][16];
	int nsig;
	/* relay */
	struct sbuf in_out, in_err;  /* node output not yet queued to the client */
	uint32_t pending[2];         /* bytes libssh holds for us (stdout, stderr) */
	bool relay_started;
	bool client_blocked;         /* input() took less than offered */
	bool node_news;              /* a node callback ran since the last relay step */
	bool client_eof, client_eof_sent;
	bool node_eof_seen;          /* the node sent EOF and all its data was queued */
	bool node_eof_sent;          /* EOF passed on to the client */
	bool node_closed;
	bool got_status, got_signal, sig_core;
	int exit_status;
	char exit_sig[32];
	bool ending;                 /* detached, timer closing */
	bool closing;                /* close() was called */
	bool released;
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
/* Attaches f to this session's connection to f->node (starting one if
 * needed); f->st becomes FS_OPEN once the connection is ready. */
void fwd__conn_attach(struct fwd *f);
/* Detaches f (frees its node channel); the last channel stops the connection. */
void fwd__conn_detach(struct fwd *f);
/* Re-arms the poll for libssh's pending output. */
void fwd__conn_arm(struct fwd_conn *c);

/* relay.c */
/* Called after every backend step (libssh callbacks have recorded). */
void fwd__relay_step(struct fwd *f);
/* The backend failed: message to the client and exit 255. */
void fwd__fail(struct fwd *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Node chosen (menu or target): attach to the node connection. */
void fwd__go(struct fwd *f);
/* Ends the channel's forwarding (detach, close its timer); idempotent. */
void fwd__end(struct fwd *f);

#endif
