/* arcd.c — the tar channel kind: options, then one threadpool job that runs
 * libarchive over the job's bounded rings (see xjob.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arcd.h"
#include "sftpgw/err.h"
#include "sftpgw/kinds.h"

void arcd__warn(struct arcd *t, const char *name, const char *what, int err)
{
	t->errs++;
	if (what != NULL)
		xjob_errorf(t->j, "tar: %s: %s: %s\n", name, what, sgw_strerror(err));
	else
		xjob_errorf(t->j, "tar: %s: %s\n", name, sgw_strerror(err));
}

static void arcd_free(void *arg)
{
	struct arcd *t = arg;

	if (t == NULL)
		return;
	arcd_opts_free(&t->o);
	for (int i = 0; i < t->ndt; i++)
		free(t->dt[i].vpath);
	free(t->chunk);
	free(t);
}

static int arcd_job_cb(struct xjob *j, void *arg)
{
	struct arcd *t = arg;
	int st;

	t->j = j;
	st = t->o.mode == ARCD_CREATE ? arcd__create(t) : arcd__extract(t);
	if (st == 0 && t->errs > 0) {
		xjob_errorf(j, "tar: Exiting with failure status due to previous errors\n");
		st = ARCD_USAGE_STATUS;
	}
	return st;
}

static int arcd_start(struct chan *ch, char **argv)
{
	struct arcd *t = calloc(1, sizeof(*t));
	char err[512];
	int r;

	if (t == NULL || (t->chunk = malloc(ARCD_CHUNK)) == NULL) {
		free(t);
		chan_errorf(ch, "tar: out of memory\n");
		chan_exit(ch, ARCD_USAGE_STATUS);
		return -ENOMEM;
	}
	if ((r = arcd_opts_parse(argv, &t->o, err, sizeof(err))) != 0) {
		arcd_free(t);
		chan_errorf(ch, "tar: %s\n", err);
		chan_exit(ch, ARCD_USAGE_STATUS);
		return r;
	}
	if ((r = xjob_start(ch, arcd_job_cb, t, arcd_free)) != 0) {
		arcd_free(t);
		chan_errorf(ch, "tar: %s\n", r == SGW_ELIMIT ?
		            "too many transfers on this gateway, try again later" : sgw_strerror(r));
		chan_exit(ch, ARCD_USAGE_STATUS);
		return r;
	}
	return 0;
}

static void arcd_close(struct chan *ch)
{
	xjob_on_close(ch);
}

const struct chan_kind arcd_kind = {
	.name = "tar",
	.start = arcd_start,
	.input = xjob_on_input,
	.writable = xjob_on_writable,
	.eof = xjob_on_eof,
	.close = arcd_close,
};
