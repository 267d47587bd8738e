/* rsd_main.c — the rsync channel kind: option check, the job that runs the
 * conversation on the threadpool, the rings' loop side, and the handshake
 * (protocol version, compat flags, checksum/compression negotiation, seed).
 *
 * Each transfer occupies one libuv pool thread for its whole duration (plus a
 * plain thread for the generator when the client pushes), so transfers are
 * capped per process at RSD_MAX_ACTIVE; the daemon sizes UV_THREADPOOL_SIZE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sftpgw/err.h"
#include "sftpgw/kinds.h"
#include "sftpgw/log.h"
#include "rsd_int.h"

static atomic_int active;

/* ---- loop side ---- */

static void drain(struct rsd *r)
{
	size_t room;

	uv_mutex_lock(&r->mu);
	while (!r->closed && r->out_len > 0 && (room = chan_out_room(r->ch)) > 0) {
		size_t n = r->out_len < room ? r->out_len : room;

		if (n > RSD_RING_SIZE - r->out_head)
			n = RSD_RING_SIZE - r->out_head;
		if (chan_write(r->ch, r->outr + r->out_head, n) != 0)
			break;
		r->out_head = (r->out_head + n) % RSD_RING_SIZE;
		r->out_len -= n;
	}
	if (r->in_blocked && r->in_len < RSD_RING_SIZE / 2 && !r->closed) {
		r->in_blocked = false;
		uv_mutex_unlock(&r->mu);
		chan_resume_input(r->ch);
		uv_mutex_lock(&r->mu);
	}
	uv_cond_broadcast(&r->out_cv);
	bool finish = r->job_done && r->out_len == 0 && !r->exited && !r->closed;

	if (finish)
		r->exited = true;
	uv_mutex_unlock(&r->mu);
	if (finish) {
		int status = atomic_load(&r->err);

		if (status == 0 && atomic_load(&r->io_error))
			status = RERR_PARTIAL;
		if (r->errlen > 0)
			chan_write_err(r->ch, r->errtext, r->errlen);
		chan_exit(r->ch, status);
	}
}

static void async_cb(uv_async_t *a)
{
	drain(a->data);
}

static void rsd_free(struct rsd *r)
{
	rsd_flist_free(&r->fl);
	rsd_filter_free(r);
	rsd_token_free(r);
	free(r->inr);
	free(r->outr);
	free(r->wbuf);
	EVP_MD_CTX_free(r->bmd);
	for (int i = 0; r->argv_owned && r->argv[i] != NULL; i++)
		free(r->argv[i]);
	free(r->argv);
	uv_mutex_destroy(&r->mu);
	uv_mutex_destroy(&r->omu);
	uv_cond_destroy(&r->in_cv);
	uv_cond_destroy(&r->out_cv);
	uv_cond_destroy(&r->gen_cv);
	if (r->view)
		vfs_view_unref(r->view);
	free(r);
	atomic_fetch_sub(&active, 1);
}

static void async_close_cb(uv_handle_t *h)
{
	struct rsd *r = h->data;
	struct chan *ch = r->ch;

	rsd_free(r);
	chan_release(ch);
}

static void job_cb(uv_work_t *w)
{
	struct rsd *r = w->data;

	rsd_session_run(r);
	uv_mutex_lock(&r->mu);
	r->job_done = true;
	uv_mutex_unlock(&r->mu);
	uv_async_send(&r->async);
}

static void after_job_cb(uv_work_t *w, int status)
{
	struct rsd *r = w->data;

	(void)status;
	r->work_queued = false;
	if (r->closed)
		uv_close((uv_handle_t *)&r->async, async_close_cb);
	else
		drain(r);
}

static size_t rsd_input(struct chan *ch, const uint8_t *data, size_t len)
{
	struct rsd *r = chan_data(ch);
	size_t put;

	uv_mutex_lock(&r->mu);
	put = RSD_RING_SIZE - r->in_len;
	if (put > len)
		put = len;
	for (size_t done = 0; done < put;) {
		size_t tail = (r->in_head + r->in_len) % RSD_RING_SIZE;
		size_t n = RSD_RING_SIZE - tail;

		if (n > put - done)
			n = put - done;
		memcpy(r->inr + tail, data + done, n);
		r->in_len += n;
		done += n;
	}
	if (put < len)
		r->in_blocked = true;
	/* wake the job only when it can go on: one wakeup per token it waits
	 * for, not one per SSH packet */
	if (r->in_want > 0 && (r->in_len >= r->in_want || put < len))
		uv_cond_signal(&r->in_cv);
	uv_mutex_unlock(&r->mu);
	return put;
}

static void rsd_writable(struct chan *ch)
{
	drain(chan_data(ch));
}

static void rsd_eof(struct chan *ch)
{
	struct rsd *r = chan_data(ch);

	uv_mutex_lock(&r->mu);
	r->in_eof = true;
	uv_cond_signal(&r->in_cv);
	uv_mutex_unlock(&r->mu);
}

static void rsd_close(struct chan *ch)
{
	struct rsd *r = chan_data(ch);

	if (r == NULL) { /* start() refused: nothing of ours to stop */
		chan_release(ch);
		return;
	}
	uv_mutex_lock(&r->mu);
	r->closed = true;
	r->abort = true;
	uv_cond_broadcast(&r->in_cv);
	uv_cond_broadcast(&r->out_cv);
	uv_cond_broadcast(&r->gen_cv);
	uv_mutex_unlock(&r->mu);
	if (!r->work_queued)
		uv_close((uv_handle_t *)&r->async, async_close_cb);
}

static int refuse(struct chan *ch, int code, const char *why)
{
	chan_errorf(ch, "rsync: on remote machine: %s\nrsync error: %s (code %d) at main.c [server=sftpgw]\n", why,
	            code == RERR_SYNTAX ? "syntax or usage error" : "error starting client-server protocol", code);
	chan_exit(ch, code);
	return SGW_EUSAGE;
}

static int rsd_start(struct chan *ch, char **argv)
{
	const struct sess_info *s = chan_sess(ch);
	struct rsd *r;
	char why[512] = "";
	size_t nargv = 0;

	if (argv == NULL || argv[0] == NULL || argv[1] == NULL || strcmp(argv[1], "--server") != 0)
		return refuse(ch, RERR_SYNTAX, "only `rsync --server ...` is served here (run rsync on your side)");
	if (s->view == NULL)
		return refuse(ch, RERR_STARTCLIENT, "no file mounts for this login");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return refuse(ch, RERR_MALLOC, "out of memory");
	/* keep our own copy of argv's pointers: the options point into it */
	while (argv[nargv] != NULL)
		nargv++;
	r->argv = calloc(nargv + 1, sizeof(char *));
	if (r->argv == NULL) {
		free(r);
		return refuse(ch, RERR_MALLOC, "out of memory");
	}
	memcpy(r->argv, argv, nargv * sizeof(char *));
	if (rsd_opts_parse(&r->o, r->argv, why, sizeof(why)) != 0) {
		free(r->argv);
		free(r);
		return refuse(ch, RERR_SYNTAX, why);
	}
	if (atomic_fetch_add(&active, 1) >= RSD_MAX_ACTIVE) {
		atomic_fetch_sub(&active, 1);
		free(r->argv);
		free(r);
		return refuse(ch, RERR_STARTCLIENT, "server busy: too many rsync transfers, try again later");
	}
	r->ch = ch;
	r->view = s->view;
	vfs_view_ref(r->view);
	r->inr = malloc(RSD_RING_SIZE);
	r->outr = malloc(RSD_RING_SIZE);
	uv_mutex_init(&r->mu);
	uv_mutex_init(&r->omu);
	uv_cond_init(&r->in_cv);
	uv_cond_init(&r->out_cv);
	uv_cond_init(&r->gen_cv);
	uv_async_init(s->loop, &r->async, async_cb);
	r->async.data = r;
	chan_set_data(ch, r);
	if (r->inr == NULL || r->outr == NULL) {
		rsd_fail(r, RERR_MALLOC, "out of memory");
		r->job_done = true;
		uv_async_send(&r->async);
		return 0;
	}
	r->work.data = r;
	r->work_queued = true;
	if (uv_queue_work(s->loop, &r->work, job_cb, after_job_cb) != 0) {
		r->work_queued = false;
		rsd_fail(r, RERR_STARTCLIENT, "cannot start the transfer");
		r->job_done = true;
		uv_async_send(&r->async);
	}
	return 0;
}

const struct chan_kind rsd_kind = {
	.name = "rsync",
	.start = rsd_start,
	.input = rsd_input,
	.writable = rsd_writable,
	.eof = rsd_eof,
	.close = rsd_close,
};

/* ---- job side: handshake ---- */

/* -s: the real arguments follow on the stream, NUL-terminated, ended by "". */
static void read_secluded_args(struct rsd *r)
{
	char **argv = calloc(RSD_MAX_ARGS + 1, sizeof(char *));
	char *buf = malloc(RSD_MAXPATH * 4);
	int argc = 0;
	char why[512];

	if (argv == NULL || buf == NULL) {
		free(argv);
		free(buf);
		rsd_fail(r, RERR_MALLOC, "out of memory");
		return;
	}
	for (;;) {
		size_t n = 0;

		for (;;) {
			if (rsd_raw_read(r, buf + n, 1) != 0) {
				rsd_fail(r, RERR_STREAMIO, "connection closed while reading the arguments");
				goto out;
			}
			if (buf[n] == '\0')
				break;
			if (++n >= RSD_MAXPATH * 4) {
				rsd_fail(r, RERR_SYNTAX, "over-long argument");
				goto out;
			}
		}
		if (n == 0)
			break;
		if (argc >= RSD_MAX_ARGS) {
			rsd_fail(r, RERR_SYNTAX, "too many arguments");
			goto out;
		}
		if ((argv[argc++] = strdup(buf)) == NULL) {
			rsd_fail(r, RERR_MALLOC, "out of memory");
			goto out;
		}
	}
	/* Options persist from the command line; the stream adds the rest. */
	if (argc == 0 || rsd_opts_parse(&r->o, argv, why, sizeof(why)) != 0) {
		rsd_fail(r, RERR_SYNTAX, "%s", argc ? why : "no arguments");
		goto out;
	}
	free(buf);
	/* keep argv alive for the whole transfer (o.args points into it) */
	free(r->argv);
	r->argv = argv;
	r->argv_owned = true;
	return;
out:
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	free(buf);
}

/* Picks the first name of the client's space-separated list that we offer:
 * the client's order wins, as the client itself decides (rsync's
 * parse_negotiate_str), so both sides end with the same choice. */
static const char *pick(const char *theirs, const char *const *ours)
{
	for (const char *p = theirs; *p;) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		for (const char *const *o = ours; *o != NULL; o++)
			if (n > 0 && n == strlen(*o) && memcmp(p, *o, n) == 0)
				return *o;
		p += n;
		while (*p == ' ')
			p++;
	}
	return NULL;
}

/* The peer's list goes into messages: keep it printable. */
static void printable(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			s[i] = '?';
}

/* The checksum: the first name in the client's list that we serve. The client
 * picks its own most-preferred name that our list offers (3.4+) or we would
 * stop at its first acceptable one (3.2's server): the same name either way. */
static int pick_csum(const char *theirs, enum rsd_csum *out)
{
	for (const char *p = theirs; *p;) {
		size_t n = strcspn(p, " ");

		if (n > 0 && rsd_csum_parse(p, n, out) == 0)
			return 0;
		p += n;
		while (*p == ' ')
			p++;
	}
	return -1;
}

static void negotiate(struct rsd *r, bool negotiated)
{
	static const char *const zips[] = { "zlibx", "zlib", NULL };
	bool want_sum = r->o.checksum_choice[0] == '\0';
	bool want_zip = r->o.compress && !r->o.new_compress && !r->o.old_compress;
	const char *zip = r->o.old_compress ? "zlib" : "zlibx";
	char list[256];

	if (!negotiated) {
		rsd_fail(r, RERR_PROTOCOL, "this gateway needs a client that negotiates checksums "
		                           "(rsync >= 3.2)");
		return;
	}
	if (!want_sum)
		(void)rsd_csum_parse(r->o.checksum_choice, strlen(r->o.checksum_choice), &r->csum);
	else
		rsd_write_vstring(r, RSD_CSUM_LIST);
	if (want_zip)
		rsd_write_vstring(r, "zlibx zlib");
	rsd_flush(r);
	if (want_sum) {
		printable(list, rsd_read_vstring(r, list, sizeof(list)));
		if (!rsd_bad(r) && pick_csum(list, &r->csum) != 0)
			rsd_fail(r, RERR_UNSUPPORTED, "no common checksum (offered: %s; client: %s)", RSD_CSUM_LIST,
			         list);
	}
	if (want_zip) {
		printable(list, rsd_read_vstring(r, list, sizeof(list)));
		if (!rsd_bad(r) && (zip = pick(list, zips)) == NULL)
			rsd_fail(r, RERR_UNSUPPORTED, "no common compression (offered: zlibx zlib; client: %s)",
			         list);
	}
	r->cmode = !r->o.compress ? RSD_CPRES_NONE
	         : zip != NULL && strcmp(zip, "zlib") == 0 ? RSD_CPRES_ZLIB : RSD_CPRES_ZLIBX;
}

static void handshake(struct rsd *r)
{
	int32_t remote;
	uint32_t compat = 0;
	const char *ci = r->o.client_info;

	rsd_write_int(r, RSD_PROTOCOL);
	rsd_flush(r);
	remote = rsd_read_int(r);
	if (rsd_bad(r))
		return;
	if (remote < RSD_MIN_PROTOCOL || remote > 40) {
		rsd_fail(r, RERR_PROTOCOL, "protocol version mismatch: client speaks %d, this gateway needs "
		                           ">= %d", remote, RSD_MIN_PROTOCOL);
		return;
	}
	r->proto = remote < RSD_PROTOCOL ? remote : RSD_PROTOCOL;
	if (strchr(ci, 'f'))
		compat |= CF_SAFE_FLIST;
	if (strchr(ci, 'C'))
		compat |= CF_CHKSUM_SEED_FIX;
	if (strchr(ci, 'v'))
		compat |= CF_VARINT_FLIST_FLAGS;
	if (!(compat & CF_VARINT_FLIST_FLAGS)) {
		rsd_fail(r, RERR_PROTOCOL, "this gateway needs varint file-list flags (rsync >= 3.2 client)");
		return;
	}
	r->seed_fix = compat & CF_CHKSUM_SEED_FIX;
	rsd_write_varint(r, (int32_t)compat);
	negotiate(r, true);
	r->seed = r->o.checksum_seed ? r->o.checksum_seed : (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 6);
	rsd_write_int(r, (int32_t)r->seed);
	rsd_flush(r);
	rsd_ndx_init(&r->ndx_rd);
	rsd_ndx_init(&r->ndx_wr);
	r->mux_out = true;
	r->mux_in = true; /* protocol >= 30: the client multiplexes too */
}

void rsd_session_run(struct rsd *r)
{
	if (r->o.secluded) {
		read_secluded_args(r);
		if (rsd_bad(r))
			return;
	}
	handshake(r);
	if (rsd_bad(r))
		return;
	if (r->o.sender)
		rsd_sender_run(r);
	else
		rsd_receiver_run(r);
	rsd_flush(r);
	/* (an empty list ends without this: that client just waits for our exit) */
	if (rsd_bad(r))
		rsd_error_exit(r, atomic_load(&r->err));
}
