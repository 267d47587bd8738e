/* key.c — `sftpgw-admin key ...`: public keys, and through them users.
 *
 * The user name comes from the key comment ("acme-staging--app@laptop" ->
 * "acme-staging--app") unless --user names it: SSH never sends the comment,
 * so registration is the one moment it can be captured.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "sftpgw/err.h"
#include "sftpgw/names.h"
#include "sftpgw/pubkey.h"
#include "sftpgw/store_admin.h"

struct key_add {
	const char *env, *file, *user_opt;
	char user[NAME_MAX_LEN + 1];
	char fp[PUBKEY_FP_LEN];
	struct pubkey key;
	struct store_env e;
	bool new_user, new_grant, new_key;
	char owner[NAME_MAX_LEN + 1]; /* of a key registered before */
};

static int read_key(struct key_add *k)
{
	char err[PUBKEY_ERR_LEN];
	char *text;
	size_t len;
	int rc = admin_read_file(k->file, PUBKEY_MAX_TEXT, &text, &len);

	if (rc == -EFBIG)
		return admin_fail("%s: too big to be a public key", k->file);
	if (rc < 0)
		return admin_fail("cannot read %s: %s", k->file, sgw_strerror(rc));
	rc = pubkey_parse(text, len, &k->key, err, sizeof(err));
	free(text);
	if (rc < 0)
		return admin_fail("%s: %s", k->file, err);
	if (pubkey_fingerprint(k->key.blob, k->key.blob_len, k->fp) < 0)
		return admin_fail("cannot compute the key's fingerprint");
	return ADMIN_OK;
}

/* --user, else the comment; each failure says what to pass instead. */
static int pick_user(struct key_add *k)
{
	char cand[PUBKEY_MAX_COMMENT + 1];
	const char *why, *at;
	int rc;

	if (k->user_opt != NULL) {
		if ((why = name_why_invalid(k->user_opt)) != NULL)
			return admin_fail("invalid user name '%s': %s", k->user_opt, why);
		snprintf(k->user, sizeof(k->user), "%s", k->user_opt);
		return ADMIN_OK;
	}
	rc = name_from_comment(k->key.comment, k->user, sizeof(k->user));
	if (rc == 0)
		return ADMIN_OK;
	if (rc == SGW_ENOTFOUND)
		return admin_fail("%s has no comment to take the user name from: pass --user NAME",
		                  k->file);
	snprintf(cand, sizeof(cand), "%s", k->key.comment);
	if ((at = strrchr(cand, '@')) != NULL)
		cand[at - cand] = '\0';
	why = name_why_invalid(cand);
	return admin_fail("the key comment '%s' gives the user name '%s', which is invalid: %s; "
	                  "pass --user NAME", k->key.comment, cand, why ? why : "empty");
}

/* A key is one user's: the same key again only adds the grant, another user's is refused. */
static int check_existing(struct admin_ctx *c, struct key_add *k)
{
	struct store_key old;
	int rc = store_key_by_fingerprint(c->st, k->fp, &old);

	if (rc == SGW_ENOTFOUND)
		return ADMIN_OK;
	if (rc < 0)
		return admin_store_fail(c, rc, "looking up the key");
	snprintf(k->owner, sizeof(k->owner), "%s", old.user);
	if (strcmp(old.user, k->user) != 0)
		return admin_fail("key %s is already registered to user '%s'; a key belongs to one "
		                  "user (to move it: sftpgw-admin key rm %s, then add it again)",
		                  k->fp, old.user, k->fp);
	return ADMIN_OK;
}

static int save_key(struct admin_ctx *c, struct key_add *k)
{
	int64_t uid, kid;
	int rc;

	rc = store_user_id(c->st, k->user, &uid);
	if (rc == SGW_ENOTFOUND) {
		k->new_user = true;
		rc = store_user_add(c->st, k->user, &uid);
	}
	if (rc < 0)
		return admin_store_fail(c, rc, "adding the user");
	rc = store_grant_add(c->st, uid, k->e.id);
	if (rc < 0 && rc != SGW_EEXISTS)
		return admin_store_fail(c, rc, "granting the environment");
	k->new_grant = rc == 0;
	if (k->owner[0] != '\0')
		return ADMIN_OK;
	rc = store_key_add(c->st, uid, k->key.type, k->key.blob, k->key.blob_len, k->fp,
	                   k->key.comment, &kid);
	if (rc < 0)
		return admin_store_fail(c, rc, "adding the key");
	k->new_key = true;
	return ADMIN_OK;
}

static void report_add(const struct admin_ctx *c, const struct key_add *k)
{
	json_t *o;

	if (c->json) {
		o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b}", "user", k->user, "fingerprint",
		              k->fp, "type", k->key.type, "env", k->e.name, "new_user", k->new_user,
		              "new_key", k->new_key, "new_grant", k->new_grant);
		admin_print_obj(c, o);
		json_decref(o);
	} else if (k->new_key) {
		printf("registered key %s for user %s (environment %s)%s\n", k->fp, k->user, k->e.name,
		       k->new_user ? "" : " [existing user]");
	} else {
		printf("key %s is already registered for user %s; %s environment %s\n", k->fp,
		       k->user, k->new_grant ? "granted" : "already granted", k->e.name);
	}
}

static int key_add(struct admin_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = { { "user", required_argument, NULL, 1 }, { 0 } };
	const char *vals[1] = { NULL };
	struct key_add k = { 0 };
	int i, rc;

	if ((i = admin_args(c, argc, argv, opts, vals, 2, 2)) < 0)
		return ADMIN_USAGE;
	k.env = argv[i];
	k.file = argv[i + 1];
	k.user_opt = vals[0];
	if ((rc = read_key(&k)) != ADMIN_OK || (rc = pick_user(&k)) != ADMIN_OK ||
	    (rc = admin_env_find(c, k.env, &k.e)) != ADMIN_OK)
		return rc;
	if ((rc = store_tx_begin(c->st)) < 0)
		return admin_store_fail(c, rc, "starting a transaction");
	if ((rc = check_existing(c, &k)) != ADMIN_OK || (rc = save_key(c, &k)) != ADMIN_OK) {
		store_tx_rollback(c->st);
		return rc;
	}
	if ((rc = store_tx_commit(c->st)) < 0)
		return admin_store_fail(c, rc, "committing");
	report_add(c, &k);
	return ADMIN_OK;
}

static int key_list(struct admin_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = { { "user", required_argument, NULL, 1 }, { 0 } };
	static const char *const cols[] = { "id", "user", "type", "fingerprint", "comment",
		                            "created", "last_used", NULL };
	const char *vals[1] = { NULL };
	struct store_key *keys = NULL;
	int64_t uid = 0;
	size_t n = 0;
	json_t *rows;
	int rc;

	if (admin_args(c, argc, argv, opts, vals, 0, 0) < 0)
		return ADMIN_USAGE;
	if (vals[0] != NULL && (rc = admin_user_find(c, vals[0], &uid)) != ADMIN_OK)
		return rc;
	if ((rc = store_key_list(c->st, uid, &keys, &n)) < 0)
		return admin_store_fail(c, rc, "listing keys");
	rows = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o}", "id",
		                                      (json_int_t)keys[i].id, "user", keys[i].user,
		                                      "type", keys[i].type, "fingerprint",
		                                      keys[i].fingerprint, "comment", keys[i].comment,
		                                      "created", admin_time(keys[i].created),
		                                      "last_used", admin_time(keys[i].last_used)));
	admin_print_list(c, rows, cols);
	json_decref(rows);
	free(keys);
	return ADMIN_OK;
}

/* "SHA256:..." or a numeric id from `key list`. */
static int find_key(struct admin_ctx *c, const char *arg, struct store_key *k)
{
	char *end;
	long long id;
	int rc;

	if (strncmp(arg, "SHA256:", 7) == 0) {
		rc = store_key_by_fingerprint(c->st, arg, k);
	} else {
		errno = 0;
		id = strtoll(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || id <= 0)
			return admin_fail("'%s' is neither a fingerprint (SHA256:...) nor a key id "
			                  "(see: sftpgw-admin key list)", arg);
		rc = store_key_get(c->st, id, k);
	}
	if (rc == SGW_ENOTFOUND)
		return admin_fail("no key %s (see: sftpgw-admin key list)", arg);
	return rc < 0 ? admin_store_fail(c, rc, "looking up the key") : ADMIN_OK;
}

static int key_rm(struct admin_ctx *c, int argc, char **argv)
{
	struct store_key k;
	int i, rc;

	if ((i = admin_args(c, argc, argv, NULL, NULL, 1, 1)) < 0)
		return ADMIN_USAGE;
	if ((rc = find_key(c, argv[i], &k)) != ADMIN_OK)
		return rc;
	if ((rc = store_key_rm(c->st, k.id)) < 0)
		return admin_store_fail(c, rc, "removing the key");
	printf("removed key %s of user %s (new logins with it are refused)\n", k.fingerprint,
	       k.user);
	return ADMIN_OK;
}

const struct admin_cmd admin_key_cmds[] = {
	{ "key", "add", key_add, "ENV PUBKEY_FILE [--user NAME]",
	  "register a public key; the user is named by the key comment or --user", false },
	{ "key", "list", key_list, "[--user NAME]", "list keys with fingerprints", false },
	{ "key", "rm", key_rm, "FINGERPRINT|ID", "remove a key", false },
	{ NULL, NULL, NULL, NULL, NULL, false },
};
