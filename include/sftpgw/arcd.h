/* arcd.h — the tar command: options (pure, unit-tested) and the stream jobs.
 *
 * Understands what GNU tar users type for a stream over SSH: a mode (-c, -x,
 * -t), -C DIR (repeatable, in order), -z/-J/--zstd, -f - (only the channel),
 * -v, --exclude=PATTERN, old-style first words ("czf - dir"), clustered flags
 * ("-czf -"), long options with "=" or a separate value, and member names
 * selecting what -x/-t take. Anything else is refused with GNU tar's wording
 * and exit status 2.
 */
#ifndef SFTPGW_ARCD_H
#define SFTPGW_ARCD_H

#include <stdbool.h>
#include <stddef.h>

#include "sftpgw/vfs.h"

#define ARCD_MAX_OPERANDS 4096       /* paths in one command */
#define ARCD_MAX_EXCLUDES 256        /* --exclude patterns in one command */
#define ARCD_MAX_DEPTH 128           /* directory levels walked below an operand (tar -c) */
#define ARCD_CHUNK (256 * 1024)      /* file bytes per read or write */
#define ARCD_USAGE_STATUS 2          /* GNU tar's status for usage and fatal errors */

enum arcd_mode { ARCD_NONE, ARCD_CREATE, ARCD_EXTRACT, ARCD_LIST };
enum arcd_comp { ARCD_COMP_NONE, ARCD_COMP_GZIP, ARCD_COMP_XZ, ARCD_COMP_ZSTD };

struct arcd_operand {
	char *path;                  /* as given */
	char *dir;                   /* virtual dir from the -C options before it */
	bool matched;                /* -x/-t: some member was selected by it */
};

struct arcd_opts {
	enum arcd_mode mode;
	enum arcd_comp comp;
	bool verbose;
	bool same_perms;             /* -p: modes as stored, without the umask */
	char *dir;                   /* virtual dir from all -C options ("/" by default) */
	size_t n;
	struct arcd_operand *ops;
	size_t nexcl;
	char **excl;                 /* --exclude patterns */
};

/* Parses argv (argv[0] "tar"). 0, or SGW_EUSAGE / SGW_ETOOBIG with GNU tar's
 * message (without "tar: " and newline) in err. Free with arcd_opts_free. */
int arcd_opts_parse(char **argv, struct arcd_opts *o, char *err, size_t errsz);
void arcd_opts_free(struct arcd_opts *o);
/* GNU tar's default --exclude matching: a pattern (shell wildcards, '*'
 * matching '/' too) excludes a member whose name, or any part of it after a
 * '/', matches it, and everything below such a name. */
bool arcd_excluded(const struct arcd_opts *o, const char *name);
/* -x/-t: true when no member names were given, or when name is one of them or
 * lies below one ("./" prefixes and trailing '/' ignored); marks the operand. */
bool arcd_selected(struct arcd_opts *o, const char *name);

#endif
