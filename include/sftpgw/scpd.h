/* scpd.h — the legacy SCP protocol (scp -O), source (-f) and sink (-t).
 *
 * The protocol as OpenSSH's scp speaks it: control lines "C0644 SIZE NAME",
 * "D0755 0 NAME", "E", "T MTIME 0 ATIME 0", each ended by '\n' and answered
 * with one byte: 0 (ok), 1 + message line (error, go on), 2 + line (fatal).
 * The functions here are pure (no I/O) so the limits can be unit-tested.
 */
#ifndef SFTPGW_SCPD_H
#define SFTPGW_SCPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sftpgw/vfs.h"

#define SCPD_MAX_LINE 1024                /* control line, '\n' included */
#define SCPD_MAX_SIZE (1ULL << 42)        /* largest file in a C line (4 TiB) */
#define SCPD_MAX_TIME 253402300799LL      /* latest time in a T line (9999-12-31) */
#define SCPD_MAX_DEPTH 64                 /* nested directories in one transfer */
#define SCPD_MAX_GLOB 10000               /* matches of one wildcard operand */
#define SCPD_CHUNK (256 * 1024)           /* file bytes per read or write */
#define SCPD_UMASK 022                    /* new files without -p, as a login shell's umask */

struct scpd_ctl {
	char type;                  /* 'C', 'D', 'E' or 'T' */
	uint32_t mode;              /* C, D: permission bits (07777) */
	uint64_t size;              /* C */
	int64_t mtime, atime;       /* T */
	uint32_t mtime_us, atime_us;
	char name[VFS_NAME_MAX + 1];/* C, D: one path component */
};

/* Collects a control line one byte at a time. */
struct scpd_line {
	char buf[SCPD_MAX_LINE];
	size_t len;                 /* bytes before the '\n' */
};

/* Adds one byte: 1 when the '\n' completed the line, 0 for more, SGW_ETOOBIG
 * when SCPD_MAX_LINE bytes passed without a '\n'. */
int scpd_line_feed(struct scpd_line *l, uint8_t byte);
/* Parses one control line (without its '\n'). SGW_EBADFORMAT (syntax),
 * SGW_ETOOBIG (size or time out of range) or SGW_EBADNAME (empty name, '/',
 * "." or "..", NUL, longer than VFS_NAME_MAX); *why names the problem. */
int scpd_ctl_parse(const char *line, size_t len, struct scpd_ctl *c, const char **why);

struct scpd_opts {
	bool source, sink;          /* -f, -t */
	bool recursive, preserve;   /* -r, -p */
	bool target_dir, verbose;   /* -d, -v */
	int nargs;
	char **args;                /* points into argv */
};

/* Parses "scp [-dfprtv] [--] path...": SGW_EUSAGE with a message (without
 * "scp: " and newline) in err for options off the allow-list or bad use. */
int scpd_opts_parse(char **argv, struct scpd_opts *o, char *err, size_t errsz);

#endif
