/* chan.c — session channels: requests pick a kind, the core keeps the SSH side.
 *
 * A channel's life: opened -> a request (shell/exec/subsystem) chooses a kind
 * and marks it to start -> started after the libssh callback returns and the
 * session's file view is ready -> input/output until the kind exits or the
 * client closes -> kind->close() -> kind releases -> freed in a sweep.
 * libssh callbacks here only record; chan_flush_all (run after every
 * ssh_event_dopoll and on every kick) does the work.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "sftpgw/err.h"
#include "sftpgw/log.h"
#include "sftpgw/shellwords.h"

#define CHAN_KEEP_MAX (64 * 1024)    /* output buffer storage kept between writes */
#define CHAN_MSG_MAX 1024           /* a core message to the client's stderr */

struct chan {
	struct chan *next;
	struct sess *s;
	ssh_channel ch;               /* NULL once libssh freed it (disconnect) */
	struct ssh_channel_callbacks_struct cb;
	const struct chan_kind *kind;
	void *data;
	uint32_t id;
	char **argv;                  /* from shw_split, or the tunnel's words */
	char *exec_line;              /* as the client sent it (forwarding needs it) */
	char *msg;                    /* core_msg_kind: text for stderr */
	int msg_status;
	struct chan_pty pty;
	char *env[CHAN_MAX_ENV + 1];
	size_t env_bytes;
	int nenv;
	struct sbuf out, err;         /* output not yet taken by the SSH window */
	struct sbuf held;             /* input read back that the kind has not taken */
	int exit_status;
	char *exit_signal;
	bool exit_core;
	bool requested;               /* a shell/exec/subsystem was accepted */
	bool tunnel;                  /* direct-tcpip: no exit-status */
	bool start_pending;
	bool started;
	bool blocked;                 /* input() took less than offered */
	bool resume;                  /* chan_resume_input() was called */
	bool in_input;
	bool want_writable;
	bool client_eof, eof_delivered;
	bool client_closed;
	bool exit_requested, eof_requested, eof_sent, close_sent;
	bool close_called, released;
};

static uint32_t chan_next_id;

/* A NULL-terminated argv in one allocation (freed with shw_free). */
static char **chan_argv_make(const char *const *words, int n)
{
	size_t bytes = sizeof(char *) * ((size_t)n + 1);
	char **argv, *p;

	for (int i = 0; i < n; i++)
		bytes += strlen(words[i]) + 1;
	if ((argv = malloc(bytes)) == NULL)
		return NULL;
	p = (char *)(argv + n + 1);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(words[i]) + 1;
		memcpy(p, words[i], len);
		argv[i] = p;
		p += len;
	}
	argv[n] = NULL;
	return argv;
}

/* --- the tiny built-in kind that prints one message and exits --- */

static int core_msg_start(struct chan *ch, char **argv)
{
	(void)argv;
	chan_errorf(ch, "%s\r\n", ch->msg ? ch->msg : "sftpgw: request refused");
	chan_exit(ch, ch->msg_status);
	return 0;
}

static size_t core_msg_input(struct chan *ch, const uint8_t *data, size_t len)
{
	(void)ch;
	(void)data;
	return len;
}

static void core_msg_close(struct chan *ch)
{
	chan_release(ch);
}

static const struct chan_kind core_msg_kind = {
	.name = "message",
	.start = core_msg_start,
	.input = core_msg_input,
	.close = core_msg_close,
};

/* Makes the channel print msg and exit with status once it starts. */
static void chan_set_message(struct chan *ch, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void chan_set_message(struct chan *ch, int status, const char *fmt, ...)
{
	char buf[CHAN_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(ch->msg);
	ch->msg = strdup(buf);
	ch->msg_status = status;
	ch->kind = &core_msg_kind;
}

/* --- accessors (chan.h) --- */

const struct sess_info *chan_sess(const struct chan *ch) { return &ch->s->info; }
void *chan_data(const struct chan *ch) { return ch->data; }
void chan_set_data(struct chan *ch, void *data) { ch->data = data; }
uint32_t chan_id(const struct chan *ch) { return ch->id; }
const struct chan_pty *chan_pty(const struct chan *ch) { return &ch->pty; }
char *const *chan_env(const struct chan *ch) { return ch->env; }
const char *chan_exec_line(const struct chan *ch) { return ch->exec_line; }

size_t chan_out_room(const struct chan *ch)
{
	size_t q = sbuf_avail(&ch->out) + sbuf_avail(&ch->err);

	return q >= CHAN_OUT_MAX ? 0 : CHAN_OUT_MAX - q;
}

static int chan_queue(struct chan *ch, struct sbuf *q, const void *data, size_t len)
{
	int r;

	if (ch->exit_requested || ch->client_closed || ch->s->dying)
		return 0; /* nobody will read it: drop */
	if (len > chan_out_room(ch))
		return SGW_ENOSPACE;
	if ((r = sbuf_put_bytes(q, data, len)) != 0)
		return r;
	sess_kick(ch->s);
	return 0;
}

int chan_write(struct chan *ch, const void *data, size_t len)
{
	return chan_queue(ch, &ch->out, data, len);
}

int chan_write_err(struct chan *ch, const void *data, size_t len)
{
	return chan_queue(ch, &ch->err, data, len);
}

void chan_errorf(struct chan *ch, const char *fmt, ...)
{
	char buf[CHAN_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	chan_write_err(ch, buf, (size_t)n);
}

void chan_resume_input(struct chan *ch)
{
	ch->resume = true;
	sess_kick(ch->s);
}

void chan_exit(struct chan *ch, int status)
{
	if (ch->exit_requested)
		return;
	ch->exit_requested = true;
	ch->exit_status = status;
	sess_kick(ch->s);
}

void chan_exit_signal(struct chan *ch, const char *signame, bool core, const char *msg)
{
	if (ch->exit_requested)
		return;
	if (msg != NULL && *msg)
		chan_errorf(ch, "%s\r\n", msg);
	ch->exit_signal = strdup(signame);
	ch->exit_core = core;
	chan_exit(ch, 255);
}

void chan_send_eof(struct chan *ch)
{
	ch->eof_requested = true;
	sess_kick(ch->s);
}

void chan_release(struct chan *ch)
{
	ch->released = true;
	sess_kick(ch->s);
}

/* --- libssh channel callbacks: record only --- */

static int chan_data_cb(ssh_session ssh, ssh_channel c, void *data, uint32_t len, int is_stderr,
                        void *ud)
{
	struct chan *ch = ud;
	size_t n;

	(void)ssh;
	(void)c;
	if (is_stderr || ch->exit_requested || ch->close_called)
		return (int)len; /* nobody wants it */
	if (!ch->started || ch->blocked || ch->in_input || sbuf_avail(&ch->held) > 0)
		return 0;         /* stays in libssh's buffer; read back on resume */
	ch->in_input = true;
	n = ch->kind->input(ch, data, len);
	ch->in_input = false;
	if (n < len)
		ch->blocked = true;
	return (int)n;
}

static void chan_eof_cb(ssh_session ssh, ssh_channel c, void *ud)
{
	struct chan *ch = ud;

	(void)ssh;
	(void)c;
	ch->client_eof = true;
	sess_kick(ch->s);
}

static void chan_close_cb(ssh_session ssh, ssh_channel c, void *ud)
{
	struct chan *ch = ud;

	(void)ssh;
	(void)c;
	ch->client_closed = true;
	sess_kick(ch->s);
}

static void chan_signal_cb(ssh_session ssh, ssh_channel c, const char *sig, void *ud)
{
	struct chan *ch = ud;

	(void)ssh;
	(void)c;
	if (ch->started && !ch->close_called && ch->kind->signal != NULL)
		ch->kind->signal(ch, sig);
}

static int chan_pty_cb(ssh_session ssh, ssh_channel c, const char *term, int cols, int rows,
                       int px, int py, void *ud)
{
	struct chan *ch = ud;

	(void)ssh;
	(void)c;
	if (!ch->s->info.permit_pty || ch->requested) {
		log_info("pty request refused%s", ch->requested ? "" : " (certificate without permit-pty)");
		return -1;
	}
	ch->pty.set = true;
	snprintf(ch->pty.term, sizeof(ch->pty.term), "%s", term ? term : "");
	ch->pty.cols = (uint32_t)(cols > 0 ? cols : 0);
	ch->pty.rows = (uint32_t)(rows > 0 ? rows : 0);
	ch->pty.px = (uint32_t)(px > 0 ? px : 0);
	ch->pty.py = (uint32_t)(py > 0 ? py : 0);
	return 0;
}

static int chan_winch_cb(ssh_session ssh, ssh_channel c, int cols, int rows, int px, int py,
                         void *ud)
{
	struct chan *ch = ud;

	(void)ssh;
	(void)c;
	if (!ch->pty.set)
		return -1;
	ch->pty.cols = (uint32_t)(cols > 0 ? cols : 0);
	ch->pty.rows = (uint32_t)(rows > 0 ? rows : 0);
	ch->pty.px = (uint32_t)(px > 0 ? px : 0);
	ch->pty.py = (uint32_t)(py > 0 ? py : 0);
	if (ch->started && !ch->close_called && ch->kind->winch != NULL)
		ch->kind->winch(ch, &ch->pty);
	return 0;
}

static int chan_env_add(struct chan *ch, const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;
	char *e;

	if (ch->nenv >= CHAN_MAX_ENV || ch->env_bytes + len > CHAN_MAX_ENV_BYTES)
		return -1;
	if ((e = malloc(len)) == NULL)
		return -1;
	snprintf(e, len, "%s=%s", name, value);
	ch->env[ch->nenv++] = e;
	ch->env[ch->nenv] = NULL;
	ch->env_bytes += len;
	return 0;
}

static int chan_env_cb(ssh_session ssh, ssh_channel c, const char *name, const char *value,
                       void *ud)
{
	struct chan *ch = ud;

	(void)ssh;
	(void)c;
	if (ch->requested || strchr(name, '=') != NULL)
		return -1;
	return chan_env_add(ch, name, value);
}

/* Chooses the kind for an exec line (or a forced command). */
static void chan_pick_exec(struct chan *ch, const char *line)
{
	const struct chan_kind *k;
	const char *why = NULL;
	int n;

	free(ch->exec_line);
	ch->exec_line = strdup(line);
	n = shw_split(line, strlen(line), &ch->argv, &why);
	if (n < 0) {
		/* Shell syntax is never interpreted here; a node's own shell may run
		 * it (the forward kind sends chan_exec_line() as it came). */
		ch->argv = NULL;
		if ((k = core_forward_kind()) != NULL)
			ch->kind = k;
		else
			chan_set_message(ch, 2, "sftpgw: %s", why ? why : sgw_strerror(n));
		return;
	}
	if (n == 0) {
		chan_set_message(ch, 2, "sftpgw: empty command");
		return;
	}
	if ((k = chan_builtin_find(ch->argv[0])) != NULL)
		ch->kind = k;
	else if ((k = core_forward_kind()) != NULL)
		ch->kind = k;
	else
		chan_set_message(ch, 127, "sftpgw: %s: not available on this gateway", ch->argv[0]);
}

/* A certificate's force-command replaces what was asked: internal-sftp
 * allows the sftp subsystem only; a command runs with SSH_ORIGINAL_COMMAND. */
static bool chan_forced(struct chan *ch, const char *asked)
{
	const char *fc = ch->s->info.force_command;

	if (fc == NULL)
		return false;
	if (strcmp(fc, "internal-sftp") == 0) {
		if (asked != NULL && strcmp(asked, "\x01sftp") == 0)
			return false;
		chan_set_message(ch, 1, "sftpgw: this login is restricted to SFTP");
		return true;
	}
	if (asked != NULL && asked[0] != '\x01')
		chan_env_add(ch, "SSH_ORIGINAL_COMMAND", asked);
	chan_pick_exec(ch, fc);
	return true;
}

static int chan_request(struct chan *ch)
{
	ch->requested = true;
	ch->start_pending = true;
	sess_kick(ch->s);
	return 0;
}

static int chan_shell_cb(ssh_session ssh, ssh_channel c, void *ud)
{
	struct chan *ch = ud;

	(void)ssh;
	(void)c;
	if (ch->requested)
		return -1;
	if (!chan_forced(ch, NULL)) {
		ch->kind = core_forward_kind();
		if (ch->kind == NULL)
			chan_set_message(ch, 1, "sftpgw: shell access is not available on this gateway "
			                        "(sftp, scp and rsync work)");
	}
	return chan_request(ch);
}

static int chan_exec_cb(ssh_session ssh, ssh_channel c, const char *cmd, void *ud)
{
	struct chan *ch = ud;

	(void)ssh;
	(void)c;
	if (ch->requested)
		return -1;
	if (!chan_forced(ch, cmd))
		chan_pick_exec(ch, cmd);
	return chan_request(ch);
}

static int chan_subsystem_cb(ssh_session ssh, ssh_channel c, const char *name, void *ud)
{
	struct chan *ch = ud;
	char asked[80];

	(void)ssh;
	(void)c;
	if (ch->requested)
		return -1;
	snprintf(asked, sizeof(asked), "\x01%s", name);
	if (!chan_forced(ch, asked)) {
		ch->kind = core_subsystem_find(name);
		if (ch->kind == NULL)
			chan_set_message(ch, 1, "sftpgw: subsystem %s is not available", name);
		else
			ch->argv = chan_argv_make(&name, 1);
	}
	return chan_request(ch);
}

static struct chan *chan_new(struct sess *s, ssh_channel c)
{
	struct chan *ch = calloc(1, sizeof(*ch));

	if (ch == NULL)
		return NULL;
	ch->s = s;
	ch->ch = c;
	ch->id = ++chan_next_id;
	sbuf_init(&ch->out, CHAN_OUT_MAX);
	sbuf_init(&ch->err, CHAN_OUT_MAX);
	sbuf_init(&ch->held, CHAN_HELD_MAX);
	ch->cb.userdata = ch;
	ch->cb.channel_data_function = chan_data_cb;
	ch->cb.channel_eof_function = chan_eof_cb;
	ch->cb.channel_close_function = chan_close_cb;
	ch->cb.channel_signal_function = chan_signal_cb;
	ch->cb.channel_pty_request_function = chan_pty_cb;
	ch->cb.channel_pty_window_change_function = chan_winch_cb;
	ch->cb.channel_env_request_function = chan_env_cb;
	ch->cb.channel_shell_request_function = chan_shell_cb;
	ch->cb.channel_exec_request_function = chan_exec_cb;
	ch->cb.channel_subsystem_request_function = chan_subsystem_cb;
	ssh_callbacks_init(&ch->cb);
	ssh_set_channel_callbacks(c, &ch->cb);
	ch->next = s->chans;
	s->chans = ch;
	s->nchans++;
	return ch;
}

ssh_channel chan_open_session_cb(ssh_session ssh, void *ud)
{
	struct sess *s = ud;
	ssh_channel c;

	if (!s->authed || s->dying || s->ending || s->nchans >= SESS_MAX_CHANNELS)
		return NULL;
	if ((c = ssh_channel_new(ssh)) == NULL)
		return NULL;
	if (chan_new(s, c) == NULL) {
		ssh_channel_free(c);
		return NULL;
	}
	return c;
}

/* direct-tcpip (ssh -L/-D); every other unhandled message gets the default
 * answer (refusal). */
static int chan_open_tunnel(struct sess *s, ssh_message msg)
{
	const char *host = ssh_message_channel_request_open_destination(msg);
	int port = ssh_message_channel_request_open_destination_port(msg);
	const char *orig = ssh_message_channel_request_open_originator(msg);
	int oport = ssh_message_channel_request_open_originator_port(msg);
	const char *why = "refused";
	char ports[2][16];
	struct chan *ch;
	ssh_channel c;

	if (!s->authed || s->refusal != NULL || s->nchans >= SESS_MAX_CHANNELS || host == NULL ||
	    core_tunnel_kind() == NULL || core_tunnel_check(&s->info, host, port, &why) != 0) {
		log_info("tunnel to %s:%d refused: %s", host ? host : "?", port,
		         s->refusal ? s->refusal : why);
		return 1;
	}
	if ((c = ssh_message_channel_request_open_reply_accept(msg)) == NULL)
		return 0;
	if ((ch = chan_new(s, c)) == NULL) {
		ssh_channel_free(c);
		return 0;
	}
	ch->tunnel = true;
	snprintf(ports[0], sizeof(ports[0]), "%d", port);
	snprintf(ports[1], sizeof(ports[1]), "%d", oport);
	const char *words[4] = { host, ports[0], orig ? orig : "", ports[1] };
	if ((ch->argv = chan_argv_make(words, 4)) == NULL)
		chan_set_message(ch, 1, "sftpgw: out of memory");
	else
		ch->kind = core_tunnel_kind();
	chan_request(ch);
	return 0;
}

int chan_message_cb(ssh_session ssh, ssh_message msg, void *ud)
{
	struct sess *s = ud;

	(void)ssh;
	if (ssh_message_type(msg) == SSH_REQUEST_CHANNEL_OPEN &&
	    ssh_message_subtype(msg) == SSH_CHANNEL_DIRECT_TCPIP)
		return chan_open_tunnel(s, msg);
	return 1;
}

/* --- the work, outside libssh callbacks --- */

static void chan_start(struct chan *ch)
{
	struct sess *s = ch->s;
	int r;

	ch->start_pending = false;
	if (s->refusal != NULL && ch->kind != &core_msg_kind)
		chan_set_message(ch, s->refusal_status, "%s", s->refusal);
	ch->started = true;
	r = ch->kind->start(ch, ch->argv);
	if (r < 0 && !ch->exit_requested)
		chan_exit(ch, 1);
	ch->resume = true; /* data sent before the start waits in libssh's buffer */
}

/* Offers held-back input, then what libssh buffered, until the kind stops taking.
 *
 * Every ssh_channel_read_nonblocking() re-opens libssh's whole window without
 * counting what libssh still buffers. Reading only part of that buffer would
 * let the peer grow it by a window per read (libssh drops data, then frees
 * the buffer, at 256 MiB). So each read takes everything libssh holds at
 * that moment: buffered + window then stay within about two windows, and
 * what the kind does not take waits in held (CHAN_HELD_MAX). */
static void chan_pull_input(struct chan *ch)
{
	uint8_t *p;
	size_t took;
	int n, want;

	ch->resume = false;
	ch->blocked = false;
	ch->in_input = true;
	if (sbuf_avail(&ch->held) > 0) {
		took = ch->kind->input(ch, sbuf_ptr(&ch->held), sbuf_avail(&ch->held));
		sbuf_consume(&ch->held, took);
	}
	while (sbuf_avail(&ch->held) == 0 && !ch->exit_requested && !ch->close_called &&
	       ch->ch != NULL && (want = ssh_channel_poll(ch->ch, 0)) > 0) {
		if (want > CHAN_HELD_MAX)
			want = CHAN_HELD_MAX;
		if (sbuf_reserve(&ch->held, (size_t)want, &p) != 0)
			break;
		n = ssh_channel_read_nonblocking(ch->ch, p, (uint32_t)want, 0);
		if (n <= 0)
			break;
		sbuf_commit(&ch->held, (size_t)n);
		took = ch->kind->input(ch, p, (size_t)n);
		sbuf_consume(&ch->held, took);
	}
	ch->in_input = false;
	if (sbuf_avail(&ch->held) > 0)
		ch->blocked = true;
	else
		sbuf_free(&ch->held); /* idle sessions keep no buffers */
}

/* Writes queued output as far as the peer's window and the socket allow. */
static size_t chan_push(struct chan *ch, struct sbuf *q, bool is_err)
{
	size_t sent = 0;

	while (sbuf_avail(q) > 0 && ch->ch != NULL) {
		uint32_t win = ssh_channel_window_size(ch->ch);
		size_t n = sbuf_avail(q) < win ? sbuf_avail(q) : win;
		int w;

		if (n == 0 || (ssh_get_status(ch->s->ssh) & SSH_WRITE_PENDING))
			break;
		w = is_err ? ssh_channel_write_stderr(ch->ch, sbuf_ptr(q), (uint32_t)n)
		           : ssh_channel_write(ch->ch, sbuf_ptr(q), (uint32_t)n);
		if (w < 0) {
			sbuf_reset(q);
			ch->client_closed = true;
			break;
		}
		if (w == 0)
			break; /* rekey in progress: retry after the next dopoll */
		sbuf_consume(q, (size_t)w);
		sent += (size_t)w;
	}
	if (sbuf_avail(q) == 0 && q->cap > CHAN_KEEP_MAX)
		sbuf_free(q);
	return sent;
}

static void chan_finish_ssh(struct chan *ch)
{
	bool drained = sbuf_avail(&ch->out) == 0 && sbuf_avail(&ch->err) == 0;

	if (ch->ch == NULL)
		return;
	if (ch->exit_requested && drained && !ch->close_sent && !ch->client_closed) {
		if (ch->exit_signal != NULL)
			ssh_channel_request_send_exit_signal(ch->ch, ch->exit_signal, ch->exit_core, "", "");
		else if (ch->requested && !ch->tunnel)
			ssh_channel_request_send_exit_status(ch->ch, ch->exit_status);
		if (!ch->eof_sent)
			ssh_channel_send_eof(ch->ch);
		ssh_channel_close(ch->ch);
		ch->eof_sent = ch->close_sent = true;
	}
	if (ch->eof_requested && drained && !ch->eof_sent && !ch->close_sent) {
		ssh_channel_send_eof(ch->ch);
		ch->eof_sent = true;
	}
	if (ch->client_closed && !ch->close_sent) {
		ssh_channel_close(ch->ch);
		ch->close_sent = true;
	}
}

static void chan_free(struct chan *ch)
{
	if (ch->ch != NULL) {
		ssh_remove_channel_callbacks(ch->ch, &ch->cb);
		ssh_channel_free(ch->ch);
	}
	sbuf_free(&ch->out);
	sbuf_free(&ch->err);
	sbuf_free(&ch->held);
	for (int i = 0; i < ch->nenv; i++)
		free(ch->env[i]);
	shw_free(ch->argv);
	free(ch->exec_line);
	free(ch->msg);
	free(ch->exit_signal);
	free(ch);
}

/* One channel's step; returns true when it can be freed. */
static bool chan_step(struct chan *ch)
{
	struct sess *s = ch->s;
	size_t sent;

	if (ch->start_pending && !ch->client_closed && !s->dying &&
	    (s->refusal != NULL || (!s->view_pending && s->info.view != NULL) ||
	     ch->kind == &core_msg_kind))
		chan_start(ch);
	if (ch->started && !ch->close_called && ch->resume && !ch->exit_requested)
		chan_pull_input(ch);
	if (ch->started && ch->client_eof && !ch->eof_delivered && !ch->blocked && !ch->resume &&
	    !ch->close_called && !ch->exit_requested) {
		ch->eof_delivered = true;
		if (ch->kind->eof != NULL)
			ch->kind->eof(ch);
	}
	sent = chan_push(ch, &ch->err, true) + chan_push(ch, &ch->out, false);
	if (sent > 0 && ch->started && !ch->close_called && !ch->exit_requested &&
	    ch->kind->writable != NULL && chan_out_room(ch) > 0)
		ch->kind->writable(ch);
	chan_finish_ssh(ch);
	if (ch->started && !ch->close_called && (ch->close_sent || ch->ch == NULL)) {
		ch->close_called = true;
		ch->kind->close(ch);
	}
	if (!ch->started && (ch->close_sent || ch->ch == NULL))
		ch->released = true;
	return ch->released && (ch->close_sent || ch->ch == NULL);
}

bool chan_flush_all(struct sess *s)
{
	struct chan **pp = &s->chans;
	bool queued = false;

	while (*pp != NULL) {
		struct chan *ch = *pp;
		if (chan_step(ch)) {
			*pp = ch->next;
			s->nchans--;
			chan_free(ch);
			continue;
		}
		queued |= sbuf_avail(&ch->out) + sbuf_avail(&ch->err) > 0;
		pp = &ch->next;
	}
	return queued;
}

void chan_close_all(struct sess *s)
{
	for (struct chan *ch = s->chans; ch != NULL; ch = ch->next) {
		if (ch->ch != NULL)
			ssh_remove_channel_callbacks(ch->ch, &ch->cb);
		ch->ch = NULL; /* ssh_disconnect frees libssh's channels */
		ch->start_pending = false;
	}
	chan_flush_all(s);
}

void chan_end_all(struct sess *s, const char *reason)
{
	for (struct chan *ch = s->chans; ch != NULL; ch = ch->next) {
		if (ch->exit_requested)
			continue;
		if (reason != NULL)
			chan_errorf(ch, "sftpgw: %s\r\n", reason);
		ch->exit_requested = true;
		ch->exit_status = 255;
	}
}

void chan_view_ready(struct sess *s)
{
	sess_kick(s);
}

void chan_revalidate_all(struct sess *s)
{
	for (struct chan *ch = s->chans; ch != NULL; ch = ch->next)
		if (ch->started && !ch->close_called && !ch->exit_requested &&
		    ch->kind->revalidate != NULL)
			ch->kind->revalidate(ch);
}

bool chan_none_left(const struct sess *s)
{
	return s->nchans == 0;
}
