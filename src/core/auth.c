/* auth.c — public-key (and certificate) authentication, then the session's
 * environments, limits and file view.
 *
 * libssh calls auth_pubkey_cb twice per key: a probe (STATE_NONE) and, if we
 * said yes, the signed attempt (STATE_VALID). Both run the full check: they
 * are separate messages and the store may change in between. Unwanted key
 * types are refused at the probe, because libssh never answers a signed
 * attempt whose key it cannot parse (the client would hang).
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "sftpgw/buf.h"
#include "sftpgw/err.h"
#include "sftpgw/fwd.h"
#include "sftpgw/log.h"
#include "sftpgw/pubkey.h"
#include "sftpgw/vfs.h"

#define AUTH_MAX_KEY_B64 (CERT_MAX_BLOB * 4 / 3 + 4)

/* Decodes the key's public blob (whole certificate for certificate keys). */
static int auth_key_blob(ssh_key key, uint8_t **blob, size_t *n)
{
	char *b64 = NULL;
	size_t len;
	int r;

	if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
		return SGW_EBADFORMAT;
	len = strlen(b64);
	if (len > AUTH_MAX_KEY_B64 || len % 4 != 0 || (*blob = malloc(len / 4 * 3 + 1)) == NULL) {
		ssh_string_free_char(b64);
		return SGW_ETOOBIG;
	}
	r = EVP_DecodeBlock(*blob, (const unsigned char *)b64, (int)len);
	if (r >= 0) {
		*n = (size_t)r - (len >= 1 && b64[len - 1] == '=') - (len >= 2 && b64[len - 2] == '=');
		r = 0;
	} else {
		free(*blob);
		*blob = NULL;
		r = SGW_EBADFORMAT;
	}
	ssh_string_free_char(b64);
	return r;
}

static bool auth_is_cert(enum ssh_keytypes_e t)
{
	return t == SSH_KEYTYPE_RSA_CERT01 || t == SSH_KEYTYPE_ECDSA_P256_CERT01 ||
	       t == SSH_KEYTYPE_ECDSA_P384_CERT01 || t == SSH_KEYTYPE_ECDSA_P521_CERT01 ||
	       t == SSH_KEYTYPE_ED25519_CERT01 || t == SSH_KEYTYPE_SK_ECDSA_CERT01 ||
	       t == SSH_KEYTYPE_SK_ED25519_CERT01;
}

static bool auth_type_ok(enum ssh_keytypes_e t)
{
	return t == SSH_KEYTYPE_RSA || t == SSH_KEYTYPE_ED25519 || t == SSH_KEYTYPE_ECDSA_P256 ||
	       t == SSH_KEYTYPE_ECDSA_P384 || t == SSH_KEYTYPE_ECDSA_P521 ||
	       t == SSH_KEYTYPE_SK_ECDSA || t == SSH_KEYTYPE_SK_ED25519 || auth_is_cert(t);
}

static const char *auth_fingerprint(ssh_key key, char *out, size_t outsz)
{
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp;

	out[0] = '\0';
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0)
		return out;
	if ((fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen)) != NULL) {
		snprintf(out, outsz, "%s", fp);
		ssh_string_free_char(fp);
	}
	ssh_clean_pubkey_hash(&hash);
	return out;
}

/* A registered key: the fingerprint must belong to the login's user. */
static int auth_check_key(struct sess *s, const char **why)
{
	struct store_key k;
	int r = store_key_by_fingerprint(s->w->store, s->fingerprint, &k);

	if (r == SGW_ENOTFOUND) {
		*why = "unknown key";
		return r;
	}
	if (r != 0) {
		*why = "store error";
		return r;
	}
	if (strcmp(k.user, s->info.target.user) != 0) {
		*why = "key registered to another user";
		return SGW_EDENIED;
	}
	if (k.expires != 0 && k.expires <= (int64_t)time(NULL)) {
		*why = "key expired";
		return SGW_EDENIED;
	}
	s->key_id = k.id;
	s->info.user_id = k.user_id;
	return 0;
}

static int auth_check_cert(struct sess *s, ssh_key key, const char **why)
{
	uint8_t *blob = NULL;
	size_t n = 0;
	int r;

	cert_grant_free(&s->grant);
	memset(&s->grant, 0, sizeof(s->grant));
	if ((r = auth_key_blob(key, &blob, &n)) != 0) {
		*why = "malformed";
		return r;
	}
	r = cert_check(s->w->store, blob, n, s->info.target.user, s->info.target.env, s->info.addr,
	               (int64_t)time(NULL), s->info.cfg->cert_skew, &s->grant, why);
	free(blob);
	if (r == 0)
		s->info.user_id = s->grant.user_id; /* cert_check found the principal's user */
	return r;
}

static int auth_check(struct sess *s, const char *user, ssh_key key, const char **why)
{
	enum ssh_keytypes_e t = ssh_key_type(key);

	snprintf(s->info.login, sizeof(s->info.login), "%s", user);
	if (login_target_parse(user, &s->info.target) != 0) {
		*why = "invalid login name";
		return SGW_EBADNAME;
	}
	if (!auth_type_ok(t)) {
		*why = "key type not allowed";
		return SGW_EDENIED;
	}
	auth_fingerprint(key, s->fingerprint, sizeof(s->fingerprint));
	if (!auth_is_cert(t)) {
		/* Refuse short RSA keys and anything malformed at the probe (libssh
		 * would leave a signed attempt with such a key unanswered). */
		char type[PUBKEY_TYPE_MAX];
		uint8_t *blob = NULL;
		size_t n = 0;
		unsigned bits = 0;
		int r = auth_key_blob(key, &blob, &n);
		if (r == 0)
			r = pubkey_check_blob(blob, n, type, &bits, s->reason, sizeof(s->reason));
		free(blob);
		if (r != 0) {
			*why = r == SGW_EBADFORMAT || r == SGW_ETRUNCATED ? "malformed key" : s->reason;
			return SGW_EDENIED;
		}
	}
	if (auth_is_cert(t)) {
		s->info.is_cert = true;
		return auth_check_cert(s, key, why);
	}
	s->info.is_cert = false;
	return auth_check_key(s, why);
}

static void auth_log_refusal(struct sess *s, const char *user, const char *why)
{
	if (s->info.is_cert)
		log_info("refused certificate for %s from %s port %d: %s (ID \"%s\" serial %llu CA %s)",
		         user, s->info.addr, s->info.port, why, s->grant.key_id,
		         (unsigned long long)s->grant.serial, s->grant.ca_fingerprint);
	else
		log_info("refused publickey for %s from %s port %d: %s %s", user, s->info.addr,
		         s->info.port, s->fingerprint[0] ? s->fingerprint : "-", why);
	worker_audit(s->w, "login-failed", user, s->fingerprint, s->info.addr, why, 0);
}

int auth_pubkey_cb(ssh_session ssh, const char *user, struct ssh_key_struct *key, char state,
                   void *ud)
{
	struct sess *s = ud;
	const char *why = NULL;

	(void)ssh;
	if (s->authed || s->dying)
		return SSH_AUTH_DENIED;
	if (state != SSH_PUBLICKEY_STATE_NONE && state != SSH_PUBLICKEY_STATE_VALID) {
		s->auth_tries++;
		log_info("bad signature for %s from %s port %d: %s", user, s->info.addr, s->info.port,
		         s->fingerprint);
		return SSH_AUTH_DENIED;
	}
	s->info.is_cert = false;
	if (auth_check(s, user, key, &why) != 0) {
		s->auth_tries++;
		auth_log_refusal(s, user, why ? why : "refused");
		return SSH_AUTH_DENIED;
	}
	if (state == SSH_PUBLICKEY_STATE_VALID) {
		s->authed = true;
		auth_session_ready(s);
	}
	return SSH_AUTH_SUCCESS;
}

/* --- after authentication: environments, limits, permits, the file view --- */

static void auth_refuse(struct sess *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void auth_refuse(struct sess *s, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (s->refusal != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->refusal = strdup(msg);
	s->refusal_status = status;
	log_info("refusing channels: %s", msg);
}

/* "a, b, c" of the user's environments, for messages. */
static void auth_env_names(const struct store_env *e, size_t n, char *out, size_t outsz)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && off < outsz; i++)
		off += (size_t)snprintf(out + off, outsz - off, "%s%s", i ? ", " : "", e[i].name);
	if (n == 0)
		snprintf(out, outsz, "none");
}

/* Narrows the session to the environment named in the login (or certificate),
 * or to all running environments granted to the user. */
static void auth_pick_envs(struct sess *s, struct store_env *envs, size_t n)
{
	const char *want = s->info.target.env[0] ? s->info.target.env : s->grant.env;
	char names[512];
	size_t keep = 0;

	auth_env_names(envs, n, names, sizeof(names));
	if (n == 0) {
		auth_refuse(s, 1, "sftpgw: user %s has no environment", s->info.target.user);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (want[0] != '\0' && strcmp(envs[i].name, want) != 0)
			continue;
		if (want[0] != '\0' && !envs[i].running) {
			auth_refuse(s, 1, "sftpgw: environment %s is stopped", want);
			return;
		}
		if (envs[i].running)
			envs[keep++] = envs[i];
	}
	if (keep == 0 && want[0] != '\0')
		auth_refuse(s, 1, "sftpgw: no environment \"%s\" for %s; your environments: %s", want,
		            s->info.target.user, names);
	else if (keep == 0)
		auth_refuse(s, 1, "sftpgw: all environments of %s are stopped", s->info.target.user);
	s->info.n_envs = keep;
}

struct auth_view_job {
	uv_work_t req;
	struct sess *s;
	struct vfs_mount_spec *specs;
	struct store_mount *mounts;
	char (*paths)[VFS_PATH_MAX];
	size_t n;
	struct vfs_view *view;
	int result;
};

static void auth_view_work_cb(uv_work_t *req)
{
	struct auth_view_job *j = req->data;

	j->result = vfs_view_open(j->specs, j->n, &j->view);
}

static void auth_view_done_cb(uv_work_t *req, int status)
{
	struct auth_view_job *j = req->data;
	struct sess *s = j->s;
	uint64_t prev = log_set_sid(s->info.id);

	s->view_pending = false;
	if (status == 0 && j->result == 0) {
		s->info.view = j->view;
	} else {
		log_err("cannot open the mounts: %s", sgw_strerror(status ? status : j->result));
		auth_refuse(s, 1, "sftpgw: the environment's files are not available");
	}
	if (s->dying && s->info.view != NULL) {
		vfs_view_unref(s->info.view);
		s->info.view = NULL;
	}
	free(j->specs);
	free(j->mounts);
	free(j->paths);
	free(j);
	chan_view_ready(s);
	sess_kick(s);
	log_set_sid(prev);
}

/* Collects the mounts of the session's environments; with several, each
 * environment's mounts appear under "/ENV". */
static int auth_collect_mounts(struct sess *s, struct auth_view_job *j)
{
	for (size_t e = 0; e < s->info.n_envs; e++) {
		struct store_mount *m = NULL;
		size_t n = 0;
		int r = store_env_mounts(s->w->store, s->info.envs[e].id, &m, &n);
		if (r != 0)
			return r;
		struct store_mount *all = realloc(j->mounts, (j->n + n) * sizeof(*all));
		if (all == NULL && j->n + n > 0) {
			free(m);
			return -ENOMEM;
		}
		j->mounts = all;
		if (n > 0)
			memcpy(j->mounts + j->n, m, n * sizeof(*m));
		j->n += n;
		free(m);
	}
	j->specs = calloc(j->n ? j->n : 1, sizeof(*j->specs));
	j->paths = calloc(j->n ? j->n : 1, sizeof(*j->paths));
	if (j->specs == NULL || j->paths == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < j->n; i++) {
		if (s->info.n_envs > 1)
			snprintf(j->paths[i], VFS_PATH_MAX, "/%s%s", j->mounts[i].env, j->mounts[i].vpath);
		else
			snprintf(j->paths[i], VFS_PATH_MAX, "%s", j->mounts[i].vpath);
		j->specs[i].vpath = j->paths[i];
		j->specs[i].dir = j->mounts[i].dir;
		j->specs[i].read_only = j->mounts[i].read_only;
	}
	return 0;
}

static void auth_build_view(struct sess *s)
{
	struct auth_view_job *j = calloc(1, sizeof(*j));
	int r;

	if (j == NULL || (r = auth_collect_mounts(s, j)) != 0) {
		auth_refuse(s, 1, "sftpgw: the environment's files are not available");
		if (j != NULL) {
			free(j->specs);
			free(j->mounts);
			free(j->paths);
			free(j);
		}
		return;
	}
	j->s = s;
	j->req.data = j;
	s->view_pending = true;
	uv_queue_work(&s->w->loop, &j->req, auth_view_work_cb, auth_view_done_cb);
}

void auth_session_ready(struct sess *s)
{
	struct store_env *envs = NULL;
	const char *why = NULL;
	size_t n = 0;
	int64_t now = (int64_t)time(NULL);

	uv_timer_stop(&s->timer);
	limits_unauth_drop(s->info.addr);
	s->holds_unauth = false;
	if (s->info.is_cert) {
		s->info.permit_pty = s->grant.permit_pty;
		s->info.permit_port_forwarding = s->grant.permit_port_forwarding;
		s->info.force_command = s->grant.force_command;
		s->info.cert_valid_before = s->grant.valid_before;
		snprintf(s->info.cert_key_id, sizeof(s->info.cert_key_id), "%s", s->grant.key_id);
		s->info.cert_serial = s->grant.serial;
		log_info("accepted certificate ID \"%s\" (serial %llu) signed by CA %s for %s from %s "
		         "port %d", s->grant.key_id, (unsigned long long)s->grant.serial,
		         s->grant.ca_fingerprint, s->info.login, s->info.addr, s->info.port);
		if (s->info.cfg->cert_disconnect_expired && s->grant.valid_before > 0 &&
		    s->grant.valid_before < INT64_MAX)
			sess_cert_timer(s, s->grant.valid_before, now);
	} else {
		s->info.permit_pty = s->info.permit_port_forwarding = true;
		log_info("accepted publickey for %s from %s port %d: %s", s->info.login, s->info.addr,
		         s->info.port, s->fingerprint);
	}
	worker_audit(s->w, "login", s->info.target.user, s->fingerprint, s->info.addr,
	             s->info.is_cert ? s->grant.key_id : NULL, s->info.is_cert ? 0 : s->key_id);
	if (!limits_sess_take(s->info.target.user)) {
		auth_refuse(s, 1, "sftpgw: too many sessions for %s", s->info.target.user);
		return;
	}
	s->holds_sess = true;
	if (store_user_envs(s->w->store, s->info.user_id, &envs, &n) != 0) {
		auth_refuse(s, 1, "sftpgw: the gateway's store is not available; try again later");
		return;
	}
	s->info.envs = envs;
	auth_pick_envs(s, envs, n);
	if (s->refusal == NULL && fwd_node_check(&s->info, &why) != 0)
		auth_refuse(s, 1, "%s", why);
	if (s->refusal == NULL)
		auth_build_view(s);
}
