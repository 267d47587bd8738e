/* chan.h — channel kinds and the services the core gives them.
 *
 * A session channel gets its kind from its first request: subsystem "sftp",
 * an exec line (split by shellwords and looked up in the dispatch table), or
 * a shell. A kind implements the small vtable below (after dropbear's
 * ChanType). The core owns the SSH side: window, output queue, EOF/close
 * ordering, exit-status. All calls happen on the session's worker thread.
 *
 * Lifetime: start() is called once. input()/eof()/writable() follow until
 * the kind calls chan_exit() or the client goes away; then close() is called
 * exactly once. After close() the kind must call no chan_* function except
 * chan_release(), which it calls once when it holds nothing more that points
 * at the channel (e.g. once its threadpool work has finished). The core frees
 * the channel only after both close() and chan_release().
 */
#ifndef SFTPGW_CHAN_H
#define SFTPGW_CHAN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sftpgw/sess.h"

/* Bytes of output a channel may queue beyond what the SSH window takes.
 * Kinds check chan_out_room() and stop producing (and consuming) when it is 0. */
#define CHAN_OUT_MAX (512 * 1024)
/* Input bytes the core holds for a kind that has not started yet. */
#define CHAN_PENDING_IN_MAX (256 * 1024)

struct chan;

struct chan_pty {
	bool set;
	char term[64];
	uint32_t cols, rows, px, py;
};

struct chan_kind {
	const char *name;
	/* Starts the kind. argv is the split exec line (argv[0] the command),
	 * {"sftp", NULL} for the subsystem, or NULL for a shell. Return 0, or a
	 * negative code after chan_exit() was called with a message. */
	int (*start)(struct chan *ch, char **argv);
	/* Data from the client. Return the number of bytes consumed; less than
	 * len is back-pressure: the rest is offered again after chan_resume_input(). */
	size_t (*input)(struct chan *ch, const uint8_t *data, size_t len);
	/* Optional: output room opened again after chan_out_room() was 0. */
	void (*writable)(struct chan *ch);
	/* Optional: the client sent EOF. */
	void (*eof)(struct chan *ch);
	/* The channel is going away (client closed, session ended, or after
	 * chan_exit). Stop work, then call chan_release() once nothing is pending. */
	void (*close)(struct chan *ch);
	/* Optional: window-change (new terminal size). */
	void (*winch)(struct chan *ch, const struct chan_pty *pty);
	/* Optional: "signal" request (name without "SIG") or break (name "BREAK"). */
	void (*signal)(struct chan *ch, const char *name);
	/* Optional: the store changed (an admin command ran); re-check access. */
	void (*revalidate)(struct chan *ch);
};

/* The session this channel belongs to. */
const struct sess_info *chan_sess(const struct chan *ch);
/* The kind's private state. */
void *chan_data(const struct chan *ch);
void chan_set_data(struct chan *ch, void *data);
/* Channel id for log lines ("sid.cid"). */
uint32_t chan_id(const struct chan *ch);

/* Terminal from pty-req (set == false without one). */
const struct chan_pty *chan_pty(const struct chan *ch);
/* Environment variables the client sent (NAME=value), NULL-terminated. */
char *const *chan_env(const struct chan *ch);
/* The exec line exactly as the client sent it (NULL for shells and subsystems). */
const char *chan_exec_line(const struct chan *ch);

/* Bytes the kind may still queue (CHAN_OUT_MAX minus what is queued). */
size_t chan_out_room(const struct chan *ch);
/* Queues data for the client (stdout) and starts sending. Refuses with
 * SGW_ENOSPACE, queuing nothing, when len > chan_out_room(). */
int chan_write(struct chan *ch, const void *data, size_t len);
/* Same for stderr (extended data). */
int chan_write_err(struct chan *ch, const void *data, size_t len);
/* Formats one message to stderr (truncated to 1 KiB). */
void chan_errorf(struct chan *ch, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Offers held-back input again (call after input() returned less than len). */
void chan_resume_input(struct chan *ch);
/* Ends the channel: once queued output is sent, sends exit-status, EOF and
 * close. Idempotent; later writes are dropped. */
void chan_exit(struct chan *ch, int status);
/* Same with exit-signal (name without "SIG", e.g. "TERM"), for forwarding. */
void chan_exit_signal(struct chan *ch, const char *signame, bool core, const char *msg);
/* Sends EOF after queued output (no exit yet). */
void chan_send_eof(struct chan *ch);
/* See the lifetime rules above. */
void chan_release(struct chan *ch);

/* The built-in exec commands: name -> kind. A kind may serve several names. */
struct chan_builtin {
	const char *name;
	const struct chan_kind *kind;
};
/* Kind for an exec argv[0] (exact name), or NULL when not built in. */
const struct chan_kind *chan_builtin_find(const char *name);

#endif
