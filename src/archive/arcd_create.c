/* arcd_create.c — tar -c: walks the operands through the VFS and streams a
 * pax (restricted) archive, which GNU tar reads, through libarchive into the
 * job's output ring. Members are named as the operands were given (leading
 * '/' removed, as GNU tar does); directories are walked in name order.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arcd.h"
#include "sftpgw/err.h"

#define ARCD_MAX_DIR_ENTRIES 1000000 /* names of one directory held for sorting */

static la_ssize_t arcd_write_cb(struct archive *a, void *ud, const void *buf, size_t n)
{
	struct arcd *t = ud;

	(void)a;
	return xjob_write(t->j, buf, n) == 0 ? (la_ssize_t)n : -1;
}

static int arcd_setup_writer(struct arcd *t, struct archive *a)
{
	int r = archive_write_set_format_pax_restricted(a);

	if (r == ARCHIVE_OK) {
		switch (t->o.comp) {
		case ARCD_COMP_GZIP: r = archive_write_add_filter_gzip(a); break;
		case ARCD_COMP_XZ: r = archive_write_add_filter_xz(a); break;
		case ARCD_COMP_ZSTD: r = archive_write_add_filter_zstd(a); break;
		case ARCD_COMP_NONE: break;
		}
	}
	/* compressed streams end with the compressor's frame: zero padding after
	 * it is garbage to zstd and xz (GNU tar pads only the tar data) */
	if (r == ARCHIVE_OK && t->o.comp != ARCD_COMP_NONE)
		r = archive_write_set_bytes_in_last_block(a, 1);
	if (r == ARCHIVE_OK)
		r = archive_write_open(a, t, NULL, arcd_write_cb, NULL);
	return r;
}

/* Streams a regular file's data; pads with zeros if it shrank meanwhile. */
static int arcd_put_data(struct arcd *t, struct archive *a, const char *name, int fd,
                         uint64_t size)
{
	bool shrank = false;

	for (uint64_t off = 0; off < size;) {
		size_t want = size - off < ARCD_CHUNK ? (size_t)(size - off) : ARCD_CHUNK;
		ssize_t n = shrank ? 0 : pread(fd, t->chunk, want, (off_t)off);

		if (n <= 0) {
			if (!shrank)
				arcd__warn(t, name, "Read error, padding with zeros",
				           n < 0 ? -errno : -EIO);
			shrank = true;
			memset(t->chunk, 0, want);
			n = (ssize_t)want;
		}
		if (archive_write_data(a, t->chunk, (size_t)n) != n)
			return -1;
		off += (uint64_t)n;
	}
	return 0;
}

/* Writes a member's header: 0, 1 when libarchive refused this member only
 * (reported; go on), -1 when the archive is broken. */
static int arcd_header(struct arcd *t, struct archive *a, struct archive_entry *e,
                       const char *name)
{
	int r = archive_write_header(a, e);

	if (r >= ARCHIVE_WARN)
		return 0;
	if (r == ARCHIVE_FAILED) {
		t->errs++;
		xjob_errorf(t->j, "tar: %s: %s\n", name, archive_error_string(a));
		return 1;
	}
	return -1;
}

static void arcd_fill_entry(struct archive_entry *e, const char *name, const struct vfs_attr *at)
{
	archive_entry_set_pathname(e, name);
	archive_entry_set_mode(e, at->mode);
	archive_entry_set_uid(e, at->uid);
	archive_entry_set_gid(e, at->gid);
	archive_entry_set_mtime(e, at->mtime, at->mtime_ns);
	archive_entry_set_size(e, S_ISREG(at->mode) ? (la_int64_t)at->size : 0);
}

/* Writes one non-directory member; -1 when the archive itself failed. */
static int arcd_put_leaf(struct arcd *t, struct archive *a, const char *name, const char *vpath,
                         struct vfs_attr *at)
{
	struct vfs_view *v = xjob_view(t->j);
	char target[VFS_PATH_MAX];
	struct archive_entry *e;
	int fd = -1, r;

	if (S_ISREG(at->mode)) {
		if ((r = vfs_open(v, vpath, O_RDONLY, 0, &fd)) != 0 || (r = vfs_fstat(fd, at)) != 0) {
			if (fd >= 0)
				close(fd);
			arcd__warn(t, name, "Cannot open", r);
			return 0;
		}
	} else if (S_ISLNK(at->mode)) {
		if ((r = vfs_readlink(v, vpath, target, sizeof(target))) < 0) {
			arcd__warn(t, name, "Cannot readlink", r);
			return 0;
		}
	} else {
		xjob_errorf(t->j, "tar: %s: %s ignored\n", name, S_ISSOCK(at->mode) ? "socket" :
		            S_ISFIFO(at->mode) ? "fifo" : "device file");
		return 0;
	}
	e = archive_entry_new();
	arcd_fill_entry(e, name, at);
	if (S_ISLNK(at->mode))
		archive_entry_set_symlink(e, target);
	r = arcd_header(t, a, e, name);
	if (r == 0 && fd >= 0)
		r = arcd_put_data(t, a, name, fd, at->size);
	archive_entry_free(e);
	r = r < 0 ? -1 : 0;
	if (fd >= 0)
		close(fd);
	return r;
}

static int arcd_put_tree(struct arcd *t, struct archive *a, const char *name, const char *vpath,
                         int depth);

static int arcd_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Names of a directory, sorted (reproducible archives). */
static int arcd_list_dir(struct arcd *t, const char *vpath, char ***names, size_t *n)
{
	char name[VFS_NAME_MAX + 1];
	struct vfs_attr at;
	struct vfs_dir *d;
	size_t cap = 0;
	int r;

	*names = NULL;
	*n = 0;
	if ((r = vfs_opendir(xjob_view(t->j), vpath, &d)) != 0)
		return r;
	while ((r = vfs_readdir(d, name, &at)) > 0 && *n < ARCD_MAX_DIR_ENTRIES) {
		if (*n == cap) {
			char **nv = realloc(*names, (cap = cap ? cap * 2 : 64) * sizeof(char *));
			if (nv == NULL) {
				r = -ENOMEM;
				break;
			}
			*names = nv;
		}
		if (((*names)[*n] = strdup(name)) == NULL) {
			r = -ENOMEM;
			break;
		}
		(*n)++;
	}
	vfs_closedir(d);
	if (*n > 0)
		qsort(*names, *n, sizeof(char *), arcd_cmp);
	return r < 0 ? r : 0;
}

static int arcd_put_dir(struct arcd *t, struct archive *a, const char *name, const char *vpath,
                        const struct vfs_attr *at, int depth)
{
	char dname[VFS_PATH_MAX], cname[VFS_PATH_MAX], cpath[VFS_PATH_MAX];
	size_t nl = strlen(name), n = 0;
	struct archive_entry *e;
	char **names = NULL;
	int r;

	snprintf(dname, sizeof(dname), "%s%s", name, nl > 0 && name[nl - 1] == '/' ? "" : "/");
	e = archive_entry_new();
	arcd_fill_entry(e, dname, at);
	r = arcd_header(t, a, e, name);
	archive_entry_free(e);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (depth >= ARCD_MAX_DEPTH) {
		arcd__warn(t, name, "Cannot descend", -ELOOP);
		return 0;
	}
	if ((r = arcd_list_dir(t, vpath, &names, &n)) != 0)
		arcd__warn(t, name, "Cannot open", r);
	r = 0;
	for (size_t i = 0; i < n; i++) {
		snprintf(cname, sizeof(cname), "%s%s", dname, names[i]);
		snprintf(cpath, sizeof(cpath), "%s%s%s", vpath, strcmp(vpath, "/") ? "/" : "",
		         names[i]);
		if (r == 0 && !xjob_aborted(t->j))
			r = arcd_put_tree(t, a, cname, cpath, depth + 1);
		free(names[i]);
	}
	free(names);
	return r;
}

static int arcd_put_tree(struct arcd *t, struct archive *a, const char *name, const char *vpath,
                         int depth)
{
	struct vfs_attr at;
	int r;

	if (arcd_excluded(&t->o, name))
		return 0;
	if ((r = vfs_stat(xjob_view(t->j), vpath, false, &at)) != 0) {
		arcd__warn(t, name, "Cannot stat", r);
		return 0;
	}
	if (t->o.verbose)
		xjob_errorf(t->j, "%s%s\n", name, S_ISDIR(at.mode) && name[strlen(name) - 1] != '/'
		            ? "/" : "");
	if (S_ISDIR(at.mode))
		return arcd_put_dir(t, a, name, vpath, &at, depth);
	return arcd_put_leaf(t, a, name, vpath, &at);
}

/* The member name of an operand: leading '/' and "~/" removed. */
static const char *arcd_member_name(struct arcd *t, const char *path, bool *warned)
{
	if (path[0] == '~' && (path[1] == '\0' || path[1] == '/'))
		return path[1] ? (path[2] ? path + 2 : ".") : ".";
	if (path[0] == '/') {
		if (!*warned)
			xjob_errorf(t->j, "tar: Removing leading `/' from member names\n");
		*warned = true;
		while (*path == '/')
			path++;
		return *path ? path : ".";
	}
	return path;
}

int arcd__create(struct arcd *t)
{
	struct archive *a = archive_write_new();
	char vpath[VFS_PATH_MAX];
	bool warned = false;
	int r = 0;

	if (a == NULL || arcd_setup_writer(t, a) != ARCHIVE_OK) {
		xjob_errorf(t->j, "tar: %s\n", a ? archive_error_string(a) : "out of memory");
		archive_write_free(a);
		return ARCD_USAGE_STATUS;
	}
	for (size_t i = 0; i < t->o.n && r == 0; i++) {
		const struct arcd_operand *op = &t->o.ops[i];
		int e = xjob_path_resolve(op->dir, op->path, vpath, sizeof(vpath));

		if (e != 0)
			arcd__warn(t, op->path, "Cannot stat", e);
		else
			r = arcd_put_tree(t, a, arcd_member_name(t, op->path, &warned), vpath, 0);
	}
	if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
		r = -1;
	if (r != 0 && !xjob_aborted(t->j))
		xjob_errorf(t->j, "tar: %s\n", archive_error_string(a) ? archive_error_string(a) :
		            "write error");
	archive_write_free(a);
	return r != 0 ? ARCD_USAGE_STATUS : 0;
}
