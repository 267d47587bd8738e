/* init.c — `sftpgw-admin init`: state directory, store, host keys, client key.
 *
 * Idempotent: what exists is kept (a missing .pub is rebuilt from its private
 * key), so running it again after an upgrade only migrates the store.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "admin.h"

#define HOSTKEY_DIR "hostkeys"
#define CLIENT_KEY "client_key"

struct keyspec {
	const char *file;        /* under the state directory */
	enum ssh_keytypes_e type;
	int bits;
	const char *role;        /* comment prefix and what init prints */
};

static const struct keyspec keyspecs[] = {
	{ HOSTKEY_DIR "/ssh_host_ed25519_key", SSH_KEYTYPE_ED25519, 0, "host" },
	{ HOSTKEY_DIR "/ssh_host_ecdsa_key", SSH_KEYTYPE_ECDSA_P256, 256, "host" },
	{ HOSTKEY_DIR "/ssh_host_rsa_key", SSH_KEYTYPE_RSA, 3072, "host" },
	{ CLIENT_KEY, SSH_KEYTYPE_ED25519, 0, "client" },
};

/* mkdir -p; the last component gets mode, the ones above it 0755. */
static int mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_file(const char *path, const char *data, mode_t mode)
{
	size_t n = strlen(data), off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int rc = 0;
	ssize_t w;

	if (fd < 0)
		return -errno;
	while (off < n && rc == 0) {
		w = write(fd, data + off, n - off);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno != EINTR)
			rc = -errno;
	}
	/* umask 077 is in force: the .pub files are meant to be world-readable */
	if (rc == 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* Writes "TYPE BASE64 COMMENT\n" for key to path. */
static int write_pub(ssh_key key, const char *path, const char *role)
{
	char host[256] = "localhost", line[8192];
	char *b64 = NULL;
	int rc;

	if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
		return -EINVAL;
	gethostname(host, sizeof(host) - 1);
	snprintf(line, sizeof(line), "%s %s sftpgw-%s@%s\n", ssh_key_type_to_char(ssh_key_type(key)),
	         b64, role, host);
	ssh_string_free_char(b64);
	rc = write_file(path, line, 0644);
	return rc;
}

/* Creates the key pair (temporary names, then rename) so a crash leaves no half key. */
static int make_key(const struct keyspec *ks, const char *priv, const char *pub)
{
	char tmp[PATH_MAX + 8];
	ssh_key key = NULL;
	int rc;

	if (ssh_pki_generate(ks->type, ks->bits, &key) != SSH_OK)
		return admin_fail("cannot generate %s: libssh failed", priv);
	snprintf(tmp, sizeof(tmp), "%s.tmp", pub);
	if ((rc = write_pub(key, tmp, ks->role)) < 0 || rename(tmp, pub) < 0) {
		ssh_key_free(key);
		return admin_fail("cannot write %s: %s", pub, strerror(rc < 0 ? -rc : errno));
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", priv);
	rc = ssh_pki_export_privkey_file(key, NULL, NULL, NULL, tmp);
	ssh_key_free(key);
	if (rc != SSH_OK || chmod(tmp, 0600) < 0 || rename(tmp, priv) < 0) {
		unlink(tmp);
		return admin_fail("cannot write %s: %s", priv, strerror(errno));
	}
	return ADMIN_OK;
}

/* An existing private key is kept; its .pub is rebuilt if missing. */
static int keep_key(const struct keyspec *ks, const char *priv, const char *pub, bool *fixed)
{
	ssh_key key = NULL;
	int rc;

	*fixed = false;
	if (chmod(priv, 0600) < 0)
		return admin_fail("cannot chmod %s: %s", priv, strerror(errno));
	if (access(pub, F_OK) == 0)
		return ADMIN_OK;
	if (ssh_pki_import_privkey_file(priv, NULL, NULL, NULL, &key) != SSH_OK)
		return admin_fail("%s exists but is not a readable private key: move it away and "
		                  "run init again", priv);
	rc = write_pub(key, pub, ks->role);
	ssh_key_free(key);
	if (rc < 0)
		return admin_fail("cannot write %s: %s", pub, strerror(-rc));
	*fixed = true;
	return ADMIN_OK;
}

static int ensure_key(const struct admin_ctx *c, const struct keyspec *ks)
{
	char priv[PATH_MAX], pub[PATH_MAX];
	bool fixed;
	int rc;

	if ((size_t)snprintf(priv, sizeof(priv), "%s/%s", c->state_dir, ks->file) >= sizeof(priv) ||
	    (size_t)snprintf(pub, sizeof(pub), "%s.pub", priv) >= sizeof(pub))
		return admin_fail("state directory path too long");
	if (access(priv, F_OK) == 0) {
		if ((rc = keep_key(ks, priv, pub, &fixed)) != ADMIN_OK)
			return rc;
		printf("%s key %s: kept%s\n", ks->role, priv, fixed ? " (rebuilt .pub)" : "");
		return ADMIN_OK;
	}
	if ((rc = make_key(ks, priv, pub)) != ADMIN_OK)
		return rc;
	printf("%s key %s: created\n", ks->role, priv);
	return ADMIN_OK;
}

static int make_dirs(const struct admin_ctx *c)
{
	char dbdir[PATH_MAX], hk[PATH_MAX];
	const char *slash = strrchr(c->db_path, '/');
	int rc;

	if (slash != NULL && slash != c->db_path) {
		snprintf(dbdir, sizeof(dbdir), "%.*s", (int)(slash - c->db_path), c->db_path);
		if ((rc = mkdirs(dbdir, 0700)) < 0)
			return admin_fail("cannot create %s: %s", dbdir, strerror(-rc));
	}
	if ((rc = mkdirs(c->state_dir, 0700)) < 0)
		return admin_fail("cannot create %s: %s", c->state_dir, strerror(-rc));
	snprintf(hk, sizeof(hk), "%s/%s", c->state_dir, HOSTKEY_DIR);
	if ((rc = mkdirs(hk, 0700)) < 0)
		return admin_fail("cannot create %s: %s", hk, strerror(-rc));
	return ADMIN_OK;
}

static int init_store(const struct admin_ctx *c)
{
	bool existed = access(c->db_path, F_OK) == 0;
	struct store *st;
	int v = 0;

	if (store_open(c->db_path, true, false, &st) < 0)
		return admin_fail("%s", store_errmsg(NULL));
	store_schema_version(st, &v);
	store_close(st);
	printf("store %s: %s (schema %d)\n", c->db_path, existed ? "kept" : "created", v);
	return ADMIN_OK;
}

static int init_run(struct admin_ctx *c, int argc, char **argv)
{
	int rc;

	if (admin_args(c, argc, argv, NULL, NULL, 0, 0) < 0)
		return ADMIN_USAGE;
	umask(077); /* the store, its WAL and the keys are for the daemon's user only */
	if ((rc = make_dirs(c)) != ADMIN_OK || (rc = init_store(c)) != ADMIN_OK)
		return rc;
	for (size_t i = 0; i < sizeof(keyspecs) / sizeof(keyspecs[0]); i++)
		if ((rc = ensure_key(c, &keyspecs[i])) != ADMIN_OK)
			return rc;
	printf("next: sftpgw-admin --db %s env add NAME\n", c->db_path);
	return ADMIN_OK;
}

const struct admin_cmd admin_init_cmds[] = {
	{ NULL, "init", init_run, "",
	  "create (or migrate) the store, the state directory, host keys and the client key", true },
	{ NULL, NULL, NULL, NULL, NULL, false },
};
