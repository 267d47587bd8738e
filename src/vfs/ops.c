/* ops.c — file operations on a view. Intermediate components are resolved by
 * openat2 (confined); the last one is handled with *at() calls on its parent,
 * so a final symlink is followed only where the operation means to. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sftpgw/vfs.h"
#include "vfs_internal.h"

int vfs_stat(struct vfs_view *v, const char *vpath, bool follow, struct vfs_attr *a)
{
	struct vfs__res r;
	struct stat st;
	const char *name;
	int rc = vfs__resolve(v, vpath, &r), fd;

	if (rc < 0)
		return rc;
	if (r.m == NULL) {
		if (!r.synthetic)
			return -ENOENT;
		vfs__synth_attr(v, a);
		return 0;
	}
	if (follow) {
		fd = vfs__openat2(r.m->fd, r.rel, O_PATH, 0, 0);
		if (fd < 0)
			return fd;
		rc = fstat(fd, &st) < 0 ? -errno : 0;
		close(fd);
	} else {
		rc = vfs__parent_open(&r, &fd, &name);
		if (rc < 0)
			return rc;
		rc = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
		vfs__parent_close(&r, fd);
	}
	if (rc == 0)
		vfs__attr_from_stat(&st, a);
	return rc;
}

int vfs_fstat(int fd, struct vfs_attr *a)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	vfs__attr_from_stat(&st, a);
	return 0;
}

static bool open_writes(int oflags)
{
	return (oflags & O_ACCMODE) != O_RDONLY || (oflags & (O_CREAT | O_TRUNC)) != 0;
}

/* Only regular files and directories are served: a FIFO or device would block
 * a pool thread or do something on open that no file protocol means. */
static int open_check_type(int fd, int oflags)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return -EPERM;
	/* F_SETFL looks only at the status bits (O_APPEND, O_DIRECT, ...), which
	 * are the caller's: so this just drops our O_NONBLOCK in one call */
	if (!(oflags & O_NONBLOCK) && fcntl(fd, F_SETFL, oflags & ~O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* openat2 reports ELOOP both for escapes through magic links and for the
 * caller's own O_NOFOLLOW on a final symlink; only the latter stays ELOOP. */
static int open_nofollow_errno(const struct vfs__res *r)
{
	struct stat st;
	const char *name;
	int pfd, rc = vfs__parent_open(r, &pfd, &name);

	if (rc < 0)
		return rc;
	rc = fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) ? -ELOOP
										 : -EACCES;
	vfs__parent_close(r, pfd);
	return rc;
}

int vfs_open(struct vfs_view *v, const char *vpath, int oflags, mode_t mode, int *fd)
{
	struct vfs__res r;
	bool wr = open_writes(oflags);
	int rc = vfs__resolve(v, vpath, &r), f;

	*fd = -1;
	if (rc < 0)
		return rc;
	if (oflags & O_PATH)
		return -EINVAL;  /* callers read and write the fd: O_PATH is a mistake */
	if (r.m == NULL) {
		if (wr)
			return -EACCES;
		return r.synthetic ? -EISDIR : -ENOENT;  /* synthesized dirs have no fd */
	}
	if (wr && r.m->read_only)
		return -EROFS;
	f = vfs__openat2(r.m->fd, r.rel, oflags | O_NONBLOCK, mode, 0);
	if (f == -EACCES && (oflags & O_NOFOLLOW))
		f = open_nofollow_errno(&r);
	if (f < 0)
		return f;
	rc = open_check_type(f, oflags);
	if (rc < 0) {
		close(f);
		return rc;
	}
	*fd = f;
	return 0;
}

bool vfs_fd_local(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) != 0)
		return false;
	switch ((unsigned long)sf.f_type) {
	case EXT4_SUPER_MAGIC:   /* also ext2 and ext3 */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
		return true;
	default:
		return false;   /* network, FUSE, overlay...: their getattr may wait */
	}
}

int vfs_open_cached(struct vfs_view *v, const char *vpath, int oflags, int *fd)
{
	struct vfs__res r;
	struct stat st;
	int f;

	*fd = -1;
	if ((oflags & (O_ACCMODE | O_CREAT | O_TRUNC | O_PATH | O_DIRECTORY)) != O_RDONLY)
		return -EAGAIN;
	if (vfs__resolve(v, vpath, &r) < 0 || r.m == NULL || !vfs__root_local(r.m->root))
		return -EAGAIN;
	/* NO_XDEV: a file system mounted below the mount's directory may be
	 * anything, so only the directory's own file system is trusted. */
	f = vfs__openat2(r.m->fd, r.rel, oflags | O_NONBLOCK, 0, RESOLVE_CACHED | RESOLVE_NO_XDEV);
	if (f < 0)
		return -EAGAIN;
	/* Regular files only, as vfs_open (open_check_type) serves them. */
	if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (!(oflags & O_NONBLOCK) && fcntl(f, F_SETFL, oflags & ~O_NONBLOCK) < 0)) {
		close(f);
		return -EAGAIN;
	}
	*fd = f;
	return 0;
}

#define TEMP_SUFFIX 6  /* random characters: 62^6 names per base */

/* Bytes of base kept in a temp name so that ".<base>.XXXXXX" fits a name. */
static size_t temp_base_len(const char *base)
{
	size_t blen = strlen(base), max = VFS_NAME_MAX - 2 - TEMP_SUFFIX;

	return blen > max ? max : blen;
}

/* ".<base>.XXXXXX" with a random suffix; base cut so the name fits. */
static int temp_name(const char *base, char *name)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[TEMP_SUFFIX];
	size_t blen = temp_base_len(base);

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	name[0] = '.';
	memcpy(name + 1, base, blen);
	name[1 + blen] = '.';
	for (size_t i = 0; i < sizeof(rnd); i++)
		name[2 + blen + i] = set[rnd[i] % (sizeof(set) - 1)];
	name[2 + blen + sizeof(rnd)] = '\0';
	return 0;
}

static int temp_create(int dfd, const char *base, mode_t mode, char *name)
{
	for (int i = 0; i < VFS_TEMP_TRIES; i++) {
		int rc = temp_name(base, name), f;

		if (rc < 0)
			return rc;
		/* O_EXCL never follows a symlink planted under the name */
		f = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
		if (f >= 0 || errno != EEXIST)
			return f >= 0 ? f : -errno;
	}
	return -EEXIST;
}

int vfs_open_temp(struct vfs_view *v, const char *dir_vpath, const char *base, mode_t mode,
		  int *fd, char *tmp_vpath, size_t tmpsz)
{
	struct vfs__res r;
	char name[VFS_NAME_MAX + 1];
	size_t need;
	int rc = vfs__resolve(v, dir_vpath, &r), dfd, f;

	*fd = -1;
	if (rc == 0 && strchr(base, '/') != NULL)
		rc = -EINVAL;
	if (rc == 0)
		rc = vfs__check_write(&r, VFS__W_CHANGE);
	if (rc < 0)
		return rc;
	/* "<dir>/.<base>.XXXXXX" and its NUL */
	need = strlen(r.vpath) + 1 + temp_base_len(base) + 2 + TEMP_SUFFIX + 1;
	if (need > tmpsz || need > VFS_PATH_MAX)
		return -ENAMETOOLONG;
	dfd = vfs__openat2(r.m->fd, r.rel, O_PATH | O_DIRECTORY, 0, 0);
	if (dfd < 0)
		return dfd;
	f = temp_create(dfd, base, mode, name);
	close(dfd);
	if (f < 0)
		return f;
	snprintf(tmp_vpath, tmpsz, "%s/%s", r.vpath, name);
	*fd = f;
	return 0;
}
