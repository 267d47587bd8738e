/* out.c — output, errors and argument helpers shared by the commands. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "sftpgw/err.h"
#include "sftpgw/store_admin.h"

#define ADMIN_CELL_MAX 512 /* characters of one table cell */

int admin_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("sftpgw-admin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return ADMIN_FAIL;
}

int admin_usage(const struct admin_cmd *cmd)
{
	fprintf(stderr, "usage: sftpgw-admin [--db FILE] [--json] %s%s%s %s\n       %s\n",
	        cmd->group ? cmd->group : "", cmd->group ? " " : "", cmd->verb,
	        cmd->usage ? cmd->usage : "", cmd->help);
	return ADMIN_USAGE;
}

json_t *admin_time(int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* The text of one value for people: yes/no, "-" for null, arrays joined by ", ". */
static void cell_text(json_t *v, char *out, size_t outsz)
{
	size_t i, used = 0;
	json_t *el;

	out[0] = '\0';
	switch (json_typeof(v)) {
	case JSON_STRING: snprintf(out, outsz, "%s", json_string_value(v)); break;
	case JSON_INTEGER: snprintf(out, outsz, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: snprintf(out, outsz, "%g", json_real_value(v)); break;
	case JSON_TRUE: snprintf(out, outsz, "yes"); break;
	case JSON_FALSE: snprintf(out, outsz, "no"); break;
	case JSON_ARRAY:
		json_array_foreach(v, i, el) {
			char part[ADMIN_CELL_MAX];

			cell_text(el, part, sizeof(part));
			used += (size_t)snprintf(out + used, outsz - used, "%s%s", i ? ", " : "", part);
			if (used >= outsz)
				break;
		}
		if (json_array_size(v) == 0)
			snprintf(out, outsz, "-");
		break;
	default: snprintf(out, outsz, "-"); break;
	}
}

static void print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

void admin_print_list(const struct admin_ctx *c, json_t *rows, const char *const *cols)
{
	size_t ncols = 0, w[32] = { 0 }, i;
	char cell[ADMIN_CELL_MAX];
	json_t *row;

	if (c->json) {
		print_json(rows);
		return;
	}
	while (cols[ncols] != NULL && ncols < 32)
		ncols++;
	for (size_t k = 0; k < ncols; k++)
		w[k] = strlen(cols[k]);
	json_array_foreach(rows, i, row)
		for (size_t k = 0; k < ncols; k++) {
			cell_text(json_object_get(row, cols[k]), cell, sizeof(cell));
			if (strlen(cell) > w[k])
				w[k] = strlen(cell);
		}
	for (size_t k = 0; k < ncols; k++) {
		for (const char *p = cols[k]; *p; p++)
			putchar(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		printf("%*s", k + 1 < ncols ? (int)(w[k] - strlen(cols[k]) + 2) : 0, "");
	}
	putchar('\n');
	json_array_foreach(rows, i, row) {
		for (size_t k = 0; k < ncols; k++) {
			cell_text(json_object_get(row, cols[k]), cell, sizeof(cell));
			if (k + 1 < ncols)
				printf("%-*s  ", (int)w[k], cell);
			else
				fputs(cell, stdout);
		}
		putchar('\n');
	}
}

void admin_print_obj(const struct admin_ctx *c, json_t *obj)
{
	char cell[ADMIN_CELL_MAX];
	const char *key;
	json_t *v, *el;
	size_t i;

	if (c->json) {
		print_json(obj);
		return;
	}
	json_object_foreach(obj, key, v) {
		if (!json_is_array(v) || json_array_size(v) == 0 || !json_is_object(json_array_get(v, 0))) {
			cell_text(v, cell, sizeof(cell));
			printf("%s: %s\n", key, cell);
			continue;
		}
		printf("%s:\n", key);
		json_array_foreach(v, i, el) {
			const char *k2;
			json_t *v2;

			fputs("  -", stdout);
			json_object_foreach(el, k2, v2) {
				cell_text(v2, cell, sizeof(cell));
				printf(" %s=%s", k2, cell);
			}
			putchar('\n');
		}
	}
}

int admin_args(struct admin_ctx *c, int argc, char **argv, const struct option *opts,
               const char **vals, int min, int max)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	int o, idx, nops;

	opterr = 0;
	optind = 0; /* GNU: full re-initialisation, argv changed */
	for (;;) {
		idx = -1;
		o = getopt_long(argc, argv, "", opts ? opts : none, &idx);
		if (o == -1)
			break;
		if (o == '?' || idx < 0) {
			admin_fail("unknown or incomplete option '%s'", argv[optind - 1]);
			return -1;
		}
		vals[idx] = optarg ? optarg : "";
	}
	nops = argc - optind;
	if (nops < min || nops > max) {
		admin_usage(c->cmd);
		return -1;
	}
	return optind;
}

static int read_all(int fd, char *buf, size_t n, size_t *got)
{
	ssize_t r;

	*got = 0;
	while (*got < n) {
		r = read(fd, buf + *got, n - *got);
		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		*got += (size_t)r;
	}
	return 0;
}

/* Standard input has no size up front: read up to max + 1 to notice excess. */
static int read_stdin(size_t max, char **out, size_t *len)
{
	char *buf = malloc(max + 2);
	int rc;

	if (buf == NULL)
		return -ENOMEM;
	if ((rc = read_all(STDIN_FILENO, buf, max + 1, len)) == 0 && *len > max)
		rc = -EFBIG;
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[*len] = '\0';
	*out = buf;
	return 0;
}

int admin_read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct stat sb;
	char *buf = NULL;
	int rc = 0, fd;

	if (strcmp(path, "-") == 0)
		return read_stdin(max, out, len);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &sb) < 0)
		rc = -errno;
	else if (S_ISDIR(sb.st_mode))
		rc = -EISDIR;
	else if (!S_ISREG(sb.st_mode))
		rc = -EINVAL;
	else if ((size_t)sb.st_size > max)
		rc = -EFBIG;
	else if ((buf = malloc((size_t)sb.st_size + 1)) == NULL)
		rc = -ENOMEM;
	else
		rc = read_all(fd, buf, (size_t)sb.st_size, len);
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[*len] = '\0';
	*out = buf;
	return 0;
}

int admin_store_fail(struct admin_ctx *c, int rc, const char *doing)
{
	return admin_fail("%s: %s (%s)", doing, sgw_strerror(rc), store_errmsg(c->st));
}

int admin_env_find(struct admin_ctx *c, const char *name, struct store_env *out)
{
	int rc = store_env_get(c->st, name, out);

	if (rc == SGW_ENOTFOUND)
		return admin_fail("no environment '%s' (see: sftpgw-admin env list)", name);
	return rc < 0 ? admin_store_fail(c, rc, "looking up the environment") : ADMIN_OK;
}

int admin_user_find(struct admin_ctx *c, const char *name, int64_t *id)
{
	int rc = store_user_id(c->st, name, id);

	if (rc == SGW_ENOTFOUND)
		return admin_fail("no user '%s' (see: sftpgw-admin user list)", name);
	return rc < 0 ? admin_store_fail(c, rc, "looking up the user") : ADMIN_OK;
}
