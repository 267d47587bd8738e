/* path.c — lexical normalization of virtual paths (pure string work). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sftpgw/vfs.h"

struct npath {
	char buf[VFS_PATH_MAX];
	size_t len;   /* "" stands for "/" while building */
};

/* Applies one component: "." is dropped, ".." pops (never above "/"). */
static int npath_push(struct npath *p, const char *c, size_t n)
{
	if (n == 0 || (n == 1 && c[0] == '.'))
		return 0;
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		while (p->len > 0 && p->buf[p->len - 1] != '/')
			p->len--;
		if (p->len > 0)
			p->len--;  /* the '/' before the popped component */
		return 0;
	}
	if (n > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	/* '/' + component + final NUL must fit */
	if (p->len + 1 + n + 1 > sizeof(p->buf))
		return -ENAMETOOLONG;
	p->buf[p->len++] = '/';
	memcpy(p->buf + p->len, c, n);
	p->len += n;
	return 0;
}

static int npath_feed(struct npath *p, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		int rc;

		while (j < len && s[j] != '/')
			j++;
		rc = npath_push(p, s + i, j - i);
		if (rc < 0)
			return rc;
		i = j + 1;
	}
	return 0;
}

int vfs_path_normalize_n(const char *base, const char *path, size_t len, char *out,
                         size_t outsz)
{
	struct npath p;
	int rc;

	if (memchr(path, '\0', len) != NULL)
		return -EINVAL;
	p.len = 0;
	if (base != NULL && (len == 0 || path[0] != '/')) {
		rc = npath_feed(&p, base, strlen(base));
		if (rc < 0)
			return rc;
	}
	rc = npath_feed(&p, path, len);
	if (rc < 0)
		return rc;
	if (p.len == 0)
		p.buf[p.len++] = '/';
	if (p.len + 1 > outsz)
		return -ENAMETOOLONG;
	memcpy(out, p.buf, p.len);
	out[p.len] = '\0';
	return 0;
}

int vfs_path_normalize(const char *base, const char *path, char *out, size_t outsz)
{
	return vfs_path_normalize_n(base, path, strlen(path), out, outsz);
}
