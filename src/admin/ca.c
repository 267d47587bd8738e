/* ca.c — sftpgw-admin ca create|add|list|show|rm: the certificate
 * authorities sftpgwd trusts. A gateway CA's private key is PKCS#8 PEM, mode
 * 0600, in STATE/ca/NAME.pem, and is never printed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "admin.h"
#include "sftpgw/cert.h"
#include "sftpgw/err.h"
#include "sftpgw/store_ca.h"

#define CA_PUBKEY_FILE_MAX (64 * 1024)

/* "TYPE BASE64 COMMENT" for a CA blob: a TrustedUserCAKeys line. */
static char *ca_key_line(const struct store_ca *ca, const uint8_t *blob, size_t n)
{
	char *b64 = NULL, *line = NULL;
	size_t len;

	if (cert_b64_encode(blob, n, &b64) != 0)
		return NULL;
	len = strlen(ca->type) + strlen(b64) + strlen(ca->name) + 16;
	if ((line = malloc(len)) != NULL)
		snprintf(line, len, "%s %s sftpgw-ca-%s", ca->type, b64, ca->name);
	free(b64);
	return line;
}

static json_t *ca_json(const struct store_ca *ca, const uint8_t *blob, size_t n)
{
	enum cert_ktype kt;
	json_t *o = json_object();
	int bits = blob ? cert_key_bits(blob, n) : -1;

	json_object_set_new(o, "name", json_string(ca->name));
	json_object_set_new(o, "type", json_string(ca->type));
	if (blob != NULL && cert_key_type(blob, n, &kt, NULL) == 0)
		json_object_set_new(o, "kind", json_string(cert_ktype_label(kt)));
	if (bits > 0)
		json_object_set_new(o, "bits", json_integer(bits));
	json_object_set_new(o, "fingerprint", json_string(ca->fingerprint));
	json_object_set_new(o, "private", json_string(ca->private_path[0] ? "gateway" : "external"));
	json_object_set_new(o, "created", admin_time(ca->created));
	return o;
}

/* STATE/ca, created 0700 if missing. */
static int ca_dir(const struct admin_ctx *c, char *out, size_t outsz)
{
	if ((size_t)snprintf(out, outsz, "%s/ca", c->state_dir ? c->state_dir : ".") >= outsz)
		return SGW_ETOOBIG;
	if (mkdir(out, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int ca_register(struct admin_ctx *c, const char *name, const struct sbuf *blob,
                       const char *priv)
{
	char fp[CERT_FP_LEN];
	const char *tname;
	enum cert_ktype kt;
	struct store_ca ca;
	uint8_t *b = NULL;
	size_t bn = 0;
	int r;

	if ((r = cert_key_type(blob->d, blob->len, &kt, &tname)) != 0)
		return admin_fail("CA key: %s (a plain Ed25519, ECDSA or RSA public key is needed;"
		                  " certificates cannot be CAs)", sgw_strerror(r));
	if (kt == CERT_K_RSA && cert_key_bits(blob->d, blob->len) < CERT_RSA_MIN_BITS)
		return admin_fail("RSA CA keys need at least %d bits", CERT_RSA_MIN_BITS);
	if ((r = cert_fingerprint(blob->d, blob->len, fp, sizeof(fp))) != 0)
		return admin_fail("fingerprint: %s", sgw_strerror(r));
	r = store_ca_add(c->st, name, tname, blob->d, blob->len, fp, priv, (int64_t)time(NULL), NULL);
	if (r == SGW_EEXISTS)
		return admin_fail("a CA named %s or with this key exists already", name);
	if (r != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	if (store_ca_get(c->st, name, &ca, &b, &bn) == 0) {
		json_t *o = ca_json(&ca, b, bn);
		char *line = ca_key_line(&ca, b, bn);

		if (line)
			json_object_set_new(o, "public_key", json_string(line));
		admin_print_obj(c, o);
		json_decref(o);
		free(line);
		free(b);
	}
	return ADMIN_OK;
}

static int cmd_create(struct admin_ctx *c, int argc, char **argv)
{
	const char *name = NULL, *type = "ed25519";
	char dir[4096], path[4200];
	EVP_PKEY *k = NULL;
	struct sbuf blob;
	int r, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--type") && i + 1 < argc)
			type = argv[++i];
		else if (argv[i][0] != '-' && name == NULL)
			name = argv[i];
		else
			return admin_usage(c->cmd);
	}
	if (name == NULL)
		return admin_usage(c->cmd);
	if (!name_valid(name))
		return admin_fail("invalid CA name %s: %s", name, name_why_invalid(name));
	if (strcmp(type, "ed25519") && strcmp(type, "ecdsa") && strcmp(type, "rsa"))
		return admin_fail("--type is ed25519, ecdsa or rsa");
	{
		struct store_ca old;

		if (store_ca_get(c->st, name, &old, NULL, NULL) == 0)
			return admin_fail("a CA named %s exists already", name);
	}
	if ((r = ca_dir(c, dir, sizeof(dir))) != 0)
		return admin_fail("%s/ca: %s", c->state_dir, sgw_strerror(r));
	snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
	if ((r = cert_ca_generate(type, &k)) != 0)
		return admin_fail("key generation: %s", sgw_strerror(r));
	sbuf_init(&blob, CERT_MAX_BLOB);
	if ((r = cert_ca_pubblob(k, &blob)) != 0 || (r = cert_ca_save(k, path)) != 0) {
		EVP_PKEY_free(k);
		sbuf_free(&blob);
		return admin_fail("%s: %s", path, sgw_strerror(r));
	}
	EVP_PKEY_free(k);
	if ((rc = ca_register(c, name, &blob, path)) != ADMIN_OK)
		unlink(path);
	sbuf_free(&blob);
	return rc;
}

static int cmd_add(struct admin_ctx *c, int argc, char **argv)
{
	char *text = NULL, type[64];
	size_t len;
	struct sbuf blob;
	int r, rc;

	if (argc != 3)
		return admin_usage(c->cmd);
	if (!name_valid(argv[1]))
		return admin_fail("invalid CA name %s: %s", argv[1], name_why_invalid(argv[1]));
	if ((r = admin_read_file(argv[2], CA_PUBKEY_FILE_MAX, &text, &len)) != 0)
		return admin_fail("%s: %s", argv[2], sgw_strerror(r));
	sbuf_init(&blob, CERT_MAX_BLOB);
	if ((r = cert_pubkey_line(text, &blob, type, sizeof(type))) != 0)
		rc = admin_fail("%s: not an OpenSSH public key line (%s)", argv[2], sgw_strerror(r));
	else
		rc = ca_register(c, argv[1], &blob, NULL);
	sbuf_free(&blob);
	free(text);
	return rc;
}

static int cmd_list(struct admin_ctx *c, int argc, char **argv)
{
	static const char *const cols[] = { "name", "type", "bits", "fingerprint", "private", NULL };
	struct store_ca *v = NULL;
	size_t n = 0;
	json_t *rows;

	(void)argv;
	if (argc != 1)
		return admin_usage(c->cmd);
	if (store_ca_list(c->st, &v, &n) != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	rows = json_array();
	for (size_t i = 0; i < n; i++) {
		struct store_ca ca;
		uint8_t *b = NULL;
		size_t bn = 0;

		if (store_ca_get(c->st, v[i].name, &ca, &b, &bn) == 0)
			json_array_append_new(rows, ca_json(&ca, b, bn));
		free(b);
	}
	admin_print_list(c, rows, cols);
	json_decref(rows);
	free(v);
	return ADMIN_OK;
}

static int cmd_show(struct admin_ctx *c, int argc, char **argv)
{
	struct store_ca ca;
	uint8_t *b = NULL;
	size_t bn = 0;
	json_t *o;
	char *line;
	int r;

	if (argc != 2)
		return admin_usage(c->cmd);
	if ((r = store_ca_get(c->st, argv[1], &ca, &b, &bn)) != 0)
		return admin_fail("CA %s: %s", argv[1], sgw_strerror(r));
	o = ca_json(&ca, b, bn);
	if ((line = ca_key_line(&ca, b, bn)) != NULL)
		json_object_set_new(o, "public_key", json_string(line));
	admin_print_obj(c, o);
	json_decref(o);
	free(line);
	free(b);
	return ADMIN_OK;
}

static int cmd_rm(struct admin_ctx *c, int argc, char **argv)
{
	struct store_ca ca;
	int r;

	if (argc != 2)
		return admin_usage(c->cmd);
	if ((r = store_ca_get(c->st, argv[1], &ca, NULL, NULL)) != 0)
		return admin_fail("CA %s: %s", argv[1], sgw_strerror(r));
	if ((r = store_ca_rm(c->st, argv[1])) != 0)
		return admin_fail("CA %s: %s", argv[1], sgw_strerror(r));
	/* the trust is gone with the row; the key file goes too so the name can be reused */
	if (ca.private_path[0] && unlink(ca.private_path) != 0 && errno != ENOENT)
		return admin_fail("%s: %s (the CA is no longer trusted)", ca.private_path,
		                  strerror(errno));
	{
		json_t *o = json_pack("{s:s}", "removed", argv[1]);

		admin_print_obj(c, o);
		json_decref(o);
	}
	return ADMIN_OK;
}

const struct admin_cmd admin_ca_cmds[] = {
	{ "ca", "create", cmd_create, "NAME [--type ed25519|ecdsa|rsa]",
	  "make a gateway CA (private key 0600 in STATE/ca, never printed)", false },
	{ "ca", "add", cmd_add, "NAME CA_PUBKEY_FILE", "trust an external CA's public key", false },
	{ "ca", "list", cmd_list, "", "trusted CAs with SHA256 fingerprints", false },
	{ "ca", "show", cmd_show, "NAME", "a CA and its public key line for TrustedUserCAKeys", false },
	{ "ca", "rm", cmd_rm, "NAME", "stop trusting a CA (its certificates stop working at once)",
	  false },
	{ NULL, NULL, NULL, NULL, NULL, false },
};
