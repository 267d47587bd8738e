/* scpd_parse.c — control lines and options of legacy SCP, without I/O.
 * Every field is checked for its syntax and its limit before it is used.
 */
#include <stdio.h>
#include <string.h>

#include "sftpgw/buf.h"
#include "sftpgw/err.h"
#include "sftpgw/scpd.h"

int scpd_line_feed(struct scpd_line *l, uint8_t byte)
{
	if (byte == '\n') {
		l->buf[l->len < SCPD_MAX_LINE ? l->len : SCPD_MAX_LINE - 1] = '\0';
		return 1;
	}
	/* room for the '\n' itself: the whole line is at most SCPD_MAX_LINE */
	if (l->len + 1 >= SCPD_MAX_LINE)
		return SGW_ETOOBIG;
	l->buf[l->len++] = (char)byte;
	return 0;
}

/* Reads a decimal number up to max; the digits must be there. */
static int scpd_get_dec(struct sbuf *b, uint64_t max, uint64_t *v)
{
	uint8_t c;
	size_t digits = 0;

	*v = 0;
	while (sbuf_avail(b) > 0 && *sbuf_ptr(b) >= '0' && *sbuf_ptr(b) <= '9') {
		sbuf_get_u8(b, &c);
		if (*v > (max - (uint64_t)(c - '0')) / 10)
			return SGW_ETOOBIG;
		*v = *v * 10 + (uint64_t)(c - '0');
		digits++;
	}
	return digits > 0 ? 0 : SGW_EBADFORMAT;
}

static int scpd_expect(struct sbuf *b, char ch)
{
	uint8_t c;

	if (sbuf_get_u8(b, &c) != 0 || c != (uint8_t)ch)
		return SGW_EBADFORMAT;
	return 0;
}

static int scpd_parse_time(struct scpd_ctl *c, struct sbuf *b, const char **why)
{
	uint64_t mt, mu, at, au;
	int r;

	*why = "bad time";
	if ((r = scpd_get_dec(b, SCPD_MAX_TIME, &mt)) != 0 || (r = scpd_expect(b, ' ')) != 0 ||
	    (r = scpd_get_dec(b, 999999, &mu)) != 0 || (r = scpd_expect(b, ' ')) != 0 ||
	    (r = scpd_get_dec(b, SCPD_MAX_TIME, &at)) != 0 || (r = scpd_expect(b, ' ')) != 0 ||
	    (r = scpd_get_dec(b, 999999, &au)) != 0)
		return r;
	if (sbuf_expect_end(b) != 0)
		return SGW_EBADFORMAT;
	c->mtime = (int64_t)mt;
	c->atime = (int64_t)at;
	c->mtime_us = (uint32_t)mu;
	c->atime_us = (uint32_t)au;
	return 0;
}

static int scpd_parse_name(struct scpd_ctl *c, struct sbuf *b, const char **why)
{
	size_t n = sbuf_avail(b);
	const uint8_t *p = sbuf_ptr(b);

	*why = "unexpected filename";
	if (n == 0 || n > VFS_NAME_MAX || memchr(p, '/', n) != NULL || memchr(p, '\0', n) != NULL ||
	    (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
		return SGW_EBADNAME;
	memcpy(c->name, p, n);
	c->name[n] = '\0';
	return 0;
}

/* "C0644 SIZE NAME" or "D0755 0 NAME": exactly four octal digits. */
static int scpd_parse_entry(struct scpd_ctl *c, struct sbuf *b, const char **why)
{
	uint64_t size;
	uint8_t d;
	int r;

	*why = "bad mode";
	c->mode = 0;
	for (int i = 0; i < 4; i++) {
		if (sbuf_get_u8(b, &d) != 0 || d < '0' || d > '7')
			return SGW_EBADFORMAT;
		c->mode = (c->mode << 3) | (uint32_t)(d - '0');
	}
	if (scpd_expect(b, ' ') != 0)
		return SGW_EBADFORMAT;
	*why = "size out of range";
	if ((r = scpd_get_dec(b, SCPD_MAX_SIZE, &size)) != 0) {
		if (r == SGW_EBADFORMAT)
			*why = "size not delimited";
		return r;
	}
	*why = "size not delimited";
	if (scpd_expect(b, ' ') != 0)
		return SGW_EBADFORMAT;
	c->size = size;
	return scpd_parse_name(c, b, why);
}

int scpd_ctl_parse(const char *line, size_t len, struct scpd_ctl *c, const char **why)
{
	struct sbuf b;
	uint8_t t;

	memset(c, 0, sizeof(*c));
	*why = "expected control record";
	if (len >= SCPD_MAX_LINE)
		return SGW_ETOOBIG;
	sbuf_view(&b, line, len);
	if (sbuf_get_u8(&b, &t) != 0)
		return SGW_EBADFORMAT;
	c->type = (char)t;
	switch (t) {
	case 'T':
		return scpd_parse_time(c, &b, why);
	case 'C':
	case 'D':
		return scpd_parse_entry(c, &b, why);
	case 'E':
		return sbuf_expect_end(&b) == 0 ? 0 : SGW_EBADFORMAT;
	default:
		return SGW_EBADFORMAT;
	}
}

/* One letter of a "-rpt" cluster; false when it is not allowed. */
static bool scpd_opt_letter(struct scpd_opts *o, char l)
{
	switch (l) {
	case 'f': o->source = true; return true;
	case 't': o->sink = true; return true;
	case 'r': o->recursive = true; return true;
	case 'p': o->preserve = true; return true;
	case 'd': o->target_dir = true; return true;
	case 'v': o->verbose = true; return true;
	default: return false;
	}
}

int scpd_opts_parse(char **argv, struct scpd_opts *o, char *err, size_t errsz)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; argv[i] != NULL && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++)
			if (*p == '-' || !scpd_opt_letter(o, *p)) {
				if (*p == '-')
					snprintf(err, errsz, "unrecognized option '%s'", argv[i]);
				else
					snprintf(err, errsz, "invalid option -- '%c'", *p);
				return SGW_EUSAGE;
			}
	}
	o->args = argv + i;
	for (o->nargs = 0; o->args[o->nargs] != NULL; o->nargs++)
		;
	if (o->source == o->sink) {
		snprintf(err, errsz, "this gateway serves only scp -f or scp -t (use scp -O)");
		return SGW_EUSAGE;
	}
	if (o->nargs == 0 || (o->sink && o->nargs != 1)) {
		snprintf(err, errsz, o->nargs == 0 ? "missing path" : "ambiguous target");
		return SGW_EUSAGE;
	}
	return 0;
}
