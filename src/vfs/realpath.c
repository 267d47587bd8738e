/* realpath.c — canonical virtual paths: symlinks resolved one component at a
 * time, each lookup confined to the mount, so a link can neither leave the
 * mount nor make us follow it outside. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <unistd.h>

#include "sftpgw/vfs.h"
#include "vfs_internal.h"

struct walk {
	char done[VFS_PATH_MAX];   /* resolved, symlink-free, relative to the mount */
	size_t dlen;
	char rest[VFS_PATH_MAX];   /* still to resolve */
	int hops;
	bool missing;              /* a component did not exist: the rest is lexical */
};

/* Takes the first component of w->rest into c (VFS_NAME_MAX + 1 bytes):
 * 1, or 0 at the end, or -ENAMETOOLONG (link targets are not checked names). */
static int walk_next(struct walk *w, char *c)
{
	char *s = w->rest;
	size_t n;

	while (*s == '/')
		s++;
	if (*s == '\0')
		return 0;
	n = strcspn(s, "/");
	if (n > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(c, s, n);
	c[n] = '\0';
	memmove(w->rest, s + n, strlen(s + n) + 1);
	return 1;
}

static int walk_append(struct walk *w, const char *c)
{
	size_t n = strlen(c);

	if (n > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (w->dlen + 1 + n + 1 > sizeof(w->done))
		return -ENAMETOOLONG;
	if (w->dlen > 0)
		w->done[w->dlen++] = '/';
	memcpy(w->done + w->dlen, c, n + 1);
	w->dlen += n;
	return 0;
}

static int walk_pop(struct walk *w)
{
	if (w->dlen == 0)
		return -EACCES;  /* a link climbing above the mount's root */
	while (w->dlen > 0 && w->done[w->dlen - 1] != '/')
		w->dlen--;
	if (w->dlen > 0)
		w->dlen--;
	w->done[w->dlen] = '\0';
	return 0;
}

/* Replaces the symlink just met by its target, ahead of the rest. */
static int walk_link(struct walk *w, int pfd, const char *c)
{
	char target[VFS_PATH_MAX];
	size_t rlen = strlen(w->rest);
	ssize_t n;

	if (++w->hops > VFS_SYMLINK_HOPS)
		return -ELOOP;
	n = readlinkat(pfd, c, target, sizeof(target));
	if (n < 0 && errno == EINVAL) {
		/* no longer a link: replaced meanwhile; look at the name again
		 * (the hop count bounds a swapper that never stops) */
		n = (ssize_t)strlen(c);
		memcpy(target, c, (size_t)n);
	} else if (n < 0) {
		return -errno;
	}
	if ((size_t)n >= sizeof(target) || (size_t)n + 1 + rlen + 1 > sizeof(w->rest))
		return -ENAMETOOLONG;
	if (n == 0 || target[0] == '/')
		return -EACCES;  /* absolute targets would be resolved on the host */
	memmove(w->rest + n + 1, w->rest, rlen + 1);
	memcpy(w->rest, target, (size_t)n);
	w->rest[n] = '/';
	return 0;
}

/* Looks at one existing-or-not component under w->done. */
static int walk_step(const struct vfs__res *r, struct walk *w, const char *c)
{
	struct stat st;
	int pfd, rc;

	/* done is symlink-free: RESOLVE_NO_SYMLINKS turns a link swapped in
	 * meanwhile into an error instead of a detour. */
	pfd = vfs__openat2(r->m->fd, w->dlen ? w->done : ".", O_PATH | O_DIRECTORY, 0,
			   RESOLVE_NO_SYMLINKS);
	if (pfd < 0)
		return pfd;
	if (fstatat(pfd, c, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = -errno;
		if (rc == -ENOENT) {
			w->missing = true;
			rc = walk_append(w, c);
		}
	} else if (S_ISLNK(st.st_mode)) {
		rc = walk_link(w, pfd, c);
	} else {
		rc = walk_append(w, c);
		if (rc == 0 && !S_ISDIR(st.st_mode) && strspn(w->rest, "/") != strlen(w->rest))
			rc = -ENOTDIR;
	}
	close(pfd);
	return rc;
}

int vfs__walk(const struct vfs__res *r, bool must_exist, char *canon, size_t csz)
{
	struct walk w;
	char c[VFS_NAME_MAX + 1];
	int rc = 0;

	w.dlen = 0;
	w.done[0] = '\0';
	w.hops = 0;
	w.missing = false;
	if (strcmp(r->rel, ".") == 0)
		w.rest[0] = '\0';
	else
		memcpy(w.rest, r->rel, strlen(r->rel) + 1);
	while (rc == 0 && (rc = walk_next(&w, c)) > 0) {
		rc = 0;
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0)
			rc = walk_pop(&w);
		else if (w.missing)
			rc = must_exist ? -ENOENT : walk_append(&w, c);
		else
			rc = walk_step(r, &w, c);
		if (rc == 0 && w.missing && must_exist)
			rc = -ENOENT;
	}
	if (rc < 0)
		return rc;
	if (w.dlen + 2 > csz)
		return -ENAMETOOLONG;
	memcpy(canon, w.dlen ? w.done : ".", w.dlen ? w.dlen + 1 : 2);
	return 0;
}

int vfs_realpath(struct vfs_view *v, const char *vpath, char *out, size_t outsz)
{
	struct vfs__res r;
	char canon[VFS_PATH_MAX];
	size_t mlen, clen;
	int rc = vfs__resolve(v, vpath, &r);

	if (rc < 0)
		return rc;
	if (r.m == NULL) {
		if (!r.synthetic)
			return -ENOENT;
		if (strlen(r.vpath) + 1 > outsz)
			return -ENAMETOOLONG;
		memcpy(out, r.vpath, strlen(r.vpath) + 1);
		return 0;
	}
	rc = vfs__walk(&r, false, canon, sizeof(canon));
	if (rc < 0)
		return rc;
	mlen = r.m->vlen;
	clen = strcmp(canon, ".") == 0 ? 0 : strlen(canon);
	if (mlen + (clen ? 1 + clen : 0) + 1 > outsz || mlen + 1 + clen + 1 > VFS_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(out, r.m->vpath, mlen);
	if (clen) {
		out[mlen] = '/';
		memcpy(out + mlen + 1, canon, clen);
	}
	out[mlen + (clen ? 1 + clen : 0)] = '\0';
	return 0;
}
