/* main.c — sftpgw-admin: global options, then dispatch to a command table. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "sftpgw/config.h"

/* Every area's table; a new area adds one line here. */
static const struct admin_cmd *const tables[] = {
	admin_init_cmds,
	admin_env_cmds,
	admin_user_cmds,
	admin_key_cmds,
	admin_mount_cmds,
	admin_hostkeys_cmds,
	admin_ca_cmds,
	admin_cert_cmds,
	admin_node_cmds,
	NULL,
};

struct globals {
	const char *db;
	const char *config;
	bool json, help, version;
};

static void print_help(FILE *f)
{
	const char *last = "";

	fputs("usage: sftpgw-admin [--db FILE | --config FILE] [--json] COMMAND [ARGS]\n"
	      "       sftpgw-admin COMMAND --help\n\n"
	      "Operator tool of the sftpgw SSH gateway. Commands:\n", f);
	for (size_t t = 0; tables[t] != NULL; t++)
		for (const struct admin_cmd *c = tables[t]; c->verb != NULL; c++) {
			char head[96];

			snprintf(head, sizeof(head), "%s%s%s %s", c->group ? c->group : "",
			         c->group ? " " : "", c->verb, c->usage ? c->usage : "");
			if (c->group && strcmp(c->group, last) != 0)
				fputc('\n', f);
			last = c->group ? c->group : "";
			fprintf(f, "  %-44s %s\n", head, c->help);
		}
	fputs("\nOptions: --db FILE (store), --config FILE (its `db =`), --json, --help, --version.\n"
	      "Exit status: 0 ok, 1 failure, 2 usage error. See sftpgw-admin(8).\n", f);
}

/* Takes the global options before the command word; returns its index or -1. */
static int parse_globals(int argc, char **argv, struct globals *g)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0)
			g->json = true;
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			g->help = true;
		else if (strcmp(a, "--version") == 0)
			g->version = true;
		else if ((strcmp(a, "--db") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc)
			*(a[2] == 'd' ? &g->db : &g->config) = argv[++i];
		else if (strncmp(a, "--db=", 5) == 0)
			g->db = a + 5;
		else if (strncmp(a, "--config=", 9) == 0)
			g->config = a + 9;
		else {
			fprintf(stderr, "sftpgw-admin: unknown option '%s'\n", a);
			return -1;
		}
	}
	return i;
}

/* Finds the command for argv[0] (and argv[1] for grouped ones); sets *skip to the words used. */
static const struct admin_cmd *find_cmd(int argc, char **argv, int *skip, bool *group_known)
{
	*group_known = false;
	for (size_t t = 0; tables[t] != NULL; t++)
		for (const struct admin_cmd *c = tables[t]; c->verb != NULL; c++) {
			if (c->group == NULL && strcmp(c->verb, argv[0]) == 0) {
				*skip = 0;
				return c;
			}
			if (c->group == NULL || strcmp(c->group, argv[0]) != 0)
				continue;
			*group_known = true;
			if (argc > 1 && strcmp(c->verb, argv[1]) == 0) {
				*skip = 1;
				return c;
			}
		}
	return NULL;
}

static int group_usage(const char *group)
{
	fprintf(stderr, "sftpgw-admin: '%s' needs one of:\n", group);
	for (size_t t = 0; tables[t] != NULL; t++)
		for (const struct admin_cmd *c = tables[t]; c->verb != NULL; c++)
			if (c->group != NULL && strcmp(c->group, group) == 0)
				fprintf(stderr, "  sftpgw-admin %s %s %s\n", group, c->verb,
				        c->usage ? c->usage : "");
	return ADMIN_USAGE;
}

/* Removes --json and notes --help among the command's own words. */
static int strip_cmd_flags(int argc, char **argv, struct globals *g)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			g->json = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			g->help = true;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

/* --db, else the config file's db, else the built-in default; and the state directory. */
static int resolve_paths(const struct globals *g, struct admin_ctx *ctx, struct sgw_config *cfg)
{
	char err[512];

	config_defaults(cfg);
	if (g->config != NULL && config_load(cfg, g->config, err, sizeof(err)) < 0)
		return admin_fail("%s", err);
	if (g->db != NULL && config_set(cfg, "db", g->db, err, sizeof(err)) < 0)
		return admin_fail("%s", err);
	if (cfg->db_path == NULL && config_set(cfg, "db", CONFIG_DEFAULT_DB, err, sizeof(err)) < 0)
		return admin_fail("%s", err);
	ctx->db_path = cfg->db_path;
	if ((ctx->state_dir = config_state_dir(cfg)) == NULL)
		return admin_fail("out of memory");
	return ADMIN_OK;
}

static int run_cmd(const struct admin_cmd *cmd, struct admin_ctx *ctx, int argc, char **argv)
{
	int rc;

	if (!cmd->no_store && store_open(ctx->db_path, false, false, &ctx->st) < 0)
		return admin_fail("%s", store_errmsg(NULL));
	rc = cmd->run(ctx, argc, argv);
	store_close(ctx->st);
	ctx->st = NULL;
	return rc;
}

int main(int argc, char **argv)
{
	struct globals g = { 0 };
	struct admin_ctx ctx = { 0 };
	struct sgw_config cfg;
	const struct admin_cmd *cmd;
	bool group_known;
	int first, skip, rc;

	if ((first = parse_globals(argc, argv, &g)) < 0)
		return ADMIN_USAGE;
	if (g.version) {
		printf("sftpgw-admin %s\n", PACKAGE_VERSION);
		return ADMIN_OK;
	}
	if (first >= argc) {
		print_help(g.help ? stdout : stderr);
		return g.help ? ADMIN_OK : ADMIN_USAGE;
	}
	argc -= first;
	argv += first;
	if ((cmd = find_cmd(argc, argv, &skip, &group_known)) == NULL) {
		if (group_known)
			return group_usage(argv[0]);
		fprintf(stderr, "sftpgw-admin: unknown command '%s' (see sftpgw-admin --help)\n",
		        argv[0]);
		return ADMIN_USAGE;
	}
	argc = strip_cmd_flags(argc - skip, argv + skip, &g);
	argv += skip;
	if (g.help) {
		printf("usage: sftpgw-admin [--db FILE] [--json] %s%s%s %s\n       %s\n",
		       cmd->group ? cmd->group : "", cmd->group ? " " : "", cmd->verb,
		       cmd->usage ? cmd->usage : "", cmd->help);
		return ADMIN_OK;
	}
	ctx.json = g.json;
	ctx.cmd = cmd;
	ctx.cfg = &cfg;
	if ((rc = resolve_paths(&g, &ctx, &cfg)) == ADMIN_OK)
		rc = run_cmd(cmd, &ctx, argc, argv);
	free(ctx.state_dir);
	config_free(&cfg);
	return rc;
}
