/* cert.c — cert_check(): what sshd does with TrustedUserCAKeys, in its order:
 * revocations (key, CA, serial, key id), CA trusted (raw blob), CA signature,
 * principals, validity, critical options, extensions. The first failing
 * check decides the one reason the daemon logs. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sftpgw/cert.h"
#include "sftpgw/err.h"
#include "sftpgw/store_ca.h"
#include "cert_internal.h"

#define KEY_ID_MAX 1024      /* longer key ids are compared by their first bytes only */
#define SIG_CACHE_SLOTS 1024 /* direct-mapped, 32 bytes each */
#define SIG_HASH_LEN 32

/* Blobs whose CA signature verified, by SHA-256 of the whole blob: the probe
 * and the signed attempt (and a user's repeated logins) pay for the public-key
 * operation once. Only the signature is cached; trust, revocations, validity
 * and options are checked every time. One cache for the process behind a
 * mutex (held for a memcmp or memcpy): a thread-local one put its 32 KiB into
 * the static TLS block that every thread, threadpool ones included, zeroes
 * at start, 2 MiB for nothing with a 64-thread pool. */
static uint8_t sig_cache[SIG_CACHE_SLOTS][SIG_HASH_LEN];
static pthread_mutex_t sig_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* Fills what the log line needs: key id, serial, CA fingerprint. */
static void grant_ident(struct cert_grant *g, const struct cert *c)
{
	size_t n = c->key_id.n < sizeof(g->key_id) - 1 ? c->key_id.n : sizeof(g->key_id) - 1;

	memcpy(g->key_id, c->key_id.p, n);
	g->key_id[n] = '\0';
	g->serial = c->serial;
	if (cert_fingerprint(c->ca_key.p, c->ca_key.n, g->ca_fingerprint,
	                     sizeof(g->ca_fingerprint)) != 0)
		g->ca_fingerprint[0] = '\0';
}

/* One store statement: the CA, revocations (certified key and CA key by
 * fingerprint, serial for this CA, key id for this CA or any) and the login's
 * user. On failure f says "revoked": nothing gets in without an answer. */
static int lookup_facts(struct store *st, const struct cert *c, const char *ca_fp,
                        const char *user, struct store_cert_facts *f)
{
	struct sbuf plain;
	char fp[CERT_FP_LEN], serial[24], key_id[KEY_ID_MAX + 1];
	size_t n = c->key_id.n < KEY_ID_MAX ? c->key_id.n : KEY_ID_MAX;
	int r;

	memset(f, 0, sizeof(*f));
	f->revoked = true;
	sbuf_init(&plain, CERT_MAX_BLOB);
	r = cert_plain_key(c, &plain);
	if (r == 0)
		r = cert_fingerprint(plain.d, plain.len, fp, sizeof(fp));
	sbuf_free(&plain);
	if (r != 0)
		return r;
	memcpy(key_id, c->key_id.p, n);
	key_id[n] = '\0';
	snprintf(serial, sizeof(serial), "%llu", (unsigned long long)c->serial);
	if ((r = store_cert_facts(st, c->ca_key.p, c->ca_key.n, fp, ca_fp, serial, key_id, user,
	                          f)) != 0)
		f->revoked = true;
	return r;
}

/* "USER" matches the login's user (every environment); "USER+ENV" matches a
 * login that names that environment. Returns 1 on a match and sets env. */
static int principal_matches(struct cert_bytes p, const char *user, const char *env,
                             char *genv, size_t genvsz)
{
	size_t ul = strlen(user), el = strlen(env);

	if (cert__bytes_eq(p, user)) {
		genv[0] = '\0';
		return 1;
	}
	if (el == 0 || p.n != ul + 1 + el || memcmp(p.p, user, ul) != 0 || p.p[ul] != '+' ||
	    memcmp(p.p + ul + 1, env, el) != 0)
		return 0;
	snprintf(genv, genvsz, "%s", env);
	return 1;
}

static int check_principals(const struct cert *c, const char *user, const char *env,
                            int64_t user_id, struct cert_grant *g)
{
	struct cert_bytes p;
	size_t it = 0;
	int r;

	if (c->n_principals == 0)   /* refused by sshd despite the spec's "any" */
		return SGW_EDENIED;
	while ((r = cert_principal_next(c, &it, &p)) == 1) {
		if (principal_matches(p, user, env, g->env, sizeof(g->env)))
			break;
	}
	if (r != 1 || user_id == 0)   /* the principal's user must be registered */
		return SGW_EDENIED;
	snprintf(g->user, sizeof(g->user), "%s", user);
	g->user_id = user_id;
	return 0;
}

/* valid_after <= now + skew and now - skew < valid_before. */
static const char *check_validity(const struct cert *c, int64_t now, int skew,
                                  struct cert_grant *g)
{
	if (c->valid_after > (uint64_t)INT64_MAX || (int64_t)c->valid_after > now + skew)
		return "not yet valid";
	if (c->valid_before <= (uint64_t)INT64_MAX && (int64_t)c->valid_before <= now - skew)
		return "expired";
	g->valid_before = c->valid_before > (uint64_t)INT64_MAX ? INT64_MAX
	                                                          : (int64_t)c->valid_before;
	return NULL;
}

/* An option value: data holds exactly one NUL-free string. */
static int option_text(struct cert_bytes data, char **out)
{
	struct sbuf b;
	int r;

	sbuf_view(&b, data.p, data.n);
	if ((r = sbuf_get_cstring(&b, CERT_MAX_OPTION_VALUE, out)) != 0)
		return r;
	if ((r = sbuf_expect_end(&b)) != 0) {
		free(*out);
		*out = NULL;
	}
	return r;
}

static const char *check_source(struct cert_bytes data, const char *addr, bool *seen)
{
	char *list = NULL;
	int m;

	if (*seen || option_text(data, &list) != 0)
		return "critical option";
	*seen = true;
	if (cert_cidr_list_valid(list) != 0) {
		free(list);
		return "critical option";
	}
	m = cert_cidr_list_match(list, addr);
	free(list);
	return m == 1 ? NULL : "source address";
}

/* force-command and source-address are understood; verify-required cannot
 * be honoured (no FIDO keys here) and, like every other option, refuses. */
static const char *check_critical(const struct cert *c, const char *addr, struct cert_grant *g)
{
	struct cert_bytes name, data;
	size_t it = 0;
	bool src_seen = false;
	const char *why;
	int r;

	while ((r = cert_option_next(c->critical, &it, &name, &data)) == 1) {
		if (cert__bytes_eq(name, "force-command")) {
			if (g->force_command != NULL || option_text(data, &g->force_command) != 0)
				return "critical option";
		} else if (cert__bytes_eq(name, "source-address")) {
			if ((why = check_source(data, addr, &src_seen)) != NULL)
				return why;
		} else {
			return "critical option";
		}
	}
	return r == 0 ? NULL : "malformed";
}

/* Known flags set the grant (data must be empty, as sshd wants); unknown ignored. */
static const char *read_extensions(const struct cert *c, struct cert_grant *g)
{
	struct cert_bytes name, data;
	size_t it = 0;
	int r;

	while ((r = cert_option_next(c->extensions, &it, &name, &data)) == 1) {
		bool pty = cert__bytes_eq(name, "permit-pty");
		bool fwd = cert__bytes_eq(name, "permit-port-forwarding");

		if ((pty || fwd) && data.n != 0)
			return "malformed";
		g->permit_pty |= pty;
		g->permit_port_forwarding |= fwd;
	}
	return r == 0 ? NULL : "malformed";
}

/* The certified RSA key itself must have CERT_RSA_MIN_BITS, like plain keys. */
static bool rsa_key_strong(const struct cert *c)
{
	struct sbuf plain;
	int bits;

	sbuf_init(&plain, CERT_MAX_BLOB);
	bits = cert_plain_key(c, &plain) == 0 ? cert_key_bits(plain.d, plain.len) : -1;
	sbuf_free(&plain);
	return bits >= CERT_RSA_MIN_BITS;
}

static int refuse(struct cert_grant *g, const char **reason, const char *why)
{
	free(g->force_command);
	g->force_command = NULL;
	*reason = why;
	return SGW_EDENIED;
}

static int verify_cached(const struct cert *c, const uint8_t *blob, size_t n)
{
	uint8_t h[SIG_HASH_LEN];
	unsigned hn = 0;
	size_t slot;
	int r;

	if (EVP_Digest(blob, n, h, &hn, EVP_sha256(), NULL) != 1 || hn != SIG_HASH_LEN)
		return cert_verify_signature(c);
	slot = ((size_t)h[0] << 8 | h[1]) % SIG_CACHE_SLOTS;
	pthread_mutex_lock(&sig_cache_lock);
	r = memcmp(sig_cache[slot], h, SIG_HASH_LEN) == 0;
	pthread_mutex_unlock(&sig_cache_lock);
	if (r)
		return 0;
	if ((r = cert_verify_signature(c)) == 0) {
		pthread_mutex_lock(&sig_cache_lock);
		memcpy(sig_cache[slot], h, SIG_HASH_LEN);
		pthread_mutex_unlock(&sig_cache_lock);
	}
	return r;
}

static const char *check_trust(const struct store_cert_facts *f, const struct cert *c,
                               const uint8_t *blob, size_t n)
{
	if (f->revoked)
		return "revoked";
	if (f->ca_id == 0)
		return "unknown CA";
	if (verify_cached(c, blob, n) != 0)
		return "bad signature";
	return NULL;
}

int cert_check(struct store *st, const uint8_t *blob, size_t n, const char *login_user,
               const char *login_env, const char *client_addr, int64_t now, int skew,
               struct cert_grant *g, const char **reason)
{
	struct cert c;
	struct store_cert_facts facts;
	const char *why;

	memset(g, 0, sizeof(*g));
	if (cert_parse(blob, n, &c) != 0)
		return refuse(g, reason, "malformed");
	grant_ident(g, &c);
	if (c.ktype == CERT_K_RSA && !rsa_key_strong(&c))
		return refuse(g, reason, "malformed");
	if (lookup_facts(st, &c, g->ca_fingerprint, login_user, &facts) != 0)
		return refuse(g, reason, "store error");   /* fail closed */
	if ((why = check_trust(&facts, &c, blob, n)) != NULL)
		return refuse(g, reason, why);
	if (check_principals(&c, login_user, login_env ? login_env : "", facts.user_id, g) != 0)
		return refuse(g, reason, "principal");
	if ((why = check_validity(&c, now, skew, g)) != NULL ||
	    (why = check_critical(&c, client_addr, g)) != NULL ||
	    (why = read_extensions(&c, g)) != NULL)
		return refuse(g, reason, why);
	*reason = NULL;
	return 0;
}

void cert_grant_free(struct cert_grant *g)
{
	free(g->force_command);
	g->force_command = NULL;
}
