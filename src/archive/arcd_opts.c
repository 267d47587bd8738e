/* arcd_opts.c — tar's command line, as GNU tar reads it, against an
 * allow-list: a table of the options a stream over SSH needs, nothing else.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sftpgw/arcd.h"
#include "sftpgw/err.h"

enum arcd_act { A_MODE, A_COMP, A_VERBOSE, A_PERMS, A_IGNORE, A_FILE, A_DIR, A_EXCLUDE };

struct arcd_opt {
	char letter;       /* 0: long form only */
	const char *name;  /* long form */
	enum arcd_act act;
	int val;           /* mode or compression */
};

static const struct arcd_opt arcd_opt_table[] = {
	{ 'c', "create", A_MODE, ARCD_CREATE },
	{ 'x', "extract", A_MODE, ARCD_EXTRACT },
	{ 0, "get", A_MODE, ARCD_EXTRACT },
	{ 't', "list", A_MODE, ARCD_LIST },
	{ 'v', "verbose", A_VERBOSE, 0 },
	{ 'z', "gzip", A_COMP, ARCD_COMP_GZIP },
	{ 0, "gunzip", A_COMP, ARCD_COMP_GZIP },
	{ 0, "ungzip", A_COMP, ARCD_COMP_GZIP },
	{ 'J', "xz", A_COMP, ARCD_COMP_XZ },
	{ 0, "zstd", A_COMP, ARCD_COMP_ZSTD },
	{ 'f', "file", A_FILE, 0 },
	{ 'C', "directory", A_DIR, 0 },
	{ 0, "exclude", A_EXCLUDE, 0 },
	{ 'p', "preserve-permissions", A_PERMS, 0 },
	{ 0, "same-permissions", A_PERMS, 0 },
	/* ownership is never changed by the gateway: these only confirm it */
	{ 'o', "no-same-owner", A_IGNORE, 0 },
	{ 0, "no-same-permissions", A_IGNORE, 0 },
	{ 0, NULL, A_IGNORE, 0 },
};

static const char arcd_try[] = "\nTry 'tar --help' or 'tar --usage' for more information.";

static const struct arcd_opt *arcd_opt_letter(char l)
{
	for (const struct arcd_opt *o = arcd_opt_table; o->name != NULL; o++)
		if (o->letter == l && l != 0)
			return o;
	return NULL;
}

static const struct arcd_opt *arcd_opt_long(const char *name, size_t len)
{
	for (const struct arcd_opt *o = arcd_opt_table; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static bool arcd_takes_arg(const struct arcd_opt *o)
{
	return o->act == A_FILE || o->act == A_DIR || o->act == A_EXCLUDE;
}

static int arcd_add_exclude(struct arcd_opts *o, const char *pat, char *err, size_t errsz)
{
	if (o->nexcl >= ARCD_MAX_EXCLUDES) {
		snprintf(err, errsz, "too many --exclude patterns (at most %d)", ARCD_MAX_EXCLUDES);
		return SGW_ETOOBIG;
	}
	if (o->excl == NULL && (o->excl = calloc(ARCD_MAX_EXCLUDES, sizeof(*o->excl))) == NULL)
		return -ENOMEM;
	if ((o->excl[o->nexcl] = strdup(pat)) == NULL)
		return -ENOMEM;
	o->nexcl++;
	return 0;
}

/* Applies one option (with its value for -f/-C/--exclude). */
static int arcd_apply(struct arcd_opts *o, const struct arcd_opt *opt, const char *val,
                      char *err, size_t errsz)
{
	char dir[VFS_PATH_MAX];

	switch (opt->act) {
	case A_MODE:
		if (o->mode != ARCD_NONE && o->mode != (enum arcd_mode)opt->val) {
			snprintf(err, errsz, "You may not specify more than one '-Acdtrux', '--delete' "
			         "or  '--test-label' option%s", arcd_try);
			return SGW_EUSAGE;
		}
		o->mode = (enum arcd_mode)opt->val;
		return 0;
	case A_COMP:
		o->comp = (enum arcd_comp)opt->val;
		return 0;
	case A_VERBOSE:
		o->verbose = true;
		return 0;
	case A_PERMS:
		o->same_perms = true;
		return 0;
	case A_IGNORE:
		return 0;
	case A_FILE:
		if (strcmp(val, "-") != 0) {
			snprintf(err, errsz, "%s: only '-f -' (the SSH channel) is supported on this "
			         "gateway", val);
			return SGW_EUSAGE;
		}
		return 0;
	case A_DIR:
		if (val[0] == '\0' || vfs_path_normalize(o->dir, val, dir, sizeof(dir)) != 0) {
			snprintf(err, errsz, "%s: Cannot open directory", val);
			return SGW_EUSAGE;
		}
		free(o->dir);
		return (o->dir = strdup(dir)) ? 0 : -ENOMEM;
	case A_EXCLUDE:
		return arcd_add_exclude(o, val, err, errsz);
	}
	return 0;
}

static int arcd_add_operand(struct arcd_opts *o, const char *path, char *err, size_t errsz)
{
	if (o->n >= ARCD_MAX_OPERANDS) {
		snprintf(err, errsz, "too many operands (at most %d)", ARCD_MAX_OPERANDS);
		return SGW_ETOOBIG;
	}
	if (o->ops == NULL && (o->ops = calloc(ARCD_MAX_OPERANDS, sizeof(*o->ops))) == NULL)
		return -ENOMEM;
	o->ops[o->n].path = strdup(path);
	o->ops[o->n].dir = strdup(o->dir);
	if (o->ops[o->n].path == NULL || o->ops[o->n].dir == NULL)
		return -ENOMEM;
	o->n++;
	return 0;
}

/* "--name", "--name=value" or "--name value"; *i moves past a used value. */
static int arcd_parse_long(struct arcd_opts *o, char **argv, int *i, char *err, size_t errsz)
{
	const char *a = argv[*i] + 2, *eq = strchr(a, '=');
	const struct arcd_opt *opt = arcd_opt_long(a, eq ? (size_t)(eq - a) : strlen(a));
	const char *val = NULL;

	if (opt == NULL || (eq != NULL && !arcd_takes_arg(opt))) {
		snprintf(err, errsz, "unrecognized option '%s'%s", argv[*i], arcd_try);
		return SGW_EUSAGE;
	}
	if (arcd_takes_arg(opt)) {
		val = eq ? eq + 1 : argv[*i + 1];
		if (val == NULL) {
			snprintf(err, errsz, "option '--%s' requires an argument%s", opt->name, arcd_try);
			return SGW_EUSAGE;
		}
		if (eq == NULL)
			(*i)++;
	}
	return arcd_apply(o, opt, val, err, errsz);
}

/* Letters of one cluster; values come from the cluster's rest (dash form)
 * or from the following words (old style). *next is the next unused word. */
static int arcd_parse_letters(struct arcd_opts *o, const char *letters, bool old_style,
                              char **argv, int *next, char *err, size_t errsz)
{
	for (const char *p = letters; *p; p++) {
		const struct arcd_opt *opt = arcd_opt_letter(*p);
		const char *val = NULL;
		int r;

		if (opt == NULL) {
			snprintf(err, errsz, "invalid option -- '%c'%s", *p, arcd_try);
			return SGW_EUSAGE;
		}
		if (arcd_takes_arg(opt)) {
			if (!old_style && p[1] != '\0')
				val = p + 1;
			else if ((val = argv[*next]) != NULL)
				(*next)++;
			if (val == NULL) {
				snprintf(err, errsz, "option requires an argument -- '%c'%s", *p, arcd_try);
				return SGW_EUSAGE;
			}
		}
		if ((r = arcd_apply(o, opt, val, err, errsz)) != 0)
			return r;
		if (val != NULL && val == p + 1)
			break;
	}
	return 0;
}

static int arcd_check(struct arcd_opts *o, char *err, size_t errsz)
{
	if (o->mode == ARCD_NONE) {
		snprintf(err, errsz, "You must specify one of the '-Acdtrux', '--delete' or "
		         "'--test-label' options%s", arcd_try);
		return SGW_EUSAGE;
	}
	if (o->mode == ARCD_CREATE && o->n == 0) {
		snprintf(err, errsz, "Cowardly refusing to create an empty archive%s", arcd_try);
		return SGW_EUSAGE;
	}
	return 0;
}

int arcd_opts_parse(char **argv, struct arcd_opts *o, char *err, size_t errsz)
{
	bool dashdash = false;
	int i = 1, r = 0;

	memset(o, 0, sizeof(*o));
	if ((o->dir = strdup("/")) == NULL)
		return -ENOMEM;
	if (argv[1] != NULL && argv[1][0] != '-') { /* old style: "tar czf - dir" */
		i = 2;
		r = arcd_parse_letters(o, argv[1], true, argv, &i, err, errsz);
	}
	for (; r == 0 && argv[i] != NULL; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			r = arcd_add_operand(o, a, err, errsz);
		} else if (strcmp(a, "--") == 0) {
			dashdash = true;
		} else if (a[1] == '-') {
			r = arcd_parse_long(o, argv, &i, err, errsz);
		} else {
			int next = i + 1;
			r = arcd_parse_letters(o, a + 1, false, argv, &next, err, errsz);
			i = next - 1;
		}
	}
	if (r == 0)
		r = arcd_check(o, err, errsz);
	if (r == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	return r;
}

void arcd_opts_free(struct arcd_opts *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->ops[i].path);
		free(o->ops[i].dir);
	}
	if (o->ops != NULL && o->n < ARCD_MAX_OPERANDS && o->ops[o->n].path != NULL)
		free(o->ops[o->n].path); /* a half-added operand */
	if (o->ops != NULL && o->n < ARCD_MAX_OPERANDS)
		free(o->ops[o->n].dir);
	free(o->ops);
	for (size_t i = 0; i < o->nexcl; i++)
		free(o->excl[i]);
	free(o->excl);
	free(o->dir);
	memset(o, 0, sizeof(*o));
}

/* A member or operand name without "./" prefixes and trailing '/': its length. */
static size_t arcd_name_trim(const char **name)
{
	const char *p = *name;
	size_t l;

	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	l = strlen(p);
	while (l > 1 && p[l - 1] == '/')
		l--;
	*name = p;
	return l;
}

bool arcd_excluded(const struct arcd_opts *o, const char *name)
{
	char buf[VFS_PATH_MAX];
	size_t l;

	if (o->nexcl == 0)
		return false;
	l = arcd_name_trim(&name);
	if (l >= sizeof(buf))
		return false;
	memcpy(buf, name, l);
	buf[l] = '\0';
	for (const char *p = buf;; p++) {
		for (size_t i = 0; i < o->nexcl; i++)
			if (fnmatch(o->excl[i], p, FNM_LEADING_DIR) == 0)
				return true;
		if ((p = strchr(p, '/')) == NULL)
			return false;
	}
}

bool arcd_selected(struct arcd_opts *o, const char *name)
{
	size_t nl = arcd_name_trim(&name);
	bool hit = o->n == 0;

	for (size_t i = 0; i < o->n; i++) {
		const char *op = o->ops[i].path;
		size_t ol = arcd_name_trim(&op);

		if (nl >= ol && strncmp(name, op, ol) == 0 && (nl == ol || name[ol] == '/')) {
			o->ops[i].matched = true;
			hit = true;
		}
	}
	return hit;
}
