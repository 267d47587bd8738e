/* scpd.c — the scp channel kind: options, then one threadpool job that speaks
 * the protocol (source or sink) through the job's bounded rings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scpd.h"
#include "sftpgw/err.h"
#include "sftpgw/kinds.h"
#include "sftpgw/log.h"

int scpd__getc(struct scpd *s)
{
	if (s->rd_off == s->rd_len) {
		ssize_t n = s->fatal ? -1 : xjob_read(s->j, s->rd, sizeof(s->rd));

		if (n <= 0) {
			s->eof = n == 0;
			s->fatal = true;
			return -1;
		}
		s->rd_off = 0;
		s->rd_len = (size_t)n;
	}
	return s->rd[s->rd_off++];
}

int scpd__read(struct scpd *s, void *buf, size_t n)
{
	size_t have = s->rd_len - s->rd_off;
	int r;

	if (have > n)
		have = n;
	memcpy(buf, s->rd + s->rd_off, have);
	s->rd_off += have;
	if (have == n)
		return 0;
	if (s->fatal || (r = xjob_read_full(s->j, (uint8_t *)buf + have, n - have)) != 0) {
		s->fatal = true;
		return -1;
	}
	return 0;
}

int scpd__send(struct scpd *s, const void *p, size_t n)
{
	if (s->fatal || xjob_write(s->j, p, n) != 0) {
		s->fatal = true;
		return -1;
	}
	return 0;
}

void scpd__err(struct scpd *s, const char *fmt, ...)
{
	char msg[SCPD_MAX_LINE];
	va_list ap;
	int n;

	msg[0] = '\1';
	memcpy(msg + 1, "scp: ", 5);
	va_start(ap, fmt);
	n = vsnprintf(msg + 6, sizeof(msg) - 7, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	n += 6;
	if ((size_t)n > sizeof(msg) - 2)
		n = (int)sizeof(msg) - 2;
	/* a newline inside would end the message early and desync the peer */
	for (int i = 1; i < n; i++)
		if (msg[i] == '\n')
			msg[i] = '?';
	msg[n++] = '\n';
	s->errs++;
	scpd__send(s, msg, (size_t)n);
	if (s->o.verbose)
		log_info("scp: %.*s", n - 7, msg + 6);
}

void scpd__join(char *out, size_t outsz, const char *dir, const char *name)
{
	size_t dl = strlen(dir);

	if (dl > 0 && dir[dl - 1] == '/')
		snprintf(out, outsz, "%s%s", dir, name);
	else
		snprintf(out, outsz, "%s/%s", dir, name);
}

int scpd__response(struct scpd *s)
{
	struct scpd_line l = { .len = 0 };
	int c = scpd__getc(s), r;

	if (c == 0)
		return 0;
	if (c < 0)
		return -2;
	if (c != 1 && c != 2) {
		s->fatal = true;
		return -2;
	}
	do {
		int b = scpd__getc(s);
		if (b < 0)
			return -2;
		r = scpd_line_feed(&l, (uint8_t)b);
	} while (r == 0);
	s->errs++;
	if (c == 2 || r < 0) {
		s->fatal = true;
		return -2;
	}
	return -1;
}

static void scpd_free(void *arg)
{
	struct scpd *s = arg;

	if (s == NULL)
		return;
	for (int i = 0; s->argv != NULL && i < s->o.nargs; i++)
		free(s->argv[i]);
	free(s->argv);
	free(s->chunk);
	free(s);
}

static int scpd_job_cb(struct xjob *j, void *arg)
{
	struct scpd *s = arg;

	s->j = j;
	if (s->o.source)
		scpd__source(s);
	else
		scpd__sink(s);
	return s->errs > 0 || s->fatal ? 1 : 0;
}

/* Keeps our own copy of the operands: the channel's argv is the core's. */
static int scpd_copy_args(struct scpd *s)
{
	if ((s->argv = calloc((size_t)s->o.nargs + 1, sizeof(char *))) == NULL)
		return -ENOMEM;
	for (int i = 0; i < s->o.nargs; i++)
		if ((s->argv[i] = strdup(s->o.args[i])) == NULL)
			return -ENOMEM;
	s->o.args = s->argv;
	return 0;
}

static int scpd_start(struct chan *ch, char **argv)
{
	struct scpd *s = calloc(1, sizeof(*s));
	char err[256];
	int r;

	if (s == NULL || (s->chunk = malloc(SCPD_CHUNK)) == NULL) {
		free(s);
		chan_errorf(ch, "scp: out of memory\n");
		chan_exit(ch, 1);
		return -ENOMEM;
	}
	if ((r = scpd_opts_parse(argv, &s->o, err, sizeof(err))) != 0) {
		s->o.nargs = 0;
		scpd_free(s);
		chan_errorf(ch, "scp: %s\nusage: scp -O [-prv] source ... target\n", err);
		chan_exit(ch, 1);
		return r;
	}
	if ((r = scpd_copy_args(s)) != 0 || (r = xjob_start(ch, scpd_job_cb, s, scpd_free)) != 0) {
		scpd_free(s);
		chan_errorf(ch, "scp: %s\n", r == SGW_ELIMIT ?
		            "too many transfers on this gateway, try again later" : sgw_strerror(r));
		chan_exit(ch, 1);
		return r;
	}
	return 0;
}

static void scpd_close(struct chan *ch)
{
	xjob_on_close(ch);
}

const struct chan_kind scpd_kind = {
	.name = "scp",
	.start = scpd_start,
	.input = xjob_on_input,
	.writable = xjob_on_writable,
	.eof = xjob_on_eof,
	.close = scpd_close,
};
