/* parse.c — the bounded parser of OpenSSH user certificates (PROTOCOL.certkeys).
 * Every byte comes through include/sftpgw/buf.h; nothing is copied, the result
 * holds views into the caller's blob. */
#include <string.h>

#include "sftpgw/cert.h"
#include "sftpgw/err.h"
#include "cert_internal.h"

struct ktype_info {
	enum cert_ktype kt;
	const char *cert_name;
	const char *plain_name;
	const char *curve;       /* ECDSA only */
};

static const struct ktype_info ktypes[] = {
	{ CERT_K_ED25519, "ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519", NULL },
	{ CERT_K_ECDSA256, "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp256", "nistp256" },
	{ CERT_K_ECDSA384, "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp384", "nistp384" },
	{ CERT_K_ECDSA521, "ecdsa-sha2-nistp521-cert-v01@openssh.com", "ecdsa-sha2-nistp521", "nistp521" },
	{ CERT_K_RSA, "ssh-rsa-cert-v01@openssh.com", "ssh-rsa", NULL },
};
#define N_KTYPES (sizeof(ktypes) / sizeof(ktypes[0]))
#define ED25519_PK_LEN 32
#define CERT_TYPE_USER 1

static const struct ktype_info *ktype_by_name(struct cert_bytes name, bool cert)
{
	for (size_t i = 0; i < N_KTYPES; i++)
		if (cert__bytes_eq(name, cert ? ktypes[i].cert_name : ktypes[i].plain_name))
			return &ktypes[i];
	return NULL;
}

static int get_bytes(struct sbuf *b, struct cert_bytes *out)
{
	return sbuf_get_string(b, &out->p, &out->n);
}

/* An mpint must be minimal and non-negative (as sshbuf_get_bignum2 wants). */
static int check_mpint(struct cert_bytes m)
{
	if (m.n == 0)
		return 0;
	if (m.p[0] & 0x80)
		return SGW_EBADFORMAT;
	if (m.p[0] == 0 && (m.n == 1 || !(m.p[1] & 0x80)))
		return SGW_EBADFORMAT;
	return 0;
}

/* Reads the key fields of kind ki (after the type string) and checks their shape. */
static int get_key_fields(struct sbuf *b, const struct ktype_info *ki)
{
	struct cert_bytes f1, f2;
	int r;

	if ((r = get_bytes(b, &f1)) != 0)
		return r;
	if (ki->kt == CERT_K_ED25519)
		return f1.n == ED25519_PK_LEN ? 0 : SGW_EBADFORMAT;
	if ((r = get_bytes(b, &f2)) != 0)
		return r;
	if (ki->curve != NULL) {
		/* curve name must match the type; the point is uncompressed (0x04) */
		if (!cert__bytes_eq(f1, ki->curve) || f2.n < 1 || f2.p[0] != 0x04)
			return SGW_EBADFORMAT;
		return 0;
	}
	/* RSA: e then n */
	if ((r = check_mpint(f1)) != 0 || (r = check_mpint(f2)) != 0)
		return r;
	return f1.n > 0 && f2.n > 0 ? 0 : SGW_EBADFORMAT;
}

int cert_key_type(const uint8_t *blob, size_t n, enum cert_ktype *kt, const char **name)
{
	struct sbuf b;
	struct cert_bytes t;
	const struct ktype_info *ki;
	int r;

	sbuf_view(&b, blob, n);
	if ((r = get_bytes(&b, &t)) != 0)
		return r;
	if ((ki = ktype_by_name(t, false)) == NULL)
		return SGW_EUNSUPPORTED;
	if ((r = get_key_fields(&b, ki)) != 0 || (r = sbuf_expect_end(&b)) != 0)
		return r;
	*kt = ki->kt;
	if (name != NULL)
		*name = ki->plain_name;
	return 0;
}

const char *cert_ktype_label(enum cert_ktype kt)
{
	switch (kt) {
	case CERT_K_ED25519: return "ED25519";
	case CERT_K_RSA: return "RSA";
	default: return "ECDSA";
	}
}

/* A string without NUL bytes (what sshbuf_get_cstring insists on). */
static int get_text(struct sbuf *b, struct cert_bytes *out)
{
	int r;

	if ((r = get_bytes(b, out)) != 0)
		return r;
	return memchr(out->p, '\0', out->n) == NULL ? 0 : SGW_EBADFORMAT;
}

static int parse_principals(struct cert *c)
{
	struct sbuf b;
	struct cert_bytes p;
	int r;

	sbuf_view(&b, c->principals.p, c->principals.n);
	c->n_principals = 0;
	while (sbuf_avail(&b) > 0) {
		if ((r = get_text(&b, &p)) != 0)
			return r;
		if (++c->n_principals > CERT_MAX_PRINCIPALS)
			return SGW_ETOOBIG;
	}
	return 0;
}

int cert_option_next(struct cert_bytes sect, size_t *it, struct cert_bytes *name,
                     struct cert_bytes *data)
{
	struct sbuf b;
	int r;

	if (*it > sect.n)
		return SGW_EBADFORMAT;
	sbuf_view(&b, sect.p + *it, sect.n - *it);
	if (sbuf_avail(&b) == 0)
		return 0;
	if ((r = get_text(&b, name)) != 0 || (r = get_bytes(&b, data)) != 0)
		return r;
	*it = sect.n - sbuf_avail(&b);
	return 1;
}

/* Options and extensions: well-formed (name, data) pairs, bounded in number. */
static int check_options(struct cert_bytes sect)
{
	struct cert_bytes name, data;
	size_t it = 0, count = 0;
	int r;

	while ((r = cert_option_next(sect, &it, &name, &data)) == 1)
		if (++count > CERT_MAX_OPTIONS)
			return SGW_ETOOBIG;
	return r;
}

int cert_principal_next(const struct cert *c, size_t *it, struct cert_bytes *out)
{
	struct sbuf b;
	int r;

	if (*it > c->principals.n)
		return SGW_EBADFORMAT;
	sbuf_view(&b, c->principals.p + *it, c->principals.n - *it);
	if (sbuf_avail(&b) == 0)
		return 0;
	if ((r = get_bytes(&b, out)) != 0)
		return r;
	*it = c->principals.n - sbuf_avail(&b);
	return 1;
}

/* The CA key: a plain (never certificate) key of a known kind. */
static int parse_ca_key(struct cert *c)
{
	return cert_key_type(c->ca_key.p, c->ca_key.n, &c->ca_ktype, NULL);
}

static int parse_signature(struct cert *c, struct cert_bytes sigblob)
{
	struct sbuf b;
	int r;

	sbuf_view(&b, sigblob.p, sigblob.n);
	if ((r = get_text(&b, &c->sig_alg)) != 0 || (r = get_bytes(&b, &c->sig)) != 0)
		return r;
	return sbuf_expect_end(&b);
}

static int parse_head(struct sbuf *b, struct cert *c)
{
	struct cert_bytes t;
	const struct ktype_info *ki;
	size_t start;
	int r;

	if ((r = get_bytes(b, &t)) != 0)
		return r;
	if ((ki = ktype_by_name(t, true)) == NULL)
		return SGW_EUNSUPPORTED;
	c->ktype = ki->kt;
	c->type = ki->cert_name;
	c->plain_type = ki->plain_name;
	if ((r = get_bytes(b, &c->nonce)) != 0)
		return r;
	start = b->off;
	if ((r = get_key_fields(b, ki)) != 0)
		return r;
	c->key_fields.p = b->d + start;
	c->key_fields.n = b->off - start;
	return 0;
}

static int parse_body(struct sbuf *b, struct cert *c)
{
	int r;

	if ((r = sbuf_get_u64(b, &c->serial)) != 0 || (r = sbuf_get_u32(b, &c->cert_type)) != 0 ||
	    (r = get_text(b, &c->key_id)) != 0 || (r = get_bytes(b, &c->principals)) != 0 ||
	    (r = sbuf_get_u64(b, &c->valid_after)) != 0 ||
	    (r = sbuf_get_u64(b, &c->valid_before)) != 0 ||
	    (r = get_bytes(b, &c->critical)) != 0 || (r = get_bytes(b, &c->extensions)) != 0 ||
	    (r = get_bytes(b, &c->reserved)) != 0 || (r = get_bytes(b, &c->ca_key)) != 0)
		return r;
	if (c->cert_type != CERT_TYPE_USER)
		return SGW_EUNSUPPORTED;
	if ((r = parse_principals(c)) != 0 || (r = check_options(c->critical)) < 0 ||
	    (r = check_options(c->extensions)) < 0)
		return r;
	return parse_ca_key(c);
}

int cert_parse(const uint8_t *blob, size_t n, struct cert *c)
{
	struct sbuf b;
	struct cert_bytes sigblob;
	int r;

	memset(c, 0, sizeof(*c));
	if (n > CERT_MAX_BLOB)
		return SGW_ETOOBIG;
	sbuf_view(&b, blob, n);
	if ((r = parse_head(&b, c)) != 0 || (r = parse_body(&b, c)) != 0)
		return r;
	c->signed_part.p = blob;
	c->signed_part.n = b.off;
	if ((r = get_bytes(&b, &sigblob)) != 0 || (r = sbuf_expect_end(&b)) != 0)
		return r;
	return parse_signature(c, sigblob);
}

int cert_plain_key(const struct cert *c, struct sbuf *out)
{
	int r;

	if ((r = sbuf_put_cstring(out, c->plain_type)) != 0)
		return r;
	return sbuf_put_bytes(out, c->key_fields.p, c->key_fields.n);
}
