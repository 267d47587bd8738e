/* rsd_generator.c — the generator role (client pushes), on its own thread
 * beside the receiver: walks the sorted list, creates directories and
 * symlinks, decides per file (quick check, -c, --size-only, --existing, ...)
 * whether to ask for it, and sends the block sums of the existing file so the
 * client sends only what changed. Then the redo phase (files whose rebuild
 * failed its checksum, asked for again whole), the phase markers, deletions
 * and the directories' times.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sftpgw/err.h"
#include "sftpgw/log.h"
#include "rsd_int.h"

#define RSD_MAX_DEL_DEPTH 128 /* nesting removed by one --delete of a directory */
#define SUM_READ (1024 * 1024)
#define GEN_FLUSH_SIZE (256 * 1024)   /* a file this big is asked for at once */
#define GEN_FLUSH_NS (2ull * 1000 * 1000) /* small files' requests are held at most this long */

static void wait_done(struct rsd *r, int n)
{
	uv_mutex_lock(&r->mu);
	while (r->done_cnt < n && !r->abort && !rsd_bad(r))
		uv_cond_timedwait(&r->gen_cv, &r->mu, 200ull * 1000 * 1000);
	uv_mutex_unlock(&r->mu);
}

static void itemize(struct rsd *r, int32_t ndx, uint32_t iflags)
{
	rsd_write_ndx(r, ndx);
	rsd_write_short(r, (uint16_t)iflags);
}

/* ---- block sums of the basis file ---- */

static void send_null_sums(struct rsd *r)
{
	for (int i = 0; i < 4; i++)
		rsd_write_int(r, 0);
}

static void send_sums(struct rsd *r, const char *path, uint64_t size)
{
	int32_t blength, s2len;
	int fd;
	uint8_t *buf;

	rsd_sums_size((int64_t)size, &blength, &s2len);
	if (r->o.block_size)
		blength = r->o.block_size;
	uint64_t count = (size + (uint64_t)blength - 1) / (uint64_t)blength;

	if (count == 0 || count > RSD_MAX_BLOCKS || vfs_open(r->view, path, O_RDONLY, 0, &fd) != 0) {
		send_null_sums(r);
		return;
	}
	if ((buf = malloc(SUM_READ)) == NULL) {
		close(fd);
		send_null_sums(r);
		return;
	}
	rsd_write_int(r, (int32_t)count);
	rsd_write_int(r, blength);
	rsd_write_int(r, s2len);
	rsd_write_int(r, (int32_t)(size % (uint64_t)blength));
	/* read whole blocks in big chunks; short reads (a file that shrank) pad with zeros */
	size_t per = (SUM_READ / (size_t)blength) * (size_t)blength;

	for (uint64_t off = 0; off < count * (uint64_t)blength && off < size && !rsd_bad(r); off += per) {
		size_t want = size - off < per ? (size_t)(size - off) : per;
		ssize_t got = pread(fd, buf, want, (off_t)off);

		if (got < (ssize_t)want)
			memset(buf + (got > 0 ? got : 0), 0, want - (size_t)(got > 0 ? got : 0));
		for (size_t b = 0; b < want; b += (size_t)blength) {
			size_t n = want - b < (size_t)blength ? want - b : (size_t)blength;
			uint8_t sum2[RSD_SUM_LEN];

			rsd_write_int(r, (int32_t)rsd_csum1(buf + b, n));
			rsd_block_sum(r, buf + b, n, sum2);
			rsd_write(r, sum2, (size_t)s2len);
		}
	}
	free(buf);
	close(fd);
}

/* --append: a header that covers the existing length, and no sums; the
 * sender starts after that length. */
static void send_append_head(struct rsd *r, uint64_t size)
{
	int32_t blength, s2len;

	rsd_sums_size((int64_t)size, &blength, &s2len);
	rsd_write_int(r, (int32_t)((size + (uint64_t)blength - 1) / (uint64_t)blength));
	rsd_write_int(r, blength);
	rsd_write_int(r, s2len);
	rsd_write_int(r, (int32_t)(size % (uint64_t)blength));
}

/* ---- per-entry decisions ---- */

/* Sends what the sender needs to start on a file: at once after block sums or
 * for a big file, else once GEN_FLUSH_NS passed since the last flush (or the
 * buffer filled, or the receiver ran out of input). One flush per small file
 * cost a frame, a wakeup and an SSH packet each, on both sides. */
static void gen_flush(struct rsd *r, bool urgent)
{
	uint64_t now = uv_hrtime();

	if (urgent || now - r->gen_flushed >= GEN_FLUSH_NS) {
		rsd_flush(r);
		r->gen_flushed = now;
	}
}

static bool same_content(struct rsd *r, const struct rsd_file *f, const char *path, const struct vfs_attr *st)
{
	if (st->size != f->size)
		return false;
	if (r->o.checksum) {
		uint8_t sum[RSD_SUM_LEN];
		int fd;

		if (f->link == 0 || vfs_open(r->view, path, O_RDONLY, 0, &fd) != 0)
			return false;
		rsd_file_sum(r, fd, sum);
		close(fd);
		return memcmp(sum, r->fl.names + f->link, RSD_SUM_LEN) == 0;
	}
	if (r->o.size_only)
		return true;
	if (r->o.ignore_times)
		return false;
	return st->mtime == f->mtime;
}

/* Removes whatever is in the way of a new entry (a file or an empty dir). */
static int clear_way(struct rsd *r, const char *path, const struct vfs_attr *st)
{
	if (r->o.dry_run)
		return 0;
	return S_ISDIR(st->mode) ? vfs_rmdir(r->view, path) : vfs_unlink(r->view, path);
}

static void gen_dir(struct rsd *r, int32_t ndx, const char *path, int have, const struct vfs_attr *st)
{
	struct rsd_file *f = &r->fl.f[ndx];
	int rc = 0;

	if (have == 0 && !S_ISDIR(st->mode) && (rc = clear_way(r, path, st)) < 0) {
		rsd_file_error(r, "rsync: [generator] cannot replace \"%s\" with a directory: %s",
		               rsd_fname(&r->fl, f), sgw_strerror(rc));
		f->flags |= RSD_F_FAILED;
		return;
	}
	if (have < 0 || !S_ISDIR(st->mode)) {
		if (!r->o.dry_run && (rc = vfs_mkdir(r->view, path, 0755)) < 0 && rc != -EEXIST) {
			rsd_file_error(r, "rsync: [generator] mkdir \"%s\" failed: %s", rsd_fname(&r->fl, f),
			               sgw_strerror(rc));
			f->flags |= RSD_F_FAILED;
			return;
		}
		if (rc == 0 && r->gen_missing < 0)
			r->gen_missing = ndx; /* we made it: nothing below it exists yet */
		if (strcmp(rsd_fname(&r->fl, f), ".") != 0)
			itemize(r, ndx, ITEM_LOCAL_CHANGE | ITEM_IS_NEW);
	}
	if (r->o.delete_mode && !r->o.delete_after && !r->o.delete_delay && !r->o.delete_before &&
	    !(f->flags & RSD_F_NO_CONTENT) && !r->o.dry_run)
		rsd_delete_in_dir(r, rsd_fname(&r->fl, f));
}

/* A symlink's own mtime (never the target's). */
static void link_times(struct rsd *r, const struct rsd_file *f, const char *path, int64_t cur)
{
	struct vfs_setattr sa = { .valid = VFS_SET_TIMES | VFS_SET_TIMES_NS, .mtime = f->mtime,
		                  .atime = f->mtime, .mtime_ns = f->nsec, .atime_ns = f->nsec };

	if (r->o.times && !r->o.omit_link_times && !r->o.dry_run && cur != f->mtime)
		(void)vfs_setattr(r->view, path, &sa, false);
}

static void gen_link(struct rsd *r, int32_t ndx, const char *path, int have, const struct vfs_attr *st)
{
	struct rsd_file *f = &r->fl.f[ndx];
	const char *target = r->fl.names + f->link;
	char cur[RSD_MAXPATH];
	int rc;

	if (have == 0 && S_ISLNK(st->mode) && vfs_readlink(r->view, path, cur, sizeof(cur)) >= 0 &&
	    strcmp(cur, target) == 0) {
		link_times(r, f, path, st->mtime);
		return;
	}
	if (have == 0 && (rc = clear_way(r, path, st)) < 0) {
		rsd_file_error(r, "rsync: [generator] cannot replace \"%s\": %s", rsd_fname(&r->fl, f),
		               sgw_strerror(rc));
		return;
	}
	if (!r->o.dry_run && (rc = vfs_symlink(r->view, target, path)) < 0) {
		rsd_file_error(r, "rsync: [generator] symlink \"%s\" -> \"%s\" failed: %s", rsd_fname(&r->fl, f),
		               target, sgw_strerror(rc));
		return;
	}
	link_times(r, f, path, INT64_MIN);
	itemize(r, ndx, ITEM_LOCAL_CHANGE | (have < 0 ? ITEM_IS_NEW : 0));
}

/* Brings mode and mtime of an unchanged file in line. */
static void fix_attrs(struct rsd *r, const struct rsd_file *f, const char *path, const struct vfs_attr *st)
{
	struct vfs_setattr sa = { 0 };

	if (r->o.dry_run)
		return;
	if (r->o.perms && (st->mode & 07777) != (f->mode & 07777)) {
		sa.valid |= VFS_SET_MODE;
		sa.mode = f->mode & 07777;
	}
	if (r->o.times && st->mtime != f->mtime) {
		sa.valid |= VFS_SET_TIMES | VFS_SET_TIMES_NS;
		sa.mtime = sa.atime = f->mtime;
		sa.mtime_ns = sa.atime_ns = f->nsec;
	}
	if (sa.valid)
		(void)vfs_setattr(r->view, path, &sa, false);
}

static void gen_file(struct rsd *r, int32_t ndx, const char *path, int have, const struct vfs_attr *st)
{
	struct rsd_file *f = &r->fl.f[ndx];
	uint32_t iflags = ITEM_TRANSFER;
	int rc;

	if (have == 0 && S_ISDIR(st->mode)) {
		if ((rc = clear_way(r, path, st)) < 0) {
			rsd_file_error(r, "rsync: [generator] cannot delete non-empty directory: %s",
			               rsd_fname(&r->fl, f));
			return;
		}
		have = -1;
	}
	if ((r->o.ignore_existing && have == 0) || (r->o.existing && have < 0))
		return;
	if (r->o.append && have == 0 && S_ISREG(st->mode) && st->size >= f->size)
		return; /* --append: nothing to add */
	if (have == 0 && S_ISREG(st->mode)) {
		if (same_content(r, f, path, st)) {
			fix_attrs(r, f, path, st);
			return;
		}
		if (r->o.update && st->mtime > f->mtime)
			return;
		if (st->size != f->size)
			iflags |= ITEM_REPORT_SIZE;
		if (st->mtime != f->mtime)
			iflags |= ITEM_REPORT_TIME;
	} else {
		iflags |= ITEM_IS_NEW;
	}
	itemize(r, ndx, iflags);
	if (r->o.dry_run)
		return;
	bool urgent = f->size >= GEN_FLUSH_SIZE;

	if (r->o.append && have == 0 && S_ISREG(st->mode) && st->size > 0) {
		send_append_head(r, st->size);
	} else if (have == 0 && S_ISREG(st->mode) && !r->o.whole_file && st->size > 0) {
		send_sums(r, path, st->size);
		urgent = true;
	} else {
		send_null_sums(r);
	}
	if (urgent)
		gen_flush(r, true);
}

/* True when name lies below list entry dir (the list keeps a subtree together). */
static bool below(const struct rsd *r, int32_t dir, const char *name)
{
	const char *d = rsd_fname(&r->fl, &r->fl.f[dir]);
	size_t n = strlen(d);

	return strcmp(d, ".") == 0 ? strcmp(name, ".") != 0 : strncmp(name, d, n) == 0 && name[n] == '/';
}

static void gen_one(struct rsd *r, int32_t ndx)
{
	struct rsd_file *f = &r->fl.f[ndx];
	char path[VFS_PATH_MAX];
	struct vfs_attr st = { 0 };
	int have;

	if (rsd_dest_path(r, rsd_fname(&r->fl, f), path, sizeof(path)) < 0) {
		rsd_file_error(r, "rsync: [generator] name too long: %s", rsd_fname(&r->fl, f));
		return;
	}
	if (r->gen_missing >= 0 && !below(r, r->gen_missing, rsd_fname(&r->fl, f)))
		r->gen_missing = -1;
	/* inside a directory made in this run nothing needs a stat (rsync's missing_below) */
	have = r->gen_missing >= 0 ? -1 : vfs_stat(r->view, path, false, &st) == 0 ? 0 : -1;
	if (f->flags & RSD_F_DEVICE) {
		rsd_file_error(r, "rsync: [generator] skipping device or special file \"%s\": not supported "
		                  "by this gateway", rsd_fname(&r->fl, f));
	} else if (S_ISDIR(f->mode)) {
		gen_dir(r, ndx, path, have, &st);
	} else if (S_ISLNK(f->mode)) {
		if (r->o.links)
			gen_link(r, ndx, path, have, &st);
	} else if (S_ISREG(f->mode)) {
		gen_file(r, ndx, path, have, &st);
	}
}

/* The redo phase: the receiver marked the files whose rebuilt data failed the
 * whole-file checksum (their basis changed after its block sums were sent)
 * before it counted the first NDX_DONE. Each is asked for once more, whole:
 * no basis, so nothing can go stale again. */
static void gen_redo(struct rsd *r)
{
	for (uint32_t i = 0; i < r->fl.n && !rsd_bad(r) && !r->abort; i++) {
		if (!(r->fl.f[i].flags & RSD_F_REDO))
			continue;
		itemize(r, (int32_t)i, ITEM_TRANSFER);
		send_null_sums(r);
	}
}

/* ---- deletion ---- */

/* Removes vpath and, for a directory, everything below it. */
static int remove_tree(struct rsd *r, const char *vpath, int depth)
{
	struct vfs_attr a;
	int rc;

	if ((rc = vfs_stat(r->view, vpath, false, &a)) < 0)
		return rc;
	if (a.synthetic)
		return -EACCES;
	if (!S_ISDIR(a.mode))
		return vfs_unlink(r->view, vpath);
	if (depth > RSD_MAX_DEL_DEPTH)
		return -ELOOP;
	struct vfs_dir *d;
	char leaf[VFS_NAME_MAX + 1], child[VFS_PATH_MAX];

	if ((rc = vfs_opendir(r->view, vpath, &d)) < 0)
		return rc;
	while ((rc = vfs_readdir(d, leaf, &a)) == 1) {
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", vpath, leaf) >= sizeof(child))
			continue;
		if ((rc = remove_tree(r, child, depth + 1)) < 0)
			break;
		if (S_ISDIR(a.mode))
			r->del_dirs++;
		else if (S_ISLNK(a.mode))
			r->del_links++;
		else
			r->del_files++;
	}
	vfs_closedir(d);
	return rc < 0 ? rc : vfs_rmdir(r->view, vpath);
}

/* Deletes what dirname (a list name) holds locally but the list does not. */
void rsd_delete_in_dir(struct rsd *r, const char *dirname)
{
	char dpath[VFS_PATH_MAX], child[VFS_PATH_MAX], rel[RSD_MAXPATH + VFS_NAME_MAX + 2];
	char leaf[VFS_NAME_MAX + 1];
	struct vfs_dir *d;
	struct vfs_attr a;
	int rc;

	if (r->solo[0] || rsd_dest_path(r, dirname, dpath, sizeof(dpath)) < 0)
		return;
	int mnt = vfs_view_mount_index(r->view, dpath);

	if (mnt < 0 || vfs_opendir(r->view, dpath, &d) < 0)
		return; /* synthesized directories are never touched */
	while (!rsd_bad(r) && vfs_readdir(d, leaf, &a) == 1) {
		bool dot = strcmp(dirname, ".") == 0;

		snprintf(rel, sizeof(rel), "%s%s%s", dot ? "" : dirname, dot ? "" : "/", leaf);
		if (rsd_flist_find(&r->fl, rel, true) >= 0 || rsd_flist_find(&r->fl, rel, false) >= 0)
			continue;
		if (!r->o.delete_excluded && rsd_filter_excluded(r, rel, S_ISDIR(a.mode), RSD_R_RECEIVER))
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", strcmp(dpath, "/") ? dpath : "", leaf) >=
		    sizeof(child))
			continue;
		if (vfs_view_mount_index(r->view, child) != mnt || a.synthetic)
			continue; /* a mount point (or above one) is never deleted */
		if ((rc = remove_tree(r, child, 0)) < 0) {
			rsd_file_error(r, "rsync: [generator] delete \"%s\" failed: %s", rel, sgw_strerror(rc));
			continue;
		}
		if (S_ISDIR(a.mode))
			r->del_dirs++;
		else if (S_ISLNK(a.mode))
			r->del_links++;
		else
			r->del_files++;
		if (r->o.verbose)
			rsd_info(r, "deleting %s%s", rel, S_ISDIR(a.mode) ? "/" : "");
	}
	vfs_closedir(d);
}

static void delete_pass(struct rsd *r)
{
	if (r->o.dry_run || r->solo[0])
		return;
	for (uint32_t i = 0; i < r->fl.n && !rsd_bad(r); i++) {
		const struct rsd_file *f = &r->fl.f[i];

		if (S_ISDIR(f->mode) && !(f->flags & (RSD_F_NO_CONTENT | RSD_F_FAILED)))
			rsd_delete_in_dir(r, rsd_fname(&r->fl, f));
	}
}

static void send_del_stats(struct rsd *r)
{
	rsd_write_ndx(r, NDX_DEL_STATS);
	rsd_write_varint(r, (int32_t)r->del_files);
	rsd_write_varint(r, (int32_t)r->del_dirs);
	rsd_write_varint(r, (int32_t)r->del_links);
	rsd_write_varint(r, 0);
	rsd_write_varint(r, 0);
}

/* Directories get their mode and mtime after their contents were written. */
static void touch_up_dirs(struct rsd *r)
{
	char path[VFS_PATH_MAX];

	if (r->o.dry_run)
		return;
	for (uint32_t i = 0; i < r->fl.n; i++) {
		const struct rsd_file *f = &r->fl.f[i];
		struct vfs_setattr sa = { 0 };

		if (!S_ISDIR(f->mode) || (f->flags & RSD_F_FAILED) ||
		    rsd_dest_path(r, rsd_fname(&r->fl, f), path, sizeof(path)) < 0)
			continue;
		if (r->o.perms) {
			sa.valid |= VFS_SET_MODE;
			sa.mode = f->mode & 07777;
		}
		if (r->o.times && !r->o.omit_dir_times) {
			sa.valid |= VFS_SET_TIMES | VFS_SET_TIMES_NS;
			sa.mtime = sa.atime = f->mtime;
			sa.mtime_ns = sa.atime_ns = f->nsec;
		}
		if (sa.valid && !vfs_view_readonly(r->view, path))
			(void)vfs_setattr(r->view, path, &sa, false);
	}
}

void rsd_generator_thread_cb(void *arg)
{
	struct rsd *r = arg;
	bool early_del = !(r->o.delete_after || r->o.delete_delay);

	r->gen_missing = -1;
	if (r->o.delete_mode && r->o.delete_before)
		delete_pass(r);
	for (uint32_t i = 0; i < r->fl.n && !rsd_bad(r) && !r->abort; i++) {
		gen_one(r, (int32_t)i);
		gen_flush(r, false);
	}
	rsd_write_ndx(r, NDX_DONE);
	rsd_flush(r);
	wait_done(r, 1);
	gen_redo(r);
	rsd_write_ndx(r, NDX_DONE); /* end of the redo phase */
	rsd_write_ndx(r, NDX_DONE); /* no --delay-updates phase */
	if (early_del && r->proto >= 31) { /* protocol 31 adds a late-deletion phase */
		if (r->o.delete_mode)
			send_del_stats(r);
		rsd_write_ndx(r, NDX_DONE);
	}
	rsd_flush(r);
	wait_done(r, 3);
	if (!early_del) {
		delete_pass(r);
		if (r->proto >= 31) {
			if (r->o.delete_mode)
				send_del_stats(r);
			rsd_write_ndx(r, NDX_DONE);
		}
		rsd_flush(r);
	}
	if (r->proto >= 31)
		wait_done(r, 4);
	touch_up_dirs(r);
	rsd_write_ndx(r, NDX_DONE);
	rsd_flush(r);
}
