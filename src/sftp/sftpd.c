/* sftpd.c — the SFTP channel kind: framing, admission caps, output queue and
 * lifetime. Handlers never see a partial message: input() cuts the stream
 * into whole, size-checked messages and hands each to the request table.
 * See doc/sftp.md for the flow and the caps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sftpgw/err.h"
#include "sftpgw/kinds.h"
#include "sftpgw/log.h"
#include "sftpd_int.h"

static void sftpd_flush(struct sftpd *s);

int sftpd_frame_check(const uint8_t *p, size_t n, size_t *msglen)
{
	uint32_t len;

	if (n < 4)
		return 0;
	len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (len > SFTPD_MAX_MSG)
		return SGW_ETOOBIG;
	if (len < 5)   /* type + id (or version) */
		return SGW_EBADFORMAT;
	if (n - 4 < len)
		return 0;
	*msglen = len;
	return 1;
}

/* Ends the channel after a framing error; the client gets no more replies. */
static void sftpd_protocol_error(struct sftpd *s, const char *why)
{
	log_warn("sftp: protocol error: %s; closing the channel", why);
	s->dead = true;
	if (!s->closed && !s->exiting) {
		s->exiting = true;
		chan_exit(s->ch, 1);
	}
}

/* True when one more request may be admitted. Queued replies must fit in the
 * channel's output room, so a client that does not read stops us here. */
static bool sftpd_can_admit(const struct sftpd *s)
{
	if (s->dead || s->closed)
		return false;
	return s->inflight < SFTPD_MAX_INFLIGHT && s->mem < SFTPD_MAX_INFLIGHT_BYTES &&
	       chan_out_room(s->ch) > s->out_queued;
}

static struct sftpd_req *sftpd_req_new(struct sftpd *s)
{
	struct sftpd_req *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->s = s;
	r->fd = -1;
	sbuf_init(&r->rep, SFTPD_MAX_MSG);
	s->inflight++;
	return r;
}

void sftpd__req_free(struct sftpd_req *r)
{
	struct sftpd *s = r->s;

	if (r->opens_handle)
		sftpd__handle_unreserve(s);
	free(r->p1);
	free(r->p2);
	free(r->data);
	sbuf_free(&r->rep);
	s->inflight--;
	s->mem -= r->cost;
	free(r);
}

int sftpd__reply_early(struct sftpd_req *r)
{
	struct sftpd *s = r->s;
	struct sftpd_req *e = sftpd_req_new(s);

	if (e == NULL)
		return -ENOMEM;
	e->id = r->id;
	e->cost = SFTPD_SMALL_COST;
	s->mem += e->cost;
	if (sftpd__reply_status(e, 0) != 0) {
		sftpd__req_free(e);
		return -ENOMEM;
	}
	r->quiet = true;
	sftpd__out_queue(s, e);
	return 0;
}

static int sftpd_handle_init(struct sftpd *s, struct sftpd_req *r, struct sbuf *m)
{
	uint32_t version;
	int rc;

	/* INIT carries a version where other requests carry an id. */
	if ((rc = sbuf_get_u32(m, &version)) != 0)
		return rc;
	s->inited = true;
	if ((rc = sbuf_put_u32(&r->rep, 0)) != 0 || (rc = sbuf_put_u8(&r->rep, SSH_FXP_VERSION)) != 0 ||
	    (rc = sbuf_put_u32(&r->rep, SFTPD_VERSION)) != 0 || (rc = sftpd__ext_announce(&r->rep)) != 0)
		return rc;
	log_debug("sftp: client version %u", version);
	return sftpd__reply_end(r);
}

/* Parses the type and id and starts the request; a failure to parse its
 * fields is answered with SSH_FX_BAD_MESSAGE, not a closed channel. */
static int sftpd_request(struct sftpd *s, struct sbuf *m)
{
	struct sftpd_req *r;
	uint8_t type;
	int rc;

	if (sbuf_get_u8(m, &type) != 0)
		return SGW_ETRUNCATED;
	if ((type == SSH_FXP_INIT) == s->inited)
		return SGW_EPROTOCOL;
	if ((r = sftpd_req_new(s)) == NULL)
		return -ENOMEM;
	r->cost = SFTPD_SMALL_COST;
	s->mem += r->cost;
	if (type == SSH_FXP_INIT) {
		if ((rc = sftpd_handle_init(s, r, m)) != 0) {
			sftpd__req_free(r);
			return rc;
		}
		sftpd__out_queue(s, r);
		return 0;
	}
	if (sbuf_get_u32(m, &r->id) != 0) {
		sftpd__req_free(r);
		return SGW_ETRUNCATED;
	}
	r->op = sftpd__op_find(type);
	rc = r->op ? r->op->parse(r, m) : SGW_EUNSUPPORTED;
	if (rc == 0 && (rc = sbuf_expect_end(m)) == 0) {
		sftpd__dispatch(r);
		return 0;
	}
	if (rc != SGW_EUNSUPPORTED)
		log_info("sftp: %s request %u refused: %s", r->op ? r->op->name : "unknown",
		         r->id, sgw_strerror(rc));
	if (sftpd__reply_status(r, rc) != 0) {
		sftpd__req_free(r);
		return -ENOMEM;
	}
	sftpd__out_queue(s, r);
	return 0;
}

static int sftpd_message(struct sftpd *s, const uint8_t *p, size_t n)
{
	struct sbuf m;
	int rc;

	sbuf_view(&m, p, n);
	rc = sftpd_request(s, &m);
	if (rc == SGW_EPROTOCOL)
		sftpd_protocol_error(s, s->inited ? "second INIT" : "request before INIT");
	else if (rc == SGW_ETRUNCATED)
		sftpd_protocol_error(s, "message without an id");
	else if (rc < 0)
		sftpd_protocol_error(s, sgw_strerror(rc));
	return rc;
}

/* Completes a message split across input() calls in s->in. Returns bytes of
 * data taken; sets *done when s->in holds a whole message. */
static size_t sftpd_reassemble(struct sftpd *s, const uint8_t *data, size_t len, bool *done)
{
	size_t used = 0, have, want, take, msglen;
	const uint8_t *p;
	uint8_t *dst;
	int rc;

	*done = false;
	for (;;) {
		have = sbuf_avail(&s->in);
		p = sbuf_ptr(&s->in);
		want = 4;
		if (have >= 4) {
			if ((rc = sftpd_frame_check(p, have, &msglen)) < 0) {
				sftpd_protocol_error(s, rc == SGW_ETOOBIG ? "message too long" :
				                                            "message too short");
				return len;
			}
			want += (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
		}
		take = want - have < len - used ? want - have : len - used;
		if (take > 0) {
			/* Room for the whole message at once: one allocation, and a
			 * WRITE can take the buffer over (sftpd_parse_write). */
			if (sbuf_reserve(&s->in, want - have, &dst) != 0) {
				sftpd_protocol_error(s, "out of memory");
				return len;
			}
			memcpy(dst, data + used, take);
			sbuf_commit(&s->in, take);
			used += take;
		}
		if (have + take == want && want > 4) {
			*done = true;
			return used;
		}
		/* Loop once more only when the length prefix just became whole. */
		if (have + take != 4 || want != 4)
			return used;
	}
}

/* Takes the next message from the reassembly buffer or straight from data
 * (no copy). Returns bytes of data used, or 0 when nothing could be taken. */
static size_t sftpd_next(struct sftpd *s, const uint8_t *data, size_t len)
{
	size_t msglen, used;
	bool done;
	int rc;

	if (sbuf_avail(&s->in) == 0) {
		rc = sftpd_frame_check(data, len, &msglen);
		if (rc == 1) {
			sftpd_message(s, data + 4, msglen);
			return 4 + msglen;
		}
		if (rc < 0) {
			sftpd_protocol_error(s, rc == SGW_ETOOBIG ? "message too long" : "message too short");
			return len;
		}
	}
	used = sftpd_reassemble(s, data, len, &done);
	if (done && !s->dead) {
		sftpd_message(s, sbuf_ptr(&s->in) + 4, sbuf_avail(&s->in) - 4);
		sbuf_reset(&s->in);
	}
	return used;
}

static size_t sftpd_input(struct chan *ch, const uint8_t *data, size_t len)
{
	struct sftpd *s = chan_data(ch);
	size_t used = 0, n;

	s->in_input = true;
	while (used < len && !s->dead) {
		if (!sftpd_can_admit(s)) {
			s->held = true;
			break;
		}
		n = sftpd_next(s, data + used, len - used);
		if (n == 0)
			break;
		used += n;
		/* Replies done on the loop (op->now) go to the channel at once,
		 * so the next admission counts them against its room. */
		if (s->out_head != NULL)
			sftpd_flush(s);
	}
	if (s->dead)
		used = len;
	sftpd_flush(s);
	s->in_input = false;
	/* Resuming from inside input() would race with the caller's own
	 * bookkeeping of what we consumed: do it from the check callback. */
	if (!s->closed && (s->held || s->eof || s->dead || s->out_head != NULL))
		sftpd__arm(s);
	return used;
}

/* Writes queued replies while the channel has room. Small replies need no
 * coalescing here: consecutive chan_write()s land side by side in the
 * channel's output queue and leave in one SSH write. */
static void sftpd_flush(struct sftpd *s)
{
	struct sftpd_req *r;
	size_t room, n;

	while ((r = s->out_head) != NULL && !s->closed && (room = chan_out_room(s->ch)) > 0) {
		n = r->out_len - r->out_off;
		n = n < room ? n : room;
		if (chan_write(s->ch, r->out + r->out_off, n) != 0)
			return;
		r->out_off += n;
		if (r->out_off < r->out_len)
			return;
		s->out_head = r->onext;
		if (s->out_head == NULL)
			s->out_tail = NULL;
		s->out_queued -= r->out_len;
		sftpd__req_free(r);
	}
}

static void sftpd_flush_cb(uv_check_t *h)
{
	struct sftpd *s = h->data;

	uv_check_stop(h);
	s->check_active = false;
	sftpd__kick(s);
}

void sftpd__arm(struct sftpd *s)
{
	if (!s->check_active) {
		s->check_active = true;
		uv_check_start(&s->flush_check, sftpd_flush_cb);
	}
}

void sftpd__out_queue(struct sftpd *s, struct sftpd_req *r)
{
	if (s->closed) {
		sftpd__req_free(r);
		return;
	}
	r->onext = NULL;
	if (s->out_tail)
		s->out_tail->onext = r;
	else
		s->out_head = r;
	s->out_tail = r;
	s->out_queued += r->out_len;
	/* Replies that complete in one loop iteration leave in one write. */
	if (!s->in_input)
		sftpd__arm(s);
}

void sftpd__kick(struct sftpd *s)
{
	if (s->closed)
		return;
	sftpd_flush(s);
	if (s->in_input)
		return;
	if (s->held && sftpd_can_admit(s)) {
		s->held = false;
		chan_resume_input(s->ch);
		return;
	}
	if ((s->eof || s->dead) && s->inflight == 0 && !s->held && !s->exiting) {
		s->exiting = true;
		chan_exit(s->ch, s->dead ? 1 : 0);
	}
}

static void sftpd_writable(struct chan *ch)
{
	sftpd__kick(chan_data(ch));
}

static void sftpd_eof(struct chan *ch)
{
	struct sftpd *s = chan_data(ch);

	s->eof = true;
	sftpd__kick(s);
}

static int sftpd_start(struct chan *ch, char **argv)
{
	const struct sess_info *si = chan_sess(ch);
	struct sftpd *s;

	(void)argv;
	if (si->view == NULL) {
		chan_errorf(ch, "sftp: no file access for this login (no environment with mounts)\n");
		chan_exit(ch, 1);
		return SGW_EDENIED;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		chan_errorf(ch, "sftp: out of memory\n");
		chan_exit(ch, 1);
		return -ENOMEM;
	}
	s->ch = ch;
	s->loop = si->loop;
	s->view = si->view;
	vfs_view_ref(s->view);
	snprintf(s->user, sizeof(s->user), "%s", si->target.user);
	sbuf_init(&s->in, SFTPD_MAX_MSG + 4);
	uv_check_init(s->loop, &s->flush_check);
	s->flush_check.data = s;
	chan_set_data(ch, s);
	log_info("sftp: session started for %s", s->user);
	return 0;
}

static void sftpd_final_cb(uv_handle_t *h)
{
	struct sftpd *s = h->data;
	struct chan *ch = s->ch;

	sbuf_free(&s->in);
	free(s);
	chan_release(ch);
}

static void sftpd_teardown_work_cb(uv_work_t *w)
{
	struct sftpd *s = w->data;

	sftpd__handles_close_all(s);
	vfs_view_unref(s->view);
}

static void sftpd_teardown_after_cb(uv_work_t *w, int status)
{
	struct sftpd *s = w->data;

	(void)status;
	uv_close((uv_handle_t *)&s->flush_check, sftpd_final_cb);
}

/* Handles are closed off the loop: close(2) may block on network storage. */
void sftpd__teardown(struct sftpd *s)
{
	s->teardown.data = s;
	if (uv_queue_work(s->loop, &s->teardown, sftpd_teardown_work_cb, sftpd_teardown_after_cb) != 0) {
		sftpd_teardown_work_cb(&s->teardown);
		sftpd_teardown_after_cb(&s->teardown, 0);
	}
}

static void sftpd_close(struct chan *ch)
{
	struct sftpd *s = chan_data(ch);
	struct sftpd_req *r;

	if (s == NULL) {
		chan_release(ch);
		return;
	}
	s->closed = true;
	uv_check_stop(&s->flush_check);
	while ((r = s->out_head) != NULL) {
		s->out_head = r->onext;
		sftpd__req_free(r);
	}
	s->out_tail = NULL;
	s->out_queued = 0;
	sftpd__handles_drop_waiting(s);
	log_info("sftp: session ended (%u requests still running)", s->running);
	if (s->running == 0)
		sftpd__teardown(s);
}

const struct chan_kind sftpd_kind = {
	.name = "sftp",
	.start = sftpd_start,
	.input = sftpd_input,
	.writable = sftpd_writable,
	.eof = sftpd_eof,
	.close = sftpd_close,
};
