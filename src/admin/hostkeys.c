/* hostkeys.c — `sftpgw-admin hostkeys`: fingerprints operators publish,
 * printed exactly as `ssh-keygen -lf FILE.pub` prints them. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "sftpgw/err.h"
#include "sftpgw/pubkey.h"

static const char *const hostkey_files[] = {
	"hostkeys/ssh_host_ed25519_key.pub",
	"hostkeys/ssh_host_ecdsa_key.pub",
	"hostkeys/ssh_host_rsa_key.pub",
};

static int load_pub(const char *path, struct pubkey *k)
{
	char err[PUBKEY_ERR_LEN];
	char *text;
	size_t len;
	int rc = admin_read_file(path, PUBKEY_MAX_TEXT, &text, &len);

	if (rc < 0)
		return admin_fail("cannot read %s: %s", path, sgw_strerror(rc));
	rc = pubkey_parse(text, len, k, err, sizeof(err));
	free(text);
	return rc < 0 ? admin_fail("%s: %s", path, err) : ADMIN_OK;
}

static int print_client(struct admin_ctx *c)
{
	char path[PATH_MAX], b64[PUBKEY_MAX_BLOB * 2];
	struct pubkey k;
	int rc;

	snprintf(path, sizeof(path), "%s/client_key.pub", c->state_dir);
	if (access(path, F_OK) != 0)
		return admin_fail("no client key at %s: run `sftpgw-admin init`", path);
	if ((rc = load_pub(path, &k)) != ADMIN_OK)
		return rc;
	pubkey_base64(k.blob, k.blob_len, b64, sizeof(b64), 1);
	printf("%s %s%s%s\n", k.type, b64, k.comment[0] ? " " : "", k.comment);
	return ADMIN_OK;
}

static json_t *key_row(const char *path, const struct pubkey *k)
{
	char fp[PUBKEY_FP_LEN];

	pubkey_fingerprint(k->blob, k->blob_len, fp);
	return json_pack("{s:s, s:s, s:i, s:s, s:s}", "file", path, "type", k->type, "bits",
	                 (int)k->bits, "fingerprint", fp, "comment", k->comment);
}

static int hostkeys_run(struct admin_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = { { "client", no_argument, NULL, 1 }, { 0 } };
	const char *vals[1] = { NULL };
	char path[PATH_MAX];
	struct pubkey k;
	json_t *rows, *row;
	size_t i;
	int rc;

	if (admin_args(c, argc, argv, opts, vals, 0, 0) < 0)
		return ADMIN_USAGE;
	if (vals[0] != NULL)
		return print_client(c);
	rows = json_array();
	for (i = 0; i < sizeof(hostkey_files) / sizeof(hostkey_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", c->state_dir, hostkey_files[i]);
		if (access(path, F_OK) != 0)
			continue;
		if ((rc = load_pub(path, &k)) != ADMIN_OK) {
			json_decref(rows);
			return rc;
		}
		json_array_append_new(rows, key_row(path, &k));
	}
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		return admin_fail("no host keys in %s/hostkeys: run `sftpgw-admin init`",
		                  c->state_dir);
	}
	if (c->json)
		admin_print_list(c, rows, NULL);
	json_array_foreach(rows, i, row) {
		const char *cm = json_string_value(json_object_get(row, "comment"));

		if (c->json)
			break;
		printf("%d %s %s (%s)\n", (int)json_integer_value(json_object_get(row, "bits")),
		       json_string_value(json_object_get(row, "fingerprint")),
		       cm[0] ? cm : "no comment",
		       pubkey_type_label(json_string_value(json_object_get(row, "type"))));
	}
	json_decref(rows);
	return ADMIN_OK;
}

const struct admin_cmd admin_hostkeys_cmds[] = {
	{ NULL, "hostkeys", hostkeys_run, "[--client]",
	  "print host key fingerprints as ssh-keygen -lf does (--client: the gateway's client "
	  "public key, for backend authorized_keys)", true },
	{ NULL, NULL, NULL, NULL, NULL, false },
};
