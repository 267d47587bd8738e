/* sumd.c — md5sum, sha1sum, sha256sum, sha512sum over the VFS.
 *
 * Output is byte-for-byte what coreutils 9 prints: "HASH  name" (" *name"
 * with -b), and a name holding '\\' or '\n' is escaped with a leading '\\'
 * on the line. Missing files are reported on stderr with the path as given
 * and make the exit status 1; the other files are still hashed. "-" (or no
 * file) hashes the channel's input. All hashing runs in one threadpool job.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sftpgw/err.h"
#include "sftpgw/kinds.h"
#include "sftpgw/vfs.h"
#include "sftpgw/xjob.h"

#define SUMD_CHUNK (256 * 1024)  /* bytes hashed per read */
#define SUMD_MAX_FILES 4096      /* operands in one command (the exec line caps them too) */

struct sumd_algo {
	const char *cmd;
	const char *md;   /* OpenSSL digest name */
};

static const struct sumd_algo sumd_algos[] = {
	{ "md5sum", "MD5" },
	{ "sha1sum", "SHA1" },
	{ "sha256sum", "SHA256" },
	{ "sha512sum", "SHA512" },
	{ NULL, NULL },
};

/* Options that only change how the name is marked (" *" vs "  "). */
struct sumd_opt {
	const char *name;
	bool binary;
};

static const struct sumd_opt sumd_opts[] = {
	{ "-b", true }, { "--binary", true }, { "-t", false }, { "--text", false }, { NULL, false },
};

struct sumd_job {
	const char *cmd;
	const EVP_MD *md;
	bool binary;
	size_t n;
	char **files;     /* as given (pointers into the channel's argv copy) */
};

static void sumd_job_free(void *arg)
{
	struct sumd_job *sj = arg;

	if (sj == NULL)
		return;
	for (size_t i = 0; i < sj->n; i++)
		free(sj->files[i]);
	free(sj->files);
	free(sj);
}

/* Writes "HASH  name\n" with coreutils' escaping. */
static int sumd_emit(struct xjob *j, const struct sumd_job *sj, const unsigned char *dig,
                     unsigned dlen, const char *name)
{
	static const char hex[] = "0123456789abcdef";
	char line[2 * EVP_MAX_MD_SIZE + 4];
	bool esc = strpbrk(name, "\\\n") != NULL;
	size_t k = 0;
	int r;

	if (esc)
		line[k++] = '\\';
	for (unsigned i = 0; i < dlen; i++) {
		line[k++] = hex[dig[i] >> 4];
		line[k++] = hex[dig[i] & 15];
	}
	line[k++] = ' ';
	line[k++] = sj->binary ? '*' : ' ';
	if ((r = xjob_write(j, line, k)) != 0)
		return r;
	for (const char *p = name; *p; ) {
		size_t run = esc ? strcspn(p, "\\\n") : strlen(p);

		if (run > 0 && (r = xjob_write(j, p, run)) != 0)
			return r;
		p += run;
		if (*p != '\0') {
			if ((r = xjob_write(j, *p == '\\' ? "\\\\" : "\\n", 2)) != 0)
				return r;
			p++;
		}
	}
	return xjob_write(j, "\n", 1);
}

/* Hashes fd (or the channel input when fd < 0) into dig. */
static int sumd_hash(struct xjob *j, const EVP_MD *md, int fd, unsigned char *dig, unsigned *dlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = malloc(SUMD_CHUNK);
	int rc = 0;

	if (ctx == NULL || buf == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = fd >= 0 ? read(fd, buf, SUMD_CHUNK) : xjob_read(j, buf, SUMD_CHUNK);

		if (n < 0) {
			rc = fd >= 0 ? -errno : (int)n;
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		if (fd >= 0 && xjob_aborted(j)) {
			rc = SGW_EPROTOCOL;
			goto out;
		}
	}
	EVP_DigestFinal_ex(ctx, dig, dlen);
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

static int sumd_open(struct xjob *j, const char *name, int *fd)
{
	char vpath[VFS_PATH_MAX];
	struct vfs_attr a;
	int r;

	if ((r = xjob_path_resolve(NULL, name, vpath, sizeof(vpath))) != 0)
		return r;
	if ((r = vfs_open(xjob_view(j), vpath, O_RDONLY, 0, fd)) != 0)
		return r;
	if ((r = vfs_fstat(*fd, &a)) == 0 && S_ISDIR(a.mode))
		r = -EISDIR;
	if (r != 0)
		close(*fd);
	return r;
}

/* One operand; returns 0, 1 (reported error) or an abort code. */
static int sumd_one(struct xjob *j, const struct sumd_job *sj, const char *name)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	int fd = -1, r = 0;

	if (strcmp(name, "-") != 0)
		r = sumd_open(j, name, &fd);
	if (r == 0) {
		r = sumd_hash(j, sj->md, fd, dig, &dlen);
		if (fd >= 0)
			close(fd);
	}
	if (r == SGW_EPROTOCOL)
		return r;
	if (r != 0) {
		xjob_errorf(j, "%s: %s: %s\n", sj->cmd, name, sgw_strerror(r));
		return 1;
	}
	return sumd_emit(j, sj, dig, dlen, name);
}

static int sumd_job_cb(struct xjob *j, void *arg)
{
	struct sumd_job *sj = arg;
	int status = 0;

	for (size_t i = 0; i < sj->n; i++) {
		int r = sumd_one(j, sj, sj->files[i]);

		if (r < 0)
			return 1;
		if (r > 0)
			status = 1;
	}
	return status;
}

static int sumd_usage(struct chan *ch, const char *cmd, const char *arg)
{
	if (strcmp(arg, "-c") == 0 || strncmp(arg, "--check", 7) == 0)
		chan_errorf(ch, "%s: checking (-c) is not supported on this gateway\n", cmd);
	else if (arg[1] == '-')
		chan_errorf(ch, "%s: unrecognized option '%s'\n", cmd, arg);
	else
		chan_errorf(ch, "%s: invalid option -- '%c'\n", cmd, arg[1]);
	chan_errorf(ch, "Try '%s --help' for more information.\n", cmd);
	chan_exit(ch, 1);
	return SGW_EUSAGE;
}

/* Applies one option word; false when it is not on the allow-list. */
static bool sumd_opt_apply(struct sumd_job *sj, const char *a)
{
	for (const struct sumd_opt *o = sumd_opts; o->name != NULL; o++)
		if (strcmp(o->name, a) == 0) {
			sj->binary = o->binary;
			return true;
		}
	if (a[1] == '-')
		return false;
	for (const char *p = a + 1; *p; p++) { /* -bt clusters */
		if (*p != 'b' && *p != 't')
			return false;
		sj->binary = *p == 'b';
	}
	return true;
}

/* Splits argv into options and operands; on a bad option the channel exits. */
static int sumd_parse(struct chan *ch, char **argv, struct sumd_job *sj)
{
	bool dashdash = false;
	size_t n = 0;

	for (int i = 1; argv[i] != NULL; i++)
		n++;
	if (n > SUMD_MAX_FILES) {
		chan_errorf(ch, "%s: too many operands (at most %d)\n", argv[0], SUMD_MAX_FILES);
		chan_exit(ch, 1);
		return SGW_ETOOBIG;
	}
	if ((sj->files = calloc(n + 1, sizeof(char *))) == NULL)
		return -ENOMEM;
	for (int i = 1; argv[i] != NULL; i++) {
		const char *a = argv[i];

		if (!dashdash && a[0] == '-' && a[1] != '\0') {
			if (strcmp(a, "--") == 0)
				dashdash = true;
			else if (!sumd_opt_apply(sj, a)) {
				char bad[3] = { '-', a[1], 0 };
				const char *p = a + 1 + strspn(a + 1, "bt");

				if (a[1] != '-') {
					bad[1] = *p;
					a = bad;
				}
				return sumd_usage(ch, argv[0], a);
			}
			continue;
		}
		if ((sj->files[sj->n] = strdup(a)) == NULL)
			return -ENOMEM;
		sj->n++;
	}
	if (sj->n == 0 && (sj->files[sj->n++] = strdup("-")) == NULL)
		return -ENOMEM;
	return 0;
}

static int sumd_start(struct chan *ch, char **argv)
{
	struct sumd_job *sj = calloc(1, sizeof(*sj));
	const struct sumd_algo *al = sumd_algos;
	int r;

	while (al->cmd != NULL && strcmp(al->cmd, argv[0]) != 0)
		al++;
	if (sj == NULL || al->cmd == NULL || (sj->md = EVP_get_digestbyname(al->md)) == NULL) {
		free(sj);
		chan_errorf(ch, "sftpgw: %s: not available\n", argv[0]);
		chan_exit(ch, 1);
		return SGW_EUNSUPPORTED;
	}
	sj->cmd = al->cmd;
	if ((r = sumd_parse(ch, argv, sj)) != 0) {
		sumd_job_free(sj);
		return r;
	}
	if ((r = xjob_start(ch, sumd_job_cb, sj, sumd_job_free)) != 0) {
		sumd_job_free(sj);
		chan_errorf(ch, "%s: %s\n", argv[0], r == SGW_ELIMIT ?
		            "too many transfers on this gateway, try again later" : sgw_strerror(r));
		chan_exit(ch, 1);
		return r;
	}
	return 0;
}

static void sumd_close(struct chan *ch)
{
	xjob_on_close(ch);
}

const struct chan_kind sumd_kind = {
	.name = "checksum",
	.start = sumd_start,
	.input = xjob_on_input,
	.writable = xjob_on_writable,
	.eof = xjob_on_eof,
	.close = sumd_close,
};
