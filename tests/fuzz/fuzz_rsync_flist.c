/* fuzz_rsync_flist.c — what an rsync client sends before any file moves:
 * the file list (rsd_flist_recv) and the filter rules (rsd_filter_recv),
 * read through the transfer's real input ring and demultiplexer (rsd_io.c).
 *
 * Byte 0 chooses the reader and the options that change the wire format
 * (owner, group, devices, links, checksum, numeric ids, multiplexed input);
 * the rest is what the client sent, then EOF. Whatever the bytes, the reader
 * stops with an error or returns a list in rsync's order without duplicates
 * whose names are all relative and free of "..", "." and empty components,
 * and filter rules with a pattern each.
 */
#include <stdbool.h>
#include <sys/stat.h>
#include <uv.h>

#include "fuzz.h"
#include "sftpgw/err.h"
#include "sftpgw/log.h"
#include "../../src/rsync/rsd_int.h"

/* The parts of the channel and the VFS that rsd_io.c names; none is reached
 * by the readers fuzzed here except chan_id (for log lines). */
uint32_t chan_id(const struct chan *ch) { (void)ch; return 1; }
int vfs_unlink(struct vfs_view *v, const char *vpath) { (void)v; (void)vpath; return -EACCES; }

static uv_loop_t loop;

static void nop_cb(uv_async_t *a) { (void)a; }

static void free_cb(uv_handle_t *h)
{
	free(h->data);
}

static struct rsd *rsd_new(uint8_t flags, const uint8_t *p, size_t n)
{
	struct rsd *r = calloc(1, sizeof(*r));

	FZ_CHECK(r != NULL);
	uv_mutex_init(&r->mu);
	uv_mutex_init(&r->omu);
	uv_cond_init(&r->in_cv);
	uv_cond_init(&r->out_cv);
	uv_cond_init(&r->gen_cv);
	/* the rings are big: allocated once, reused by every input */
	static uint8_t *inr, *outr;
	if (inr == NULL && ((inr = malloc(RSD_RING_SIZE)) == NULL || (outr = malloc(RSD_RING_SIZE)) == NULL))
		abort();
	r->inr = inr;
	r->outr = outr;
	if (n > RSD_RING_SIZE)
		n = RSD_RING_SIZE;
	if (n > 0)
		memcpy(r->inr, p, n);
	r->in_len = n;
	r->in_eof = true;
	uv_async_init(&loop, &r->async, nop_cb);
	r->async.data = r;
	r->proto = RSD_PROTOCOL;
	r->o.owner = flags & 0x02;
	r->o.group = flags & 0x04;
	r->o.devices = flags & 0x08;
	r->o.links = flags & 0x10;
	r->o.checksum = flags & 0x20;
	r->o.numeric_ids = flags & 0x40;
	r->mux_in = flags & 0x80;
	return r;
}

static void rsd_done(struct rsd *r)
{
	rsd_flist_free(&r->fl);
	rsd_filter_free(r);
	uv_mutex_destroy(&r->mu);
	uv_mutex_destroy(&r->omu);
	uv_cond_destroy(&r->in_cv);
	uv_cond_destroy(&r->out_cv);
	uv_cond_destroy(&r->gen_cv);
	uv_close((uv_handle_t *)&r->async, free_cb);
	uv_run(&loop, UV_RUN_NOWAIT);
}

static void check_name(const char *s)
{
	FZ_CHECK(s[0] != '\0' && s[0] != '/' && strlen(s) < RSD_MAXPATH);
	if (strcmp(s, ".") == 0)
		return;
	for (const char *c = s;;) {
		size_t n = strcspn(c, "/");
		FZ_CHECK(n > 0);
		FZ_CHECK(!(n == 1 && c[0] == '.') && !(n == 2 && c[0] == '.' && c[1] == '.'));
		if (c[n] == '\0')
			break;
		c += n + 1;
	}
}

static void check_list(const struct rsd_flist *fl)
{
	for (uint32_t i = 0; i < fl->n; i++) {
		const struct rsd_file *f = &fl->f[i];

		FZ_CHECK(f->name < fl->nlen && f->link < fl->nlen);
		check_name(rsd_fname(fl, f));
		if (i > 0)
			FZ_CHECK(rsd_name_cmp(rsd_fname(fl, &fl->f[i - 1]), S_ISDIR(fl->f[i - 1].mode),
			                      rsd_fname(fl, f), S_ISDIR(f->mode)) < 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct rsd *r;

	if (!init) {
		uv_loop_init(&loop);
		log_set_level(LOG_ERR);  /* every refusal logs a line at info */
		init = true;
	}
	if (size == 0)
		return 0;
	r = rsd_new(data[0], data + 1, size - 1);
	if (data[0] & 1) {
		rsd_filter_recv(r);
		if (!rsd_bad(r))
			for (int i = 0; i < r->nrules; i++)
				FZ_CHECK(r->rules[i].pat != NULL);
	} else {
		rsd_flist_recv(r);
		if (!rsd_bad(r))
			check_list(&r->fl);
	}
	FZ_CHECK(r->errlen <= sizeof(r->errtext));
	if (getenv("FZ_VERBOSE") != NULL)  /* to see what a seed does */
		fprintf(stderr, "err %d, %u files, %d rules: %.*s\n", atomic_load(&r->err), r->fl.n,
		        r->nrules, (int)r->errlen, r->errtext);
	rsd_done(r);
	return 0;
}
