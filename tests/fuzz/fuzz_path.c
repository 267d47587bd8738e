/* fuzz_path.c — vfs_path_normalize(_n) on any base and path.
 *
 * Input: byte 0 = flags (bit 0: pass a base; bit 1: small output size taken
 * from byte 1), byte 1 = base length, then the base (a C string), then the
 * path as counted bytes (a NUL in it must give -EINVAL). An accepted result
 * is absolute, fits outsz, has no "//", no "." or ".." component, no trailing
 * '/', equals a plain stack-based resolution, and normalizing it again (alone,
 * as a base, or under another base) gives it back unchanged.
 */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "sftpgw/vfs.h"

/* The obvious resolution, used as the reference: a stack of components. */
static void reference(const char *base, const uint8_t *path, size_t len, char *out, size_t outsz)
{
	char *buf = malloc(strlen(base ? base : "") + len + 3);
	size_t n = 0, o = 0;

	if (buf == NULL)
		abort();
	if (base != NULL && (len == 0 || path[0] != '/')) {
		n = strlen(base);
		memcpy(buf, base, n);
		buf[n++] = '/';
	}
	memcpy(buf + n, path, len);
	n += len;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && buf[j] != '/')
			j++;
		if (j - i == 2 && buf[i] == '.' && buf[i + 1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (j > i && !(j - i == 1 && buf[i] == '.')) {
			FZ_CHECK(o + 1 + (j - i) < outsz);
			out[o++] = '/';
			memcpy(out + o, buf + i, j - i);
			o += j - i;
		}
		i = j + 1;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	free(buf);
}

static void check_shape(const char *p)
{
	FZ_CHECK(p[0] == '/');
	FZ_CHECK(strstr(p, "//") == NULL);
	FZ_CHECK(strcmp(p, "/") == 0 || p[strlen(p) - 1] != '/');
	for (const char *c = p; *c != '\0';) {
		size_t n;
		c++;  /* past '/' */
		n = strcspn(c, "/");
		FZ_CHECK(!(n == 1 && c[0] == '.'));
		FZ_CHECK(!(n == 2 && c[0] == '.' && c[1] == '.'));
		FZ_CHECK(n <= VFS_NAME_MAX);
		c += n;
	}
}

static void check_again(const char *p)
{
	static char again[VFS_PATH_MAX];

	FZ_CHECK(vfs_path_normalize(NULL, p, again, sizeof(again)) == 0 && strcmp(again, p) == 0);
	FZ_CHECK(vfs_path_normalize(p, "", again, sizeof(again)) == 0 && strcmp(again, p) == 0);
	FZ_CHECK(vfs_path_normalize(p, ".", again, sizeof(again)) == 0 && strcmp(again, p) == 0);
	FZ_CHECK(vfs_path_normalize("/elsewhere/x", p, again, sizeof(again)) == 0 &&
	         strcmp(again, p) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[VFS_PATH_MAX + 16], ref[VFS_PATH_MAX * 4];
	struct fz_in in = { data, size };
	uint8_t flags = fz_u8(&in), blen = fz_u8(&in);
	size_t outsz = (flags & 2) ? (size_t)(blen % 64) + 1 : sizeof(out);
	const uint8_t *b, *path;
	size_t got, plen;
	char *base = NULL;
	int r;

	b = fz_bytes(&in, blen, &got);
	if (flags & 1)
		base = fz_strndup(b, got);
	path = fz_bytes(&in, in.n, &plen);
	memset(out, 'X', sizeof(out));
	r = vfs_path_normalize_n(base, (const char *)path, plen, out, outsz);
	if (r != 0) {
		FZ_CHECK(r == -ENAMETOOLONG || r == -EINVAL);
		FZ_CHECK(r != -EINVAL || memchr(path, '\0', plen) != NULL);
		free(base);
		return 0;
	}
	FZ_CHECK(memchr(path, '\0', plen) == NULL);
	FZ_CHECK(strlen(out) < outsz);
	check_shape(out);
	reference(base, path, plen, ref, sizeof(ref));
	FZ_CHECK(strcmp(out, ref) == 0);
	check_again(out);
	free(base);
	return 0;
}
