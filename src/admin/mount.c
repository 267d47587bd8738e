/* mount.c — `sftpgw-admin mount ...`: virtual paths backed by directories.
 *
 * Mounts never nest: the VFS maps a path to exactly one mount by its longest
 * prefix, and a nested pair would make one directory tree show up twice.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "admin.h"
#include "sftpgw/err.h"
#include "sftpgw/store_admin.h"

#define MOUNT_VPATH_MAX 1023 /* fits struct store_mount.vpath */

/* Lexical normalization: leading '/', no '.', '//' or trailing '/'; '..' refused. */
static int vpath_normalize(const char *in, char out[MOUNT_VPATH_MAX + 1])
{
	size_t o = 0;
	const char *p = in;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return admin_fail("virtual path '%s' contains '..'; give it from the root, "
			                  "e.g. /pub/media", in);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return admin_fail("virtual path '%s' contains control characters", in);
		if (o + 1 + n > MOUNT_VPATH_MAX)
			return admin_fail("virtual path '%s' is longer than %d bytes", in,
			                  MOUNT_VPATH_MAX);
		out[o++] = '/';
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	out[o] = '\0';
	if (o == 0)
		return admin_fail("a mount on '/' is not allowed (the gateway builds '/' itself): "
		                  "use a path such as /pub/media");
	return ADMIN_OK;
}

/* True when a is b or lies beneath it (component-wise). */
static bool path_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

static int check_dir(const char *dir, char real[PATH_MAX])
{
	struct stat sb;

	if (stat(dir, &sb) < 0)
		return admin_fail("directory %s: %s%s", dir, strerror(errno),
		                  errno == ENOENT ? " (create it first)" : "");
	if (!S_ISDIR(sb.st_mode))
		return admin_fail("%s is not a directory", dir);
	if (realpath(dir, real) == NULL)
		return admin_fail("directory %s: %s", dir, strerror(errno));
	return ADMIN_OK;
}

static int check_clash(struct admin_ctx *c, const struct store_env *e, const char *vpath)
{
	struct store_mount *m = NULL;
	size_t n = 0;
	int rc = store_env_mounts(c->st, e->id, &m, &n);

	if (rc < 0)
		return admin_store_fail(c, rc, "reading mounts");
	rc = ADMIN_OK;
	for (size_t i = 0; i < n && rc == ADMIN_OK; i++) {
		if (strcmp(m[i].vpath, vpath) == 0)
			rc = admin_fail("environment %s has a mount at %s already (-> %s); remove it "
			                "first: sftpgw-admin mount rm %s %s", e->name, vpath, m[i].dir,
			                e->name, vpath);
		else if (path_within(vpath, m[i].vpath) || path_within(m[i].vpath, vpath))
			rc = admin_fail("mount %s would nest with the mount %s of environment %s; "
			                "mounts may not contain each other", vpath, m[i].vpath, e->name);
	}
	free(m);
	return rc;
}

static int mount_add(struct admin_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = { { "read-only", no_argument, NULL, 1 }, { 0 } };
	const char *vals[1] = { NULL };
	char vpath[MOUNT_VPATH_MAX + 1], real[PATH_MAX];
	struct store_env e;
	int64_t id;
	int i, rc;

	if ((i = admin_args(c, argc, argv, opts, vals, 3, 3)) < 0)
		return ADMIN_USAGE;
	if ((rc = vpath_normalize(argv[i + 1], vpath)) != ADMIN_OK ||
	    (rc = check_dir(argv[i + 2], real)) != ADMIN_OK ||
	    (rc = admin_env_find(c, argv[i], &e)) != ADMIN_OK)
		return rc;
	if ((rc = store_tx_begin(c->st)) < 0)
		return admin_store_fail(c, rc, "starting a transaction");
	if ((rc = check_clash(c, &e, vpath)) != ADMIN_OK) {
		store_tx_rollback(c->st);
		return rc;
	}
	if ((rc = store_mount_add(c->st, e.id, vpath, real, vals[0] != NULL, &id)) < 0 ||
	    (rc = store_tx_commit(c->st)) < 0) {
		store_tx_rollback(c->st);
		return admin_store_fail(c, rc, "adding the mount");
	}
	printf("mounted %s -> %s in environment %s (%s)\n", vpath, real, e.name,
	       vals[0] ? "read-only" : "read-write");
	return ADMIN_OK;
}

static int mount_list(struct admin_ctx *c, int argc, char **argv)
{
	static const char *const cols[] = { "env", "path", "dir", "mode", NULL };
	struct store_mount *m = NULL;
	struct store_env e;
	size_t n = 0;
	json_t *rows;
	int i, rc;

	if ((i = admin_args(c, argc, argv, NULL, NULL, 0, 1)) < 0)
		return ADMIN_USAGE;
	if (i < argc && (rc = admin_env_find(c, argv[i], &e)) != ADMIN_OK)
		return rc;
	rc = i < argc ? store_env_mounts(c->st, e.id, &m, &n) : store_mount_list(c->st, &m, &n);
	if (rc < 0)
		return admin_store_fail(c, rc, "listing mounts");
	rows = json_array();
	for (size_t k = 0; k < n; k++)
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "env", m[k].env,
		                                      "path", m[k].vpath, "dir", m[k].dir, "mode",
		                                      m[k].read_only ? "ro" : "rw"));
	admin_print_list(c, rows, cols);
	json_decref(rows);
	free(m);
	return ADMIN_OK;
}

static int mount_rm(struct admin_ctx *c, int argc, char **argv)
{
	char vpath[MOUNT_VPATH_MAX + 1];
	struct store_env e;
	int i, rc;

	if ((i = admin_args(c, argc, argv, NULL, NULL, 2, 2)) < 0)
		return ADMIN_USAGE;
	if ((rc = vpath_normalize(argv[i + 1], vpath)) != ADMIN_OK ||
	    (rc = admin_env_find(c, argv[i], &e)) != ADMIN_OK)
		return rc;
	rc = store_mount_rm(c->st, e.id, vpath);
	if (rc == SGW_ENOTFOUND)
		return admin_fail("environment %s has no mount %s (see: sftpgw-admin mount list %s)",
		                  e.name, vpath, e.name);
	if (rc < 0)
		return admin_store_fail(c, rc, "removing the mount");
	printf("removed mount %s of environment %s (the directory is untouched)\n", vpath, e.name);
	return ADMIN_OK;
}

const struct admin_cmd admin_mount_cmds[] = {
	{ "mount", "add", mount_add, "ENV VIRTUAL_PATH DIRECTORY [--read-only]",
	  "show DIRECTORY at VIRTUAL_PATH to the environment's users", false },
	{ "mount", "list", mount_list, "[ENV]", "list mounts", false },
	{ "mount", "rm", mount_rm, "ENV VIRTUAL_PATH", "remove a mount", false },
	{ NULL, NULL, NULL, NULL, NULL, false },
};
