/* scpd.h — shared by the files of src/scp only. */
#ifndef SCPD_INTERNAL_H
#define SCPD_INTERNAL_H

#include "sftpgw/scpd.h"
#include "sftpgw/xjob.h"

#define SCPD_RD_BUF (64 * 1024) /* buffered client input for control lines */

/* One transfer: options, and the state the protocol functions share. */
struct scpd {
	struct xjob *j;
	struct scpd_opts o;
	char **argv;                /* owned copy of the operands */
	uint8_t *chunk;             /* SCPD_CHUNK bytes for file data */
	uint8_t rd[SCPD_RD_BUF];    /* client input not yet parsed */
	size_t rd_off, rd_len;
	int errs;                   /* errors reported; exit status 1 when > 0 */
	bool fatal;                 /* the peer is gone or broke the protocol */
	bool eof;                   /* the client's input ended (not an abort) */
};

/* Reads one byte of client input: 0..255, or -1 at EOF / abort (sets fatal). */
int scpd__getc(struct scpd *s);
/* Reads exactly n bytes of client input; negative at EOF / abort. */
int scpd__read(struct scpd *s, void *buf, size_t n);
/* The peer's answer: 0 ok, -1 error reported (go on), -2 fatal. */
int scpd__response(struct scpd *s);
/* Sends bytes to the client; negative when the channel is gone. */
int scpd__send(struct scpd *s, const void *p, size_t n);
/* Sends "\1scp: MESSAGE\n" (an error the client prints) and counts it. */
void scpd__err(struct scpd *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Display form of a child: "dir/name" (no doubled '/'). */
void scpd__join(char *out, size_t outsz, const char *dir, const char *name);

/* scp -f PATH...: sends files (scpd_source.c). */
void scpd__source(struct scpd *s);
/* scp -t TARGET: receives files (scpd_sink.c). */
void scpd__sink(struct scpd *s);

#endif
