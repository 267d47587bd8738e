/* session.c — one SSH connection driven from its worker's uv loop.
 *
 * libssh runs non-blocking with one ssh_event per session; a uv_poll on the
 * socket calls ssh_event_dopoll, which fires libssh callbacks (auth.c,
 * chan.c). Callbacks only record what happened; output, channel starts and
 * frees happen after dopoll returns (sess_after), never inside a callback,
 * because any libssh call may re-enter the callbacks.
 *
 * One fd per connection: libssh owns the socket (it closes it on disconnect,
 * on a read or write error, and in ssh_free), and the uv_poll watches the
 * same number. So the poll is closed (uv_close drops the fd from epoll at
 * once) in the same callback in which libssh closed the socket or is about
 * to (sess_teardown), before the loop can accept a connection that reuses
 * the number.
 *
 * Teardown: poll closed, libssh disconnects -> channels closed -> kinds
 * release them -> timer closed -> ssh_event_remove_session -> ssh_free.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core.h"
#include "sftpgw/log.h"
#include "sftpgw/vfs.h"

#define SESS_END_GRACE_MS 5000  /* an ending session gets this long to drain */

static void sess_after(struct sess *s);
static void sess_teardown(struct sess *s);

static void sess_addr(struct sess *s, const struct sockaddr_storage *sa)
{
	const void *a = NULL;

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		a = &in->sin_addr;
		s->info.port = ntohs(in->sin_port);
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		a = &in6->sin6_addr;
		s->info.port = ntohs(in6->sin6_port);
	}
	if (a == NULL || inet_ntop(sa->ss_family, a, s->info.addr, sizeof(s->info.addr)) == NULL)
		snprintf(s->info.addr, sizeof(s->info.addr), "unknown");
	/* Show IPv4-mapped IPv6 clients as plain IPv4, as OpenSSH does. */
	if (strncmp(s->info.addr, "::ffff:", 7) == 0 && strchr(s->info.addr + 7, '.') != NULL)
		memmove(s->info.addr, s->info.addr + 7, strlen(s->info.addr + 7) + 1);
}

static void sess_poll_cb(uv_poll_t *h, int status, int events)
{
	struct sess *s = h->data;
	uint64_t prev = log_set_sid(s->info.id);
	int r = SSH_OK;

	(void)events;
	if (status < 0) {
		log_debug("poll error: %s", uv_strerror(status));
		sess_teardown(s);
		log_set_sid(prev);
		return;
	}
	s->in_pump = true;
	/* libssh reads 4 KiB per call: keep going while it makes progress. */
	for (int i = 0; i < SESS_PUMP_ROUNDS && r == SSH_OK && !s->dying; i++)
		r = ssh_event_dopoll(s->ev, 0);
	s->in_pump = false;
	if (r == SSH_ERROR && !s->dying) {
		log_debug("connection error: %s", ssh_get_error(s->ssh));
		sess_teardown(s);
	}
	sess_after(s);
	log_set_sid(prev);
}

static void sess_timer_cb(uv_timer_t *t)
{
	struct sess *s = t->data;
	uint64_t prev = log_set_sid(s->info.id);

	if (!s->authed) {
		log_info("login grace time exceeded for %s port %d", s->info.addr, s->info.port);
		sess_teardown(s);
	} else if (s->dying || s->ending) {
		sess_kill(s); /* an ending session did not drain in time */
	} else if (s->grant.valid_before != 0) {
		log_info("certificate \"%s\" expired: ending the session", s->grant.key_id);
		sess_end(s, "your certificate has expired");
	}
	sess_after(s);
	log_set_sid(prev);
}

static void sess_handle_closed_cb(uv_handle_t *h)
{
	struct sess *s = h->data;

	if (--s->handles_open > 0)
		return;
	ssh_event_remove_session(s->ev, s->ssh);
	ssh_event_free(s->ev);
	ssh_free(s->ssh); /* closes the socket if the disconnect did not */
	if (s->holds_unauth)
		limits_unauth_drop(s->info.addr);
	if (s->holds_sess)
		limits_sess_drop(s->info.target.user);
	if (s->info.view != NULL)
		vfs_view_unref(s->info.view);
	cert_grant_free(&s->grant);
	free(s->info.envs);
	free(s->refusal);
	log_debug("session freed");
	worker_sess_gone(s->w, s);
	free(s);
}

/* Frees the session once every channel is released and no view is building
 * (the poll was closed by the teardown). */
static void sess_maybe_free(struct sess *s)
{
	if (!s->dying || s->nchans > 0 || s->view_pending)
		return;
	if (uv_is_closing((uv_handle_t *)&s->timer))
		return;
	uv_close((uv_handle_t *)&s->timer, sess_handle_closed_cb);
}

/* The connection is finished: no more SSH traffic. Kinds are told to close;
 * memory goes once they have released their channels. */
static void sess_teardown(struct sess *s)
{
	if (s->dying)
		return;
	s->dying = true;
	uv_close((uv_handle_t *)&s->poll, sess_handle_closed_cb);
	uv_timer_stop(&s->timer);
	chan_close_all(s);
	if (ssh_is_connected(s->ssh))
		ssh_disconnect(s->ssh);
	if (s->authed)
		log_info("session closed for %s from %s", s->info.target.user, s->info.addr);
	sess_maybe_free(s);
}

void sess_kill(struct sess *s)
{
	sess_teardown(s);
}

/* UV_WRITABLE only while libssh holds unsent bytes. Its poll flags keep
 * POLLOUT after every send, even when the whole packet left: watching those
 * cost every reply one more loop turn (an immediate writable wakeup, a
 * dopoll) and two uv_poll_start()s, i.e. four epoll_ctl calls. */
static void sess_update_poll(struct sess *s)
{
	int ev = UV_READABLE;

	if (ssh_get_status(s->ssh) & SSH_WRITE_PENDING)
		ev |= UV_WRITABLE;
	if (ev != s->poll_events) {
		s->poll_events = ev;
		uv_poll_start(&s->poll, ev, sess_poll_cb);
	}
}

static void sess_after(struct sess *s)
{
	int st;

	if (s->dying) {
		chan_flush_all(s);
		sess_maybe_free(s);
		return;
	}
	st = ssh_get_status(s->ssh);
	if (st & (SSH_CLOSED | SSH_CLOSED_ERROR)) {
		sess_teardown(s);
		return;
	}
	if (s->auth_tries >= s->info.cfg->max_auth_tries) {
		log_info("too many authentication failures for %s from %s", s->info.login, s->info.addr);
		sess_teardown(s);
		return;
	}
	chan_flush_all(s);
	if (s->dying)
		return;
	if (ssh_get_status(s->ssh) & (SSH_CLOSED | SSH_CLOSED_ERROR)) {
		sess_teardown(s); /* a write failed and libssh closed the socket */
		return;
	}
	if (s->ending && chan_none_left(s) && !(ssh_get_status(s->ssh) & SSH_WRITE_PENDING)) {
		sess_teardown(s);
		return;
	}
	sess_update_poll(s);
}

void sess_kick(struct sess *s)
{
	if (s->dirty)
		return;
	s->dirty = true;
	s->dirty_next = s->w->dirty;
	s->w->dirty = s;
	worker_wake_idle(s->w);
}

void sess_run(struct sess *s)
{
	uint64_t prev = log_set_sid(s->info.id);

	sess_after(s);
	log_set_sid(prev);
}

void sess_end(struct sess *s, const char *reason)
{
	if (s->ending || s->dying)
		return;
	s->ending = true;
	chan_end_all(s, reason);
	uv_timer_start(&s->timer, sess_timer_cb, SESS_END_GRACE_MS, 0);
	sess_kick(s);
}

void sess_tick(struct sess *s, bool store_changed)
{
	uint64_t prev;

	if (!s->authed || s->dying || !store_changed)
		return;
	prev = log_set_sid(s->info.id);
	chan_revalidate_all(s);
	sess_kick(s);
	log_set_sid(prev);
}

void sess_cert_timer(struct sess *s, int64_t valid_before, int64_t now)
{
	int64_t ms = (valid_before - now) * 1000;

	uv_timer_start(&s->timer, sess_timer_cb, ms > 0 ? (uint64_t)ms : 0, 0);
}

static int sess_ssh_setup(struct sess *s)
{
	if ((s->ssh = ssh_new()) == NULL)
		return -ENOMEM;
	ssh_set_blocking(s->ssh, 0);
	s->scb.userdata = s;
	s->scb.auth_pubkey_function = auth_pubkey_cb;
	s->scb.channel_open_request_session_function = chan_open_session_cb;
	ssh_callbacks_init(&s->scb);
	ssh_set_server_callbacks(s->ssh, &s->scb);
	ssh_set_auth_methods(s->ssh, SSH_AUTH_METHOD_PUBLICKEY);
	/* Everything no server callback handles (direct-tcpip, password or
	 * keyboard-interactive attempts, global requests) gets an answer here;
	 * without it libssh would queue such messages unanswered. */
	ssh_set_message_callback(s->ssh, chan_message_cb, s);
	if (ssh_bind_accept_fd(s->w->bind, s->ssh, s->fd) != SSH_OK) {
		log_warn("accept: %s", ssh_get_error(s->w->bind));
		return -EIO;
	}
	if (ssh_handle_key_exchange(s->ssh) == SSH_ERROR) {
		log_debug("key exchange: %s", ssh_get_error(s->ssh));
		return -EIO;
	}
	if ((s->ev = ssh_event_new()) == NULL || ssh_event_add_session(s->ev, s->ssh) != SSH_OK)
		return -ENOMEM;
	return 0;
}

void sess_accept(struct worker *w, int fd, const struct sockaddr_storage *sa)
{
	struct sess *s = calloc(1, sizeof(*s));
	int one = 1;
	uint64_t prev;

	if (s == NULL) {
		close(fd);
		return;
	}
	s->w = w;
	s->fd = fd;
	s->info.id = atomic_fetch_add(&core_g.next_sid, 1) + 1;
	s->info.loop = &w->loop;
	s->info.store = w->store;
	s->info.cfg = &core_g.cfg;
	sess_addr(s, sa);
	prev = log_set_sid(s->info.id);
	if (!limits_unauth_take(s->info.addr)) {
		log_warn("too many unauthenticated connections: dropping %s port %d", s->info.addr,
		         s->info.port);
		close(fd);
		free(s);
		log_set_sid(prev);
		return;
	}
	s->holds_unauth = true;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	log_debug("connection from %s port %d", s->info.addr, s->info.port);
	if (sess_ssh_setup(s) != 0) {
		/* libssh owns the fd once ssh_bind_accept_fd got as far as taking it */
		bool owned = s->ssh != NULL && ssh_get_fd(s->ssh) == fd;

		if (s->ev != NULL)
			ssh_event_free(s->ev);
		if (s->ssh != NULL)
			ssh_free(s->ssh);
		if (!owned)
			close(fd);
		limits_unauth_drop(s->info.addr);
		free(s);
		log_set_sid(prev);
		return;
	}
	uv_poll_init(&w->loop, &s->poll, fd);
	uv_timer_init(&w->loop, &s->timer);
	s->poll.data = s->timer.data = s;
	s->handles_open = 2;
	uv_timer_start(&s->timer, sess_timer_cb, (uint64_t)core_g.cfg.login_grace_time * 1000, 0);
	s->next = w->sessions;
	if (w->sessions != NULL)
		w->sessions->prev = s;
	w->sessions = s;
	w->nsessions++;
	sess_after(s);
	log_set_sid(prev);
}
