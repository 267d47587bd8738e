/* issue.c — what `ssh-keygen -s` does: build fields 1-13 of a user
 * certificate, sign them with the CA's private key (libcrypto), append the
 * signature. Also the CA private keys themselves (PKCS#8 PEM, 0600). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "sftpgw/cert.h"
#include "sftpgw/err.h"
#include "cert_internal.h"

#define RSA_CA_BITS 3072
#define EC_POINT_MAX 133     /* uncompressed P-521 point */
#define CERT_TYPE_USER 1

/* Known extensions in the sorted order they must be written in. */
static const struct {
	unsigned bit;
	const char *name;
	const char *word;    /* --permit word */
} exts[] = {
	{ CERT_EXT_NO_TOUCH, "no-touch-required", "no-touch-required" },
	{ CERT_EXT_X11, "permit-X11-forwarding", "X11-forwarding" },
	{ CERT_EXT_AGENT, "permit-agent-forwarding", "agent-forwarding" },
	{ CERT_EXT_PORT_FWD, "permit-port-forwarding", "port-forwarding" },
	{ CERT_EXT_PTY, "permit-pty", "pty" },
	{ CERT_EXT_USER_RC, "permit-user-rc", "user-rc" },
};

unsigned cert_ext_from_word(const char *w)
{
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!strcmp(w, exts[i].word) || !strcmp(w, exts[i].name))
			return exts[i].bit;
	return 0;
}

int cert_ca_generate(const char *type, EVP_PKEY **out)
{
	if (type == NULL || !strcmp(type, "ed25519"))
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	else if (!strcmp(type, "ecdsa"))
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (!strcmp(type, "rsa"))
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_CA_BITS);
	else
		return SGW_EUNSUPPORTED;
	return *out ? 0 : SGW_ECRYPTO;
}

/* An mpint from a BIGNUM: a leading zero byte when the top bit is set. */
static int put_bn(struct sbuf *b, const BIGNUM *bn)
{
	uint8_t buf[1 + 2048];
	int len = BN_num_bytes(bn);

	if (len < 0 || (size_t)len > sizeof(buf) - 1)
		return SGW_ETOOBIG;
	buf[0] = 0;
	BN_bn2bin(bn, buf + 1);
	if (len > 0 && (buf[1] & 0x80))
		return sbuf_put_string(b, buf, (size_t)len + 1);
	return sbuf_put_string(b, buf + 1, (size_t)len);
}

static int ec_kind(EVP_PKEY *k, enum cert_ktype *kt, const char **ssh, const char **curve)
{
	char group[64];

	if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
	                                   NULL) != 1)
		return SGW_ECRYPTO;
	if (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"))
		*kt = CERT_K_ECDSA256, *ssh = "ecdsa-sha2-nistp256", *curve = "nistp256";
	else if (!strcmp(group, "secp384r1") || !strcmp(group, "P-384"))
		*kt = CERT_K_ECDSA384, *ssh = "ecdsa-sha2-nistp384", *curve = "nistp384";
	else if (!strcmp(group, "secp521r1") || !strcmp(group, "P-521"))
		*kt = CERT_K_ECDSA521, *ssh = "ecdsa-sha2-nistp521", *curve = "nistp521";
	else
		return SGW_EUNSUPPORTED;
	return 0;
}

static int pubblob_ec(EVP_PKEY *k, struct sbuf *out)
{
	enum cert_ktype kt;
	const char *ssh, *curve;
	uint8_t q[EC_POINT_MAX];
	size_t qn = 0;
	int r;

	if ((r = ec_kind(k, &kt, &ssh, &curve)) != 0)
		return r;
	if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, q, sizeof(q), &qn) != 1)
		return SGW_ECRYPTO;
	if ((r = sbuf_put_cstring(out, ssh)) != 0 || (r = sbuf_put_cstring(out, curve)) != 0)
		return r;
	return sbuf_put_string(out, q, qn);
}

static int pubblob_rsa(EVP_PKEY *k, struct sbuf *out)
{
	BIGNUM *n = NULL, *e = NULL;
	int r = SGW_ECRYPTO;

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) == 1) {
		if ((r = sbuf_put_cstring(out, "ssh-rsa")) == 0 && (r = put_bn(out, e)) == 0)
			r = put_bn(out, n);
	}
	BN_free(n);
	BN_free(e);
	return r;
}

int cert_ca_pubblob(EVP_PKEY *k, struct sbuf *out)
{
	uint8_t pk[32];
	size_t pkn = sizeof(pk);
	int r;

	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_ED25519:
		if (EVP_PKEY_get_raw_public_key(k, pk, &pkn) != 1)
			return SGW_ECRYPTO;
		if ((r = sbuf_put_cstring(out, "ssh-ed25519")) != 0)
			return r;
		return sbuf_put_string(out, pk, pkn);
	case EVP_PKEY_EC:
		return pubblob_ec(k, out);
	case EVP_PKEY_RSA:
		return pubblob_rsa(k, out);
	default:
		return SGW_EUNSUPPORTED;
	}
}

int cert_ca_save(EVP_PKEY *k, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *f;
	int ok;

	if (fd < 0)
		return -errno;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return SGW_ECRYPTO;
	}
	ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok) {
		unlink(path);
		return SGW_ECRYPTO;
	}
	return 0;
}

int cert_ca_load(const char *path, EVP_PKEY **out)
{
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return -errno;
	*out = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return *out ? 0 : SGW_ECRYPTO;
}

/* DER ECDSA-Sig-Value -> SSH "mpint r, mpint s" string. */
static int ecdsa_der_to_ssh(const uint8_t *der, size_t dern, struct sbuf *out)
{
	const uint8_t *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dern);
	struct sbuf inner;
	int r;

	if (es == NULL)
		return SGW_ECRYPTO;
	sbuf_init(&inner, 256);
	if ((r = put_bn(&inner, ECDSA_SIG_get0_r(es))) == 0 &&
	    (r = put_bn(&inner, ECDSA_SIG_get0_s(es))) == 0)
		r = sbuf_put_string(out, inner.d, inner.len);
	sbuf_free(&inner);
	ECDSA_SIG_free(es);
	return r;
}

/* Signature algorithm and digest for a CA key; RSA CAs use rsa-sha2-512. */
static int sign_alg(EVP_PKEY *k, const char **alg, const char **md)
{
	enum cert_ktype kt;
	const char *curve;

	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_ED25519:
		*alg = "ssh-ed25519", *md = NULL;
		return 0;
	case EVP_PKEY_RSA:
		*alg = "rsa-sha2-512", *md = "SHA512";
		return 0;
	case EVP_PKEY_EC:
		if (ec_kind(k, &kt, alg, &curve) != 0)
			return SGW_EUNSUPPORTED;
		*md = kt == CERT_K_ECDSA256 ? "SHA256" : kt == CERT_K_ECDSA384 ? "SHA384" : "SHA512";
		return 0;
	default:
		return SGW_EUNSUPPORTED;
	}
}

/* Appends string(string alg, string sigdata) signing data[0..n). */
static int sign_append(EVP_PKEY *k, const uint8_t *data, size_t n, struct sbuf *out)
{
	const char *alg, *md;
	EVP_MD_CTX *ctx = NULL;
	uint8_t *sig = NULL;
	size_t sn = 0;
	struct sbuf s;
	int r;

	if ((r = sign_alg(k, &alg, &md)) != 0)
		return r;
	sbuf_init(&s, CERT_MAX_BLOB);
	r = SGW_ECRYPTO;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, k, NULL) != 1 ||
	    EVP_DigestSign(ctx, NULL, &sn, data, n) != 1 || (sig = malloc(sn)) == NULL ||
	    EVP_DigestSign(ctx, sig, &sn, data, n) != 1)
		goto out;
	if ((r = sbuf_put_cstring(&s, alg)) != 0)
		goto out;
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_EC)
		r = ecdsa_der_to_ssh(sig, sn, &s);
	else
		r = sbuf_put_string(&s, sig, sn);
	if (r == 0)
		r = sbuf_put_string(out, s.d, s.len);
out:
	sbuf_free(&s);
	free(sig);
	EVP_MD_CTX_free(ctx);
	return r;
}

static int put_strings_section(struct sbuf *out, const char *const *v, size_t n)
{
	struct sbuf in;
	int r = 0;

	sbuf_init(&in, CERT_MAX_BLOB);
	for (size_t i = 0; i < n && r == 0; i++)
		r = sbuf_put_cstring(&in, v[i]);
	if (r == 0)
		r = sbuf_put_string(out, in.d, in.len);
	sbuf_free(&in);
	return r;
}

/* One option: name, then its value wrapped twice (or empty data for a flag). */
static int put_option(struct sbuf *sect, const char *name, const char *value)
{
	struct sbuf d;
	int r;

	if ((r = sbuf_put_cstring(sect, name)) != 0)
		return r;
	if (value == NULL)
		return sbuf_put_string(sect, NULL, 0);
	sbuf_init(&d, CERT_MAX_OPTION_VALUE + 4);
	if ((r = sbuf_put_cstring(&d, value)) == 0)
		r = sbuf_put_string(sect, d.d, d.len);
	sbuf_free(&d);
	return r;
}

static int put_options(struct sbuf *out, const struct cert_issue_req *q)
{
	struct sbuf crit, ext;
	int r = 0;

	sbuf_init(&crit, CERT_MAX_BLOB);
	sbuf_init(&ext, CERT_MAX_BLOB);
	/* sorted: force-command < source-address */
	if (q->force_command != NULL)
		r = put_option(&crit, "force-command", q->force_command);
	if (r == 0 && q->source_address != NULL)
		r = put_option(&crit, "source-address", q->source_address);
	for (size_t i = 0; r == 0 && i < sizeof(exts) / sizeof(exts[0]); i++)
		if (q->extensions & exts[i].bit)
			r = put_option(&ext, exts[i].name, NULL);
	if (r == 0 && (r = sbuf_put_string(out, crit.d, crit.len)) == 0)
		r = sbuf_put_string(out, ext.d, ext.len);
	sbuf_free(&crit);
	sbuf_free(&ext);
	return r;
}

static int put_key(struct sbuf *out, const struct cert_issue_req *q)
{
	struct sbuf b;
	const uint8_t *t;
	size_t tn;
	enum cert_ktype kt;
	const char *plain;
	uint8_t nonce[CERT_NONCE_LEN];
	char certname[64];
	int r;

	if ((r = cert_key_type(q->pubkey, q->pubkey_n, &kt, &plain)) != 0)
		return r;
	snprintf(certname, sizeof(certname), "%s-cert-v01@openssh.com", plain);
	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return SGW_ECRYPTO;
	sbuf_view(&b, q->pubkey, q->pubkey_n);
	if ((r = sbuf_get_string(&b, &t, &tn)) != 0)
		return r;
	if ((r = sbuf_put_cstring(out, certname)) != 0 ||
	    (r = sbuf_put_string(out, nonce, sizeof(nonce))) != 0)
		return r;
	return sbuf_put_bytes(out, sbuf_ptr(&b), sbuf_avail(&b));
}

int cert_issue(const struct cert_issue_req *q, EVP_PKEY *ca, struct sbuf *out)
{
	struct sbuf cab;
	int r;

	if (q->n_principals > CERT_MAX_PRINCIPALS)
		return SGW_ETOOBIG;
	sbuf_init(&cab, CERT_MAX_BLOB);
	if ((r = cert_ca_pubblob(ca, &cab)) != 0 || (r = put_key(out, q)) != 0 ||
	    (r = sbuf_put_u64(out, q->serial)) != 0 ||
	    (r = sbuf_put_u32(out, CERT_TYPE_USER)) != 0 ||
	    (r = sbuf_put_cstring(out, q->key_id)) != 0 ||
	    (r = put_strings_section(out, q->principals, q->n_principals)) != 0 ||
	    (r = sbuf_put_u64(out, q->valid_after)) != 0 ||
	    (r = sbuf_put_u64(out, q->valid_before)) != 0 || (r = put_options(out, q)) != 0 ||
	    (r = sbuf_put_string(out, NULL, 0)) != 0 ||
	    (r = sbuf_put_string(out, cab.d, cab.len)) != 0)
		goto out;
	r = sign_append(ca, out->d, out->len, out);
out:
	sbuf_free(&cab);
	return r;
}
