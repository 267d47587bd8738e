/* roots.c — the mount directories' fds, shared by every view in the process.
 *
 * Each session's view used to open its mounts' directories itself: one fd per
 * mount per session, so 10,000 idle sessions on one mount held 10,000 fds for
 * one directory. A view now takes a counted reference to one shared O_PATH fd
 * per directory. Sharing is by identity (device and inode, from an fstat of a
 * fresh open), not by path: a directory replaced under its path gets a new
 * entry, and views built before keep the one they resolved, as before.
 * O_PATH fds have no offset or state, so threads may use one at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "vfs_internal.h"

#define ROOTS_BUCKETS 1024  /* hash chains by inode; entries are only live mounts */

struct vfs__root {
	struct vfs__root *next;
	dev_t dev;
	ino_t ino;
	int fd;
	long refs;
	bool local;       /* vfs_fd_local(fd), asked once */
};

static struct vfs__root *roots[ROOTS_BUCKETS];
static uv_mutex_t roots_lock;
static uv_once_t roots_once = UV_ONCE_INIT;

static void roots_init(void)
{
	uv_mutex_init(&roots_lock);
}

int vfs__root_get(const char *dir, struct vfs__root **out)
{
	struct vfs__root *r, **head;
	struct stat st;
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	uv_once(&roots_once, roots_init);
	head = &roots[(uint64_t)st.st_ino % ROOTS_BUCKETS];
	uv_mutex_lock(&roots_lock);
	for (r = *head; r != NULL; r = r->next)
		if (r->dev == st.st_dev && r->ino == st.st_ino)
			break;
	if (r != NULL) {
		r->refs++;
	} else if ((r = calloc(1, sizeof(*r))) != NULL) {
		*r = (struct vfs__root){ .next = *head, .dev = st.st_dev, .ino = st.st_ino,
		                         .fd = fd, .refs = 1, .local = vfs_fd_local(fd) };
		*head = r;
		fd = -1;
	}
	uv_mutex_unlock(&roots_lock);
	if (fd >= 0)
		close(fd); /* shared (or out of memory) */
	if (r == NULL)
		return -ENOMEM;
	*out = r;
	return 0;
}

int vfs__root_fd(const struct vfs__root *r)
{
	return r->fd;
}

bool vfs__root_local(const struct vfs__root *r)
{
	return r->local;
}

void vfs__root_put(struct vfs__root *r)
{
	struct vfs__root **p;

	if (r == NULL)
		return;
	uv_mutex_lock(&roots_lock);
	if (--r->refs > 0) {
		uv_mutex_unlock(&roots_lock);
		return;
	}
	for (p = &roots[(uint64_t)r->ino % ROOTS_BUCKETS]; *p != r; p = &(*p)->next)
		;
	*p = r->next;
	uv_mutex_unlock(&roots_lock);
	close(r->fd);
	free(r);
}
