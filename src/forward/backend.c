/* backend.c — the libssh client session to a node, driven by the worker loop.
 *
 * Nothing here blocks: the client key is read on the threadpool, the name is
 * resolved with uv_getaddrinfo, the socket connects non-blocking, and libssh
 * runs non-blocking on a dup of it under a uv_poll (LIBSSH-NOTES.md,
 * "Outgoing client sessions"). ssh_connect makes the socket blocking once
 * the TCP connection is up, so O_NONBLOCK is set again after every call.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd_internal.h"
#include "sftpgw/config.h"
#include "sftpgw/log.h"
#include "sftpgw/sess.h"

static void fwd_poll_cb(uv_poll_t *h, int status, int events);
static void fwd_connect_next(struct fwd *f);

static void fwd_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void fwd__backend_arm(struct fwd *f)
{
	int ev = UV_READABLE;

	if (!f->poll_open || f->stopping)
		return;
	if (f->st == FS_CONNECT)
		ev = UV_WRITABLE;
	else if (f->bs != NULL && (ssh_get_poll_flags(f->bs) & SSH_WRITE_PENDING))
		ev |= UV_WRITABLE;
	if (ev != f->poll_events) {
		f->poll_events = ev;
		uv_poll_start(&f->poll, ev, fwd_poll_cb);
	}
}

/* --- teardown --- */

static void fwd_maybe_gone(struct fwd *f)
{
	if (!f->stopping || f->handles_open > 0 || f->async_pending > 0)
		return;
	if (f->ev != NULL) {
		if (f->bs != NULL)
			ssh_event_remove_session(f->ev, f->bs);
		ssh_event_free(f->ev);
		f->ev = NULL;
	}
	if (f->bs != NULL) {
		ssh_free(f->bs); /* frees its channels and closes libssh's dup of the fd */
		f->bs = NULL;
		f->bch = NULL;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	ssh_key_free(f->key);
	f->key = NULL;
	if (f->ai != NULL)
		uv_freeaddrinfo(f->ai);
	f->ai = NULL;
	fwd__backend_gone(f);
}

static void fwd_handle_closed_cb(uv_handle_t *h)
{
	struct fwd *f = h->data;

	f->handles_open--;
	fwd_maybe_gone(f);
}

void fwd__backend_stop(struct fwd *f)
{
	if (f->stopping)
		return;
	f->stopping = true;
	if (f->bs != NULL) {
		if (f->bch != NULL)
			ssh_remove_channel_callbacks(f->bch, &f->cb);
		/* Tells the node we are gone; unsent output is dropped, which is
		 * what we want at this point. */
		ssh_disconnect(f->bs);
	}
	if (f->async_pending > 0 && f->st == FS_RESOLVE)
		uv_cancel((uv_req_t *)&f->gai);
	else if (f->async_pending > 0 && f->st == FS_KEY)
		uv_cancel((uv_req_t *)&f->key_req);
	if (f->poll_open) {
		f->poll_open = false;
		uv_close((uv_handle_t *)&f->poll, fwd_handle_closed_cb);
	}
	if (f->timer_open) {
		f->timer_open = false;
		uv_close((uv_handle_t *)&f->timer, fwd_handle_closed_cb);
	}
	if (f->eof_timer_open) {
		f->eof_timer_open = false;
		uv_close((uv_handle_t *)&f->eof_timer, fwd_handle_closed_cb);
	}
	fwd_maybe_gone(f);
}

/* --- steps of the connection --- */

static bool fwd_hostkey_ok(struct fwd *f)
{
	ssh_key srv = NULL, pin = NULL;
	char type[64], *fp_srv = NULL, *fp_pin = NULL;
	const char *b64 = strchr(f->node.host_key, ' ');
	unsigned char *h = NULL;
	size_t hlen = 0;
	bool ok = false;

	if (b64 != NULL && (size_t)(b64 - f->node.host_key) < sizeof(type)) {
		snprintf(type, sizeof(type), "%.*s", (int)(b64 - f->node.host_key), f->node.host_key);
		while (*b64 == ' ')
			b64++;
		ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type), &pin);
	}
	if (ssh_get_server_publickey(f->bs, &srv) == SSH_OK && pin != NULL)
		ok = ssh_key_cmp(srv, pin, SSH_KEY_CMP_PUBLIC) == 0;
	if (!ok) {
		if (srv != NULL && ssh_get_publickey_hash(srv, SSH_PUBLICKEY_HASH_SHA256, &h, &hlen) == 0)
			fp_srv = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, h, hlen);
		ssh_clean_pubkey_hash(&h);
		if (pin != NULL && ssh_get_publickey_hash(pin, SSH_PUBLICKEY_HASH_SHA256, &h, &hlen) == 0)
			fp_pin = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, h, hlen);
		ssh_clean_pubkey_hash(&h);
		log_warn("node %s: host key mismatch: pinned %s, node offered %s", f->label,
		         fp_pin ? fp_pin : "(unreadable)", fp_srv ? fp_srv : "(none)");
		ssh_string_free_char(fp_srv);
		ssh_string_free_char(fp_pin);
	}
	ssh_key_free(srv);
	ssh_key_free(pin);
	return ok;
}

static void fwd_auth_step(struct fwd *f)
{
	int r = ssh_userauth_publickey(f->bs, NULL, f->key);

	fwd_nonblock(f->fd);
	if (r == SSH_AUTH_AGAIN)
		return;
	if (r != SSH_AUTH_SUCCESS) {
		log_warn("node %s: login as %s refused: %s", f->label, f->node.account,
		         ssh_get_error(f->bs));
		fwd__fail(f, "gateway login to the node refused");
		return;
	}
	if ((f->ev = ssh_event_new()) == NULL || ssh_event_add_session(f->ev, f->bs) != SSH_OK) {
		fwd__fail(f, "node unreachable (out of memory)");
		return;
	}
	log_debug("node %s: logged in", f->label);
	f->st = FS_OPEN;
	fwd__relay_step(f);
}

static void fwd_handshake_step(struct fwd *f)
{
	int r = ssh_connect(f->bs);

	fwd_nonblock(f->fd);
	if (r == SSH_AGAIN)
		return;
	if (r != SSH_OK) {
		fwd__fail(f, "node unreachable (%s)", ssh_get_error(f->bs));
		return;
	}
	if (!fwd_hostkey_ok(f)) {
		fwd__fail(f, "node host key does not match the pinned key; refused");
		return;
	}
	f->st = FS_AUTH;
	fwd_auth_step(f);
}

/* Host key algorithms that make the node show the key type we pinned. */
static const char *fwd_hostkey_algos(const char *pinned)
{
	if (strncmp(pinned, "ssh-rsa ", 8) == 0)
		return "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
	return NULL;
}

static int fwd_ssh_new(struct fwd *f)
{
	bool no = false;
	int dupfd, port = f->node.port;
	char type[64];
	const char *sp = strchr(f->node.host_key, ' ');
	const char *algos = fwd_hostkey_algos(f->node.host_key);

	if ((f->bs = ssh_new()) == NULL || (dupfd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	if (sp != NULL && algos == NULL && (size_t)(sp - f->node.host_key) < sizeof(type)) {
		snprintf(type, sizeof(type), "%.*s", (int)(sp - f->node.host_key), f->node.host_key);
		algos = type;
	}
	ssh_options_set(f->bs, SSH_OPTIONS_FD, &dupfd);
	ssh_options_set(f->bs, SSH_OPTIONS_PROCESS_CONFIG, &no);
	ssh_options_set(f->bs, SSH_OPTIONS_HOST, f->node.host);
	ssh_options_set(f->bs, SSH_OPTIONS_PORT, &port);
	ssh_options_set(f->bs, SSH_OPTIONS_USER, f->node.account);
	/* Set so that option processing never looks up a home directory. */
	ssh_options_set(f->bs, SSH_OPTIONS_SSH_DIR, "/nonexistent");
	ssh_options_set(f->bs, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	ssh_options_set(f->bs, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	if (algos != NULL)
		ssh_options_set(f->bs, SSH_OPTIONS_HOSTKEYS, algos);
	ssh_set_blocking(f->bs, 0);
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

static void fwd_connected(struct fwd *f)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		log_debug("node %s: connect: %s", f->label, strerror(err));
		snprintf(f->why, sizeof(f->why), "%s", strerror(err));
		fwd_connect_next(f);
		return;
	}
	fwd_socket_tune(f->fd);
	if (fwd_ssh_new(f) != 0) {
		fwd__fail(f, "node unreachable (out of memory)");
		return;
	}
	f->st = FS_HANDSHAKE;
	f->poll_events = 0;
	fwd_handshake_step(f);
}

/* Runs libssh while it makes progress, then lets the relay act. */
static void fwd_pump(struct fwd *f)
{
	int r = SSH_OK;

	for (int i = 0; i < FWD_PUMP_ROUNDS && r == SSH_OK && !f->stopping; i++)
		r = ssh_event_dopoll(f->ev, 0);
	if (r == SSH_ERROR && !f->stopping && f->st != FS_DONE) {
		f->conn_lost = true;
		snprintf(f->why, sizeof(f->why), "%s", ssh_get_error(f->bs));
	}
	f->last_io = uv_now(f->si->loop);
	fwd__relay_step(f);
}

static void fwd_poll_cb(uv_poll_t *h, int status, int events)
{
	struct fwd *f = h->data;
	uint64_t prev = log_set_sid(f->si->id);

	(void)events;
	if (f->stopping) {
		log_set_sid(prev);
		return;
	}
	if (status < 0 && f->st == FS_CONNECT) {
		snprintf(f->why, sizeof(f->why), "%s", uv_strerror(status));
		fwd_connect_next(f);
	} else if (status < 0) {
		fwd__fail(f, "connection to the node lost (%s)", uv_strerror(status));
	} else if (f->st == FS_CONNECT) {
		fwd_connected(f);
	} else if (f->st == FS_HANDSHAKE) {
		fwd_handshake_step(f);
	} else if (f->st == FS_AUTH) {
		fwd_auth_step(f);
	} else {
		fwd_pump(f);
	}
	fwd__backend_arm(f);
	log_set_sid(prev);
}

static void fwd_poll_reopen_cb(uv_handle_t *h)
{
	struct fwd *f = h->data;

	f->handles_open--;
	if (f->stopping) {
		fwd_maybe_gone(f);
		return;
	}
	fwd_connect_next(f);
}

/* Tries the next resolved address (after closing the previous attempt). */
static void fwd_connect_next(struct fwd *f)
{
	struct addrinfo *a = f->ai_next;

	if (f->poll_open) {
		f->poll_open = false;
		uv_close((uv_handle_t *)&f->poll, fwd_poll_reopen_cb);
		return;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (a == NULL) {
		fwd__fail(f, "node unreachable (%s)", f->why[0] ? f->why : "no address");
		return;
	}
	f->ai_next = a->ai_next;
	f->fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->fd < 0 || (connect(f->fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS)) {
		snprintf(f->why, sizeof(f->why), "%s", strerror(errno));
		fwd_connect_next(f);
		return;
	}
	if (uv_poll_init(f->si->loop, &f->poll, f->fd) != 0) {
		fwd__fail(f, "node unreachable (poll)");
		return;
	}
	f->poll.data = f;
	f->poll_open = true;
	f->handles_open++;
	f->poll_events = 0;
	f->st = FS_CONNECT;
	fwd__backend_arm(f);
}

static void fwd_gai_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct fwd *f = req->data;
	uint64_t prev = log_set_sid(f->si->id);

	f->async_pending--;
	f->ai = res;
	if (f->stopping) {
		fwd_maybe_gone(f);
	} else if (status < 0) {
		fwd__fail(f, "node unreachable (cannot resolve %s: %s)", f->node.host,
		          uv_strerror(status));
	} else {
		f->ai_next = res;
		fwd_connect_next(f);
	}
	log_set_sid(prev);
}

static void fwd_key_work_cb(uv_work_t *req)
{
	struct fwd *f = req->data;

	f->key_err = ssh_pki_import_privkey_file(f->key_path, NULL, NULL, NULL, &f->key);
}

static void fwd_key_done_cb(uv_work_t *req, int status)
{
	struct fwd *f = req->data;
	uint64_t prev = log_set_sid(f->si->id);
	struct addrinfo hints;
	char port[16];

	f->async_pending--;
	if (f->stopping) {
		fwd_maybe_gone(f);
	} else if (status < 0 || f->key_err != SSH_OK) {
		log_err("cannot load the gateway client key %s (run sftpgw-admin init)", f->key_path);
		fwd__fail(f, "the gateway has no client key for nodes");
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_family = AF_UNSPEC;
		snprintf(port, sizeof(port), "%d", f->node.port);
		f->gai.data = f;
		f->st = FS_RESOLVE;
		if (uv_getaddrinfo(f->si->loop, &f->gai, fwd_gai_cb, f->node.host, port, &hints) == 0)
			f->async_pending++;
		else
			fwd__fail(f, "node unreachable (cannot resolve %s)", f->node.host);
	}
	log_set_sid(prev);
}

void fwd__backend_start(struct fwd *f)
{
	char *dir = config_state_dir(f->si->cfg);
	size_t len;

	if (dir == NULL) {
		fwd__fail(f, "the gateway has no client key for nodes");
		return;
	}
	len = strlen(dir) + sizeof("/client_key");
	if ((f->key_path = malloc(len)) == NULL) {
		free(dir);
		fwd__fail(f, "out of memory");
		return;
	}
	snprintf(f->key_path, len, "%s/client_key", dir);
	free(dir);
	f->st = FS_KEY;
	f->key_req.data = f;
	if (uv_queue_work(f->si->loop, &f->key_req, fwd_key_work_cb, fwd_key_done_cb) == 0)
		f->async_pending++;
	else
		fwd__fail(f, "out of memory");
}
