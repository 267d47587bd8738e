/* vfs_internal.h — shared between the files of src/vfs only. */
#ifndef SFTPGW_VFS_INTERNAL_H
#define SFTPGW_VFS_INTERNAL_H

#include <stdatomic.h>

#include "sftpgw/vfs.h"

/* Retries of openat2 when the kernel reports -EAGAIN (a concurrent rename or
 * mount raced with RESOLVE_BENEATH's ".." checks); more means someone is
 * hammering renames to defeat us, so give up. */
#define VFS__OPENAT2_RETRIES 16

struct vfs__root;

struct vfs__mount {
	char *vpath;      /* normalized, never "/" */
	size_t vlen;
	int fd;           /* O_PATH|O_DIRECTORY of the backing directory (root's) */
	struct vfs__root *root;
	bool read_only;
};

struct vfs_view {
	atomic_int refs;
	size_t n;
	int64_t ctime;    /* times reported for synthesized directories */
	struct vfs__mount m[];
};

/* The process's shared O_PATH fd of directory dir (opened now to learn its
 * identity), counted: 0 and *out, or -errno. Give it back with _put. */
int vfs__root_get(const char *dir, struct vfs__root **out);
int vfs__root_fd(const struct vfs__root *r);
/* True when the directory lies on a local disk filesystem, as vfs_fd_local tells */
bool vfs__root_local(const struct vfs__root *r);
/* Drops one reference; the last one closes the fd. NULL is ignored. */
void vfs__root_put(struct vfs__root *r);

/* A virtual path after normalization and mount lookup. */
struct vfs__res {
	char vpath[VFS_PATH_MAX];
	const struct vfs__mount *m;  /* NULL: synthesized ("/", "/pub") or nothing */
	int idx;                     /* mount index or -1 */
	bool synthetic;              /* no mount, but a directory above one */
	const char *rel;             /* into vpath after the mount prefix, or "." */
};

/* Normalizes vpath (relative to "/") and finds its mount. */
int vfs__resolve(const struct vfs_view *v, const char *vpath, struct vfs__res *r);
/* openat2 with RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS|extra, retrying -EAGAIN
 * (except with RESOLVE_CACHED, where it means "needs the disk"),
 * mapping escapes (EXDEV, ELOOP) to -EACCES. Returns an fd or -errno. */
int vfs__openat2(int dirfd, const char *rel, int oflags, mode_t mode, unsigned long long extra);
/* Opens the parent directory of r->rel (O_PATH) and points *name at the last
 * component ("." for the mount root). Close with vfs__parent_close. */
int vfs__parent_open(const struct vfs__res *r, int *pfd, const char **name);
void vfs__parent_close(const struct vfs__res *r, int pfd);
/* Fills the attributes of a synthesized directory. */
void vfs__synth_attr(const struct vfs_view *v, struct vfs_attr *a);
void vfs__attr_from_stat(const struct stat *st, struct vfs_attr *a);
/* What a modifying call does to its final path: decides the error when that
 * path is a mount point or a synthesized directory. */
enum vfs__wkind {
	VFS__W_CHANGE,  /* setattr, temp files in it: fine on a mount's own directory */
	VFS__W_CREATE,  /* mkdir, symlink, link target: such a path already exists */
	VFS__W_REMOVE,  /* unlink, rmdir, rename source or target: never a mount point */
};
/* Refusals of modifying calls, decided before the disk is touched: -EACCES
 * (synthesized or outside every mount), -EROFS, -EEXIST, -EBUSY. */
int vfs__check_write(const struct vfs__res *r, enum vfs__wkind k);

/* Canonical path of r->rel inside its mount, symlinks resolved; with
 * must_exist, a missing component is -ENOENT, else kept lexically. */
int vfs__walk(const struct vfs__res *r, bool must_exist, char *canon, size_t csz);

#endif
