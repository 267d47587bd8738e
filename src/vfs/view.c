/* view.c — a session's mounts, path-to-mount lookup and confined openat2. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sftpgw/log.h"
#include "sftpgw/vfs.h"
#include "vfs_internal.h"

static long openat2_raw(int dirfd, const char *rel, struct open_how *how)
{
	return syscall(SYS_openat2, dirfd, rel, how, sizeof(*how));
}

int vfs_probe(void)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | O_DIRECTORY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd = openat2_raw(AT_FDCWD, ".", &how);

	if (fd < 0)
		return errno == ENOSYS || errno == EINVAL ? -ENOSYS : -errno;
	close((int)fd);
	return 0;
}

int vfs__openat2(int dirfd, const char *rel, int oflags, mode_t mode, unsigned long long extra)
{
	struct open_how how = {
		.flags = (unsigned long long)(oflags | O_CLOEXEC),
		.mode = ((oflags & O_CREAT) || (oflags & O_TMPFILE) == O_TMPFILE) ? (mode & 07777) : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | extra,
	};

	for (int i = 0; i < VFS__OPENAT2_RETRIES; i++) {
		long fd = openat2_raw(dirfd, rel, &how);

		if (fd >= 0)
			return (int)fd;
		if (errno == EAGAIN && (extra & RESOLVE_CACHED))
			return -EAGAIN;
		if (errno == EAGAIN || errno == EINTR)
			continue;
		/* The kernel says EXDEV when resolution would leave the mount's
		 * directory and ELOOP for magic links (or too many symlinks):
		 * to the client both are an attempt it is not allowed to make. */
		if (errno == EXDEV || errno == ELOOP)
			return -EACCES;
		return -errno;
	}
	return -EAGAIN;
}

static int mount_cmp(const void *a, const void *b)
{
	const struct vfs__mount *x = a, *y = b;

	return strcmp(x->vpath, y->vpath);
}

static int mount_add(struct vfs_view *v, const struct vfs_mount_spec *s)
{
	char norm[VFS_PATH_MAX];
	int rc = vfs_path_normalize(NULL, s->vpath, norm, sizeof(norm));
	struct vfs__root *root;

	if (rc < 0 || strcmp(norm, s->vpath) != 0 || strcmp(norm, "/") == 0 || s->dir[0] != '/')
		return -EINVAL;
	/* The operator's absolute directory is the only path ever resolved
	 * from "/"; everything after this is relative to the fd. */
	if ((rc = vfs__root_get(s->dir, &root)) != 0) {
		log_warn("vfs: mount %s: cannot open %s: %s; skipped", s->vpath, s->dir,
			 strerror(-rc));
		return rc == -ENOMEM ? rc : 0;
	}
	v->m[v->n].vpath = strdup(norm);
	if (v->m[v->n].vpath == NULL) {
		vfs__root_put(root);
		return -ENOMEM;
	}
	v->m[v->n].vlen = strlen(norm);
	v->m[v->n].root = root;
	v->m[v->n].fd = vfs__root_fd(root);
	v->m[v->n].read_only = s->read_only;
	v->n++;
	return 0;
}

static void view_free(struct vfs_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		vfs__root_put(v->m[i].root);
		free(v->m[i].vpath);
	}
	free(v);
}

int vfs_view_open(const struct vfs_mount_spec *m, size_t n, struct vfs_view **out)
{
	struct vfs_view *v;

	*out = NULL;
	if (n > VFS_MAX_MOUNTS)
		return -E2BIG;
	v = calloc(1, sizeof(*v) + n * sizeof(v->m[0]));
	if (v == NULL)
		return -ENOMEM;
	atomic_init(&v->refs, 1);
	v->ctime = (int64_t)time(NULL);
	for (size_t i = 0; i < n; i++) {
		int rc = mount_add(v, &m[i]);

		if (rc < 0) {
			view_free(v);
			return rc;
		}
	}
	qsort(v->m, v->n, sizeof(v->m[0]), mount_cmp);
	for (size_t i = 1; i < v->n; i++) {
		if (strcmp(v->m[i - 1].vpath, v->m[i].vpath) == 0) {
			view_free(v);
			return -EINVAL;  /* the same mount point twice */
		}
	}
	*out = v;
	return 0;
}

void vfs_view_ref(struct vfs_view *v)
{
	atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
}

void vfs_view_unref(struct vfs_view *v)
{
	if (v == NULL)
		return;
	if (atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) == 1)
		view_free(v);
}

size_t vfs_view_mount_count(const struct vfs_view *v)
{
	return v->n;
}

/* True when vpath (normalized) is prefix, on a component boundary, of p. */
static bool path_under(const char *p, size_t plen, const char *dir, size_t dlen)
{
	if (dlen == 1)  /* "/" */
		return true;
	return plen >= dlen && memcmp(p, dir, dlen) == 0 && (p[dlen] == '/' || p[dlen] == '\0');
}

static int mount_find(const struct vfs_view *v, const char *vpath)
{
	size_t len = strlen(vpath), best = 0;
	int idx = -1;

	for (size_t i = 0; i < v->n; i++) {
		if (v->m[i].vlen > best && path_under(vpath, len, v->m[i].vpath, v->m[i].vlen)) {
			best = v->m[i].vlen;
			idx = (int)i;
		}
	}
	return idx;
}

/* A directory above some mount point ("/" always is). */
static bool synth_dir(const struct vfs_view *v, const char *vpath)
{
	size_t len = strlen(vpath);

	if (len == 1)
		return true;
	for (size_t i = 0; i < v->n; i++) {
		if (v->m[i].vlen > len && path_under(v->m[i].vpath, v->m[i].vlen, vpath, len))
			return true;
	}
	return false;
}

int vfs_view_mount_index(const struct vfs_view *v, const char *vpath)
{
	return mount_find(v, vpath);
}

bool vfs_view_readonly(const struct vfs_view *v, const char *vpath)
{
	int i = mount_find(v, vpath);

	return i < 0 || v->m[i].read_only;
}

int vfs__resolve(const struct vfs_view *v, const char *vpath, struct vfs__res *r)
{
	int rc = vfs_path_normalize(NULL, vpath, r->vpath, sizeof(r->vpath));

	if (rc < 0)
		return rc;
	r->idx = mount_find(v, r->vpath);
	r->m = r->idx >= 0 ? &v->m[r->idx] : NULL;
	r->synthetic = r->m == NULL && synth_dir(v, r->vpath);
	r->rel = ".";
	if (r->m != NULL && r->vpath[r->m->vlen] == '/')
		r->rel = r->vpath + r->m->vlen + 1;
	return 0;
}

int vfs__parent_open(const struct vfs__res *r, int *pfd, const char **name)
{
	char parent[VFS_PATH_MAX];
	const char *slash = strrchr(r->rel, '/');
	int fd;

	if (slash == NULL) {
		*pfd = r->m->fd;
		*name = r->rel;
		return 0;
	}
	memcpy(parent, r->rel, (size_t)(slash - r->rel));
	parent[slash - r->rel] = '\0';
	fd = vfs__openat2(r->m->fd, parent, O_PATH | O_DIRECTORY, 0, 0);
	if (fd < 0)
		return fd;
	*pfd = fd;
	*name = slash + 1;
	return 0;
}

void vfs__parent_close(const struct vfs__res *r, int pfd)
{
	if (pfd >= 0 && pfd != r->m->fd)
		close(pfd);
}

void vfs__synth_attr(const struct vfs_view *v, struct vfs_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->mode = S_IFDIR | 0555;
	a->uid = (uint32_t)geteuid();
	a->gid = (uint32_t)getegid();
	a->nlink = 2;
	a->atime = a->mtime = v->ctime;
	a->synthetic = true;
}

void vfs__attr_from_stat(const struct stat *st, struct vfs_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->size = (uint64_t)st->st_size;
	a->mode = (uint32_t)st->st_mode;
	a->uid = (uint32_t)st->st_uid;
	a->gid = (uint32_t)st->st_gid;
	a->nlink = (uint32_t)st->st_nlink;
	a->atime = (int64_t)st->st_atim.tv_sec;
	a->atime_ns = (uint32_t)st->st_atim.tv_nsec;
	a->mtime = (int64_t)st->st_mtim.tv_sec;
	a->mtime_ns = (uint32_t)st->st_mtim.tv_nsec;
}
