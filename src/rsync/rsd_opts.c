/* rsd_opts.c — the server command line: `rsync --server [--sender] -FLAGS
 * [--long-options] . PATH...`. Every option the gateway does not implement is
 * refused before anything is transferred (RERR_SYNTAX), so a client never gets
 * a silently different transfer than it asked for.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsd_int.h"

static bool parse_num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

#define OFF(field) offsetof(struct rsd_opts, field)

/* Short flags: letter -> bool field (or a handler code). */
struct short_opt {
	char c;
	size_t off;
};
static const struct short_opt short_opts[] = {
	{ 's', OFF(secluded) },   { 'n', OFF(dry_run) },      { 'l', OFF(links) },
	{ 'r', OFF(recurse) },    { 'd', OFF(dirs) },         { 'o', OFF(owner) },
	{ 'g', OFF(group) },      { 'D', OFF(devices) },      { 't', OFF(times) },
	{ 'p', OFF(perms) },      { 'c', OFF(checksum) },     { 'z', OFF(compress) },
	{ 'W', OFF(whole_file) }, { 'I', OFF(ignore_times) }, { 'u', OFF(update) },
	{ 'O', OFF(omit_dir_times) }, { 'J', OFF(omit_link_times) },
	{ 'E', SIZE_MAX },        { 'q', SIZE_MAX },          { 'x', SIZE_MAX },
};

/* Long flags without a value. */
struct long_opt {
	const char *name;
	size_t off;     /* SIZE_MAX: accepted and ignored */
};
static const struct long_opt long_opts[] = {
	{ "server", SIZE_MAX },            { "sender", OFF(sender) },
	{ "delete", OFF(delete_mode) },    { "delete-before", OFF(delete_before) },
	{ "delete-during", OFF(delete_during) }, { "delete-after", OFF(delete_after) },
	{ "delete-delay", OFF(delete_delay) },   { "delete-excluded", OFF(delete_excluded) },
	{ "force", OFF(force) },           { "size-only", OFF(size_only) },
	{ "ignore-existing", OFF(ignore_existing) }, { "existing", OFF(existing) },
	{ "ignore-non-existing", OFF(existing) }, { "partial", OFF(partial) },
	{ "inplace", OFF(inplace) },       { "append", SIZE_MAX - 1 },
	{ "remove-source-files", OFF(remove_source) }, { "remove-sent-files", OFF(remove_source) },
	{ "numeric-ids", OFF(numeric_ids) }, { "stats", OFF(stats) },
	{ "new-compress", OFF(new_compress) }, { "old-compress", OFF(old_compress) },
	{ "list-only", OFF(list_only) },   { "mkpath", OFF(mkpath) },
	{ "msgs2stderr", SIZE_MAX },       { "no-msgs2stderr", SIZE_MAX },
	{ "no-W", SIZE_MAX },              { "no-whole-file", SIZE_MAX },
	{ "ignore-errors", SIZE_MAX },     { "safe-links", SIZE_MAX },
	{ "no-r", SIZE_MAX },              { "no-specials", SIZE_MAX },
	{ "specials", OFF(specials) },     { "open-noatime", SIZE_MAX },
	{ "no-implied-dirs", SIZE_MAX },   { "ignore-missing-args", SIZE_MAX },
};

static void set_flag(struct rsd_opts *o, size_t off)
{
	if (off == SIZE_MAX - 1) { /* --append; twice means --append-verify */
		o->append_count++;
		o->append = true;
		return;
	}
	if (off != SIZE_MAX)
		*(bool *)((char *)o + off) = true;
}

static int parse_short(struct rsd_opts *o, const char *s, char *why, size_t whysz)
{
	for (; *s; s++) {
		size_t i;

		if (*s == 'e') { /* the rest are the client's compatibility letters */
			snprintf(o->client_info, sizeof(o->client_info), "%s", s + 1);
			return 0;
		}
		if (*s == 'v') {
			o->verbose++;
			continue;
		}
		for (i = 0; i < sizeof(short_opts) / sizeof(short_opts[0]); i++)
			if (short_opts[i].c == *s)
				break;
		if (i == sizeof(short_opts) / sizeof(short_opts[0])) {
			snprintf(why, whysz, "-%c: option not supported by this gateway", *s);
			return -1;
		}
		set_flag(o, short_opts[i].off);
	}
	return 0;
}

/* Long options that carry a value ("--name=value"). */
static int parse_valued(struct rsd_opts *o, const char *name, const char *val, char *why, size_t whysz)
{
	long v;

	if (strcmp(name, "timeout") == 0 && parse_num(val, 0, 86400 * 7, &v)) {
		o->timeout = (int)v;
	} else if (strcmp(name, "bwlimit") == 0 || strcmp(name, "info") == 0 ||
	           strcmp(name, "debug") == 0 || strcmp(name, "log-format") == 0 ||
	           strcmp(name, "out-format") == 0 || strcmp(name, "max-alloc") == 0 ||
	           strcmp(name, "modify-window") == 0) {
		/* client-side or logging only */
	} else if (strcmp(name, "compress-level") == 0 && parse_num(val, -1, 9, &v)) {
		o->compress_level = (int)v;
	} else if (strcmp(name, "checksum-seed") == 0 && parse_num(val, INT_MIN, INT_MAX, &v)) {
		o->checksum_seed = (uint32_t)v;
	} else if ((strcmp(name, "checksum-choice") == 0 || strcmp(name, "cc") == 0) &&
	           (strcmp(val, "md5") == 0 || strcmp(val, "md5,md5") == 0)) {
		snprintf(o->checksum_choice, sizeof(o->checksum_choice), "md5");
	} else if ((strcmp(name, "checksum-choice") == 0 || strcmp(name, "cc") == 0) &&
	           (strcmp(val, "xxh128") == 0 || strcmp(val, "xxh128,xxh128") == 0)) {
		snprintf(o->checksum_choice, sizeof(o->checksum_choice), "xxh128");
	} else if ((strcmp(name, "compress-choice") == 0 || strcmp(name, "zc") == 0) &&
	           strcmp(val, "zlibx") == 0) {
		o->new_compress = true;
	} else if ((strcmp(name, "compress-choice") == 0 || strcmp(name, "zc") == 0) &&
	           strcmp(val, "zlib") == 0) {
		o->old_compress = true;
	} else if ((strcmp(name, "compress-choice") == 0 || strcmp(name, "zc") == 0) &&
	           strcmp(val, "none") == 0) {
		o->compress = false;
	} else if (strcmp(name, "block-size") == 0 && parse_num(val, RSD_BLOCK_MIN, RSD_BLOCK_MAX, &v)) {
		o->block_size = (int32_t)v;
	} else {
		snprintf(why, whysz, "--%s=%s: option or value not supported by this gateway", name, val);
		return -1;
	}
	return 0;
}

static int parse_long(struct rsd_opts *o, const char *arg, char *why, size_t whysz)
{
	char name[64];
	const char *eq = strchr(arg, '=');
	size_t nl = eq ? (size_t)(eq - arg) : strlen(arg);

	if (nl >= sizeof(name)) {
		snprintf(why, whysz, "--%.40s...: option not supported by this gateway", arg);
		return -1;
	}
	memcpy(name, arg, nl);
	name[nl] = '\0';
	if (eq != NULL)
		return parse_valued(o, name, eq + 1, why, whysz);
	for (size_t i = 0; i < sizeof(long_opts) / sizeof(long_opts[0]); i++) {
		if (strcmp(long_opts[i].name, name) == 0) {
			set_flag(o, long_opts[i].off);
			return 0;
		}
	}
	snprintf(why, whysz, "--%s: option not supported by this gateway", name);
	return -1;
}

/* Checks combinations after parsing. */
static int check(struct rsd_opts *o, char *why, size_t whysz)
{
	if (o->delete_before || o->delete_during || o->delete_after || o->delete_delay ||
	    o->delete_excluded)
		o->delete_mode = true;
	if (o->new_compress && o->old_compress) {
		snprintf(why, whysz, "--new-compress and --old-compress together");
		return -1;
	}
	if (o->new_compress || o->old_compress)
		o->compress = true;
	if (o->list_only && !o->sender) {
		snprintf(why, whysz, "--list-only needs --sender");
		return -1;
	}
	if (o->append_count > 1) {
		snprintf(why, whysz, "--append-verify: not supported by this gateway (use --append or -c)");
		return -1;
	}
	if (o->append && o->inplace)
		o->inplace = false;
	return 0;
}

int rsd_opts_parse(struct rsd_opts *o, char **argv, char *why, size_t whysz)
{
	int i;

	for (i = 1; argv[i] != NULL; i++) {
		const char *a = argv[i];

		if (o->saw_dot || a[0] != '-' || a[1] == '\0') {
			if (!o->saw_dot && strcmp(a, ".") == 0) {
				o->saw_dot = true;
				o->args = &argv[i + 1];
				continue;
			}
			if (!o->saw_dot) {
				snprintf(why, whysz, "unexpected argument before \".\": %.200s", a);
				return -1;
			}
			o->nargs++;
			continue;
		}
		if (a[1] == '-') {
			if (parse_long(o, a + 2, why, whysz) != 0)
				return -1;
		} else if (a[1] == 'B') { /* -B<size> as rsync's server_options() sends it */
			long v;

			if (!parse_num(a + 2, RSD_BLOCK_MIN, RSD_BLOCK_MAX, &v)) {
				snprintf(why, whysz, "%s: block size not supported", a);
				return -1;
			}
			o->block_size = (int32_t)v;
		} else if (parse_short(o, a + 1, why, whysz) != 0) {
			return -1;
		}
	}
	if (!o->saw_dot)
		o->args = &argv[i];
	return check(o, why, whysz);
}
