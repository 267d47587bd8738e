/* rsd_receiver.c — the receiver role (client pushes): file list in, choose the
 * destination (rsync's get_local_name), start the generator thread, then
 * rebuild each file the sender streams (literal runs and blocks copied from
 * the basis file) into ".NAME.XXXXXX" and rename it into place once its sum
 * matches. A file that fails that check in the first phase is marked for the
 * generator's redo phase (its basis changed under us); a second failure is an
 * error. Counts the phase markers the generator waits for.
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

#define WBUF (256 * 1024) /* file data gathered before one pwrite */

int rsd_dest_path(struct rsd *r, const char *name, char *out, size_t outsz)
{
	int n;

	if (r->solo[0])
		n = snprintf(out, outsz, "%s", r->solo);
	else if (strcmp(name, ".") == 0)
		n = snprintf(out, outsz, "%s", r->dest);
	else
		n = snprintf(out, outsz, "%s/%s", strcmp(r->dest, "/") ? r->dest : "", name);
	return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
}

void rsd_gen_signal(struct rsd *r)
{
	uv_mutex_lock(&r->mu);
	r->done_cnt++;
	uv_cond_broadcast(&r->gen_cv);
	uv_mutex_unlock(&r->mu);
}

static void parent_of(const char *vp, char *parent, size_t psz, const char **leaf)
{
	const char *s = strrchr(vp, '/');

	*leaf = s + 1;
	if (s == vp)
		snprintf(parent, psz, "/");
	else
		snprintf(parent, psz, "%.*s", (int)(s - vp), vp);
}

/* rsync's get_local_name(): where the received list goes. */
static void choose_dest(struct rsd *r)
{
	const char *arg = r->o.nargs > 0 ? r->o.args[0] : ".";
	size_t al = strlen(arg);
	bool trailing = al > 0 && arg[al - 1] == '/';
	char vp[VFS_PATH_MAX];
	const char *leaf;
	struct vfs_attr a;
	int rc;

	if (r->o.nargs > 1) {
		rsd_fail(r, RERR_SYNTAX, "only one destination path may be given");
		return;
	}
	if ((rc = vfs_path_normalize("/", arg, vp, sizeof(vp))) < 0) {
		rsd_fail(r, RERR_FILESELECT, "bad destination \"%s\": %s", arg, sgw_strerror(rc));
		return;
	}
	rc = vfs_stat(r->view, vp, true, &a);
	if (rc == 0 && S_ISDIR(a.mode)) {
		snprintf(r->dest, sizeof(r->dest), "%s", vp);
		return;
	}
	if (rc == 0 && r->fl.n > 1) {
		rsd_fail(r, RERR_FILESELECT, "ERROR: destination must be a directory when copying more than 1 file");
		return;
	}
	if (rc == 0 && r->fl.n == 1 && S_ISDIR(r->fl.f[0].mode)) {
		rsd_fail(r, RERR_FILESELECT, "ERROR: cannot overwrite non-directory with a directory");
		return;
	}
	if (rc < 0 && rc != -ENOENT) {
		rsd_fail(r, RERR_FILESELECT, "ERROR: cannot stat destination \"%s\": %s", arg, sgw_strerror(rc));
		return;
	}
	if (rc < 0 && (r->fl.n > 1 || trailing)) {
		if (!r->o.dry_run && (rc = vfs_mkdir(r->view, vp, 0755)) < 0) {
			rsd_fail(r, RERR_FILEIO, "mkdir \"%s\" failed: %s", arg, sgw_strerror(rc));
			return;
		}
		if (r->o.verbose)
			rsd_info(r, "created directory %s", arg);
		snprintf(r->dest, sizeof(r->dest), "%s", vp);
		return;
	}
	/* a single non-directory: write it as vp */
	parent_of(vp, r->dest, sizeof(r->dest), &leaf);
	snprintf(r->solo, sizeof(r->solo), "%s", vp);
}

struct wfile {
	int fd;
	uint64_t off;
	uint8_t *buf;
	size_t len;
	int err;
	uint64_t run_off; /* pending run of consecutive matched basis blocks */
	size_t run_len;
};

static void wflush(struct wfile *w)
{
	size_t done = 0;

	while (w->fd >= 0 && w->err == 0 && done < w->len) {
		ssize_t n = pwrite(w->fd, w->buf + done, w->len - done, (off_t)(w->off + done));

		if (n < 0)
			w->err = -errno;
		else
			done += (size_t)n;
	}
	w->off += w->len;
	w->len = 0;
}

static void wput(struct wfile *w, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t k = WBUF - w->len < n ? WBUF - w->len : n;

		memcpy(w->buf + w->len, p, k);
		w->len += k;
		p += k;
		n -= k;
		if (w->len == WBUF)
			wflush(w);
	}
}

/* Copies (or, inplace, skips) the pending run of basis blocks: one pread
 * straight into the write buffer, hashed there, rather than a read and a
 * copy per block. */
static void put_run(struct rsd *r, struct wfile *w, int basis, struct rsd_fsum *fs)
{
	size_t len = w->run_len, got = 0;
	bool in_place = r->o.inplace && w->run_off == w->off + w->len;

	if (len == 0)
		return;
	w->run_len = 0;
	if (in_place || w->len + len > WBUF)
		wflush(w);
	uint8_t *dst = w->buf + w->len;

	while (basis >= 0 && got < len) {
		ssize_t n = pread(basis, dst + got, len - got, (off_t)(w->run_off + got));

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < len) {
		if (w->err == 0)
			w->err = -EIO;
		memset(dst + got, 0, len - got);
	}
	rsd_fsum_update(fs, dst, len);
	rsd_token_see(r, dst, len);
	r->st_matched += len;
	if (in_place) { /* already there: nothing to write */
		w->off += len;
		return;
	}
	w->len += len;
	if (w->len == WBUF)
		wflush(w);
}

/* Block i of the basis file joins the pending run, or starts a new one. */
static void put_block(struct rsd *r, struct wfile *w, int basis, const int32_t hdr[4], int32_t i,
                      struct rsd_fsum *fs)
{
	size_t len = (i == hdr[0] - 1 && hdr[3]) ? (size_t)hdr[3] : (size_t)hdr[1];
	uint64_t off = (uint64_t)i * (uint64_t)hdr[1];

	if (w->run_len > 0 && off == w->run_off + w->run_len && w->run_len + len <= WBUF) {
		w->run_len += len;
		return;
	}
	put_run(r, w, basis, fs);
	w->run_off = off;
	w->run_len = len;
	/* old zlib: inflate must see each block by itself, before the next token
	 * is read (rsd_token_see), so no runs */
	if (r->cmode == RSD_CPRES_ZLIB)
		put_run(r, w, basis, fs);
}

/* Reads the token stream into w; returns false on a protocol error. */
static bool recv_tokens(struct rsd *r, struct wfile *w, int basis, const int32_t hdr[4], struct rsd_fsum *fs)
{
	rsd_token_begin(r);
	for (;;) {
		uint8_t *data = NULL;
		int32_t t = rsd_token_recv(r, &data);

		if (rsd_bad(r) || t == 0)
			break;
		if (t > 0) {
			put_run(r, w, basis, fs);
			rsd_fsum_update(fs, data, (size_t)t);
			r->st_literal += (uint64_t)t;
			wput(w, data, (size_t)t);
			continue;
		}
		int32_t i = -(t + 1);

		if (i >= hdr[0]) {
			rsd_fail(r, RERR_STREAMIO, "invalid block index %d (of %d) [receiver]", i, hdr[0]);
			break;
		}
		put_block(r, w, basis, hdr, i, fs);
	}
	put_run(r, w, basis, fs);
	wflush(w);
	return !rsd_bad(r);
}

/* Sets mode and mtime as rsync does (perms with -p, times with -t). */
static void set_attrs(struct rsd *r, int fd, const struct rsd_file *f, bool existed, uint32_t old_mode)
{
	struct vfs_setattr sa = { 0 };

	sa.valid = VFS_SET_MODE;
	sa.mode = r->o.perms ? (f->mode & 07777) : existed ? (old_mode & 07777) : (f->mode & 0777 & ~022u);
	if (r->o.times) {
		sa.valid |= VFS_SET_TIMES | VFS_SET_TIMES_NS;
		sa.mtime = sa.atime = f->mtime;
		sa.mtime_ns = sa.atime_ns = f->nsec;
	}
	(void)vfs_fsetattr(fd, &sa);
}

static int open_out(struct rsd *r, const char *path, char *tmp, size_t tmpsz, int *fd)
{
	char parent[VFS_PATH_MAX];
	const char *leaf;

	tmp[0] = '\0';
	if (r->o.inplace || r->o.append)
		return vfs_open(r->view, path, O_WRONLY | O_CREAT, 0600, fd);
	parent_of(path, parent, sizeof(parent), &leaf);
	return vfs_open_temp(r->view, parent, leaf, 0600, fd, tmp, tmpsz);
}

static void finish_file(struct rsd *r, int32_t ndx, const char *path, const char *tmp, struct wfile *w,
                        bool ok, const struct vfs_attr *old, bool existed)
{
	const struct rsd_file *f = &r->fl.f[ndx];
	int rc = 0;

	if (ok && w->fd >= 0 && (r->o.inplace || r->o.append) && ftruncate(w->fd, (off_t)w->off) != 0)
		rc = -errno;
	if (ok && rc == 0 && w->fd >= 0)
		set_attrs(r, w->fd, f, existed, old->mode);
	if (w->fd >= 0)
		close(w->fd);
	if (tmp[0] && (ok || r->o.partial) && rc == 0)
		rc = vfs_rename(r->view, tmp, path, 0);
	if (tmp[0] && (!(ok || r->o.partial) || rc < 0))
		(void)vfs_unlink(r->view, tmp);
	if (ok && rc < 0)
		rsd_file_error(r, "rsync: [receiver] rename \"%s\" -> \"%s\": %s", tmp, rsd_fname(&r->fl, f),
		               sgw_strerror(rc));
	else if (ok && r->o.remove_source)
		rsd_msg_int(r, RSD_MSG_SUCCESS, ndx);
}

/* A rebuilt file that failed the whole-file check: asked for again (whole) in
 * the redo phase the first time, as rsync's receiver does; an error after that. */
static void verify_failed(struct rsd *r, struct rsd_file *f, bool may_redo)
{
	const char *kept = r->o.partial || r->o.inplace || r->o.append ? "retained" : "discarded";

	if (may_redo && !(f->flags & RSD_F_REDO)) {
		f->flags |= RSD_F_REDO; /* read by the generator after the first NDX_DONE */
		if (r->o.verbose)
			rsd_warn(r, "WARNING: %s failed verification -- update %s (will try again).",
			         rsd_fname(&r->fl, f), kept);
		return;
	}
	rsd_file_error(r, "ERROR: %s failed verification -- update %s.", rsd_fname(&r->fl, f), kept);
}

static void recv_one(struct rsd *r, int32_t ndx, uint32_t iflags, bool may_redo)
{
	struct rsd_file *f = &r->fl.f[ndx];
	char path[VFS_PATH_MAX], tmp[VFS_PATH_MAX] = "";
	int32_t hdr[4];
	int basis = -1, rc;
	struct vfs_attr old = { 0 };
	bool existed;
	uint8_t want[RSD_SUM_LEN], got[RSD_SUM_LEN];
	struct wfile w = { .fd = -1 };

	for (int i = 0; i < 4; i++)
		hdr[i] = rsd_read_int(r);
	if (rsd_bad(r))
		return;
	if (hdr[0] < 0 || hdr[0] > RSD_MAX_BLOCKS || hdr[1] < 0 || hdr[1] > RSD_BLOCK_MAX || hdr[2] < 0 ||
	    hdr[2] > RSD_SUM_LEN || hdr[3] < 0 || hdr[3] > hdr[1] || (hdr[0] > 0 && hdr[1] == 0)) {
		rsd_fail(r, RERR_STREAMIO, "invalid block-sum header [receiver]");
		return;
	}
	rc = rsd_dest_path(r, rsd_fname(&r->fl, f), path, sizeof(path));
	/* a file the generator found missing needs no second look */
	existed = rc == 0 && (r->o.append || (f->flags & RSD_F_REDO) || !(iflags & ITEM_IS_NEW)) &&
	          vfs_stat(r->view, path, false, &old) == 0 && S_ISREG(old.mode);
	if (r->o.append && !(f->flags & RSD_F_REDO)) { /* the data goes after what is there */
		uint64_t flen = (uint64_t)hdr[0] * (uint64_t)hdr[1];

		if (hdr[3])
			flen -= (uint64_t)(hdr[1] - hdr[3]);
		if (!existed || flen > old.size) {
			rsd_fail(r, RERR_STREAMIO, "--append beyond the existing file [receiver]");
			return;
		}
		w.off = flen;
		hdr[0] = 0; /* no block may be referenced */
	} else if (rc == 0 && hdr[0] > 0 && existed) {
		rc = vfs_open(r->view, path, O_RDONLY, 0, &basis);
	}
	if (rc == 0)
		rc = open_out(r, path, tmp, sizeof(tmp), &w.fd);
	if (rc < 0) {
		rsd_file_error(r, "rsync: [receiver] cannot write \"%s\": %s", rsd_fname(&r->fl, f), sgw_strerror(rc));
		w.fd = -1;
	}
	if (r->wbuf == NULL)
		r->wbuf = malloc(WBUF);
	w.buf = r->wbuf;
	struct rsd_fsum fs;

	if (w.buf == NULL || rsd_fsum_begin(r, &fs) != 0) {
		rsd_fail(r, RERR_MALLOC, "out of memory");
	} else {
		recv_tokens(r, &w, basis, hdr, &fs);
		rsd_fsum_end(&fs, got);
		rsd_read(r, want, RSD_SUM_LEN);
	}
	bool ok = !rsd_bad(r) && w.fd >= 0 && w.err == 0 && memcmp(want, got, RSD_SUM_LEN) == 0;

	if (!rsd_bad(r) && w.fd >= 0 && w.err != 0)
		rsd_file_error(r, "rsync: [receiver] write failed on \"%s\": %s", rsd_fname(&r->fl, f),
		               sgw_strerror(w.err));
	else if (!rsd_bad(r) && w.fd >= 0 && !ok)
		verify_failed(r, f, may_redo);
	finish_file(r, ndx, path, tmp, &w, ok, &old, existed);
	if (basis >= 0)
		close(basis);
}

static int32_t read_ndx_item(struct rsd *r, uint32_t *iflags)
{
	int32_t ndx = rsd_read_ndx(r);
	char xname[RSD_MAXPATH];

	if (rsd_bad(r) || ndx == NDX_DONE)
		return NDX_DONE;
	if (ndx < 0 || (uint32_t)ndx >= r->fl.n) {
		rsd_fail(r, RERR_STREAMIO, "invalid file index %d (of %u) [receiver]", ndx, r->fl.n);
		return NDX_DONE;
	}
	*iflags = rsd_read_short(r);
	if (*iflags & ITEM_BASIS_TYPE_FOLLOWS)
		(void)rsd_read_byte(r);
	if (*iflags & ITEM_XNAME_FOLLOWS)
		rsd_read_vstring(r, xname, sizeof(xname));
	return ndx;
}

static void recv_files(struct rsd *r)
{
	int dones = 0;
	uint32_t iflags = 0;

	while (!rsd_bad(r)) {
		int32_t ndx = read_ndx_item(r, &iflags);

		if (rsd_bad(r))
			break;
		if (ndx == NDX_DONE) {
			rsd_gen_signal(r);
			if (++dones == 3)
				break;
			continue;
		}
		if (!(iflags & ITEM_TRANSFER) || r->o.dry_run)
			continue;
		if (!S_ISREG(r->fl.f[ndx].mode)) {
			rsd_fail(r, RERR_STREAMIO, "transfer requested for a non-file [receiver]");
			break;
		}
		recv_one(r, ndx, iflags, dones == 0);
	}
	/* goodbye (protocol 31): the client's answer to the late NDX_DONE */
	if (r->proto >= 31 && !rsd_bad(r) && read_ndx_item(r, &iflags) == NDX_DONE && !rsd_bad(r))
		rsd_gen_signal(r);
}

void rsd_receiver_run(struct rsd *r)
{
	if (r->o.delete_mode)
		rsd_filter_recv(r);
	if (!rsd_bad(r))
		rsd_flist_recv(r);
	if (!rsd_bad(r))
		choose_dest(r);
	if (rsd_bad(r))
		return;
	if (!r->o.dry_run && vfs_view_readonly(r->view, r->dest)) {
		rsd_fail(r, RERR_FILESELECT, "ERROR: cannot write to \"%s\": Read-only file system"
		                                  " (30)", /* rsync's own wording */
		         r->o.nargs ? r->o.args[0] : ".");
		return;
	}
	if (uv_thread_create(&r->gen_thread, rsd_generator_thread_cb, r) != 0) {
		rsd_fail(r, RERR_STARTCLIENT, "cannot start the generator");
		return;
	}
	recv_files(r);
	if (rsd_bad(r)) {
		uv_mutex_lock(&r->mu);
		uv_cond_broadcast(&r->gen_cv);
		uv_mutex_unlock(&r->mu);
	}
	uv_thread_join(&r->gen_thread);
}
