/* xjob.c — a blocking exec job on the threadpool, bridged to its channel by
 * two bounded rings (see xjob.h). One mutex guards the rings and flags; the
 * job waits on a condition variable, the loop is woken with a uv_async.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sftpgw/err.h"
#include "sftpgw/log.h"
#include "sftpgw/vfs.h"
#include "sftpgw/xjob.h"

#define XJOB_MSG_MAX 1024         /* one stderr message */
#define XJOB_RESUME_MIN (64 * 1024) /* input room before the loop takes more */

struct ring {
	uint8_t *d;
	size_t cap, head, len;
};

struct xjob {
	struct chan *ch;
	uv_work_t work;
	uv_async_t wake;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ring in, out, err;
	xjob_fn fn;
	void *arg;
	void (*free_arg)(void *arg);
	struct vfs_view *view;
	int status;
	size_t in_want;    /* input bytes the job waits for (0: it does not wait) */
	bool in_eof;       /* client sent EOF */
	bool in_blocked;   /* input() took less than offered */
	bool closed;       /* channel closed: the job must stop */
	bool done;         /* the job function returned (loop side) */
	bool exited;       /* chan_exit was called */
};

static atomic_int xjob_active;

static int ring_init(struct ring *r, size_t cap)
{
	r->d = malloc(cap);
	r->cap = cap;
	r->head = r->len = 0;
	return r->d ? 0 : -ENOMEM;
}

static size_t ring_put(struct ring *r, const uint8_t *p, size_t n)
{
	size_t done = 0;

	while (done < n && r->len < r->cap) {
		size_t tail = (r->head + r->len) % r->cap;
		size_t chunk = tail >= r->head ? r->cap - tail : r->head - tail;

		if (chunk > n - done)
			chunk = n - done;
		memcpy(r->d + tail, p + done, chunk);
		r->len += chunk;
		done += chunk;
	}
	return done;
}

/* Contiguous readable bytes at the head. */
static size_t ring_peek(const struct ring *r, const uint8_t **p)
{
	size_t n = r->cap - r->head;

	*p = r->d + r->head;
	return n < r->len ? n : r->len;
}

static void ring_drop(struct ring *r, size_t n)
{
	r->head = (r->head + n) % r->cap;
	r->len -= n;
	if (r->len == 0)
		r->head = 0;
}

static size_t ring_get(struct ring *r, uint8_t *out, size_t n)
{
	size_t done = 0;
	const uint8_t *p;

	while (done < n && r->len > 0) {
		size_t c = ring_peek(r, &p);

		if (c > n - done)
			c = n - done;
		memcpy(out + done, p, c);
		ring_drop(r, c);
		done += c;
	}
	return done;
}

/* --- loop side --- */

/* Moves job output into the channel as far as its room allows (mu held). */
static void xjob_drain_locked(struct xjob *j)
{
	struct ring *rs[2] = { &j->err, &j->out };
	const uint8_t *p;

	for (int i = 0; i < 2; i++) {
		while (rs[i]->len > 0) {
			size_t room = chan_out_room(j->ch);
			size_t n = ring_peek(rs[i], &p);

			if (n > room)
				n = room;
			if (n == 0)
				break;
			if ((i == 0 ? chan_write_err(j->ch, p, n) : chan_write(j->ch, p, n)) != 0)
				break;
			ring_drop(rs[i], n);
		}
	}
}

/* Drains output, resumes held input, exits when the job is over (loop). */
static void xjob_pump(struct xjob *j)
{
	bool resume = false, finish;

	if (j->closed || j->exited)
		return;
	pthread_mutex_lock(&j->mu);
	xjob_drain_locked(j);
	if (j->in_blocked && j->in.cap - j->in.len >= XJOB_RESUME_MIN) {
		j->in_blocked = false;
		resume = true;
	}
	finish = j->done && j->out.len == 0 && j->err.len == 0;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	if (resume)
		chan_resume_input(j->ch);
	if (finish) {
		j->exited = true;
		chan_exit(j->ch, j->status);
	}
}

static void xjob_wake_cb(uv_async_t *a)
{
	xjob_pump(a->data);
}

static void xjob_free_cb(uv_handle_t *h)
{
	struct xjob *j = h->data;
	struct chan *ch = j->ch;

	if (j->free_arg != NULL)
		j->free_arg(j->arg);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j->in.d);
	free(j->out.d);
	free(j->err.d);
	if (j->view != NULL)
		vfs_view_unref(j->view);
	free(j);
	atomic_fetch_sub(&xjob_active, 1);
	chan_release(ch);
}

static void xjob_work_cb(uv_work_t *w)
{
	struct xjob *j = w->data;
	int st = j->fn(j, j->arg);

	pthread_mutex_lock(&j->mu);
	j->status = st;
	pthread_mutex_unlock(&j->mu);
}

static void xjob_after_cb(uv_work_t *w, int status)
{
	struct xjob *j = w->data;

	(void)status;
	j->done = true;
	if (j->closed)
		uv_close((uv_handle_t *)&j->wake, xjob_free_cb);
	else
		xjob_pump(j);
}

int xjob_start(struct chan *ch, xjob_fn fn, void *arg, void (*free_arg)(void *arg))
{
	const struct sess_info *s = chan_sess(ch);
	struct xjob *j;

	if (atomic_fetch_add(&xjob_active, 1) >= XJOB_MAX_ACTIVE) {
		atomic_fetch_sub(&xjob_active, 1);
		return SGW_ELIMIT;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL || ring_init(&j->in, XJOB_IN_MAX) != 0 ||
	    ring_init(&j->out, XJOB_OUT_MAX) != 0 || ring_init(&j->err, XJOB_ERR_MAX) != 0) {
		if (j != NULL) {
			free(j->in.d);
			free(j->out.d);
			free(j->err.d);
		}
		free(j);
		atomic_fetch_sub(&xjob_active, 1);
		return -ENOMEM;
	}
	j->ch = ch;
	j->fn = fn;
	j->arg = arg;
	j->free_arg = free_arg;
	j->view = s->view;
	if (j->view != NULL)
		vfs_view_ref(j->view);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	uv_async_init(s->loop, &j->wake, xjob_wake_cb);
	j->wake.data = j;
	j->work.data = j;
	chan_set_data(ch, j);
	uv_queue_work(s->loop, &j->work, xjob_work_cb, xjob_after_cb);
	return 0;
}

size_t xjob_on_input(struct chan *ch, const uint8_t *data, size_t len)
{
	struct xjob *j = chan_data(ch);
	size_t n;

	if (j == NULL || j->done)
		return len; /* nobody reads any more: discard */
	pthread_mutex_lock(&j->mu);
	n = ring_put(&j->in, data, len);
	if (n < len)
		j->in_blocked = true;
	/* wake the job only once what it waits for is there: a packet at a time
	 * would cost a context switch per 32 KiB */
	if (j->in_want > 0 && (j->in.len >= j->in_want || n < len))
		pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	return n;
}

void xjob_on_writable(struct chan *ch)
{
	struct xjob *j = chan_data(ch);

	if (j != NULL)
		xjob_pump(j);
}

void xjob_on_eof(struct chan *ch)
{
	struct xjob *j = chan_data(ch);

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->in_eof = true;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

void xjob_on_close(struct chan *ch)
{
	struct xjob *j = chan_data(ch);

	if (j == NULL) {
		chan_release(ch);
		return;
	}
	pthread_mutex_lock(&j->mu);
	j->closed = true;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	if (j->done)
		uv_close((uv_handle_t *)&j->wake, xjob_free_cb);
}

/* --- job side --- */

/* Waits until at least min (<= the ring's size) input bytes are buffered, or
 * EOF, then takes up to n. The loop is woken only when it holds input back. */
static ssize_t xjob_read_min(struct xjob *j, void *buf, size_t n, size_t min)
{
	ssize_t got;
	bool resume;

	pthread_mutex_lock(&j->mu);
	j->in_want = min;
	while (j->in.len < min && !j->in_eof && !j->closed)
		pthread_cond_wait(&j->cv, &j->mu);
	j->in_want = 0;
	if (j->closed)
		got = SGW_EPROTOCOL;
	else
		got = (ssize_t)ring_get(&j->in, buf, n);
	resume = j->in_blocked;
	pthread_mutex_unlock(&j->mu);
	if (got > 0 && resume)
		uv_async_send(&j->wake); /* the loop may resume held input */
	return got;
}

ssize_t xjob_read(struct xjob *j, void *buf, size_t n)
{
	return xjob_read_min(j, buf, n, 1);
}

int xjob_read_full(struct xjob *j, void *buf, size_t n)
{
	size_t done = 0;

	/* Wait for at most what fits with room for the loop to resume input
	 * (XJOB_RESUME_MIN), or the loop might never offer the rest. */
	size_t most = j->in.cap - XJOB_RESUME_MIN;

	while (done < n) {
		size_t min = n - done < most ? n - done : most;
		ssize_t r = xjob_read_min(j, (uint8_t *)buf + done, n - done, min);

		if (r < 0)
			return (int)r;
		if (r == 0)
			return SGW_ETRUNCATED;
		done += (size_t)r;
	}
	return 0;
}

static int xjob_put(struct xjob *j, struct ring *r, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	size_t done = 0;
	int rc = 0;

	pthread_mutex_lock(&j->mu);
	while (done < n) {
		while (r->len == r->cap && !j->closed)
			pthread_cond_wait(&j->cv, &j->mu);
		if (j->closed) {
			rc = SGW_EPROTOCOL;
			break;
		}
		done += ring_put(r, p + done, n - done);
		uv_async_send(&j->wake);
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int xjob_write(struct xjob *j, const void *buf, size_t n)
{
	return xjob_put(j, &j->out, buf, n);
}

int xjob_errorf(struct xjob *j, const char *fmt, ...)
{
	char buf[XJOB_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return xjob_put(j, &j->err, buf, (size_t)n);
}

bool xjob_aborted(struct xjob *j)
{
	bool c;

	pthread_mutex_lock(&j->mu);
	c = j->closed;
	pthread_mutex_unlock(&j->mu);
	return c;
}

struct vfs_view *xjob_view(struct xjob *j)
{
	return j->view;
}

int xjob_path_resolve(const char *base, const char *path, char *out, size_t outsz)
{
	if (path[0] == '~' && (path[1] == '\0' || path[1] == '/')) {
		base = "/";
		path = path[1] ? path + 2 : ".";
	}
	if (path[0] == '\0')
		return -ENOENT; /* as open("") */
	return vfs_path_normalize(base, path, out, outsz);
}
