/* modify.c — calls that change the tree: each is refused by vfs__check_write
 * before any syscall, then done with *at() on the final name's parent. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sftpgw/vfs.h"
#include "vfs_internal.h"

static bool is_root(const struct vfs__res *r)
{
	return r->rel[0] == '.' && r->rel[1] == '\0';
}

int vfs__check_write(const struct vfs__res *r, enum vfs__wkind k)
{
	if (r->m == NULL)
		return k == VFS__W_CREATE && r->synthetic ? -EEXIST : -EACCES;
	if (r->m->read_only)
		return -EROFS;
	if (is_root(r) && k == VFS__W_CREATE)
		return -EEXIST;
	if (is_root(r) && k == VFS__W_REMOVE)
		return -EBUSY;
	return 0;
}

/* Resolves vpath for a modifying call and opens its parent. */
static int prep_write(struct vfs_view *v, const char *vpath, enum vfs__wkind k,
		      struct vfs__res *r, int *pfd, const char **name)
{
	int rc = vfs__resolve(v, vpath, r);

	*pfd = -1;
	if (rc == 0)
		rc = vfs__check_write(r, k);
	if (rc == 0)
		rc = vfs__parent_open(r, pfd, name);
	return rc;
}

/* The gateway never chowns: asking for the current owner is a no-op. */
static int owner_check(const struct stat *st, const struct vfs_setattr *sa)
{
	if (!(sa->valid & VFS_SET_OWNER))
		return 0;
	return st->st_uid == sa->uid && st->st_gid == sa->gid ? 0 : -EPERM;
}

static int truncate_at(int pfd, const char *name, uint64_t size)
{
	struct stat st;
	int rc = 0;
	/* O_NONBLOCK: a FIFO under the name must not hang a pool thread */
	int fd = openat(pfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return errno == ELOOP ? -EINVAL : -errno;
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = -EINVAL;
	else if (size > INT64_MAX || ftruncate(fd, (off_t)size) < 0)
		rc = size > INT64_MAX ? -EFBIG : -errno;
	close(fd);
	return rc;
}

static void times_of(const struct vfs_setattr *sa, struct timespec ts[2])
{
	bool ns = (sa->valid & VFS_SET_TIMES_NS) != 0;

	ts[0].tv_sec = (time_t)sa->atime;
	ts[0].tv_nsec = ns && sa->atime_ns < 1000000000u ? (long)sa->atime_ns : 0;
	ts[1].tv_sec = (time_t)sa->mtime;
	ts[1].tv_nsec = ns && sa->mtime_ns < 1000000000u ? (long)sa->mtime_ns : 0;
}

/* Owner first (nothing changes if it fails), times last (truncate moves mtime). */
static int setattr_at(int pfd, const char *name, const struct vfs_setattr *sa)
{
	struct timespec ts[2];
	struct stat st;
	int rc;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	rc = owner_check(&st, sa);
	if (rc == 0 && (sa->valid & VFS_SET_SIZE))
		rc = truncate_at(pfd, name, sa->size);
	if (rc == 0 && (sa->valid & VFS_SET_MODE) &&
	    fchmodat(pfd, name, sa->mode & 07777, AT_SYMLINK_NOFOLLOW) < 0)
		rc = -errno;
	if (rc == 0 && (sa->valid & VFS_SET_TIMES)) {
		times_of(sa, ts);
		if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
			rc = -errno;
	}
	return rc;
}

int vfs_setattr(struct vfs_view *v, const char *vpath, const struct vfs_setattr *sa, bool follow)
{
	struct vfs__res r;
	char canon[VFS_PATH_MAX];
	const char *name;
	int rc = vfs__resolve(v, vpath, &r), pfd;

	if (rc == 0)
		rc = vfs__check_write(&r, VFS__W_CHANGE);
	if (rc < 0)
		return rc;
	if (follow) {
		/* Resolve the links ourselves, confined, then act without
		 * following anything: no *at() call ever follows a link. */
		rc = vfs__walk(&r, true, canon, sizeof(canon));
		if (rc < 0)
			return rc;
		r.rel = canon;
	}
	rc = vfs__parent_open(&r, &pfd, &name);
	if (rc < 0)
		return rc;
	rc = setattr_at(pfd, name, sa);
	vfs__parent_close(&r, pfd);
	return rc;
}

int vfs_fsetattr(int fd, const struct vfs_setattr *sa)
{
	struct timespec ts[2];
	struct stat st;
	int fl = fcntl(fd, F_GETFL), rc;

	if (fl < 0)
		return -errno;
	if ((fl & O_ACCMODE) == O_RDONLY || (fl & O_PATH))
		return -EBADF;
	if (fstat(fd, &st) < 0)
		return -errno;
	rc = owner_check(&st, sa);
	if (rc == 0 && (sa->valid & VFS_SET_SIZE) &&
	    (sa->size > INT64_MAX || ftruncate(fd, (off_t)sa->size) < 0))
		rc = sa->size > INT64_MAX ? -EFBIG : -errno;
	if (rc == 0 && (sa->valid & VFS_SET_MODE) && fchmod(fd, sa->mode & 07777) < 0)
		rc = -errno;
	if (rc == 0 && (sa->valid & VFS_SET_TIMES)) {
		times_of(sa, ts);
		if (futimens(fd, ts) < 0)
			rc = -errno;
	}
	return rc;
}

int vfs_mkdir(struct vfs_view *v, const char *vpath, mode_t mode)
{
	struct vfs__res r;
	const char *name;
	int pfd, rc = prep_write(v, vpath, VFS__W_CREATE, &r, &pfd, &name);

	if (rc == 0 && mkdirat(pfd, name, mode & 07777) < 0)
		rc = -errno;
	if (pfd >= 0)
		vfs__parent_close(&r, pfd);
	return rc;
}

static int remove_at(struct vfs_view *v, const char *vpath, int flags)
{
	struct vfs__res r;
	const char *name;
	int pfd, rc = prep_write(v, vpath, VFS__W_REMOVE, &r, &pfd, &name);

	if (rc == 0 && unlinkat(pfd, name, flags) < 0)
		rc = -errno;
	if (pfd >= 0)
		vfs__parent_close(&r, pfd);
	return rc;
}

int vfs_rmdir(struct vfs_view *v, const char *vpath)
{
	return remove_at(v, vpath, AT_REMOVEDIR);
}

int vfs_unlink(struct vfs_view *v, const char *vpath)
{
	return remove_at(v, vpath, 0);
}

/* Two paths of one call (rename, link): both pass their checks and must lie
 * on the same mount; then both parents are opened. */
struct pair {
	struct vfs__res a, b;
	int pa, pb;
	const char *na, *nb;
};

static int pair_open(struct vfs_view *v, struct pair *p, const char *a, enum vfs__wkind ka,
		     const char *b, enum vfs__wkind kb)
{
	int rc;

	p->pa = p->pb = -1;
	rc = vfs__resolve(v, a, &p->a);
	if (rc == 0)
		rc = vfs__resolve(v, b, &p->b);
	if (rc == 0)
		rc = vfs__check_write(&p->a, ka);
	if (rc == 0)
		rc = vfs__check_write(&p->b, kb);
	if (rc == 0 && p->a.idx != p->b.idx)
		rc = -EXDEV;  /* a real cross-device case, not an escape */
	if (rc == 0)
		rc = vfs__parent_open(&p->a, &p->pa, &p->na);
	if (rc != 0)
		return rc;
	/* one directory (a temp file renamed into place): one open of it */
	const char *sa = strrchr(p->a.rel, '/'), *sb = strrchr(p->b.rel, '/');
	size_t la = sa ? (size_t)(sa - p->a.rel) : 0, lb = sb ? (size_t)(sb - p->b.rel) : 0;

	if (la == lb && memcmp(p->a.rel, p->b.rel, la) == 0) {
		p->pb = p->pa;
		p->nb = sb ? sb + 1 : p->b.rel;
		return 0;
	}
	return vfs__parent_open(&p->b, &p->pb, &p->nb);
}

static void pair_close(struct pair *p)
{
	if (p->pa >= 0)
		vfs__parent_close(&p->a, p->pa);
	if (p->pb >= 0 && p->pb != p->pa)
		vfs__parent_close(&p->b, p->pb);
}

/* Some filesystems (older NFS, FUSE) lack RENAME_NOREPLACE: check, then
 * rename; the window is the one SFTP v3 servers have always had. */
static int rename_noreplace_compat(struct pair *p)
{
	struct stat st;

	if (fstatat(p->pb, p->nb, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	if (errno != ENOENT)
		return -errno;
	return renameat(p->pa, p->na, p->pb, p->nb) < 0 ? -errno : 0;
}

int vfs_rename(struct vfs_view *v, const char *from, const char *to, unsigned flags)
{
	struct pair p;
	unsigned rf = (flags & VFS_RENAME_NOREPLACE) ? RENAME_NOREPLACE : 0;
	int rc = pair_open(v, &p, from, VFS__W_REMOVE, to, VFS__W_REMOVE);

	if (rc == 0 && renameat2(p.pa, p.na, p.pb, p.nb, rf) < 0) {
		rc = -errno;
		if (rf && rc == -EINVAL)
			rc = rename_noreplace_compat(&p);
	}
	pair_close(&p);
	return rc;
}

int vfs_link(struct vfs_view *v, const char *oldp, const char *newp)
{
	struct pair p;
	int rc = pair_open(v, &p, oldp, VFS__W_REMOVE, newp, VFS__W_CREATE);

	/* flags 0: links the name itself, never what a symlink points to */
	if (rc == 0 && linkat(p.pa, p.na, p.pb, p.nb, 0) < 0)
		rc = -errno;
	pair_close(&p);
	return rc;
}

int vfs_symlink(struct vfs_view *v, const char *target, const char *linkpath)
{
	struct vfs__res r;
	const char *name;
	size_t tlen = strlen(target);
	int pfd = -1, rc;

	if (tlen == 0)
		return -ENOENT;
	if (tlen >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	rc = prep_write(v, linkpath, VFS__W_CREATE, &r, &pfd, &name);
	if (rc == 0 && symlinkat(target, pfd, name) < 0)
		rc = -errno;
	if (pfd >= 0)
		vfs__parent_close(&r, pfd);
	return rc;
}

int vfs_readlink(struct vfs_view *v, const char *vpath, char *buf, size_t bufsz)
{
	struct vfs__res r;
	const char *name;
	ssize_t n;
	int pfd, rc = vfs__resolve(v, vpath, &r);

	if (rc < 0)
		return rc;
	if (bufsz < 2)
		return -ENAMETOOLONG;
	if (r.m == NULL)
		return r.synthetic ? -EINVAL : -ENOENT;
	rc = vfs__parent_open(&r, &pfd, &name);
	if (rc < 0)
		return rc;
	n = readlinkat(pfd, name, buf, bufsz);
	rc = n < 0 ? -errno : (size_t)n >= bufsz ? -ENAMETOOLONG : (int)n;
	if (rc >= 0)
		buf[n] = '\0';
	vfs__parent_close(&r, pfd);
	return rc;
}

int vfs_statvfs(struct vfs_view *v, const char *vpath, struct statvfs *out)
{
	struct vfs__res r;
	int rc = vfs__resolve(v, vpath, &r);

	if (rc < 0)
		return rc;
	if (r.m == NULL) {
		if (!r.synthetic)
			return -ENOENT;
		memset(out, 0, sizeof(*out));
		out->f_bsize = out->f_frsize = 4096;
		out->f_namemax = VFS_NAME_MAX;
		out->f_flag = ST_RDONLY;
		return 0;
	}
	if (fstatvfs(r.m->fd, out) < 0)
		return -errno;
	if (r.m->read_only)
		out->f_flag |= ST_RDONLY;
	return 0;
}
