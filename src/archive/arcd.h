/* arcd.h — shared by the tar files of src/archive only. */
#ifndef ARCD_INTERNAL_H
#define ARCD_INTERNAL_H

#include "sftpgw/arcd.h"
#include "sftpgw/xjob.h"

/* A directory of tar -x whose times are set once its members are in (as GNU
 * tar does): creating an entry inside it would move its mtime again. */
struct arcd_dirtime {
	char *vpath;
	int64_t atime, mtime;
};

struct arcd {
	struct xjob *j;
	struct arcd_opts o;
	unsigned char *chunk;        /* ARCD_CHUNK bytes */
	int errs;                    /* member errors: exit status 2 at the end */
	struct arcd_dirtime dt[ARCD_MAX_DEPTH]; /* open directories, outermost first */
	int ndt;
};

/* tar -c: writes the archive to the channel; returns the exit status. */
int arcd__create(struct arcd *t);
/* tar -x / -t: reads the archive from the channel; returns the exit status. */
int arcd__extract(struct arcd *t);
/* Reports one member's problem the way GNU tar does ("tar: NAME: WHAT: ERR"). */
void arcd__warn(struct arcd *t, const char *name, const char *what, int err);

#endif
