/* arcd_extract.c — tar -x / -t: reads an archive (any compression libarchive
 * detects) from the job's input ring and writes members through the VFS.
 *
 * Refused and reported, the rest goes on (exit 2 at the end, as GNU tar):
 * absolute names, names with "..", links whose target leaves the member's
 * mount, device files, FIFOs and sockets. Files are written to a temp name
 * and renamed into place when complete; the VFS refuses read-only mounts.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arcd.h"
#include "sftpgw/err.h"

#define ARCD_READ_BUF (64 * 1024) /* archive bytes per read callback */
#define ARCD_UMASK 022            /* modes without -p, as a login shell's umask */

struct arcd_rd {
	struct arcd *t;
	unsigned char buf[ARCD_READ_BUF];
};

static la_ssize_t arcd_read_cb(struct archive *a, void *ud, const void **out)
{
	struct arcd_rd *rd = ud;
	ssize_t n = xjob_read(rd->t->j, rd->buf, sizeof(rd->buf));

	*out = rd->buf;
	if (n < 0)
		archive_set_error(a, EPIPE, "connection closed");
	return n < 0 ? -1 : n;
}

/* True when name has a ".." component. */
static bool arcd_has_dotdot(const char *name)
{
	for (const char *p = name; *p;) {
		size_t l = strcspn(p, "/");
		if (l == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += l;
		p += *p == '/';
	}
	return false;
}

/* Checks a member name; 0 and its virtual path, or a reported refusal. */
static int arcd_member_path(struct arcd *t, const char *name, char *vpath, size_t sz)
{
	int r;

	if (name[0] == '/') {
		xjob_errorf(t->j, "tar: %s: Member name is absolute, refused\n", name);
		t->errs++;
		return -1;
	}
	if (arcd_has_dotdot(name)) {
		xjob_errorf(t->j, "tar: %s: Member name contains '..'\n", name);
		t->errs++;
		return -1;
	}
	if ((r = vfs_path_normalize(t->o.dir, name, vpath, sz)) != 0) {
		arcd__warn(t, name, "Cannot open", r);
		return -1;
	}
	return 0;
}

/* Depth of the mount point above vpath: the shortest prefix on the same mount. */
static size_t arcd_mount_root_len(struct vfs_view *v, const char *vpath)
{
	char pre[VFS_PATH_MAX];
	int idx = vfs_view_mount_index(v, vpath);
	size_t len = strlen(vpath);

	for (size_t i = 1; i <= len; i++) {
		if (vpath[i] != '/' && vpath[i] != '\0')
			continue;
		memcpy(pre, vpath, i);
		pre[i] = '\0';
		if (vfs_view_mount_index(v, pre) == idx)
			return i;
	}
	return len;
}

/* True when a link at vpath pointing at target stays inside vpath's mount,
 * judged lexically: no absolute target, never ".." above the mount point. */
static bool arcd_link_inside(struct vfs_view *v, const char *vpath, const char *target)
{
	const char *slash = strrchr(vpath, '/');
	size_t root = arcd_mount_root_len(v, vpath);
	long depth = 0;

	if (target[0] == '/' || target[0] == '\0' || vfs_view_mount_index(v, vpath) < 0)
		return false;
	/* components between the mount point and the link's directory */
	for (const char *p = vpath + root; p < slash; p++)
		if (*p == '/')
			depth++;
	for (const char *p = target; *p;) {
		size_t l = strcspn(p, "/");
		if (l == 2 && p[0] == '.' && p[1] == '.')
			depth--;
		else if (l > 0 && !(l == 1 && p[0] == '.'))
			depth++;
		if (depth < 0)
			return false;
		p += l;
		p += *p == '/';
	}
	return true;
}

/* Creates the missing directories above vpath. */
static int arcd_mkparents(struct vfs_view *v, const char *vpath)
{
	char dir[VFS_PATH_MAX];
	struct vfs_attr a;
	int r;

	snprintf(dir, sizeof(dir), "%s", vpath);
	for (char *p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		r = vfs_stat(v, dir, true, &a);
		if (r == -ENOENT)
			r = vfs_mkdir(v, dir, 0755);
		else if (r == 0 && !S_ISDIR(a.mode))
			r = -ENOTDIR;
		*p = '/';
		if (r != 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

static uint32_t arcd_mode(struct arcd *t, struct archive_entry *e)
{
	uint32_t m = archive_entry_perm(e) & 07777;

	return t->o.same_perms ? m : m & ~(uint32_t)ARCD_UMASK;
}

/* Copies the member's data blocks (sparse offsets kept) into fd. */
static int arcd_copy_data(struct archive *a, int fd)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		for (size_t done = 0; done < len;) {
			ssize_t w = pwrite(fd, (const char *)buf + done, len - done, (off_t)off + (off_t)done);
			if (w < 0)
				return -errno;
			done += (size_t)w;
		}
	}
	return r == ARCHIVE_EOF ? 0 : SGW_EPROTOCOL;
}

static int arcd_x_file(struct arcd *t, struct archive *a, struct archive_entry *e,
                       const char *name, const char *vpath)
{
	struct vfs_view *v = xjob_view(t->j);
	char dir[VFS_PATH_MAX], tmp[VFS_PATH_MAX];
	const char *slash = strrchr(vpath, '/');
	struct vfs_setattr sa = { .valid = VFS_SET_MODE | VFS_SET_TIMES | VFS_SET_SIZE };
	int fd, r;

	snprintf(dir, sizeof(dir), "%.*s", slash == vpath ? 1 : (int)(slash - vpath), vpath);
	r = vfs_open_temp(v, dir, slash + 1, 0600, &fd, tmp, sizeof(tmp));
	if (r == -ENOENT && arcd_mkparents(v, vpath) == 0)
		r = vfs_open_temp(v, dir, slash + 1, 0600, &fd, tmp, sizeof(tmp));
	if (r != 0) {
		arcd__warn(t, name, "Cannot open", r);
		return 0;
	}
	r = arcd_copy_data(a, fd);
	sa.size = (uint64_t)archive_entry_size(e);
	sa.mode = arcd_mode(t, e);
	sa.mtime = archive_entry_mtime(e);
	sa.atime = archive_entry_atime_is_set(e) ? archive_entry_atime(e) : sa.mtime;
	if (r == 0)
		r = vfs_fsetattr(fd, &sa);
	close(fd);
	if (r == 0)
		r = vfs_rename(v, tmp, vpath, 0);
	if (r != 0) {
		vfs_unlink(v, tmp);
		if (r == SGW_EPROTOCOL)
			return -1; /* the archive broke off: stop */
		arcd__warn(t, name, "Cannot write", r);
	}
	return 0;
}

static void arcd_dirtime_apply(struct arcd *t, struct arcd_dirtime *d)
{
	struct vfs_setattr sa = { .valid = VFS_SET_TIMES, .atime = d->atime, .mtime = d->mtime };

	(void)vfs_setattr(xjob_view(t->j), d->vpath, &sa, true); /* best effort, as GNU tar */
	free(d->vpath);
	d->vpath = NULL;
}

/* Before a member at vpath: the directories it is not inside are complete. */
static void arcd_dirtimes_leave(struct arcd *t, const char *vpath)
{
	while (t->ndt > 0) {
		struct arcd_dirtime *d = &t->dt[t->ndt - 1];
		size_t l = strlen(d->vpath);

		if (strncmp(vpath, d->vpath, l) == 0 && vpath[l] == '/')
			return;
		arcd_dirtime_apply(t, d);
		t->ndt--;
	}
}

/* End of the archive: the directories still waiting are complete. */
static void arcd_dirtimes_flush(struct arcd *t)
{
	while (t->ndt > 0)
		arcd_dirtime_apply(t, &t->dt[--t->ndt]);
}

/* Remembers a directory's times until its members are in; deeper than
 * ARCD_MAX_DEPTH (or out of memory) they are set at once instead. */
static void arcd_dirtime_push(struct arcd *t, struct archive_entry *e, const char *vpath)
{
	struct arcd_dirtime d = { .mtime = archive_entry_mtime(e) };

	d.atime = archive_entry_atime_is_set(e) ? archive_entry_atime(e) : d.mtime;
	if ((d.vpath = strdup(vpath)) == NULL)
		return;
	if (t->ndt == ARCD_MAX_DEPTH)
		arcd_dirtime_apply(t, &d);
	else
		t->dt[t->ndt++] = d;
}

static void arcd_x_dir(struct arcd *t, struct archive_entry *e, const char *name,
                       const char *vpath)
{
	struct vfs_view *v = xjob_view(t->j);
	struct vfs_setattr sa = { .valid = VFS_SET_MODE };
	struct vfs_attr a;
	int r;

	if (strcmp(vpath, t->o.dir) == 0)
		return; /* "./": the target itself */
	r = vfs_mkdir(v, vpath, 0700);
	if (r == -ENOENT && arcd_mkparents(v, vpath) == 0)
		r = vfs_mkdir(v, vpath, 0700);
	if (r == -EEXIST && vfs_stat(v, vpath, true, &a) == 0 && S_ISDIR(a.mode))
		r = 0;
	sa.mode = arcd_mode(t, e) | 0700;
	if (r == 0)
		r = vfs_setattr(v, vpath, &sa, true);
	if (r != 0)
		arcd__warn(t, name, "Cannot mkdir", r);
	else
		arcd_dirtime_push(t, e, vpath);
}

static void arcd_x_link(struct arcd *t, struct archive_entry *e, const char *name,
                        const char *vpath)
{
	struct vfs_view *v = xjob_view(t->j);
	const char *hl = archive_entry_hardlink(e), *sl = archive_entry_symlink(e);
	char hpath[VFS_PATH_MAX];
	int r;

	if (hl != NULL) {
		if (hl[0] == '/' || arcd_has_dotdot(hl)) {
			xjob_errorf(t->j, "tar: %s: hard link to '%s' leaves the archive's directory, "
			            "refused\n", name, hl);
			t->errs++;
			return;
		}
		if (arcd_member_path(t, hl, hpath, sizeof(hpath)) != 0)
			return;
	} else if (sl == NULL || !arcd_link_inside(v, vpath, sl)) {
		xjob_errorf(t->j, "tar: %s: symbolic link to '%s' leaves the mount, refused\n", name,
		            sl ? sl : "");
		t->errs++;
		return;
	}
	r = vfs_unlink(v, vpath);
	if (r == -ENOENT)
		r = arcd_mkparents(v, vpath);
	if (r == 0)
		r = hl != NULL ? vfs_link(v, hpath, vpath) : vfs_symlink(v, sl, vpath);
	if (r != 0)
		arcd__warn(t, name, hl ? "Cannot hard link" : "Cannot create symlink", r);
}

/* One member; -1 when the archive itself failed. */
static int arcd_x_entry(struct arcd *t, struct archive *a, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	char vpath[VFS_PATH_MAX];
	mode_t type = archive_entry_filetype(e);

	if (name == NULL || name[0] == '\0' || !arcd_selected(&t->o, name) ||
	    arcd_excluded(&t->o, name))
		return 0; /* libarchive skips its data at the next header */
	if (t->o.verbose || t->o.mode == ARCD_LIST) {
		xjob_write(t->j, name, strlen(name));
		xjob_write(t->j, "\n", 1);
	}
	if (t->o.mode == ARCD_LIST || arcd_member_path(t, name, vpath, sizeof(vpath)) != 0)
		return 0;
	arcd_dirtimes_leave(t, vpath);
	if (archive_entry_hardlink(e) != NULL || type == AE_IFLNK)
		arcd_x_link(t, e, name, vpath);
	else if (type == AE_IFREG)
		return arcd_x_file(t, a, e, name, vpath);
	else if (type == AE_IFDIR)
		arcd_x_dir(t, e, name, vpath);
	else {
		xjob_errorf(t->j, "tar: %s: Cannot create special file (device, FIFO or socket), "
		            "refused\n", name);
		t->errs++;
	}
	return 0;
}

static int arcd_x_loop(struct arcd *t, struct archive *a)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN) {
			if (!xjob_aborted(t->j))
				xjob_errorf(t->j, "tar: %s\ntar: Error is not recoverable: exiting now\n",
				            archive_error_string(a));
			return ARCD_USAGE_STATUS;
		}
		if (arcd_x_entry(t, a, e) != 0) {
			if (!xjob_aborted(t->j))
				xjob_errorf(t->j, "tar: Unexpected EOF in archive\n"
				            "tar: Error is not recoverable: exiting now\n");
			return ARCD_USAGE_STATUS;
		}
	}
	return 0;
}

int arcd__extract(struct arcd *t)
{
	struct archive *a = archive_read_new();
	struct arcd_rd *rd = calloc(1, sizeof(*rd));
	struct vfs_attr at;
	int st, r;

	if (a == NULL || rd == NULL) {
		archive_read_free(a);
		free(rd);
		return ARCD_USAGE_STATUS;
	}
	rd->t = t;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (t->o.mode == ARCD_EXTRACT &&
	    ((r = vfs_stat(xjob_view(t->j), t->o.dir, true, &at)) != 0 || !S_ISDIR(at.mode))) {
		xjob_errorf(t->j, "tar: %s: Cannot open: %s\ntar: Error is not recoverable: exiting "
		            "now\n", t->o.dir + (t->o.dir[1] != '\0'),
		            sgw_strerror(r != 0 ? r : -ENOTDIR));
		st = ARCD_USAGE_STATUS;
	} else if (archive_read_open(a, rd, NULL, arcd_read_cb, NULL) != ARCHIVE_OK) {
		if (!xjob_aborted(t->j))
			xjob_errorf(t->j, "tar: %s\ntar: Error is not recoverable: exiting now\n",
			            archive_error_string(a));
		st = ARCD_USAGE_STATUS;
	} else
		st = arcd_x_loop(t, a);
	arcd_dirtimes_flush(t);
	for (size_t i = 0; st == 0 && i < t->o.n; i++)
		if (!t->o.ops[i].matched) {
			xjob_errorf(t->j, "tar: %s: Not found in archive\n", t->o.ops[i].path);
			t->errs++;
		}
	archive_read_free(a);
	free(rd);
	return st;
}
