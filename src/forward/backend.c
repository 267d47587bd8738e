/* backend.c — the libssh client session to a node, driven by the worker loop.
 *
 * Nothing here blocks: the client key is read on the threadpool, the name is
 * resolved with uv_getaddrinfo, the socket connects non-blocking, and libssh
 * runs non-blocking on a dup of it under a uv_poll (LIBSSH-NOTES.md,
 * "Outgoing client sessions"). ssh_connect makes the socket blocking once
 * the TCP connection is up, so O_NONBLOCK is set again after every call.
 *
 * One connection serves every channel of one gateway session to one node
 * (a shell, its tunnels, the many connections of ssh -D); it ends with its
 * last channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd_internal.h"
#include "sftpgw/config.h"
#include "sftpgw/log.h"
#include "sftpgw/rxbuf.h"
#include "sftpgw/sess.h"

static __thread struct fwd_conn *fwd_conns; /* this worker's node connections */

static void fwd_poll_cb(uv_poll_t *h, int status, int events);
static void fwd_connect_next(struct fwd_conn *c);
static void fwd_conn_stop(struct fwd_conn *c);

static void fwd_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* libssh may read the node's socket inside any call made on its session from
 * the client's side (a write of client input, a window-change): a window
 * adjust, data, exit-status or close taken there leaves no readable event
 * for the node's poll. A relaying channel that saw such news since its last
 * step, or holds client input back while its window is open again, asks for
 * one writable wakeup, whose step acts on it. */
static bool fwd_conn_unblocks(const struct fwd_conn *c)
{
	for (const struct fwd *f = c->chans; f != NULL; f = f->cnext)
		if (f->st == FS_RELAY && !f->ending && f->bch != NULL &&
		    (f->node_news || (f->client_blocked && ssh_channel_window_size(f->bch) > 0)))
			return true;
	return false;
}

void fwd__conn_arm(struct fwd_conn *c)
{
	int ev = UV_READABLE;

	if (c == NULL || !c->poll_open || c->stopping)
		return;
	if (c->st == FC_CONNECT)
		ev = UV_WRITABLE;
	else if (c->st == FC_READY && ((ssh_get_status(c->bs) & SSH_WRITE_PENDING) || fwd_conn_unblocks(c)))
		ev |= UV_WRITABLE; /* unsent bytes only (see sess_update_poll()), or a step to run */
	else if (c->st != FC_READY && c->bs != NULL && (ssh_get_poll_flags(c->bs) & SSH_WRITE_PENDING))
		ev |= UV_WRITABLE;
	if (ev != c->poll_events) {
		c->poll_events = ev;
		uv_poll_start(&c->poll, ev, fwd_poll_cb);
	}
}

/* --- channels of the connection --- */

/* Runs fn on every attached channel; a channel may detach itself meanwhile. */
static void fwd_conn_each(struct fwd_conn *c, void (*fn)(struct fwd *f, struct fwd_conn *c))
{
	struct fwd *f, *next;

	c->in_step = true;
	for (f = c->chans; f != NULL; f = next) {
		next = f->cnext;
		fn(f, c);
	}
	c->in_step = false;
	if (c->nchans == 0)
		fwd_conn_stop(c);
}

static void fwd_chan_fail(struct fwd *f, struct fwd_conn *c)
{
	fwd__fail(f, "%s", c->why);
}

/* The connection failed: every channel on it ends with the reason. */
static void fwd_conn_fail(struct fwd_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fwd_conn_fail(struct fwd_conn *c, const char *fmt, ...)
{
	va_list ap;

	if (c->st == FC_DEAD || c->stopping)
		return;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	c->st = FC_DEAD;
	log_info("connection to node %s failed: %s", c->label, c->why);
	fwd_conn_each(c, fwd_chan_fail);
}

static void fwd_chan_step(struct fwd *f, struct fwd_conn *c)
{
	(void)c;
	if (f->st == FS_WAIT && c->st == FC_READY)
		f->st = FS_OPEN;
	fwd__relay_step(f);
}

void fwd__conn_detach(struct fwd *f)
{
	struct fwd_conn *c = f->conn;
	struct fwd **pp;

	if (c == NULL)
		return;
	if (f->bch != NULL) {
		ssh_remove_channel_callbacks(f->bch, &f->cb);
		/* After ssh_disconnect the session owns its channels (ssh_free). */
		if (!c->stopping && c->bs != NULL)
			ssh_channel_free(f->bch);
		f->bch = NULL;
	}
	for (pp = &c->chans; *pp != NULL && *pp != f; pp = &(*pp)->cnext)
		;
	if (*pp == f) {
		*pp = f->cnext;
		c->nchans--;
	}
	f->conn = NULL;
	f->cnext = NULL;
	if (c->nchans == 0 && !c->in_step)
		fwd_conn_stop(c);
	else
		fwd__conn_arm(c);
}

/* --- teardown --- */

static void fwd_conn_maybe_gone(struct fwd_conn *c)
{
	struct fwd_conn **pp;

	if (!c->stopping || c->handles_open > 0 || c->async_pending > 0)
		return;
	if (c->ev != NULL) {
		if (c->bs != NULL)
			ssh_event_remove_session(c->ev, c->bs);
		ssh_event_free(c->ev);
	}
	if (c->bs != NULL)
		ssh_free(c->bs); /* frees its channels and closes libssh's dup of the fd */
	if (c->fd >= 0)
		close(c->fd);
	ssh_key_free(c->key);
	if (c->ai != NULL)
		uv_freeaddrinfo(c->ai);
	free(c->key_path);
	for (pp = &fwd_conns; *pp != NULL && *pp != c; pp = &(*pp)->next)
		;
	if (*pp == c)
		*pp = c->next;
	log_debug("connection to node %s freed", c->label);
	free(c);
}

static void fwd_handle_closed_cb(uv_handle_t *h)
{
	struct fwd_conn *c = h->data;

	c->handles_open--;
	fwd_conn_maybe_gone(c);
}

static void fwd_conn_stop(struct fwd_conn *c)
{
	if (c->stopping)
		return;
	c->stopping = true;
	if (c->bs != NULL) {
		rxbuf_drop(ssh_get_fd(c->bs)); /* bytes read ahead are nobody's now */
		ssh_disconnect(c->bs); /* tells the node we are gone; unsent output is dropped */
	}
	if (c->async_pending > 0 && c->st == FC_RESOLVE)
		uv_cancel((uv_req_t *)&c->gai);
	else if (c->async_pending > 0 && c->st == FC_KEY)
		uv_cancel((uv_req_t *)&c->key_req);
	if (c->poll_open) {
		c->poll_open = false;
		uv_close((uv_handle_t *)&c->poll, fwd_handle_closed_cb);
	}
	if (c->timer_open) {
		c->timer_open = false;
		uv_close((uv_handle_t *)&c->timer, fwd_handle_closed_cb);
	}
	fwd_conn_maybe_gone(c);
}

/* --- steps of the connection --- */

static bool fwd_hostkey_ok(struct fwd_conn *c)
{
	ssh_key srv = NULL, pin = NULL;
	char type[64], *fp_srv = NULL, *fp_pin = NULL;
	const char *b64 = strchr(c->node.host_key, ' ');
	unsigned char *h = NULL;
	size_t hlen = 0;
	bool ok = false;

	if (b64 != NULL && (size_t)(b64 - c->node.host_key) < sizeof(type)) {
		snprintf(type, sizeof(type), "%.*s", (int)(b64 - c->node.host_key), c->node.host_key);
		while (*b64 == ' ')
			b64++;
		ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type), &pin);
	}
	if (ssh_get_server_publickey(c->bs, &srv) == SSH_OK && pin != NULL)
		ok = ssh_key_cmp(srv, pin, SSH_KEY_CMP_PUBLIC) == 0;
	if (!ok) {
		if (srv != NULL && ssh_get_publickey_hash(srv, SSH_PUBLICKEY_HASH_SHA256, &h, &hlen) == 0)
			fp_srv = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, h, hlen);
		ssh_clean_pubkey_hash(&h);
		if (pin != NULL && ssh_get_publickey_hash(pin, SSH_PUBLICKEY_HASH_SHA256, &h, &hlen) == 0)
			fp_pin = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, h, hlen);
		ssh_clean_pubkey_hash(&h);
		log_warn("node %s: host key mismatch: pinned %s, node offered %s", c->label,
		         fp_pin ? fp_pin : "(unreadable)", fp_srv ? fp_srv : "(none)");
		ssh_string_free_char(fp_srv);
		ssh_string_free_char(fp_pin);
	}
	ssh_key_free(srv);
	ssh_key_free(pin);
	return ok;
}

static void fwd_timer_cb(uv_timer_t *t);

static void fwd_conn_ready(struct fwd_conn *c)
{
	c->st = FC_READY;
	c->last_io = uv_now(c->loop);
	uv_timer_start(&c->timer, fwd_timer_cb, FWD_KEEPALIVE_S * 1000u, FWD_KEEPALIVE_S * 1000u);
	log_info("logged in to node %s as %s (cipher %s)", c->label, c->node.account,
	         ssh_get_cipher_out(c->bs));
	fwd_conn_each(c, fwd_chan_step);
}

static void fwd_auth_step(struct fwd_conn *c)
{
	int r = ssh_userauth_publickey(c->bs, NULL, c->key);

	fwd_nonblock(c->fd);
	if (r == SSH_AUTH_AGAIN)
		return;
	if (r != SSH_AUTH_SUCCESS) {
		log_warn("node %s: login as %s refused: %s", c->label, c->node.account,
		         ssh_get_error(c->bs));
		fwd_conn_fail(c, "gateway login to the node refused");
		return;
	}
	if ((c->ev = ssh_event_new()) == NULL || ssh_event_add_session(c->ev, c->bs) != SSH_OK) {
		fwd_conn_fail(c, "node unreachable (out of memory)");
		return;
	}
	fwd_conn_ready(c);
}

static void fwd_handshake_step(struct fwd_conn *c)
{
	int r = ssh_connect(c->bs);

	fwd_nonblock(c->fd);
	if (r == SSH_AGAIN)
		return;
	if (r != SSH_OK) {
		fwd_conn_fail(c, "node unreachable (%s)", ssh_get_error(c->bs));
		return;
	}
	if (!fwd_hostkey_ok(c)) {
		fwd_conn_fail(c, "node host key does not match the pinned key; refused");
		return;
	}
	c->st = FC_AUTH;
	fwd_auth_step(c);
}

/* Host key algorithms that make the node show the key type we pinned. */
static void fwd_hostkey_algos(const char *pinned, char *out, size_t outsz)
{
	const char *sp = strchr(pinned, ' ');

	out[0] = '\0';
	if (strncmp(pinned, "ssh-rsa ", 8) == 0)
		snprintf(out, outsz, "rsa-sha2-512,rsa-sha2-256,ssh-rsa");
	else if (sp != NULL && (size_t)(sp - pinned) < outsz)
		snprintf(out, outsz, "%.*s", (int)(sp - pinned), pinned);
}

static int fwd_ssh_new(struct fwd_conn *c)
{
	bool no = false;
	int dupfd, port = c->node.port;
	char algos[64];

	if ((c->bs = ssh_new()) == NULL || (dupfd = fcntl(c->fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	fwd_hostkey_algos(c->node.host_key, algos, sizeof(algos));
	ssh_options_set(c->bs, SSH_OPTIONS_FD, &dupfd);
	ssh_options_set(c->bs, SSH_OPTIONS_PROCESS_CONFIG, &no);
	ssh_options_set(c->bs, SSH_OPTIONS_HOST, c->node.host);
	ssh_options_set(c->bs, SSH_OPTIONS_PORT, &port);
	ssh_options_set(c->bs, SSH_OPTIONS_USER, c->node.account);
	/* Set so that option processing never looks up a home directory. */
	ssh_options_set(c->bs, SSH_OPTIONS_SSH_DIR, "/nonexistent");
	ssh_options_set(c->bs, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	ssh_options_set(c->bs, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	if (algos[0] != '\0')
		ssh_options_set(c->bs, SSH_OPTIONS_HOSTKEYS, algos);
	ssh_options_set(c->bs, SSH_OPTIONS_CIPHERS_C_S, FWD_NODE_CIPHERS);
	ssh_options_set(c->bs, SSH_OPTIONS_CIPHERS_S_C, FWD_NODE_CIPHERS);
	ssh_set_blocking(c->bs, 0);
	return 0;
}

static void fwd_socket_tune(int fd)
{
	int on = 1, idle = FWD_TCP_KEEPIDLE_S, intvl = FWD_TCP_KEEPINTVL_S, cnt = FWD_TCP_KEEPCNT;
	unsigned int user_to = (unsigned)(FWD_TCP_KEEPIDLE_S + FWD_TCP_KEEPINTVL_S * FWD_TCP_KEEPCNT) *
	                       1000u;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	/* Unacknowledged output to a vanished node fails instead of hanging. */
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_to, sizeof(user_to));
}

static void fwd_connected(struct fwd_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		log_debug("node %s: connect: %s", c->label, strerror(err));
		snprintf(c->why, sizeof(c->why), "%s", strerror(err));
		fwd_connect_next(c);
		return;
	}
	fwd_socket_tune(c->fd);
	if (fwd_ssh_new(c) != 0) {
		fwd_conn_fail(c, "node unreachable (out of memory)");
		return;
	}
	c->st = FC_HANDSHAKE;
	c->poll_events = 0;
	fwd_handshake_step(c);
}

/* Runs libssh while it makes progress, then lets every channel act. */
static void fwd_pump(struct fwd_conn *c)
{
	int r = SSH_OK, fd = ssh_get_fd(c->bs);

	/* Until the read-ahead is empty too (rxbuf.h). */
	rxbuf_pump_begin(fd);
	for (int i = 0; r == SSH_OK && !c->stopping &&
	                (i < FWD_PUMP_ROUNDS ||
	                 (rxbuf_pending(fd) > 0 && i < FWD_PUMP_ROUNDS + RXBUF_DRAIN_ROUNDS));
	     i++)
		r = ssh_event_dopoll(c->ev, 0);
	rxbuf_pump_end();
	c->last_io = uv_now(c->loop);
	if (r == SSH_ERROR && !c->stopping) {
		/* Let channels pass on what already arrived (exit status, close)
		 * before the loss ends the rest. */
		fwd_conn_each(c, fwd_chan_step);
		if (!c->stopping)
			fwd_conn_fail(c, "connection to the node lost (%s)", ssh_get_error(c->bs));
		return;
	}
	fwd_conn_each(c, fwd_chan_step);
}

static const char *fwd_sock_error(int fd, int status)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0)
		return strerror(err);
	return uv_strerror(status);
}

static void fwd_poll_cb(uv_poll_t *h, int status, int events)
{
	struct fwd_conn *c = h->data;
	uint64_t prev = log_set_sid(c->sid);

	(void)events;
	if (c->stopping) {
		log_set_sid(prev);
		return;
	}
	if (status < 0 && c->st == FC_CONNECT) {
		snprintf(c->why, sizeof(c->why), "%s", fwd_sock_error(c->fd, status));
		fwd_connect_next(c);
	} else if (status < 0) {
		/* libuv says EBADF for any socket error (EPOLLERR): name the real one. */
		fwd_conn_fail(c, "connection to the node lost (%s)", fwd_sock_error(c->fd, status));
	} else if (c->st == FC_CONNECT) {
		fwd_connected(c);
	} else if (c->st == FC_HANDSHAKE) {
		fwd_handshake_step(c);
	} else if (c->st == FC_AUTH) {
		fwd_auth_step(c);
	} else if (c->st == FC_READY) {
		fwd_pump(c);
	}
	fwd__conn_arm(c);
	log_set_sid(prev);
}

static void fwd_timer_cb(uv_timer_t *t)
{
	struct fwd_conn *c = t->data;
	uint64_t prev = log_set_sid(c->sid);

	if (c->st < FC_READY) {
		fwd_conn_fail(c, "node unreachable (no answer within %d s)",
		              c->cfg->node_connect_timeout);
	} else if (c->st == FC_READY && uv_now(c->loop) - c->last_io >= FWD_KEEPALIVE_S * 1000u) {
		ssh_send_ignore(c->bs, "");
		fwd__conn_arm(c);
	}
	log_set_sid(prev);
}

static void fwd_poll_reopen_cb(uv_handle_t *h)
{
	struct fwd_conn *c = h->data;

	c->handles_open--;
	if (c->stopping) {
		fwd_conn_maybe_gone(c);
		return;
	}
	fwd_connect_next(c);
}

/* Tries the next resolved address (after closing the previous attempt). */
static void fwd_connect_next(struct fwd_conn *c)
{
	struct addrinfo *a = c->ai_next;

	if (c->poll_open) {
		c->poll_open = false;
		uv_close((uv_handle_t *)&c->poll, fwd_poll_reopen_cb);
		return;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (a == NULL) {
		fwd_conn_fail(c, "node unreachable (%s)", c->why[0] ? c->why : "no address");
		return;
	}
	c->ai_next = a->ai_next;
	c->fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || (connect(c->fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS)) {
		snprintf(c->why, sizeof(c->why), "%s", strerror(errno));
		fwd_connect_next(c);
		return;
	}
	if (uv_poll_init(c->loop, &c->poll, c->fd) != 0) {
		fwd_conn_fail(c, "node unreachable (poll)");
		return;
	}
	c->poll.data = c;
	c->poll_open = true;
	c->handles_open++;
	c->poll_events = 0;
	c->st = FC_CONNECT;
	fwd__conn_arm(c);
}

static void fwd_gai_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct fwd_conn *c = req->data;
	uint64_t prev = log_set_sid(c->sid);

	c->async_pending--;
	c->ai = res;
	if (c->stopping) {
		fwd_conn_maybe_gone(c);
	} else if (status < 0) {
		fwd_conn_fail(c, "node unreachable (cannot resolve %s: %s)", c->node.host,
		              uv_strerror(status));
	} else {
		c->ai_next = res;
		fwd_connect_next(c);
	}
	log_set_sid(prev);
}

static void fwd_key_work_cb(uv_work_t *req)
{
	struct fwd_conn *c = req->data;

	c->key_err = ssh_pki_import_privkey_file(c->key_path, NULL, NULL, NULL, &c->key);
}

static void fwd_key_done_cb(uv_work_t *req, int status)
{
	struct fwd_conn *c = req->data;
	uint64_t prev = log_set_sid(c->sid);
	struct addrinfo hints;
	char port[16];

	c->async_pending--;
	if (c->stopping) {
		fwd_conn_maybe_gone(c);
	} else if (status < 0 || c->key_err != SSH_OK) {
		log_err("cannot load the gateway client key %s (run sftpgw-admin init)", c->key_path);
		fwd_conn_fail(c, "the gateway has no client key for nodes");
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_family = AF_UNSPEC;
		snprintf(port, sizeof(port), "%d", c->node.port);
		c->gai.data = c;
		c->st = FC_RESOLVE;
		if (uv_getaddrinfo(c->loop, &c->gai, fwd_gai_cb, c->node.host, port, &hints) == 0)
			c->async_pending++;
		else
			fwd_conn_fail(c, "node unreachable (cannot resolve %s)", c->node.host);
	}
	log_set_sid(prev);
}

static int fwd_conn_start(struct fwd_conn *c)
{
	char *dir = config_state_dir(c->cfg);
	int to = c->cfg->node_connect_timeout > 0 ? c->cfg->node_connect_timeout : 10;
	size_t len;

	if (dir == NULL)
		return -1;
	len = strlen(dir) + sizeof("/client_key");
	if ((c->key_path = malloc(len)) == NULL) {
		free(dir);
		return -1;
	}
	snprintf(c->key_path, len, "%s/client_key", dir);
	free(dir);
	if (uv_timer_init(c->loop, &c->timer) != 0)
		return -1;
	c->timer.data = c;
	c->timer_open = true;
	c->handles_open++;
	uv_timer_start(&c->timer, fwd_timer_cb, (uint64_t)to * 1000u, 0);
	c->st = FC_KEY;
	c->key_req.data = c;
	if (uv_queue_work(c->loop, &c->key_req, fwd_key_work_cb, fwd_key_done_cb) != 0)
		return -1;
	c->async_pending++;
	return 0;
}

/* This session's live connection to the same node (same address and pin). */
static struct fwd_conn *fwd_conn_find(const struct fwd *f)
{
	for (struct fwd_conn *c = fwd_conns; c != NULL; c = c->next)
		if (c->si == f->si && c->node.id == f->node.id && c->st != FC_DEAD && !c->stopping &&
		    c->node.port == f->node.port && strcmp(c->node.host, f->node.host) == 0 &&
		    strcmp(c->node.account, f->node.account) == 0 &&
		    strcmp(c->node.host_key, f->node.host_key) == 0)
			return c;
	return NULL;
}

void fwd__conn_attach(struct fwd *f)
{
	struct fwd_conn *c = fwd_conn_find(f);

	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			fwd__fail(f, "out of memory");
			return;
		}
		c->si = f->si;
		c->sid = f->si->id;
		c->loop = f->si->loop;
		c->cfg = f->si->cfg;
		c->node = f->node;
		c->fd = -1;
		snprintf(c->label, sizeof(c->label), "%s", f->label);
		c->next = fwd_conns;
		fwd_conns = c;
		if (fwd_conn_start(c) != 0) {
			fwd_conn_stop(c);
			fwd__fail(f, "out of memory");
			return;
		}
	} else {
		log_debug("channel shares the connection to node %s", c->label);
	}
	f->conn = c;
	f->cnext = c->chans;
	c->chans = f;
	c->nchans++;
	f->st = FS_WAIT;
	if (c->st == FC_READY) {
		f->st = FS_OPEN;
		fwd__relay_step(f);
	}
}
