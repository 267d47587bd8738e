/* fuzz_scp.c — the legacy SCP control-line collector and parser, and the
 * scp option parser (src/scp/scpd_parse.c).
 *
 * Byte 0 even: the rest is the byte stream a client sends as control lines;
 * it goes through scpd_line_feed one byte at a time and every completed line
 * through scpd_ctl_parse. An accepted record stays in its limits and, printed
 * back as OpenSSH's scp prints it, parses to the same record.
 * Byte 0 odd: the rest is an exec line; split with shw_split, its words go to
 * scpd_opts_parse, which must answer with a message or a consistent result.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "sftpgw/err.h"
#include "sftpgw/scpd.h"
#include "sftpgw/shellwords.h"

static int print_ctl(const struct scpd_ctl *c, char *out, size_t outsz)
{
	switch (c->type) {
	case 'C':
	case 'D':
		return snprintf(out, outsz, "%c%04o %llu %s", c->type, (unsigned)c->mode,
		                (unsigned long long)c->size, c->name);
	case 'T':
		return snprintf(out, outsz, "T%lld %u %lld %u", (long long)c->mtime,
		                (unsigned)c->mtime_us, (long long)c->atime, (unsigned)c->atime_us);
	default:
		return snprintf(out, outsz, "E");
	}
}

static void check_ctl(const char *line, size_t len)
{
	struct scpd_ctl c, again;
	const char *why = NULL;
	char text[SCPD_MAX_LINE + 64];
	int r = scpd_ctl_parse(line, len, &c, &why), n;

	if (r != 0) {
		FZ_CHECK(r == SGW_EBADFORMAT || r == SGW_ETOOBIG || r == SGW_EBADNAME);
		FZ_CHECK(why != NULL && why[0] != '\0');
		return;
	}
	FZ_CHECK(c.type == 'C' || c.type == 'D' || c.type == 'E' || c.type == 'T');
	FZ_CHECK(c.mode <= 07777);
	FZ_CHECK(c.size <= SCPD_MAX_SIZE);
	FZ_CHECK(c.mtime >= 0 && c.mtime <= SCPD_MAX_TIME && c.atime >= 0 && c.atime <= SCPD_MAX_TIME);
	FZ_CHECK(c.mtime_us <= 999999 && c.atime_us <= 999999);
	if (c.type == 'C' || c.type == 'D') {
		size_t nl = strlen(c.name);
		FZ_CHECK(nl > 0 && nl <= VFS_NAME_MAX && strchr(c.name, '/') == NULL);
		FZ_CHECK(strcmp(c.name, ".") != 0 && strcmp(c.name, "..") != 0);
	}
	n = print_ctl(&c, text, sizeof(text));
	FZ_CHECK(n > 0 && (size_t)n < sizeof(text));
	if ((size_t)n >= SCPD_MAX_LINE)  /* leading zeros dropped: never longer than the input */
		FZ_CHECK(0);
	FZ_CHECK(scpd_ctl_parse(text, (size_t)n, &again, &why) == 0);
	FZ_CHECK(memcmp(&c, &again, sizeof(c)) == 0);
}

static void feed_lines(const uint8_t *p, size_t n)
{
	struct scpd_line l;

	memset(&l, 0, sizeof(l));
	for (size_t i = 0; i < n; i++) {
		int r = scpd_line_feed(&l, p[i]);

		FZ_CHECK(l.len < SCPD_MAX_LINE);
		if (r == SGW_ETOOBIG) {
			FZ_CHECK(l.len == SCPD_MAX_LINE - 1);
			return;  /* the kind ends the transfer here */
		}
		if (r == 1) {
			FZ_CHECK(l.buf[l.len] == '\0');
			check_ctl(l.buf, l.len);
			memset(&l, 0, sizeof(l));
		} else {
			FZ_CHECK(r == 0);
		}
	}
}

static void check_opts(const uint8_t *p, size_t n)
{
	struct scpd_opts o;
	char **argv = NULL, err[256];
	const char *why;
	int words = shw_split((const char *)p, n, &argv, &why);

	if (words < 1)
		goto out;
	err[0] = '\0';
	if (scpd_opts_parse(argv, &o, err, sizeof(err)) != 0) {
		FZ_CHECK(err[0] != '\0');
		goto out;
	}
	FZ_CHECK(o.source != o.sink);
	FZ_CHECK(o.nargs >= 1 && (!o.sink || o.nargs == 1));
	FZ_CHECK(o.args > argv && o.args + o.nargs == argv + words);
out:
	shw_free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		check_opts(data + 1, size - 1);
	else
		feed_lines(data + 1, size - 1);
	return 0;
}
