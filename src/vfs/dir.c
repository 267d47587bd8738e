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
	struct vfs_view *v;           /* synthesized: referenced while listing */
	char vpath[VFS_PATH_MAX];     /* synthesized: the directory listed */
	size_t next;                  /* synthesized: next mount to look at */
};

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
			return errno ? -errno : 0;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strlen(e->d_name) > VFS_NAME_MAX)
			continue;  /* cannot be named through this API */
		if (fstatat(dirfd(d->d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
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
	free(d);
}
