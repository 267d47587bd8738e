/* crypto.c — libcrypto (OpenSSL 3 EVP) for certificates: CA public keys from
 * their OpenSSH blobs, signature verification and creation in the SSH
 * encodings, CA private keys as PKCS#8 PEM, fingerprints and base64. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "sftpgw/cert.h"
#include "sftpgw/err.h"
#include "cert_internal.h"

#define ED25519_SIG_LEN 64
#define RSA_NEW_BITS 3072
#define FP_DIGEST_LEN 32

/* Curve facts by kind: OpenSSL group name, digest, SSH name. */
static const struct {
	enum cert_ktype kt;
	const char *group;
	const char *md;
	const char *ssh_name;
} curves[] = {
	{ CERT_K_ECDSA256, "prime256v1", "SHA256", "ecdsa-sha2-nistp256" },
	{ CERT_K_ECDSA384, "secp384r1", "SHA384", "ecdsa-sha2-nistp384" },
	{ CERT_K_ECDSA521, "secp521r1", "SHA512", "ecdsa-sha2-nistp521" },
};
#define N_CURVES (sizeof(curves) / sizeof(curves[0]))

static int curve_index(enum cert_ktype kt)
{
	for (size_t i = 0; i < N_CURVES; i++)
		if (curves[i].kt == kt)
			return (int)i;
	return -1;
}

static EVP_PKEY *pkey_fromdata(const char *alg, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	EVP_PKEY *k = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return k;
}

static EVP_PKEY *ec_from_fields(int ci, struct sbuf *b)
{
	const uint8_t *curve, *q;
	size_t cn, qn;
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *k = NULL;

	if (sbuf_get_string(b, &curve, &cn) != 0 || sbuf_get_string(b, &q, &qn) != 0)
		return NULL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	                                    curves[ci].group, 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q, qn) == 1)
		k = pkey_fromdata("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return k;
}

static EVP_PKEY *rsa_from_fields(struct sbuf *b)
{
	const uint8_t *e, *n;
	size_t en, nn;
	BIGNUM *be = NULL, *bn = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *k = NULL;

	if (sbuf_get_string(b, &e, &en) != 0 || sbuf_get_string(b, &n, &nn) != 0)
		return NULL;
	be = BN_bin2bn(e, (int)en, NULL);
	bn = BN_bin2bn(n, (int)nn, NULL);
	if (be == NULL || bn == NULL || BN_num_bits(bn) < CERT_RSA_MIN_BITS)
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1)
		k = pkey_fromdata("RSA", bld);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(be);
	BN_free(bn);
	return k;
}

EVP_PKEY *cert__pkey_from_blob(const uint8_t *blob, size_t n, enum cert_ktype *kt)
{
	struct sbuf b;
	const uint8_t *t, *pk;
	size_t tn, pkn;
	int ci;

	if (cert_key_type(blob, n, kt, NULL) != 0)
		return NULL;
	sbuf_view(&b, blob, n);
	if (sbuf_get_string(&b, &t, &tn) != 0)
		return NULL;
	if (*kt == CERT_K_ED25519) {
		if (sbuf_get_string(&b, &pk, &pkn) != 0)
			return NULL;
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, pkn);
	}
	if (*kt == CERT_K_RSA)
		return rsa_from_fields(&b);
	ci = curve_index(*kt);
	return ci < 0 ? NULL : ec_from_fields(ci, &b);
}

/* "mpint r, mpint s" -> DER ECDSA-Sig-Value, as OpenSSL verifies it. */
static int ecdsa_sig_to_der(struct cert_bytes sig, uint8_t **der, size_t *dern)
{
	struct sbuf b;
	const uint8_t *r, *s;
	size_t rn, sn;
	ECDSA_SIG *es;
	BIGNUM *br, *bs;
	int len;

	sbuf_view(&b, sig.p, sig.n);
	if (sbuf_get_string(&b, &r, &rn) != 0 || sbuf_get_string(&b, &s, &sn) != 0 ||
	    sbuf_expect_end(&b) != 0 || rn > 67 || sn > 67)
		return SGW_EBADFORMAT;
	if ((es = ECDSA_SIG_new()) == NULL)
		return SGW_ECRYPTO;
	br = BN_bin2bn(r, (int)rn, NULL);
	bs = BN_bin2bn(s, (int)sn, NULL);
	if (br == NULL || bs == NULL || ECDSA_SIG_set0(es, br, bs) != 1) {
		BN_free(br);
		BN_free(bs);
		ECDSA_SIG_free(es);
		return SGW_ECRYPTO;
	}
	*der = NULL;
	len = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	if (len <= 0)
		return SGW_ECRYPTO;
	*dern = (size_t)len;
	return 0;
}

/* The digest a (CA kind, signature algorithm) pair uses, or an error:
 * SHA-1 ssh-rsa is refused, as OpenSSH's CASignatureAlgorithms does. */
static int sig_digest(enum cert_ktype kt, struct cert_bytes alg, const char **md)
{
	int ci;

	*md = NULL;
	if (kt == CERT_K_ED25519)
		return cert__bytes_eq(alg, "ssh-ed25519") ? 0 : SGW_EDENIED;
	if (kt == CERT_K_RSA) {
		if (cert__bytes_eq(alg, "rsa-sha2-256"))
			*md = "SHA256";
		else if (cert__bytes_eq(alg, "rsa-sha2-512"))
			*md = "SHA512";
		else
			return cert__bytes_eq(alg, "ssh-rsa") ? SGW_EUNSUPPORTED : SGW_EDENIED;
		return 0;
	}
	ci = curve_index(kt);
	if (ci < 0 || !cert__bytes_eq(alg, curves[ci].ssh_name))
		return SGW_EDENIED;
	*md = curves[ci].md;
	return 0;
}

static int digest_verify(EVP_PKEY *k, const char *md, const uint8_t *sig, size_t sn,
                         struct cert_bytes data)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (ctx == NULL)
		return SGW_ECRYPTO;
	ok = EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, k, NULL) == 1 &&
	     EVP_DigestVerify(ctx, sig, sn, data.p, data.n) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : SGW_EDENIED;
}

/* RSA signatures may be shorter than the modulus: left-pad with zeros. */
static int rsa_verify(EVP_PKEY *k, const char *md, const struct cert *c)
{
	size_t mod = (size_t)EVP_PKEY_get_size(k);
	uint8_t *padded;
	int r;

	if (c->sig.n > mod || c->sig.n == 0)
		return SGW_EDENIED;
	if ((padded = calloc(1, mod)) == NULL)
		return -ENOMEM;
	memcpy(padded + (mod - c->sig.n), c->sig.p, c->sig.n);
	r = digest_verify(k, md, padded, mod, c->signed_part);
	free(padded);
	return r;
}

int cert_verify_signature(const struct cert *c)
{
	enum cert_ktype kt;
	EVP_PKEY *k;
	const char *md;
	uint8_t *der = NULL;
	size_t dern = 0;
	int r;

	if ((r = sig_digest(c->ca_ktype, c->sig_alg, &md)) != 0)
		return r;
	if ((k = cert__pkey_from_blob(c->ca_key.p, c->ca_key.n, &kt)) == NULL)
		return c->ca_ktype == CERT_K_RSA ? SGW_EUNSUPPORTED : SGW_EDENIED;
	if (kt == CERT_K_ED25519)
		r = c->sig.n == ED25519_SIG_LEN ?
		    digest_verify(k, NULL, c->sig.p, c->sig.n, c->signed_part) : SGW_EDENIED;
	else if (kt == CERT_K_RSA)
		r = rsa_verify(k, md, c);
	else if ((r = ecdsa_sig_to_der(c->sig, &der, &dern)) == 0)
		r = digest_verify(k, md, der, dern, c->signed_part);
	else
		r = SGW_EDENIED;
	OPENSSL_free(der);
	EVP_PKEY_free(k);
	return r;
}

int cert_fingerprint(const uint8_t *blob, size_t n, char *out, size_t outsz)
{
	uint8_t d[FP_DIGEST_LEN];
	char b64[4 * ((FP_DIGEST_LEN + 2) / 3) + 1];
	unsigned dn = 0;
	int len;

	if (EVP_Digest(blob, n, d, &dn, EVP_sha256(), NULL) != 1 || dn != FP_DIGEST_LEN)
		return SGW_ECRYPTO;
	len = EVP_EncodeBlock((unsigned char *)b64, d, (int)dn);
	while (len > 0 && b64[len - 1] == '=')
		b64[--len] = '\0';
	if ((size_t)snprintf(out, outsz, "SHA256:%s", b64) >= outsz)
		return SGW_ENOSPACE;
	return 0;
}

int cert_b64_encode(const uint8_t *p, size_t n, char **out)
{
	size_t len = 4 * ((n + 2) / 3) + 1;

	if (n > CERT_MAX_BLOB * 4 || (*out = malloc(len)) == NULL)
		return -ENOMEM;
	EVP_EncodeBlock((unsigned char *)*out, p, (int)n);
	return 0;
}

static int b64_val(int ch)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *q = ch ? strchr(tab, ch) : NULL;

	return q ? (int)(q - tab) : -1;
}

int cert_b64_decode(const char *s, size_t len, struct sbuf *out)
{
	uint32_t acc = 0;
	int bits = 0, v, r;
	size_t i, pad = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64_val((unsigned char)s[i])) < 0)
			return SGW_EBADFORMAT;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if ((r = sbuf_put_u8(out, (uint8_t)(acc >> bits))) != 0)
				return r;
		}
	}
	/* Padding, when present, must complete the last quantum ("=" or "=="
	 * alone, or "x=", is not base64); a lone 6-bit tail never is. */
	if (pad > 2 || bits >= 6 || (acc & ((1u << bits) - 1)) != 0 || (len - pad) % 4 == 1 ||
	    (pad > 0 && (len - pad == 0 || len % 4 != 0)))
		return SGW_EBADFORMAT;
	return 0;
}

int cert_pubkey_line(const char *line, struct sbuf *blob, char *type, size_t typesz)
{
	const char *p = line + strspn(line, " \t"), *b64;
	size_t tn = strcspn(p, " \t\r\n"), bn;
	struct sbuf v;
	const uint8_t *bt;
	size_t btn, start = blob->len;
	int r;

	if (tn == 0 || tn >= typesz)
		return SGW_EBADFORMAT;
	memcpy(type, p, tn);
	type[tn] = '\0';
	b64 = p + tn + strspn(p + tn, " \t");
	if ((bn = strcspn(b64, " \t\r\n")) == 0)
		return SGW_EBADFORMAT;
	if ((r = cert_b64_decode(b64, bn, blob)) != 0)
		return r;
	/* "=" alone decodes to nothing: no key (and a fresh blob has no storage
	 * to view: NULL + 0 is undefined) */
	if (blob->len == start)
		return SGW_EBADFORMAT;
	/* the type inside the blob must be the one the line names */
	sbuf_view(&v, blob->d + start, blob->len - start);
	if ((r = sbuf_get_string(&v, &bt, &btn)) != 0)
		return r;
	if (btn != tn || memcmp(bt, type, tn) != 0)
		return SGW_EBADFORMAT;
	return 0;
}

int cert_key_bits(const uint8_t *blob, size_t n)
{
	enum cert_ktype kt;
	EVP_PKEY *k = cert__pkey_from_blob(blob, n, &kt);
	int bits;

	if (k == NULL)
		return SGW_EBADFORMAT;
	bits = EVP_PKEY_get_bits(k);
	EVP_PKEY_free(k);
	return bits;
}
