/* sftpd_handle.c — handles and the order of work on them.
 *
 * Requests without a handle go straight to the threadpool and may finish in
 * any order. Requests on one handle wait in its queue: WRITE, CLOSE, FSYNC,
 * READDIR... run alone and in arrival order; READ and FSTAT run in parallel
 * with each other, but never overtake an earlier exclusive request.
 *
 * Replies on one handle leave in request order even when READs finish out
 * of order: OpenSSH clients before 9.4 (scp, `sftp get` in place) truncate a
 * download at the first reordered reply ("highwater").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftpgw/err.h"
#include "sftpgw/log.h"
#include "sftpd_int.h"

static void sftpd_start_work(struct sftpd_req *r);

static void sftpd_finish(struct sftpd_req *r)
{
	int rc;

	if (r->quiet) {
		struct sftpd *s = r->s;

		if (r->err != 0)
			log_info("sftp: %s request %u (answered early) failed: %s", r->op->name, r->id,
			         sgw_strerror(r->err));
		sftpd__req_free(r);
		/* No reply to queue, but one request less: held input or an EOF
		 * waiting for the last request may go on now. */
		sftpd__arm(s);
		return;
	}
	if (r->err == 0 && r->op->reply != NULL)
		rc = r->op->reply(r);
	else
		rc = sftpd__reply_status(r, r->err);
	if (rc != 0 && sftpd__reply_status(r, rc) != 0) {
		log_err("sftp: cannot build a reply: %s", sgw_strerror(rc));
		sftpd__req_free(r);
		return;
	}
	sftpd__out_queue(r->s, r);
}

static bool sftpd_can_run(const struct sftpd_handle *h, const struct sftpd_req *r)
{
	if (h->running == 0)
		return true;
	return (r->op->flags & SFTPD_OP_SHARED) && !h->excl;
}

/* Starts waiting requests of h that may run now. */
static void sftpd_handle_drain(struct sftpd_handle *h)
{
	struct sftpd_req *r;

	while ((r = h->qhead) != NULL && sftpd_can_run(h, r)) {
		h->qhead = r->hnext;
		if (h->qhead == NULL)
			h->qtail = NULL;
		sftpd_start_work(r);
	}
}

static void sftpd_work_cb(uv_work_t *w)
{
	struct sftpd_req *r = w->data;

	r->op->work(r);
}

/* The session is gone: keep an opened fd in the table so teardown closes it. */
static void sftpd_after_closed(struct sftpd_req *r)
{
	struct sftpd *s = r->s;

	if ((r->fd >= 0 || r->dir != NULL) && r->opens_handle)
		sftpd__handle_add(r);
	sftpd__req_free(r);
	if (s->running == 0)
		sftpd__teardown(s);
}

/* Releases the replies of h that are done and next in request order. */
static void sftpd_handle_emit(struct sftpd *s, struct sftpd_handle *h)
{
	struct sftpd_req *r;
	bool closes = false;

	while ((r = h->ohead) != NULL && r->done) {
		h->ohead = r->hord;
		if (h->ohead == NULL)
			h->otail = NULL;
		closes = r->op->flags & SFTPD_OP_CLOSES;
		r->h = NULL;
		sftpd_finish(r);
	}
	/* CLOSE is the last request a handle sees. */
	if (closes)
		sftpd__handle_remove(s, h);
}

static void sftpd_after_cb(uv_work_t *w, int status)
{
	struct sftpd_req *r = w->data;
	struct sftpd *s = r->s;
	struct sftpd_handle *h = r->h;

	(void)status;
	s->running--;
	r->running = false;
	if (h != NULL) {
		h->running--;
		if (h->running == 0)
			h->excl = false;
	}
	if (s->closed) {
		sftpd_after_closed(r);
		return;
	}
	if (h == NULL) {
		sftpd_finish(r);
		return;
	}
	r->done = true;
	sftpd_handle_drain(h);
	sftpd_handle_emit(s, h);
}

static void sftpd_start_work(struct sftpd_req *r)
{
	struct sftpd *s = r->s;

	if (r->h != NULL) {
		if (!(r->op->flags & SFTPD_OP_SHARED))
			r->h->excl = true;
		r->h->running++;
	}
	r->running = true;
	s->running++;
	r->work.data = r;
	if (uv_queue_work(s->loop, &r->work, sftpd_work_cb, sftpd_after_cb) != 0) {
		r->err = -ENOMEM;
		sftpd_after_cb(&r->work, 0);
	}
}

/* Done on the loop (op->now): as sftpd_after_cb, minus the threadpool's
 * bookkeeping. Only from dispatch with nothing queued on the handle, so
 * there is nothing to drain and the handle outlives the call. */
static void sftpd_done_now(struct sftpd_req *r)
{
	if (r->h == NULL) {
		sftpd_finish(r);
		return;
	}
	r->done = true;
	sftpd_handle_emit(r->s, r->h);
}

/* A CLOSE with nothing else outstanding on the handle is answered at once
 * when close(2) has no error to report: a directory, a file opened read-only,
 * or any file on ext4, xfs, btrfs or tmpfs (h->local), which have no ->flush:
 * their close cannot fail, write errors surface at fsync. The close itself
 * still runs on the threadpool, and the slot stays taken (counted in
 * SFTPD_MAX_HANDLES) until it did. */
static void sftpd_close_early(struct sftpd_req *r)
{
	struct sftpd_handle *h = r->h;

	if ((r->op->flags & SFTPD_OP_CLOSES) && (h->rdonly || h->local) && h->ohead == NULL &&
	    h->running == 0)
		sftpd__reply_early(r);
}

void sftpd__dispatch(struct sftpd_req *r)
{
	struct sftpd_handle *h = r->h;

	if (r->op->work == NULL) {
		sftpd_finish(r);
		return;
	}
	if (h != NULL)
		sftpd_close_early(r);
	if (h != NULL) {
		r->hord = NULL;
		if (h->otail)
			h->otail->hord = r;
		else
			h->ohead = r;
		h->otail = r;
	}
	if (h == NULL || (h->qhead == NULL && sftpd_can_run(h, r))) {
		if (r->op->now != NULL && r->op->now(r))
			sftpd_done_now(r);
		else
			sftpd_start_work(r);
		return;
	}
	r->hnext = NULL;
	if (h->qtail)
		h->qtail->hnext = r;
	else
		h->qhead = r;
	h->qtail = r;
}

static uint32_t sftpd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct sftpd_handle *sftpd__handle_find(struct sftpd *s, const uint8_t *p, size_t n)
{
	struct sftpd_handle *h;
	uint32_t slot;

	if (n != SFTPD_HANDLE_LEN)
		return NULL;
	slot = sftpd_be32(p);
	if (slot >= SFTPD_MAX_HANDLES || (h = s->handles[slot]) == NULL)
		return NULL;
	if (h->gen != sftpd_be32(p + 4) || h->closing)
		return NULL;
	return h;
}

int sftpd__get_handle(struct sftpd_req *r, struct sbuf *m, struct sftpd_handle **out)
{
	const uint8_t *p;
	size_t n;
	int rc;

	if ((rc = sbuf_get_string(m, &p, &n)) != 0)
		return rc;
	if ((*out = sftpd__handle_find(r->s, p, n)) == NULL)
		return SGW_ENOTFOUND;
	return 0;
}

int sftpd__handle_reserve(struct sftpd *s)
{
	if (s->handles_used >= SFTPD_MAX_HANDLES)
		return SGW_ELIMIT;
	s->handles_used++;
	return 0;
}

void sftpd__handle_unreserve(struct sftpd *s)
{
	s->handles_used--;
}

int sftpd__handle_add(struct sftpd_req *r)
{
	struct sftpd *s = r->s;
	struct sftpd_handle *h;
	uint32_t slot;

	for (slot = 0; slot < SFTPD_MAX_HANDLES && s->handles[slot] != NULL; slot++)
		;
	/* A reservation guarantees a free slot. */
	if (slot == SFTPD_MAX_HANDLES || (h = calloc(1, sizeof(*h))) == NULL)
		return -ENOMEM;
	h->fd = r->fd;
	h->dir = r->dir;
	h->vpath = r->p1;
	h->local = r->local;
	h->rdonly = r->dir != NULL ||
	            !(r->u32 & (SSH_FXF_WRITE | SSH_FXF_APPEND | SSH_FXF_CREAT | SSH_FXF_TRUNC));
	h->gen = ++s->next_gen;
	r->fd = -1;
	r->dir = NULL;
	r->p1 = NULL;
	r->opens_handle = false;
	s->handles[slot] = h;
	if (sbuf_put_u32(&r->rep, SFTPD_HANDLE_LEN) != 0 || sbuf_put_u32(&r->rep, slot) != 0 ||
	    sbuf_put_u32(&r->rep, h->gen) != 0)
		return SGW_ENOSPACE;
	return 0;
}

void sftpd__handle_remove(struct sftpd *s, struct sftpd_handle *h)
{
	for (size_t i = 0; i < SFTPD_MAX_HANDLES; i++) {
		if (s->handles[i] == h) {
			s->handles[i] = NULL;
			break;
		}
	}
	s->handles_used--;
	free(h->vpath);
	free(h);
}

void sftpd__handles_close_all(struct sftpd *s)
{
	struct sftpd_handle *h;

	for (size_t i = 0; i < SFTPD_MAX_HANDLES; i++) {
		if ((h = s->handles[i]) == NULL)
			continue;
		if (h->fd >= 0)
			close(h->fd);
		if (h->dir != NULL)
			vfs_closedir(h->dir);
		free(h->vpath);
		free(h);
		s->handles[i] = NULL;
	}
}

unsigned sftpd__handles_drop_waiting(struct sftpd *s)
{
	struct sftpd_handle *h;
	struct sftpd_req *r;
	unsigned n = 0;

	for (size_t i = 0; i < SFTPD_MAX_HANDLES; i++) {
		if ((h = s->handles[i]) == NULL)
			continue;
		/* Running ones are freed when their work returns. */
		while ((r = h->ohead) != NULL) {
			h->ohead = r->hord;
			if (!r->running) {
				sftpd__req_free(r);
				n++;
			}
		}
		h->otail = h->qhead = h->qtail = NULL;
	}
	return n;
}
