/* copy.c — server-side copies (SFTP copy-data), in the kernel when it can. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "sftpgw/vfs.h"

#define VFS_COPY_CHUNK (1u << 30)        /* per copy_file_range call */
#define VFS_COPY_BUF (256u * 1024u)      /* pread/pwrite fallback buffer */

static size_t chunk_of(uint64_t left, bool to_eof, size_t max)
{
	return (to_eof || left > max) ? max : (size_t)left;
}

static int copy_rw(int fd_in, off_t *off_in, int fd_out, off_t *off_out, uint64_t left,
		   bool to_eof)
{
	char *buf = malloc(VFS_COPY_BUF);
	int rc = 0;

	if (buf == NULL)
		return -ENOMEM;
	while (to_eof || left > 0) {
		ssize_t n = pread(fd_in, buf, chunk_of(left, to_eof, VFS_COPY_BUF), *off_in);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		for (ssize_t w = 0; w < n;) {
			ssize_t k = pwrite(fd_out, buf + w, (size_t)(n - w), *off_out);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				rc = -errno;
				goto out;
			}
			w += k;
			*off_out += k;
		}
		*off_in += n;
		left -= to_eof ? 0 : (uint64_t)n;
	}
out:
	free(buf);
	return rc;
}

int vfs_copy_range(int fd_in, uint64_t off_in, int fd_out, uint64_t off_out, uint64_t len)
{
	off_t oi = (off_t)off_in, oo = (off_t)off_out;
	bool to_eof = len == 0;
	uint64_t left = len;

	if (off_in > INT64_MAX || off_out > INT64_MAX)
		return -EINVAL;
	while (to_eof || left > 0) {
		ssize_t n = copy_file_range(fd_in, &oi, fd_out, &oo,
					    chunk_of(left, to_eof, VFS_COPY_CHUNK), 0);

		if (n < 0 && errno == EINTR)
			continue;
		/* not on this filesystem pair or kernel: copy through user space */
		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
			      errno == EOPNOTSUPP))
			return copy_rw(fd_in, &oi, fd_out, &oo, left, to_eof);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;  /* end of the input */
		left -= to_eof ? 0 : (uint64_t)n;
	}
	return 0;
}
