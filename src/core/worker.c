/* worker.c — one thread, one uv loop: accepts, runs sessions, housekeeping.
 *
 * Workers share nothing but the limits table and the config. Each has its own
 * listening sockets (SO_REUSEPORT spreads connections), its own ssh_bind, a
 * store connection for reads on the loop and one for writes on the threadpool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "sftpgw/err.h"
#include "sftpgw/log.h"
#include "sftpgw/rxbuf.h"
#include "sftpgw/store.h"

#define WORKER_ACCEPT_BURST 64  /* accepts per wakeup, so one listener cannot starve sessions */
/* Out of fds (or memory), a pending connection keeps the listener readable:
 * stop polling it this long instead of spinning, and warn this seldom. */
#define WORKER_ACCEPT_PAUSE_MS 200
#define WORKER_ACCEPT_WARN_MS 10000

static const char *const host_key_files[] = {
	"hostkeys/ssh_host_ed25519_key",
	"hostkeys/ssh_host_ecdsa_key",
	"hostkeys/ssh_host_rsa_key",
};

/* Signature algorithms accepted for user keys: no SHA-1 "ssh-rsa". */
static const char worker_pubkey_algs[] =
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
	"sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256,"
	"ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
	"ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
	"sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
	"rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com";

static int worker_bind_new(struct worker *w)
{
	bool no = false;
	int nkeys = 0;

	if ((w->bind = ssh_bind_new()) == NULL)
		return -ENOMEM;
	ssh_bind_options_set(w->bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
	for (size_t i = 0; i < sizeof(host_key_files) / sizeof(host_key_files[0]); i++) {
		char path[4096];
		ssh_key key = NULL;
		snprintf(path, sizeof(path), "%s/%s", core_g.state_dir, host_key_files[i]);
		if (access(path, R_OK) != 0)
			continue;
		if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
			log_err("cannot read host key %s", path);
			return SGW_EBADFORMAT;
		}
		if (ssh_bind_options_set(w->bind, SSH_BIND_OPTIONS_IMPORT_KEY, key) != SSH_OK) {
			log_err("host key %s: %s", path, ssh_get_error(w->bind));
			ssh_key_free(key);
			return SGW_EBADFORMAT;
		}
		nkeys++;
	}
	if (nkeys == 0) {
		log_err("no host keys in %s/hostkeys: run `sftpgw-admin init` first", core_g.state_dir);
		return SGW_ENOTFOUND;
	}
	ssh_bind_options_set(w->bind, SSH_BIND_OPTIONS_PUBKEY_ACCEPTED_KEY_TYPES, worker_pubkey_algs);
	return 0;
}

static void worker_accept_cb(uv_poll_t *h, int status, int events);

static void worker_listen(struct worker *w, bool on)
{
	for (int i = 0; i < w->nlisten; i++) {
		if (on)
			uv_poll_start(&w->listeners[i], UV_READABLE, worker_accept_cb);
		else
			uv_poll_stop(&w->listeners[i]);
	}
}

static void worker_accept_resume_cb(uv_timer_t *t)
{
	struct worker *w = t->data;

	if (!w->stopping)
		worker_listen(w, true);
}

/* accept4 failed for lack of resources: new connections wait in the backlog. */
static void worker_accept_pause(struct worker *w, int err)
{
	uint64_t now = uv_now(&w->loop);

	w->accept_pauses++;
	if (w->accept_warned == 0 || now - w->accept_warned >= WORKER_ACCEPT_WARN_MS) {
		log_warn("accept: %s (%d sessions on this worker): not accepting for %d ms at a "
		         "time (%u pauses)", strerror(err), w->nsessions, WORKER_ACCEPT_PAUSE_MS,
		         w->accept_pauses);
		w->accept_warned = now;
		w->accept_pauses = 0;
	}
	worker_listen(w, false);
	uv_timer_start(&w->accept_pause, worker_accept_resume_cb, WORKER_ACCEPT_PAUSE_MS, 0);
}

static void worker_accept_cb(uv_poll_t *h, int status, int events)
{
	struct worker *w = h->loop->data;
	int lfd = *(int *)h->data;

	(void)events;
	if (status < 0)
		return;
	for (int i = 0; i < WORKER_ACCEPT_BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				worker_accept_pause(w, errno);
			else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		if (w->stopping) {
			close(fd);
			continue;
		}
		sess_accept(w, fd, &ss);
	}
}

static void worker_idle_cb(uv_idle_t *h)
{
	struct worker *w = h->data;
	struct sess *list = w->dirty;

	w->dirty = NULL;
	while (list != NULL) {
		struct sess *s = list;
		list = s->dirty_next;
		s->dirty = false;
		s->dirty_next = NULL;
		sess_run(s);
	}
	if (w->dirty == NULL)
		uv_idle_stop(&w->idle);
}

void worker_wake_idle(struct worker *w)
{
	uv_idle_start(&w->idle, worker_idle_cb);
}

static void worker_close_cb(uv_handle_t *h)
{
	(void)h;
}

static void worker_maybe_exit(struct worker *w)
{
	if (!w->stopping || w->nsessions > 0 || uv_is_closing((uv_handle_t *)&w->tick))
		return;
	uv_close((uv_handle_t *)&w->tick, worker_close_cb);
	uv_close((uv_handle_t *)&w->wake, worker_close_cb);
	uv_close((uv_handle_t *)&w->stop_timer, worker_close_cb);
	uv_close((uv_handle_t *)&w->idle, worker_close_cb);
	uv_close((uv_handle_t *)&w->accept_pause, worker_close_cb);
}

void worker_sess_gone(struct worker *w, struct sess *s)
{
	if (s->dirty) {
		struct sess **pp = &w->dirty;
		while (*pp != NULL && *pp != s)
			pp = &(*pp)->dirty_next;
		if (*pp == s)
			*pp = s->dirty_next;
	}
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		w->sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	w->nsessions--;
	worker_maybe_exit(w);
}

static void worker_tick_cb(uv_timer_t *t)
{
	struct worker *w = t->data;
	int64_t v = 0;
	bool changed;

	if (store_data_version(w->store, &v) != 0)
		return;
	changed = v != w->data_version;
	w->data_version = v;
	if (!changed)
		return;
	for (struct sess *s = w->sessions; s != NULL; s = s->next)
		sess_tick(s, changed);
}

static void worker_stop_timer_cb(uv_timer_t *t)
{
	struct worker *w = t->data;

	log_info("worker %d: shutdown timeout: closing %d sessions", w->idx, w->nsessions);
	for (struct sess *s = w->sessions, *next; s != NULL; s = next) {
		next = s->next;
		sess_kill(s);
	}
}

static void worker_wake_cb(uv_async_t *a)
{
	struct worker *w = a->data;

	if (!atomic_load(&core_g.stopping) || w->stopping)
		return;
	w->stopping = true;
	uv_timer_stop(&w->accept_pause);
	for (int i = 0; i < w->nlisten; i++) {
		uv_poll_stop(&w->listeners[i]);
		close(w->listen_fds[i]);
	}
	if (w->nsessions > 0) {
		log_info("worker %d: waiting up to %d s for %d sessions", w->idx,
		         core_g.cfg.shutdown_timeout, w->nsessions);
		uv_timer_start(&w->stop_timer, worker_stop_timer_cb,
		               (uint64_t)core_g.cfg.shutdown_timeout * 1000, 0);
	}
	worker_maybe_exit(w);
}

int worker_init(struct worker *w, int idx, const int *fds, int nfds)
{
	int r;

	w->idx = idx;
	if ((r = store_open(core_g.cfg.db_path, false, true, &w->store)) != 0 ||
	    (r = store_open(core_g.cfg.db_path, false, false, &w->wstore)) != 0) {
		log_err("cannot open the store %s: %s", core_g.cfg.db_path,
		        store_errmsg(NULL) ? store_errmsg(NULL) : sgw_strerror(r));
		return r;
	}
	store_data_version(w->store, &w->data_version);
	if ((r = worker_bind_new(w)) != 0)
		return r;
	uv_loop_init(&w->loop);
	w->loop.data = w;
	uv_mutex_init(&w->wlock);
	uv_async_init(&w->loop, &w->wake, worker_wake_cb);
	uv_timer_init(&w->loop, &w->tick);
	uv_timer_init(&w->loop, &w->stop_timer);
	uv_idle_init(&w->loop, &w->idle);
	uv_timer_init(&w->loop, &w->accept_pause);
	w->wake.data = w->tick.data = w->stop_timer.data = w->idle.data = w->accept_pause.data = w;
	w->nlisten = nfds;
	w->listen_fds = calloc((size_t)nfds, sizeof(int));
	w->listeners = calloc((size_t)nfds, sizeof(uv_poll_t));
	if (w->listen_fds == NULL || w->listeners == NULL)
		return -ENOMEM;
	for (int i = 0; i < nfds; i++) {
		w->listen_fds[i] = fds[i];
		uv_poll_init(&w->loop, &w->listeners[i], fds[i]);
		w->listeners[i].data = &w->listen_fds[i];
	}
	worker_listen(w, true);
	uv_timer_start(&w->tick, worker_tick_cb, CORE_TICK_MS, CORE_TICK_MS);
	return 0;
}

static void worker_log_cb(int prio, const char *function, const char *buffer, void *ud)
{
	(void)ud;
	(void)function;
	(void)prio; /* libssh's warnings are mostly peers going away: debug only */
	log_msg(LOG_DEBUG, "libssh: %s", buffer);
}

static void worker_main(void *arg)
{
	struct worker *w = arg;

	/* libssh's log callback and level are per thread. */
	ssh_set_log_callback(worker_log_cb);
	ssh_set_log_level(core_g.cfg.log_level >= LOG_DEBUG ? SSH_LOG_PROTOCOL : SSH_LOG_WARN);
	uv_run(&w->loop, UV_RUN_DEFAULT);
	for (int i = 0; i < w->nlisten; i++)
		uv_close((uv_handle_t *)&w->listeners[i], worker_close_cb);
	uv_run(&w->loop, UV_RUN_DEFAULT);
	uv_loop_close(&w->loop);
	ssh_bind_free(w->bind);
	store_close(w->store);
	store_close(w->wstore);
	free(w->listeners);
	free(w->listen_fds);
	rxbuf_thread_free();
}

int worker_start(struct worker *w)
{
	return uv_thread_create(&w->thread, worker_main, w);
}

void worker_stop_all(void)
{
	atomic_store(&core_g.stopping, true);
	for (int i = 0; i < core_g.nworkers; i++)
		uv_async_send(&core_g.workers[i]->wake);
}

void worker_reload_all(void)
{
	for (int i = 0; i < core_g.nworkers; i++)
		uv_async_send(&core_g.workers[i]->wake);
}

/* --- store writes on the threadpool --- */

struct worker_audit_job {
	uv_work_t req;
	struct worker *w;
	char *event, *user, *fp, *addr, *detail;
	int64_t key_id;
};

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void worker_audit_work_cb(uv_work_t *req)
{
	struct worker_audit_job *j = req->data;

	uv_mutex_lock(&j->w->wlock);
	if (store_audit(j->w->wstore, j->event, j->user, j->fp, j->addr, j->detail) != 0)
		log_warn("audit write failed: %s", store_errmsg(j->w->wstore));
	if (j->key_id != 0)
		store_key_touch(j->w->wstore, j->key_id, (int64_t)time(NULL));
	uv_mutex_unlock(&j->w->wlock);
}

static void worker_audit_done_cb(uv_work_t *req, int status)
{
	struct worker_audit_job *j = req->data;

	(void)status;
	free(j->event);
	free(j->user);
	free(j->fp);
	free(j->addr);
	free(j->detail);
	free(j);
}

void worker_audit(struct worker *w, const char *event, const char *user, const char *fp,
                  const char *addr, const char *detail, int64_t touch_key_id)
{
	struct worker_audit_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return;
	j->w = w;
	j->event = dup_or_null(event);
	j->user = dup_or_null(user);
	j->fp = dup_or_null(fp && *fp ? fp : NULL);
	j->addr = dup_or_null(addr);
	j->detail = dup_or_null(detail);
	j->key_id = touch_key_id;
	j->req.data = j;
	uv_queue_work(&w->loop, &j->req, worker_audit_work_cb, worker_audit_done_cb);
}
