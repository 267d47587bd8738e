/* vfs.h — a session's confined view of its environment's mounts.
 *
 * Every file access of every protocol server goes through these functions.
 * A view maps virtual paths ("/pub/media/a.jpg") to files under the mounts'
 * backing directories: paths are normalized lexically (never above "/"), the
 * longest mount prefix is chosen, and the rest is opened relative to the
 * mount's directory fd with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS).
 * "/" and directories above mount points ("/pub") are synthesized read-only.
 * Read-only mounts refuse every change here, whichever protocol asks.
 *
 * THREADING: all functions except vfs_path_normalize, vfs_view_ref/unref,
 * vfs_view_mount_index and vfs_open_cached touch the disk and may block: call
 * them only from libuv threadpool work (uv_queue_work), never on a loop thread. A view is shared
 * (reference-counted, atomically) and immutable after vfs_view_open.
 *
 * Errors are -errno: -ENOENT, -EACCES (escape attempts, synthesized dirs),
 * -EROFS (read-only mount), -EXDEV (across mounts), -EBUSY (removing or
 * renaming a mount point), -ENAMETOOLONG, -EINVAL ... (see doc/vfs.md)
 */
#ifndef SFTPGW_VFS_H
#define SFTPGW_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#define VFS_MAX_MOUNTS 256   /* mounts in one view */
#define VFS_PATH_MAX 4096    /* longest virtual path, NUL included */
#define VFS_NAME_MAX 255     /* longest path component */
#define VFS_SYMLINK_HOPS 40  /* symlinks followed by vfs_realpath (as Linux's MAXSYMLINKS) */
#define VFS_TEMP_TRIES 64    /* random names tried by vfs_open_temp before giving up */

struct vfs_mount_spec {
	const char *vpath;   /* normalized virtual mount point, not "/" */
	const char *dir;     /* backing directory, absolute */
	bool read_only;
};

struct vfs_view;

/* 0 when the kernel has openat2 with RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS,
 * else -ENOSYS (Linux < 5.6): the daemon must refuse to start then. */
int vfs_probe(void);

/* Opens every mount's directory (blocking) and builds the view. A mount whose
 * directory cannot be opened is skipped with a warning in the log. */
int vfs_view_open(const struct vfs_mount_spec *m, size_t n, struct vfs_view **out);
void vfs_view_ref(struct vfs_view *v);
/* Drops a reference; the last one closes the mount fds. */
void vfs_view_unref(struct vfs_view *v);

/* Joins base (an absolute virtual dir, or NULL for "/") and path, resolves "."
 * and ".." lexically (".." at "/" stays at "/"), collapses "//", drops a
 * trailing "/". out gets an absolute path. -ENAMETOOLONG (a component over
 * VFS_NAME_MAX, the result or the join in progress reaching VFS_PATH_MAX or
 * outsz), -EINVAL (NUL, see _n). Pure string work: safe on the loop. */
int vfs_path_normalize(const char *base, const char *path, char *out, size_t outsz);
/* Same for a counted path as it comes off the wire: a NUL inside is -EINVAL. */
int vfs_path_normalize_n(const char *base, const char *path, size_t len, char *out,
                         size_t outsz);

/* Index of the mount holding vpath (normalized), or -1 for synthesized paths. */
int vfs_view_mount_index(const struct vfs_view *v, const char *vpath);
/* True when vpath lies on a read-only mount or is synthesized. */
bool vfs_view_readonly(const struct vfs_view *v, const char *vpath);
/* Number of mounts in the view (those whose directory could be opened). */
size_t vfs_view_mount_count(const struct vfs_view *v);

struct vfs_attr {
	uint64_t size;
	uint32_t mode;       /* st_mode: type and permission bits */
	uint32_t uid, gid;
	uint32_t nlink;
	int64_t atime, mtime;
	uint32_t atime_ns, mtime_ns;
	bool synthetic;      /* "/" or a directory above a mount point */
};

#define VFS_SET_SIZE 0x1u
#define VFS_SET_MODE 0x2u   /* permission bits only (07777) */
#define VFS_SET_TIMES 0x4u
#define VFS_SET_OWNER 0x8u  /* allowed only when unchanged: else -EPERM */
#define VFS_SET_TIMES_NS 0x10u /* with VFS_SET_TIMES: atime_ns/mtime_ns too (else 0) */
struct vfs_setattr {
	unsigned valid;
	uint64_t size;
	uint32_t mode;
	int64_t atime, mtime;
	uint32_t uid, gid;
	uint32_t atime_ns, mtime_ns; /* read only with VFS_SET_TIMES_NS; < 1e9 */
};

/* stat/lstat of a virtual path. */
int vfs_stat(struct vfs_view *v, const char *vpath, bool follow, struct vfs_attr *a);
/* fstat of an fd from vfs_open. */
int vfs_fstat(int fd, struct vfs_attr *a);
/* Opens a file. oflags as open(2) (O_CLOEXEC added); write flags refused on
 * read-only mounts and synthesized paths; directories only with O_RDONLY. */
int vfs_open(struct vfs_view *v, const char *vpath, int oflags, mode_t mode, int *fd);
/* Loop-safe vfs_open for the common case, from the kernel's caches only:
 * read-only opens (no O_CREAT/O_TRUNC) of regular files on a mount whose
 * directory lies on a local disk filesystem, as vfs_fd_local tells, resolved with
 * openat2 RESOLVE_CACHED|RESOLVE_NO_XDEV (the non-blocking attempt io_uring
 * makes). Any failure, also a real one such as -ENOENT, is -EAGAIN: then call
 * vfs_open on the threadpool, which gives the answer and the error. */
int vfs_open_cached(struct vfs_view *v, const char *vpath, int oflags, int *fd);
/* True when fd lies on a local disk filesystem: ext4, xfs, btrfs or tmpfs,
 * where fstat is in memory and preadv2(RWF_NOWAIT) fails with EAGAIN instead
 * of waiting for the disk. Calls fstatfs: threadpool only. */
bool vfs_fd_local(int fd);
/* Creates and opens a new unique file "<dir>/.<base>.XXXXXX" for writing into
 * place later with vfs_rename; tmp_vpath receives its virtual path. */
int vfs_open_temp(struct vfs_view *v, const char *dir_vpath, const char *base, mode_t mode,
                  int *fd, char *tmp_vpath, size_t tmpsz);
/* Changes size/mode/times (and owner as a no-op check) of a path. */
int vfs_setattr(struct vfs_view *v, const char *vpath, const struct vfs_setattr *sa, bool follow);
/* Same on an fd from vfs_open; refused (-EBADF) on fds opened read-only. */
int vfs_fsetattr(int fd, const struct vfs_setattr *sa);
int vfs_mkdir(struct vfs_view *v, const char *vpath, mode_t mode);
int vfs_rmdir(struct vfs_view *v, const char *vpath);
int vfs_unlink(struct vfs_view *v, const char *vpath);
#define VFS_RENAME_NOREPLACE 0x1u  /* SFTP v3 rename: fail if target exists */
/* Renames within one mount; -EXDEV across mounts; a mount point is -EBUSY. */
int vfs_rename(struct vfs_view *v, const char *from, const char *to, unsigned flags);
/* Hard link within one mount. */
int vfs_link(struct vfs_view *v, const char *oldp, const char *newp);
/* Creates linkpath -> target (target stored as given; following it stays confined). */
int vfs_symlink(struct vfs_view *v, const char *target, const char *linkpath);
/* Reads a link's target into buf (NUL-terminated); returns its length. */
int vfs_readlink(struct vfs_view *v, const char *vpath, char *buf, size_t bufsz);
/* Canonical virtual path: normalized, symlinks inside mounts resolved. */
int vfs_realpath(struct vfs_view *v, const char *vpath, char *out, size_t outsz);
/* statvfs of the mount holding vpath (synthesized paths report an empty fs). */
int vfs_statvfs(struct vfs_view *v, const char *vpath, struct statvfs *out);

struct vfs_dir;
/* Opens a directory for listing (synthesized ones list their children). */
int vfs_opendir(struct vfs_view *v, const char *vpath, struct vfs_dir **out);
/* Next entry (not "." or ".."): returns 1 with name and attributes (lstat),
 * 0 at the end, or -errno. name holds VFS_NAME_MAX + 1 bytes. */
int vfs_readdir(struct vfs_dir *d, char *name, struct vfs_attr *a);
void vfs_closedir(struct vfs_dir *d);

/* Copies len bytes (0 = to EOF) from fd_in at off_in to fd_out at off_out,
 * in the kernel when possible (copy_file_range). Returns 0 or -errno. */
int vfs_copy_range(int fd_in, uint64_t off_in, int fd_out, uint64_t off_out, uint64_t len);

#endif
