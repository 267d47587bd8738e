/* config.c — "key = value" configuration file and flag settings (see config.h). */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sftpgw/config.h"
#include "sftpgw/err.h"

void config_defaults(struct sgw_config *c)
{
	memset(c, 0, sizeof(*c));
	c->workers = 0;
	c->max_auth_tries = 6;
	c->login_grace_time = 30;
	c->max_unauth = 4096;
	c->max_unauth_per_source = 256;
	c->max_sessions = 20000;
	c->max_sessions_per_user = 100;
	c->shutdown_timeout = 30;
	c->log_level = 2;
	c->cert_max_ttl = 24 * 3600;
	c->cert_skew = 0;
	c->node_connect_timeout = 10;
}

static int parse_int(const char *v, int lo, int hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
		return -EINVAL;
	*out = (int)n;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int set_str(char **dst, const char *v)
{
	char *s = strdup(v);

	if (s == NULL)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int set_level(struct sgw_config *c, const char *v)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	for (int i = 0; i < 4; i++)
		if (!strcasecmp(v, names[i])) {
			c->log_level = i;
			return 0;
		}
	return -EINVAL;
}

struct config_int {
	const char *key;
	size_t off;
	int lo, hi;
};

#define CI(k, f, lo, hi) { k, offsetof(struct sgw_config, f), lo, hi }
static const struct config_int config_ints[] = {
	CI("workers", workers, 0, 256),
	CI("max_auth_tries", max_auth_tries, 1, 100),
	CI("login_grace_time", login_grace_time, 1, 3600),
	CI("max_unauthenticated", max_unauth, 1, 1000000),
	CI("max_unauthenticated_per_source", max_unauth_per_source, 1, 1000000),
	CI("max_sessions", max_sessions, 1, 10000000),
	CI("max_sessions_per_user", max_sessions_per_user, 1, 1000000),
	CI("shutdown_timeout", shutdown_timeout, 0, 86400),
	CI("cert_max_ttl", cert_max_ttl, 60, 366 * 86400),
	CI("cert_clock_skew", cert_skew, 0, 3600),
	CI("node_connect_timeout", node_connect_timeout, 1, 600),
};

int config_set(struct sgw_config *c, const char *key, const char *v, char *err, size_t errsz)
{
	int r = -EINVAL;

	for (size_t i = 0; i < sizeof(config_ints) / sizeof(config_ints[0]); i++) {
		const struct config_int *ci = &config_ints[i];
		if (strcmp(key, ci->key) != 0)
			continue;
		r = parse_int(v, ci->lo, ci->hi, (int *)(void *)((char *)c + ci->off));
		if (r != 0)
			snprintf(err, errsz, "%s: expected a number from %d to %d, got \"%s\"", key, ci->lo,
			         ci->hi, v);
		return r;
	}
	if (!strcmp(key, "db"))
		r = set_str(&c->db_path, v);
	else if (!strcmp(key, "state_dir"))
		r = set_str(&c->state_dir, v);
	else if (!strcmp(key, "ready_file"))
		r = set_str(&c->ready_file, v);
	else if (!strcmp(key, "listen")) {
		if (c->n_listen >= CONFIG_MAX_LISTEN) {
			snprintf(err, errsz, "listen: at most %d addresses", CONFIG_MAX_LISTEN);
			return SGW_ETOOBIG;
		}
		c->listen[c->n_listen] = NULL;
		if ((r = set_str(&c->listen[c->n_listen], v)) == 0)
			c->n_listen++;
	} else if (!strcmp(key, "log_level")) {
		if ((r = set_level(c, v)) != 0)
			snprintf(err, errsz, "log_level: expected error, warn, info or debug");
	} else if (!strcmp(key, "cert_disconnect_expired")) {
		if ((r = parse_bool(v, &c->cert_disconnect_expired)) != 0)
			snprintf(err, errsz, "%s: expected yes or no", key);
	} else {
		snprintf(err, errsz, "unknown setting \"%s\"", key);
		return SGW_EUSAGE;
	}
	return r;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int config_load(struct sgw_config *c, const char *path, char *err, size_t errsz)
{
	char line[4096], msg[512];
	int lineno = 0, r = 0;
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = trim(line), *eq;
		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			snprintf(err, errsz, "%s:%d: expected \"key = value\"", path, lineno);
			r = SGW_EUSAGE;
			break;
		}
		*eq = '\0';
		if ((r = config_set(c, trim(s), trim(eq + 1), msg, sizeof(msg))) != 0) {
			snprintf(err, errsz, "%s:%d: %s", path, lineno, msg);
			break;
		}
	}
	fclose(f);
	return r;
}

char *config_state_dir(const struct sgw_config *c)
{
	const char *db = c->db_path ? c->db_path : CONFIG_DEFAULT_DB;
	const char *slash;

	if (c->state_dir != NULL)
		return strdup(c->state_dir);
	slash = strrchr(db, '/');
	if (slash == NULL)
		return strdup(".");
	if (slash == db)
		return strdup("/");
	return strndup(db, (size_t)(slash - db));
}

void config_free(struct sgw_config *c)
{
	free(c->db_path);
	free(c->state_dir);
	free(c->ready_file);
	for (int i = 0; i < c->n_listen; i++)
		free(c->listen[i]);
	memset(c, 0, sizeof(*c));
}
