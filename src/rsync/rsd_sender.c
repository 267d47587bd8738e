/* rsd_sender.c — the sender role (client pulls, `--sender`): file list out,
 * then for each index the client's generator asks for: its block sums in,
 * echoed header, tokens (literal runs and block matches) and the file's sum
 * out. Ends with the stats and the goodbye exchange.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sftpgw/err.h"
#include "sftpgw/log.h"
#include "rsd_int.h"

struct attrs {
	uint32_t iflags;
	uint8_t ftype;
	char xname[RSD_MAXPATH];
};

/* Reads an index and its item flags; handles the messages between indexes. */
static int32_t read_ndx_attrs(struct rsd *r, struct attrs *a)
{
	for (;;) {
		int32_t ndx = rsd_read_ndx(r);

		if (rsd_bad(r) || ndx == NDX_DONE)
			return NDX_DONE;
		if (ndx == NDX_DEL_STATS) { /* the client's deletions: counts only */
			for (int i = 0; i < 5; i++)
				(void)rsd_read_varint(r);
			continue;
		}
		if (ndx < 0 || (uint32_t)ndx >= r->fl.n) {
			rsd_fail(r, RERR_STREAMIO, "invalid file index %d (of %u) [sender]", ndx, r->fl.n);
			return NDX_DONE;
		}
		a->iflags = rsd_read_short(r);
		a->ftype = 0;
		a->xname[0] = '\0';
		if (a->iflags & ITEM_BASIS_TYPE_FOLLOWS)
			a->ftype = rsd_read_byte(r);
		if (a->iflags & ITEM_XNAME_FOLLOWS)
			rsd_read_vstring(r, a->xname, sizeof(a->xname));
		return ndx;
	}
}

static void write_ndx_attrs(struct rsd *r, int32_t ndx, const struct attrs *a)
{
	rsd_write_ndx(r, ndx);
	rsd_write_short(r, (uint16_t)a->iflags);
	if (a->iflags & ITEM_BASIS_TYPE_FOLLOWS)
		rsd_write_byte(r, a->ftype);
	if (a->iflags & ITEM_XNAME_FOLLOWS)
		rsd_write_vstring(r, a->xname);
}

/* Reads the generator's block sums of the client's basis file. */
static int read_sums(struct rsd *r, struct rsd_sums *s, bool append)
{
	memset(s, 0, sizeof(*s));
	s->count = rsd_read_int(r);
	s->blength = rsd_read_int(r);
	s->s2len = rsd_read_int(r);
	s->remainder = rsd_read_int(r);
	if (rsd_bad(r))
		return -1;
	if (s->count < 0 || s->count > RSD_MAX_BLOCKS || s->blength < 0 || s->blength > RSD_BLOCK_MAX ||
	    s->s2len < 0 || s->s2len > RSD_SUM_LEN || s->remainder < 0 || s->remainder > s->blength ||
	    (s->count > 0 && s->blength == 0)) {
		rsd_fail(r, RERR_STREAMIO, "invalid block-sum header (count=%d blength=%d s2length=%d) [sender]",
		         s->count, s->blength, s->s2len);
		return -1;
	}
	if (s->count == 0 || append) /* --append: a header without sums */
		return 0;
	if ((s->s = calloc((size_t)s->count, sizeof(*s->s))) == NULL) {
		rsd_fail(r, RERR_MALLOC, "out of memory for %d block sums", s->count);
		return -1;
	}
	for (int32_t i = 0; i < s->count && !rsd_bad(r); i++) {
		s->s[i].sum1 = (uint32_t)rsd_read_int(r);
		rsd_read(r, s->s[i].sum2, (size_t)s->s2len);
	}
	if (rsd_bad(r) || rsd_sums_index(s) != 0) {
		rsd_sums_free(s);
		if (!rsd_bad(r))
			rsd_fail(r, RERR_MALLOC, "out of memory");
		return -1;
	}
	return 0;
}

struct send_ctx {
	struct rsd *r;
	int fd;
	struct rsd_fsum fs;
	const struct rsd_sums *s;
};

static long send_read_cb(void *ctx, uint64_t off, uint8_t *p, size_t n)
{
	struct send_ctx *c = ctx;
	ssize_t got;

	if (c->r->abort || rsd_bad(c->r))
		return SGW_EPROTOCOL;
	got = pread(c->fd, p, n, (off_t)off);
	if (got < 0)
		return -errno;
	rsd_fsum_update(&c->fs, p, (size_t)got);
	return (long)got;
}

static void send_strong_cb(void *ctx, const uint8_t *p, size_t n, uint8_t out[RSD_SUM_LEN])
{
	struct send_ctx *c = ctx;

	rsd_block_sum(c->r, p, n, out);
}

static int send_emit_cb(void *ctx, int32_t token, const uint8_t *p, size_t n)
{
	struct send_ctx *c = ctx;

	if (token < 0) {
		rsd_token_send_literal(c->r, p, n);
		c->r->st_literal += n;
	} else {
		rsd_token_send_match(c->r, token, p, n);
		c->r->st_matched += (token == c->s->count - 1 && c->s->remainder) ? (uint64_t)c->s->remainder
		                                                                  : (uint64_t)c->s->blength;
	}
	return rsd_bad(c->r) ? -1 : 0;
}

/* --append: literal data after the length the client already has. */
static int send_appended(struct send_ctx *c, const struct rsd_sums *s, uint64_t size)
{
	uint64_t off = (uint64_t)s->count * (uint64_t)s->blength;
	uint8_t *buf = malloc(RSD_CHUNK);

	if (s->remainder)
		off -= (uint64_t)(s->blength - s->remainder);
	if (buf == NULL)
		return SGW_ELIMIT;
	while (off < size && !rsd_bad(c->r)) {
		long n = send_read_cb(c, off, buf, size - off < RSD_CHUNK ? (size_t)(size - off) : RSD_CHUNK);

		if (n <= 0) {
			free(buf);
			return n < 0 ? (int)n : -EIO;
		}
		send_emit_cb(c, -1, buf, (size_t)n);
		off += (uint64_t)n;
	}
	free(buf);
	return 0;
}

static void send_one(struct rsd *r, int32_t ndx, const struct attrs *a)
{
	struct rsd_file *f = &r->fl.f[ndx];
	char vp[VFS_PATH_MAX];
	struct rsd_sums s;
	struct vfs_attr st;
	int fd, rc;
	uint8_t sum[RSD_SUM_LEN];
	/* a second request is the client's redo: a normal transfer, as rsync's sender does */
	bool append = r->o.append && !(f->flags & RSD_F_SENT);

	if (read_sums(r, &s, append) != 0)
		return;
	rc = -ENAMETOOLONG;
	if ((size_t)snprintf(vp, sizeof(vp), "%s/%s", strcmp(r->fl.bases[f->base], "/") ? r->fl.bases[f->base] : "",
	                     rsd_fname(&r->fl, f)) < sizeof(vp))
		rc = vfs_open(r->view, vp, O_RDONLY, 0, &fd);
	if (rc == 0 && (rc = vfs_fstat(fd, &st)) < 0)
		close(fd);
	if (rc < 0) {
		rsd_file_error(r, "rsync: [sender] send_files failed to open \"%s\": %s", rsd_fname(&r->fl, f),
		               sgw_strerror(rc));
		rsd_msg_int(r, RSD_MSG_NO_SEND, ndx);
		rsd_sums_free(&s);
		return;
	}
	write_ndx_attrs(r, ndx, a);
	rsd_write_int(r, s.count);
	rsd_write_int(r, s.blength);
	rsd_write_int(r, s.s2len);
	rsd_write_int(r, s.remainder);
	struct send_ctx c = { .r = r, .fd = fd, .s = &s };
	struct rsd_match_io io = { &c, send_read_cb, send_strong_cb, send_emit_cb };

	if (rsd_fsum_begin(r, &c.fs) != 0) {
		rsd_fail(r, RERR_MALLOC, "out of memory");
	} else {
		rsd_token_begin(r);
		if (append)
			rc = send_appended(&c, &s, st.size);
		else
			rc = rsd_match_run(&s, st.size, &io);
		if (rc < 0 && !rsd_bad(r))
			rsd_fail(r, RERR_FILEIO, "read errors mapping \"%s\": %s", rsd_fname(&r->fl, f),
			         sgw_strerror(rc));
		rsd_token_send_end(r);
		rsd_fsum_end(&c.fs, sum);
		rsd_write(r, sum, RSD_SUM_LEN);
	}
	close(fd);
	rsd_sums_free(&s);
	f->flags |= RSD_F_SENT;
}

static void send_files(struct rsd *r)
{
	struct attrs a;
	int phase = 0;

	while (!rsd_bad(r)) {
		int32_t ndx = read_ndx_attrs(r, &a);

		if (rsd_bad(r))
			return;
		if (ndx == NDX_DONE) {
			if (++phase > 2)
				break;
			rsd_write_ndx(r, NDX_DONE);
			rsd_flush(r);
			continue;
		}
		if (!(a.iflags & ITEM_TRANSFER) || r->o.dry_run) {
			write_ndx_attrs(r, ndx, &a);
			continue;
		}
		if (phase == 2) {
			rsd_fail(r, RERR_STREAMIO, "got transfer request in phase 2 [sender]");
			return;
		}
		send_one(r, ndx, &a);
	}
	rsd_write_ndx(r, NDX_DONE);
	rsd_flush(r);
}

static uint64_t now_ms(void)
{
	return uv_hrtime() / 1000000;
}

void rsd_sender_run(struct rsd *r)
{
	uint64_t t0 = now_ms(), t1, t2;
	struct attrs a;

	rsd_filter_recv(r);
	if (rsd_bad(r))
		return;
	rsd_flist_build(r);
	if (rsd_bad(r))
		return;
	t1 = now_ms();
	rsd_flist_send(r);
	t2 = now_ms();
	for (uint32_t i = 0; i < r->fl.n; i++)
		r->st_size += r->fl.f[i].size;
	if (r->fl.n == 0 || rsd_bad(r))
		return;
	send_files(r);
	if (rsd_bad(r))
		return;
	rsd_write_varlong(r, (int64_t)r->st_read, 3);
	rsd_write_varlong(r, (int64_t)r->st_written, 3);
	rsd_write_varlong(r, (int64_t)r->st_size, 3);
	rsd_write_varlong(r, (int64_t)(t1 - t0), 3);
	rsd_write_varlong(r, (int64_t)(t2 - t1), 3);
	rsd_flush(r);
	/* goodbye: NDX_DONE, answered at protocol 31, then the last NDX_DONE */
	if (read_ndx_attrs(r, &a) != NDX_DONE || rsd_bad(r))
		goto bad;
	if (r->proto >= 31) {
		rsd_write_ndx(r, NDX_DONE);
		rsd_flush(r);
		if (read_ndx_attrs(r, &a) != NDX_DONE)
			goto bad;
	}
	return;
bad:
	if (!rsd_bad(r))
		rsd_fail(r, RERR_STREAMIO, "invalid packet at end of run [sender]");
}
