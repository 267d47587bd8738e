/* relay.c — the forward kinds: a shell or command (or tunnel) relayed to a node.
 *
 * Back-pressure end to end: client data goes to the node only as far as the
 * node's channel window takes it (input() returns less, and the core holds
 * the rest in libssh's window); node data is read from libssh only when our
 * one buffer is empty and goes to the client only as far as chan_out_room()
 * allows. Reading everything libssh buffered at once keeps libssh's window
 * re-growth bounded (it re-opens the full window on every read).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd_internal.h"
#include "sftpgw/fwd.h"
#include "sftpgw/log.h"
#include "sftpgw/sess.h"

#define FWD_MENU_IDLE_S 60
#define FWD_BREAK_MS 500

/* A port number from the core's tunnel words ("0" when unparsable). */
static int fwd_port(const char *s)
{
	long v = strtol(s, NULL, 10);

	return v > 0 && v <= 65535 ? (int)v : 0;
}

/* --- libssh callbacks on the node's channel: record only --- */

static void fwd_close_cb(ssh_session s, ssh_channel c, void *ud)
{
	struct fwd *f = ud;

	(void)s;
	(void)c;
	f->node_closed = true;
	f->node_news = true;
}

static void fwd_status_cb(ssh_session s, ssh_channel c, int status, void *ud)
{
	struct fwd *f = ud;

	(void)s;
	(void)c;
	f->got_status = true;
	f->exit_status = status;
	f->node_news = true;
}

static void fwd_signal_cb(ssh_session s, ssh_channel c, const char *sig, int core,
                          const char *errmsg, const char *lang, void *ud)
{
	struct fwd *f = ud;

	(void)s;
	(void)c;
	(void)errmsg;
	(void)lang;
	f->got_signal = true;
	f->sig_core = core != 0;
	snprintf(f->exit_sig, sizeof(f->exit_sig), "%s", sig ? sig : "KILL");
	f->node_news = true;
}

/* Data arrived: take nothing here (the relay reads when the client has
 * room), only note how much libssh holds, which spares a poll per step. */
static int fwd_data_cb(ssh_session s, ssh_channel c, void *data, uint32_t len, int is_stderr,
                       void *ud)
{
	struct fwd *f = ud;

	(void)s;
	(void)c;
	(void)data;
	f->pending[is_stderr ? 1 : 0] = len;
	f->node_news = true;
	return 0;
}

/* --- ending --- */

static const char *fwd_eol(const struct fwd *f)
{
	return chan_pty(f->ch)->set ? "\r\n" : "\n";
}

void fwd__fail(struct fwd *f, const char *fmt, ...)
{
	char msg[FWD_WHY_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (f->st != FS_DONE && !f->closing) {
		log_info("forward to %s ended: %s", f->label, msg);
		if (f->mode != FWD_TUNNEL)
			chan_errorf(f->ch, "sftpgw: %s: %s%s", f->label, msg, fwd_eol(f));
		chan_exit(f->ch, 255);
	}
	f->st = FS_DONE;
	fwd__end(f);
}

static void fwd_free(struct fwd *f)
{
	sbuf_free(&f->in_out);
	sbuf_free(&f->in_err);
	free(f);
}

/* Releases the channel once close() came and nothing of ours is left. */
static void fwd_maybe_release(struct fwd *f)
{
	if (f->closing && f->ending && !f->timer_open && !f->released) {
		f->released = true;
		chan_release(f->ch);
		fwd_free(f);
	}
}

static void fwd_timer_closed_cb(uv_handle_t *h)
{
	struct fwd *f = h->data;

	f->timer_open = false;
	fwd_maybe_release(f);
}

void fwd__end(struct fwd *f)
{
	if (f->ending)
		return;
	f->ending = true;
	fwd__conn_detach(f);
	if (f->timer_open)
		uv_close((uv_handle_t *)&f->timer, fwd_timer_closed_cb);
}

/* The node closed the channel and everything it sent was passed on. */
static void fwd_finish(struct fwd *f)
{
	char msg[FWD_WHY_MAX];

	log_info("forward to %s finished (%s %d)", f->label,
	         f->got_signal ? "signal" : "status", f->got_signal ? 0 : f->exit_status);
	if (f->mode == FWD_TUNNEL) {
		chan_exit(f->ch, 0);
	} else if (f->got_signal) {
		snprintf(msg, sizeof(msg), "sftpgw: %s: command killed by signal %s", f->label,
		         f->exit_sig);
		chan_exit_signal(f->ch, f->exit_sig, f->sig_core, msg);
	} else if (f->got_status) {
		chan_exit(f->ch, f->exit_status);
	} else {
		chan_errorf(f->ch, "sftpgw: %s: the node closed the session%s", f->label, fwd_eol(f));
		chan_exit(f->ch, 255);
	}
	f->st = FS_DONE;
	fwd__end(f);
}

/* --- channel setup on the node --- */

static void fwd_set_callbacks(struct fwd *f)
{
	memset(&f->cb, 0, sizeof(f->cb));
	f->cb.userdata = f;
	f->cb.channel_data_function = fwd_data_cb;
	f->cb.channel_close_function = fwd_close_cb;
	f->cb.channel_exit_status_function = fwd_status_cb;
	f->cb.channel_exit_signal_function = fwd_signal_cb;
	ssh_callbacks_init(&f->cb);
	ssh_set_channel_callbacks(f->bch, &f->cb);
}

static void fwd_step_open(struct fwd *f)
{
	int r;

	if (f->bch == NULL) {
		if ((f->bch = ssh_channel_new(f->conn->bs)) == NULL) {
			fwd__fail(f, "node unreachable (out of memory)");
			return;
		}
		fwd_set_callbacks(f);
	}
	if (f->mode == FWD_TUNNEL)
		r = ssh_channel_open_forward(f->bch, f->argv[0], fwd_port(f->argv[1]), f->argv[2],
		                             fwd_port(f->argv[3]));
	else
		r = ssh_channel_open_session(f->bch);
	if (r == SSH_AGAIN)
		return;
	if (r != SSH_OK) {
		if (f->mode == FWD_TUNNEL)
			fwd__fail(f, "the node refused the tunnel to %s:%s", f->argv[0], f->argv[1]);
		else
			fwd__fail(f, "the node refused the session (%s)", ssh_get_error(f->conn->bs));
		return;
	}
	if (f->mode == FWD_TUNNEL)
		f->st = FS_RELAY;
	else
		f->st = chan_pty(f->ch)->set ? FS_PTY : FS_ENV;
}

static void fwd_step_pty(struct fwd *f)
{
	const struct chan_pty *p = chan_pty(f->ch);
	int r = ssh_channel_request_pty_size(f->bch, p->term[0] ? p->term : "xterm", (int)p->cols,
	                                     (int)p->rows);

	if (r == SSH_AGAIN)
		return;
	if (r != SSH_OK)
		log_info("node %s refused the pty", f->label);
	f->winch_queued = false; /* the request carried the latest size */
	f->st = FS_ENV;
}

/* LANG, LC_* and TERM reach the node; nothing else the client sends. */
static bool fwd_env_allowed(const char *name, size_t len)
{
	return (len == 4 && memcmp(name, "LANG", 4) == 0) || (len == 4 && memcmp(name, "TERM", 4) == 0) ||
	       (len > 3 && memcmp(name, "LC_", 3) == 0);
}

static void fwd_step_env(struct fwd *f)
{
	char *const *env = chan_env(f->ch);
	char name[128];
	int r;

	while (env != NULL && env[f->env_idx] != NULL) {
		const char *e = env[f->env_idx], *eq = strchr(e, '=');
		size_t len = eq ? (size_t)(eq - e) : 0;
		if (eq == NULL || len >= sizeof(name) || !fwd_env_allowed(e, len)) {
			f->env_idx++;
			continue;
		}
		memcpy(name, e, len);
		name[len] = '\0';
		if ((r = ssh_channel_request_env(f->bch, name, eq + 1)) == SSH_AGAIN)
			return;
		f->env_idx++;
	}
	if (!f->user_env_sent) {
		if (ssh_channel_request_env(f->bch, FWD_ENV_PREFIX, f->si->target.user) == SSH_AGAIN)
			return;
		f->user_env_sent = true;
	}
	f->st = FS_START;
}

static void fwd_flush_queued(struct fwd *f)
{
	const struct chan_pty *p = chan_pty(f->ch);

	if (f->winch_queued && p->set)
		ssh_channel_change_pty_size(f->bch, (int)p->cols, (int)p->rows);
	f->winch_queued = false;
	for (int i = 0; i < f->nsig; i++) {
		if (strcmp(f->sigq[i], "BREAK") == 0)
			ssh_channel_request_send_break(f->bch, FWD_BREAK_MS);
		else
			ssh_channel_request_send_signal(f->bch, f->sigq[i]);
	}
	f->nsig = 0;
}

static void fwd_step_start(struct fwd *f)
{
	const char *line = chan_exec_line(f->ch);
	int r = f->mode == FWD_EXEC && line != NULL ? ssh_channel_request_exec(f->bch, line)
	                                            : ssh_channel_request_shell(f->bch);

	if (r == SSH_AGAIN)
		return;
	if (r != SSH_OK) {
		fwd__fail(f, "the node refused to start the %s", f->mode == FWD_EXEC ? "command" : "shell");
		return;
	}
	f->st = FS_RELAY;
}

/* --- relay --- */

/* Reads what libssh buffered (all of it, see the top) and queues it to the client. */
static void fwd_pull(struct fwd *f, bool is_err)
{
	struct sbuf *b = is_err ? &f->in_err : &f->in_out;
	size_t room, k;
	uint8_t *p;
	int n;

	uint32_t *pend = &f->pending[is_err ? 1 : 0];

	if (sbuf_avail(b) == 0 && *pend > 0) {
		n = *pend > FWD_IN_BUF_MAX ? FWD_IN_BUF_MAX : (int)*pend;
		if (sbuf_reserve(b, (size_t)n, &p) == 0) {
			n = ssh_channel_read_nonblocking(f->bch, p, (uint32_t)n, is_err);
			if (n > 0) {
				sbuf_commit(b, (size_t)n);
				*pend -= (uint32_t)n < *pend ? (uint32_t)n : *pend;
			} else {
				*pend = 0;
			}
		}
	}
	room = chan_out_room(f->ch);
	k = sbuf_avail(b) < room ? sbuf_avail(b) : room;
	if (k == 0)
		return;
	if ((is_err ? chan_write_err(f->ch, sbuf_ptr(b), k) : chan_write(f->ch, sbuf_ptr(b), k)) == 0)
		sbuf_consume(b, k);
}

/* The channel's timer: menu idle timeout, then the node's delayed EOF. */
static void fwd_timer_cb(uv_timer_t *t)
{
	struct fwd *f = t->data;
	uint64_t prev = log_set_sid(f->si->id);

	if (f->st == FS_CHOOSE) {
		chan_errorf(f->ch, "\r\nsftpgw: no choice within %d s\r\n", FWD_MENU_IDLE_S);
		chan_exit(f->ch, 1);
		f->st = FS_DONE;
		fwd__end(f);
	} else if (f->st == FS_RELAY && !f->ending && !f->node_eof_sent) {
		f->node_eof_sent = true;
		chan_send_eof(f->ch);
	}
	log_set_sid(prev);
}

static void fwd_relay(struct fwd *f)
{
	bool drained;

	f->node_news = false;
	fwd_pull(f, true);
	fwd_pull(f, false);
	if (f->client_blocked && ssh_channel_window_size(f->bch) > 0) {
		f->client_blocked = false;
		chan_resume_input(f->ch);
	}
	if (f->client_eof && !f->client_eof_sent && !f->client_blocked) {
		ssh_channel_send_eof(f->bch);
		f->client_eof_sent = true;
	}
	drained = sbuf_avail(&f->in_out) == 0 && sbuf_avail(&f->in_err) == 0 &&
	          ssh_channel_is_eof(f->bch) == 1;
	if (drained && f->node_closed) {
		fwd_finish(f); /* chan_exit sends the EOF */
		return;
	}
	if (drained && !f->node_eof_seen) {
		f->node_eof_seen = true;
		uv_timer_start(&f->timer, fwd_timer_cb, FWD_EOF_DELAY_MS, 0);
	}
}

void fwd__relay_step(struct fwd *f)
{
	enum fwd_state before;

	do {
		before = f->st;
		if (f->ending || f->st == FS_DONE || f->conn == NULL)
			return;
		switch (f->st) {
		case FS_OPEN: fwd_step_open(f); break;
		case FS_PTY: fwd_step_pty(f); break;
		case FS_ENV: fwd_step_env(f); break;
		case FS_START: fwd_step_start(f); break;
		default: break;
		}
	} while (f->st != before);
	if (f->st == FS_RELAY) {
		if (!f->relay_started) {
			f->relay_started = true;
			fwd_flush_queued(f);
			log_info("forwarding to %s (%s@%s:%d)", f->label, f->node.account, f->node.host,
			         f->node.port);
		}
		fwd_relay(f);
	}
	if (!f->ending)
		fwd__conn_arm(f->conn);
}

/* Node chosen: connect (or share this session's connection to it). */
void fwd__go(struct fwd *f)
{
	snprintf(f->label, sizeof(f->label), "%s/%s", f->env.name, f->node.name);
	log_info("%s for %s goes to node %s", f->mode == FWD_TUNNEL ? "tunnel" : f->mode == FWD_EXEC ? "command" : "shell",
	         f->si->target.user, f->label);
	uv_timer_stop(&f->timer);
	fwd__conn_attach(f);
}

/* --- the kind --- */

static struct fwd *fwd_new(struct chan *ch, enum fwd_mode mode)
{
	struct fwd *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->ch = ch;
	f->si = chan_sess(ch);
	f->mode = mode;
	sbuf_init(&f->in_out, FWD_IN_BUF_MAX);
	sbuf_init(&f->in_err, FWD_IN_BUF_MAX);
	if (uv_timer_init(f->si->loop, &f->timer) != 0) {
		free(f);
		return NULL;
	}
	f->timer.data = f;
	f->timer_open = true;
	chan_set_data(ch, f);
	return f;
}

static void fwd_refused(struct fwd *f, const struct fwd_choice *c)
{
	log_info("forward refused: %s", c->msg);
	if (f->mode != FWD_TUNNEL)
		chan_errorf(f->ch, "%s%s", c->msg, fwd_eol(f));
	chan_exit(f->ch, c->status);
	f->st = FS_DONE;
	fwd__end(f);
}

/* argv[0] of an exec for messages; the core may pass argv NULL for a line
 * it could not split (shell syntax is the node's business). */
static void fwd_cmd_name(char **argv, const char *line, char *out, size_t outsz)
{
	size_t n = 0;

	if (argv != NULL && argv[0] != NULL) {
		snprintf(out, outsz, "%s", argv[0]);
		return;
	}
	while (line != NULL && line[n] != '\0' && line[n] != ' ' && line[n] != '\t')
		n++;
	snprintf(out, outsz, "%.*s", (int)n, line ? line : "");
}

static int fwd_shell_start(struct chan *ch, char **argv)
{
	enum fwd_mode mode = argv != NULL || chan_exec_line(ch) != NULL ? FWD_EXEC : FWD_SHELL;
	struct fwd *f = fwd_new(ch, mode);
	struct fwd_choice c;
	bool interactive = mode == FWD_SHELL && chan_pty(ch)->set;
	char cmd[64];
	int r;

	if (f == NULL) {
		chan_errorf(ch, "sftpgw: out of memory\r\n");
		chan_exit(ch, 1);
		return -1;
	}
	fwd_cmd_name(argv, chan_exec_line(ch), cmd, sizeof(cmd));
	r = fwd__target_resolve(f->si, mode, interactive, cmd, &c);
	if (r < 0) {
		fwd_refused(f, &c);
		return 0;
	}
	f->env = c.env;
	if (r == 1) {
		f->st = FS_CHOOSE;
		uv_timer_start(&f->timer, fwd_timer_cb, FWD_MENU_IDLE_S * 1000u, 0);
		return fwd__menu_start(f, c.env_chosen);
	}
	f->node = c.node;
	fwd__go(f);
	return 0;
}

static size_t fwd_input(struct chan *ch, const uint8_t *data, size_t len)
{
	struct fwd *f = chan_data(ch);
	uint32_t win;
	int w;

	if (f->st == FS_CHOOSE) {
		/* Every key restarts the idle timeout. */
		uv_timer_start(&f->timer, fwd_timer_cb, FWD_MENU_IDLE_S * 1000u, 0);
		return fwd__menu_input(f, data, len);
	}
	if (f->st == FS_DONE || f->ending)
		return len;
	if (f->st != FS_RELAY || f->client_eof_sent) {
		f->client_blocked = true;
		return 0;
	}
	/* A write may read the node's socket itself and take a window adjust
	 * from it: then the window is open again and no poll wakeup will say
	 * so, so write on while it is. */
	size_t done = 0;

	while (done < len && (win = ssh_channel_window_size(f->bch)) > 0) {
		size_t n = len - done < win ? len - done : win;

		w = ssh_channel_write(f->bch, data + done, (uint32_t)n);
		if (w < 0) {
			fwd__fail(f, "connection to the node lost (%s)", ssh_get_error(f->conn->bs));
			return len;
		}
		if (w == 0)
			break;
		done += (size_t)w;
	}
	if (done < len)
		f->client_blocked = true;
	fwd__conn_arm(f->conn);
	return done;
}

static void fwd_writable(struct chan *ch)
{
	struct fwd *f = chan_data(ch);
	uint64_t prev = log_set_sid(f->si->id);

	if (f->st == FS_RELAY && !f->ending)
		fwd__relay_step(f);
	else if (f->st == FS_CHOOSE)
		chan_resume_input(ch); /* the menu may have held keys back for lack of room */
	log_set_sid(prev);
}

static void fwd_eof(struct chan *ch)
{
	struct fwd *f = chan_data(ch);

	f->client_eof = true;
	if (f->st == FS_CHOOSE) {
		chan_exit(ch, 0);
		f->st = FS_DONE;
		fwd__end(f);
	} else if (f->st == FS_RELAY && !f->ending) {
		fwd__relay_step(f);
	}
}

static void fwd_close(struct chan *ch)
{
	struct fwd *f = chan_data(ch);

	f->closing = true;
	fwd__menu_free(f);
	fwd__end(f);
	fwd_maybe_release(f); /* or later, when the timer has closed */
}

static void fwd_winch(struct chan *ch, const struct chan_pty *pty)
{
	struct fwd *f = chan_data(ch);

	if (f->st == FS_CHOOSE) {
		fwd__menu_redraw(f);
	} else if (f->st == FS_RELAY && !f->ending) {
		ssh_channel_change_pty_size(f->bch, (int)pty->cols, (int)pty->rows);
		fwd__conn_arm(f->conn);
	} else if (f->st > FS_PTY && f->st < FS_RELAY) {
		f->winch_queued = true; /* a request is pending: send after it */
	}
}

static void fwd_signal(struct chan *ch, const char *name)
{
	struct fwd *f = chan_data(ch);

	if (f->st == FS_RELAY && !f->ending) {
		if (strcmp(name, "BREAK") == 0)
			ssh_channel_request_send_break(f->bch, FWD_BREAK_MS);
		else
			ssh_channel_request_send_signal(f->bch, name);
		fwd__conn_arm(f->conn);
	} else if (f->st >= FS_WAIT && f->st < FS_RELAY && f->nsig < FWD_SIGQ_MAX) {
		snprintf(f->sigq[f->nsig++], sizeof(f->sigq[0]), "%s", name);
	}
}

static void fwd_revalidate(struct chan *ch)
{
	struct fwd *f = chan_data(ch);
	char buf[FWD_WHY_MAX];
	const char *why;

	if (f->st == FS_CHOOSE || f->st == FS_DONE || f->ending)
		return;
	if ((why = fwd__target_recheck(f, buf, sizeof(buf))) == NULL)
		return;
	log_info("ending forward to %s: %s", f->label, why);
	chan_errorf(ch, "%ssftpgw: %s%s", chan_pty(ch)->set ? "\r\n" : "", why, fwd_eol(f));
	chan_exit(ch, 255);
	f->st = FS_DONE;
	fwd__end(f);
}

const struct chan_kind fwd_shell_kind = {
	.name = "forward",
	.start = fwd_shell_start,
	.input = fwd_input,
	.writable = fwd_writable,
	.eof = fwd_eof,
	.close = fwd_close,
	.winch = fwd_winch,
	.signal = fwd_signal,
	.revalidate = fwd_revalidate,
};

/* --- direct-tcpip --- */

static int fwd_tunnel_start(struct chan *ch, char **argv)
{
	struct fwd *f = fwd_new(ch, FWD_TUNNEL);
	struct fwd_choice c;

	if (f == NULL) {
		chan_exit(ch, 1);
		return -1;
	}
	f->argv = argv;
	if (fwd__target_resolve(f->si, FWD_TUNNEL, false, NULL, &c) != 0) {
		fwd_refused(f, &c);
		return 0;
	}
	f->env = c.env;
	f->node = c.node;
	fwd__go(f);
	return 0;
}

const struct chan_kind fwd_tunnel_kind = {
	.name = "tunnel",
	.start = fwd_tunnel_start,
	.input = fwd_input,
	.writable = fwd_writable,
	.eof = fwd_eof,
	.close = fwd_close,
	.revalidate = fwd_revalidate,
};
