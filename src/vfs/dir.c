/* dir.c — streaming directory listings; synthesized directories list the
 * next component of each mount point below them. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sftpgw/vfs.h"
#include "vfs_internal.h"

struct vfs_dir {
	DIR *d;                       /* a real directory, or NULL */
	struct vfs_view *v;           /* referenced while listing, when mounts are below */
	char vpath[VFS_PATH_MAX];     /* the directory listed (when v is set) */
	size_t next;                  /* next mount to look at */
	bool *shown;                  /* real dir with mount points in it: per mount,
					 whether its name came from the disk already */
};

/* Index of the mount at exactly dir/name, or -1. */
static int mount_child(const struct vfs_view *v, const char *dir, const char *name)
{
	size_t dlen = strcmp(dir, "/") == 0 ? 0 : strlen(dir), nlen = strlen(name);

	for (size_t i = 0; i < v->n; i++) {
		const struct vfs__mount *m = &v->m[i];

		if (m->vlen == dlen + 1 + nlen && memcmp(m->vpath, dir, dlen) == 0 &&
		    m->vpath[dlen] == '/' && memcmp(m->vpath + dlen + 1, name, nlen) == 0)
			return (int)i;
	}
	return -1;
}

/* A mount point directly inside a real directory ("/pub/media" in "/pub")
 * shows in its listing even when the backing directory has no such name. */
static int nested_prepare(struct vfs_dir *d, struct vfs_view *v, const char *vpath)
{
	size_t len = strlen(vpath);
	bool any = false;

	for (size_t i = 0; i < v->n && !any; i++)
		any = v->m[i].vlen > len + 1 && memcmp(v->m[i].vpath, vpath, len) == 0 &&
		      v->m[i].vpath[len] == '/' && strchr(v->m[i].vpath + len + 1, '/') == NULL;
	if (!any)
		return 0;
	d->shown = calloc(v->n, sizeof(bool));
	if (d->shown == NULL)
		return -ENOMEM;
	vfs_view_ref(v);
	d->v = v;
	memcpy(d->vpath, vpath, len + 1);
	return 0;
}

int vfs_opendir(struct vfs_view *v, const char *vpath, struct vfs_dir **out)
{
	struct vfs__res r;
	struct vfs_dir *d;
	int rc = vfs__resolve(v, vpath, &r), fd;

	*out = NULL;
	if (rc < 0)
		return rc;
	if (r.m == NULL && !r.synthetic)
		return -ENOENT;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	if (r.m == NULL) {
		vfs_view_ref(v);
		d->v = v;
		memcpy(d->vpath, r.vpath, strlen(r.vpath) + 1);
		*out = d;
		return 0;
	}
	fd = vfs__openat2(r.m->fd, r.rel, O_RDONLY | O_DIRECTORY, 0, 0);
	if (fd < 0) {
		free(d);
		return fd;
	}
	d->d = fdopendir(fd);  /* owns fd from here */
	if (d->d == NULL) {
		rc = -errno;
		close(fd);
		free(d);
		return rc;
	}
	rc = nested_prepare(d, v, r.vpath);
	if (rc < 0) {
		vfs_closedir(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* The child of d->vpath on the way to mount i, or NULL when i is not below.
 * Mounts are sorted, so the same child of neighbours comes out in a row. */
static const char *synth_child(const struct vfs_dir *d, size_t i, size_t *clen)
{
	const struct vfs__mount *m = &d->v->m[i];
	size_t plen = strcmp(d->vpath, "/") == 0 ? 0 : strlen(d->vpath);
	const char *c;

	if (m->vlen <= plen + 1 || memcmp(m->vpath, d->vpath, plen) != 0 || m->vpath[plen] != '/')
		return NULL;
	c = m->vpath + plen + 1;
	*clen = strcspn(c, "/");
	return c;
}

static bool synth_seen(const struct vfs_dir *d, size_t i, const char *c, size_t clen)
{
	for (size_t j = 0; j < i; j++) {
		size_t l;
		const char *p = synth_child(d, j, &l);

		if (p != NULL && l == clen && memcmp(p, c, clen) == 0)
			return true;
	}
	return false;
}

static int synth_next(struct vfs_dir *d, char *name, struct vfs_attr *a)
{
	struct stat st;

	while (d->next < d->v->n) {
		size_t i = d->next++, clen;
		const char *c = synth_child(d, i, &clen);

		if (c == NULL || synth_seen(d, i, c, clen))
			continue;
		memcpy(name, c, clen);
		name[clen] = '\0';
		/* a child that is itself a mount point shows its real directory */
		if (c[clen] == '\0' && fstat(d->v->m[i].fd, &st) == 0)
			vfs__attr_from_stat(&st, a);
		else
			vfs__synth_attr(d->v, a);
		return 1;
	}
	return 0;
}

/* After the disk's entries: the mount points the disk did not have. */
static int nested_next(struct vfs_dir *d, char *name, struct vfs_attr *a)
{
	size_t len = strlen(d->vpath);
	struct stat st;

	while (d->shown != NULL && d->next < d->v->n) {
		const struct vfs__mount *m = &d->v->m[d->next];
		const char *c;

		if (d->shown[d->next++] || m->vlen <= len + 1 ||
		    memcmp(m->vpath, d->vpath, len) != 0 || m->vpath[len] != '/')
			continue;
		c = m->vpath + len + 1;
		if (strchr(c, '/') != NULL)
			continue;
		if (fstat(m->fd, &st) < 0)
			return -errno;
		memcpy(name, c, strlen(c) + 1);
		vfs__attr_from_stat(&st, a);
		return 1;
	}
	return 0;
}

/* A disk entry that is also a mount point shows the mount's directory. */
static int nested_stat(struct vfs_dir *d, const char *name, struct stat *st)
{
	int i = d->shown != NULL ? mount_child(d->v, d->vpath, name) : -1;

	if (i < 0)
		return fstatat(dirfd(d->d), name, st, AT_SYMLINK_NOFOLLOW);
	d->shown[i] = true;
	return fstat(d->v->m[i].fd, st);
}

int vfs_readdir(struct vfs_dir *d, char *name, struct vfs_attr *a)
{
	struct dirent *e;
	struct stat st;

	if (d->d == NULL)
		return synth_next(d, name, a);
	for (;;) {
		errno = 0;
		e = readdir(d->d);
		if (e == NULL)
			return errno ? -errno : nested_next(d, name, a);
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strlen(e->d_name) > VFS_NAME_MAX)
			continue;  /* cannot be named through this API */
		if (nested_stat(d, e->d_name, &st) < 0) {
			if (errno == ENOENT)
				continue;  /* removed since readdir saw it */
			return -errno;
		}
		memcpy(name, e->d_name, strlen(e->d_name) + 1);
		vfs__attr_from_stat(&st, a);
		return 1;
	}
}

void vfs_closedir(struct vfs_dir *d)
{
	if (d == NULL)
		return;
	if (d->d != NULL)
		closedir(d->d);
	if (d->v != NULL)
		vfs_view_unref(d->v);
	free(d->shown);
	free(d);
}
