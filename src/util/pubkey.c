/* pubkey.c — parsing and checking SSH public keys (see pubkey.h).
 *
 * Operators paste keys from many places; each wrong thing they may paste (a
 * private key, a certificate, authorized_keys options, a DSA key, a cut-off
 * line) gets its own sentence, because "invalid key" tells them nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "sftpgw/buf.h"
#include "sftpgw/err.h"
#include "sftpgw/pubkey.h"

#define CERT_SUFFIX "-cert-v01@openssh.com"
#define RFC4716_BEGIN "---- BEGIN SSH2 PUBLIC KEY ----"
#define RFC4716_END "---- END SSH2 PUBLIC KEY ----"
#define RFC4716_MAX_TAG 64        /* RFC 4716 3.3: header tags are at most 64 bytes */
#define SK_MAX_APPLICATION 1024   /* "ssh:" application strings are short */

enum key_kind { K_ED25519, K_ECDSA, K_RSA, K_SK_ED25519, K_SK_ECDSA };

struct key_type {
	const char *name;
	const char *label;    /* as ssh-keygen -l prints it */
	enum key_kind kind;
	const char *curve;    /* ECDSA: curve name inside the blob */
	int nid;              /* ECDSA: OpenSSL curve id, to check the point */
	unsigned bits;        /* fixed size; 0 = from the modulus */
	size_t point_len;     /* ECDSA: uncompressed point length */
};

static const struct key_type key_types[] = {
	{ "ssh-ed25519", "ED25519", K_ED25519, NULL, 0, 256, 0 },
	{ "ecdsa-sha2-nistp256", "ECDSA", K_ECDSA, "nistp256", NID_X9_62_prime256v1, 256, 65 },
	{ "ecdsa-sha2-nistp384", "ECDSA", K_ECDSA, "nistp384", NID_secp384r1, 384, 97 },
	{ "ecdsa-sha2-nistp521", "ECDSA", K_ECDSA, "nistp521", NID_secp521r1, 521, 133 },
	{ "ssh-rsa", "RSA", K_RSA, NULL, 0, 0, 0 },
	{ "sk-ssh-ed25519@openssh.com", "ED25519-SK", K_SK_ED25519, NULL, 0, 256, 0 },
	{ "sk-ecdsa-sha2-nistp256@openssh.com", "ECDSA-SK", K_SK_ECDSA, "nistp256",
	  NID_X9_62_prime256v1, 256, 65 },
};

/* authorized_keys options, to recognise a line that starts with one. */
static const char *const ak_options[] = {
	"agent-forwarding", "cert-authority", "command", "environment", "expiry-time", "from",
	"no-agent-forwarding", "no-port-forwarding", "no-pty", "no-user-rc", "no-X11-forwarding",
	"no-touch-required", "permitlisten", "permitopen", "port-forwarding", "principals", "pty",
	"restrict", "tunnel", "user-rc", "verify-required", "X11-forwarding",
};

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int fail(int code, char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(int code, char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const struct key_type *type_find(const char *name)
{
	for (size_t i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if (strcmp(key_types[i].name, name) == 0)
			return &key_types[i];
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

const char *pubkey_type_label(const char *type)
{
	const struct key_type *kt = type_find(type);

	return kt ? kt->label : "UNKNOWN";
}

int pubkey_base64(const uint8_t *in, size_t n, char *out, size_t outsz, int pad)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = n - i;

		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		if (o + 4 >= outsz)
			return SGW_ENOSPACE;
		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		if (left > 1)
			out[o++] = b64chars[(v >> 6) & 63];
		else if (pad)
			out[o++] = '=';
		if (left > 2)
			out[o++] = b64chars[v & 63];
		else if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return (int)o;
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64chars, c) : NULL;

	return p ? (int)(p - b64chars) : -1;
}

/* Strict decoding: only the alphabet, length a multiple of 4, '=' only at the end. */
static int b64_decode(const char *in, size_t n, uint8_t *out, size_t outsz, size_t *outlen)
{
	size_t o = 0, pad = 0;

	if (n == 0 || n % 4 != 0)
		return SGW_EBADFORMAT;
	while (pad < 2 && in[n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;

		for (size_t j = 0; j < 4; j++) {
			int d = (i + j >= n - pad) ? 0 : b64_value(in[i + j]);

			if (d < 0)
				return SGW_EBADFORMAT;
			v = (v << 6) | (uint32_t)d;
		}
		for (size_t j = 0; j < 3; j++) {
			if (i + 4 == n && j >= 3 - pad)
				break;
			if (o >= outsz)
				return SGW_ETOOBIG;
			out[o++] = (uint8_t)(v >> (16 - 8 * j));
		}
	}
	*outlen = o;
	return 0;
}

int pubkey_fingerprint(const uint8_t *blob, size_t n, char out[PUBKEY_FP_LEN])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (EVP_Digest(blob, n, md, &mdlen, EVP_sha256(), NULL) != 1)
		return SGW_ECRYPTO;
	memcpy(out, "SHA256:", 7);
	return pubkey_base64(md, mdlen, out + 7, PUBKEY_FP_LEN - 7, 0) < 0 ? SGW_ENOSPACE : 0;
}

/* An SSH mpint that must be positive: returns its size in bits. */
static int get_positive_mpint(struct sbuf *b, unsigned *bits)
{
	const uint8_t *p;
	size_t n;
	int rc;

	if ((rc = sbuf_get_string(b, &p, &n)) < 0)
		return rc;
	if (n > 0 && (p[0] & 0x80))
		return SGW_EBADFORMAT;
	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	if (n == 0)
		return SGW_EBADFORMAT;
	*bits = (unsigned)(n - 1) * 8;
	for (uint8_t top = p[0]; top != 0; top >>= 1)
		(*bits)++;
	return 0;
}

static int check_rsa(struct sbuf *b, unsigned *bits, char *err, size_t errsz)
{
	unsigned ebits;
	int rc;

	if ((rc = get_positive_mpint(b, &ebits)) < 0 || (rc = get_positive_mpint(b, bits)) < 0)
		return rc;
	if (*bits < PUBKEY_MIN_RSA_BITS)
		return fail(SGW_EUNSUPPORTED, err, errsz,
		            "RSA key has %u bits; sftpgw needs at least %d (make a new key: "
		            "ssh-keygen -t ed25519)", *bits, PUBKEY_MIN_RSA_BITS);
	if (*bits > PUBKEY_MAX_RSA_BITS)
		return fail(SGW_ETOOBIG, err, errsz, "RSA key has %u bits; sftpgw takes at most %d",
		            *bits, PUBKEY_MAX_RSA_BITS);
	return 0;
}

/* A point that is not on the curve is a corrupted key, whatever its length says. */
static bool ec_point_valid(int nid, const uint8_t *p, size_t n)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
	EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
	bool ok = pt != NULL && EC_POINT_oct2point(g, pt, p, n, NULL) == 1 &&
	          EC_POINT_is_on_curve(g, pt, NULL) == 1;

	EC_POINT_free(pt);
	EC_GROUP_free(g);
	return ok;
}

/* Checks what follows the type string in the blob of a known key type. */
static int check_body(const struct key_type *kt, struct sbuf *b, unsigned *bits, char *err,
                      size_t errsz)
{
	const uint8_t *p;
	size_t n;
	int rc;

	*bits = kt->bits;
	if (kt->kind == K_RSA)
		return check_rsa(b, bits, err, errsz);
	if (kt->kind == K_ECDSA || kt->kind == K_SK_ECDSA) {
		if ((rc = sbuf_get_string(b, &p, &n)) < 0)
			return rc;
		if (n != strlen(kt->curve) || memcmp(p, kt->curve, n) != 0)
			return fail(SGW_EBADFORMAT, err, errsz,
			            "the key's curve does not match its type %s", kt->name);
		if ((rc = sbuf_get_string(b, &p, &n)) < 0)
			return rc;
		if (n != kt->point_len || p[0] != 0x04 || !ec_point_valid(kt->nid, p, n))
			return SGW_EBADFORMAT;
	} else {
		if ((rc = sbuf_get_string(b, &p, &n)) < 0)
			return rc;
		if (n != 32)
			return SGW_EBADFORMAT;
	}
	if (kt->kind == K_SK_ED25519 || kt->kind == K_SK_ECDSA) {
		if ((rc = sbuf_get_string(b, &p, &n)) < 0)
			return rc;
		if (n == 0 || n > SK_MAX_APPLICATION)
			return SGW_EBADFORMAT;
	}
	return 0;
}

static int refuse_type(const char *type, char *err, size_t errsz)
{
	if (ends_with(type, CERT_SUFFIX))
		return fail(SGW_EUNSUPPORTED, err, errsz,
		            "this is a certificate (%s); register the plain key it was issued for",
		            type);
	if (strcmp(type, "ssh-dss") == 0)
		return fail(SGW_EUNSUPPORTED, err, errsz,
		            "DSA keys (ssh-dss) are insecure and not accepted; make a new key: "
		            "ssh-keygen -t ed25519");
	return fail(SGW_EUNSUPPORTED, err, errsz,
	            "key type '%s' is not supported; use ed25519, ecdsa or rsa (>= %d bits)", type,
	            PUBKEY_MIN_RSA_BITS);
}

int pubkey_check_blob(const uint8_t *blob, size_t n, char type[PUBKEY_TYPE_MAX], unsigned *bits,
                      char *err, size_t errsz)
{
	const struct key_type *kt;
	struct sbuf b;
	const uint8_t *t;
	size_t tn;
	int rc;

	sbuf_view(&b, blob, n);
	if (sbuf_get_string(&b, &t, &tn) < 0 || tn == 0)
		return fail(SGW_ETRUNCATED, err, errsz, "the key data is truncated or corrupted");
	if (tn >= PUBKEY_TYPE_MAX || memchr(t, '\0', tn) != NULL)
		return fail(SGW_EBADFORMAT, err, errsz, "the key data has no valid key type");
	memcpy(type, t, tn);
	type[tn] = '\0';
	if ((kt = type_find(type)) == NULL)
		return refuse_type(type, err, errsz);
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	rc = check_body(kt, &b, bits, err, errsz);
	if (rc < 0 && (err == NULL || err[0] == '\0'))
		return fail(rc == SGW_EBADFORMAT ? SGW_EBADFORMAT : SGW_ETRUNCATED, err, errsz,
		            "the %s key data is truncated or corrupted", type);
	if (rc < 0)
		return rc;
	if (sbuf_expect_end(&b) < 0)
		return fail(SGW_ETRAILING, err, errsz,
		            "the %s key data has extra bytes at the end (corrupted?)", type);
	return 0;
}

/* Decodes base64, checks the blob, and that it agrees with the outer type (if any). */
static int take_blob(struct pubkey *k, const char *outer, const char *b64, size_t n, char *err,
                     size_t errsz)
{
	char inner[PUBKEY_TYPE_MAX];
	int rc;

	rc = b64_decode(b64, n, k->blob, sizeof(k->blob), &k->blob_len);
	if (rc == SGW_ETOOBIG)
		return fail(rc, err, errsz, "the key data is longer than %d bytes", PUBKEY_MAX_BLOB);
	if (rc < 0)
		return fail(rc, err, errsz,
		            "the key's base64 data is broken (truncated or mangled when copied?)");
	if ((rc = pubkey_check_blob(k->blob, k->blob_len, inner, &k->bits, err, errsz)) < 0)
		return rc;
	if (outer != NULL && strcmp(outer, inner) != 0)
		return fail(SGW_EBADFORMAT, err, errsz,
		            "the key line says %s but its data is a %s key (mangled?)", outer, inner);
	snprintf(k->type, sizeof(k->type), "%s", inner);
	return 0;
}

static int set_comment(struct pubkey *k, const char *s, size_t n, char *err, size_t errsz)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n > PUBKEY_MAX_COMMENT)
		return fail(SGW_ETOOBIG, err, errsz, "the key comment is longer than %d bytes",
		            PUBKEY_MAX_COMMENT);
	for (size_t i = 0; i < n; i++)
		if (iscntrl((unsigned char)s[i]))
			return fail(SGW_EBADFORMAT, err, errsz,
			            "the key comment contains control characters");
	memcpy(k->comment, s, n);
	k->comment[n] = '\0';
	return 0;
}

static bool looks_like_type(const char *t, size_t n)
{
	char buf[PUBKEY_TYPE_MAX];

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return type_find(buf) != NULL || strcmp(buf, "ssh-dss") == 0 ||
	       ends_with(buf, CERT_SUFFIX) || strncmp(buf, "ssh-", 4) == 0 ||
	       strncmp(buf, "ecdsa-", 6) == 0 || strncmp(buf, "sk-", 3) == 0;
}

static bool is_ak_option(const char *t, size_t n)
{
	for (size_t i = 0; i < sizeof(ak_options) / sizeof(ak_options[0]); i++)
		if (strlen(ak_options[i]) == n && strncasecmp(ak_options[i], t, n) == 0)
			return true;
	return false;
}

/* The line does not start with a key type: tell options apart from junk. */
static int refuse_line_start(const char *line, size_t t1n, char *err, size_t errsz)
{
	size_t optn = strcspn(line, "=, \t");
	const char *p = line + t1n;
	bool type_later = false;

	while (*p != '\0' && !type_later) {
		p += strspn(p, " \t");
		type_later = looks_like_type(p, strcspn(p, " \t"));
		p += strcspn(p, " \t");
	}
	if (type_later || optn < t1n || is_ak_option(line, optn))
		return fail(SGW_EUNSUPPORTED, err, errsz,
		            "authorized_keys options are not accepted (found option '%.*s'); pass "
		            "only the key: TYPE BASE64 [COMMENT]", (int)optn > 40 ? 40 : (int)optn,
		            line);
	return fail(SGW_EBADFORMAT, err, errsz,
	            "not an SSH public key: expected 'TYPE BASE64 [COMMENT]', found '%.*s'",
	            (int)t1n > 40 ? 40 : (int)t1n, line);
}

/* One OpenSSH / authorized_keys line (NUL-terminated, no newline). */
static int parse_line(const char *line, struct pubkey *k, char *err, size_t errsz)
{
	char outer[PUBKEY_TYPE_MAX];
	size_t t1n, t2n;
	const char *t2, *rest;
	int rc;

	line += strspn(line, " \t");
	t1n = strcspn(line, " \t");
	if (!looks_like_type(line, t1n))
		return refuse_line_start(line, t1n, err, errsz);
	memcpy(outer, line, t1n);
	outer[t1n] = '\0';
	t2 = line + t1n + strspn(line + t1n, " \t");
	t2n = strcspn(t2, " \t");
	if (t2n == 0)
		return fail(SGW_ETRUNCATED, err, errsz,
		            "the key has no data after its type %s (truncated?)", outer);
	if ((rc = take_blob(k, outer, t2, t2n, err, errsz)) < 0)
		return rc;
	rest = t2 + t2n;
	return set_comment(k, rest, strlen(rest), err, errsz);
}

static bool is_private(const char *text)
{
	return strstr(text, "PRIVATE KEY-----") != NULL || strstr(text, "PRIVATE KEY ----") != NULL ||
	       strstr(text, "PuTTY-User-Key-File") != NULL;
}

/* Appends a header value to the comment being collected (continuations included). */
static void append(char *dst, size_t dstsz, const char *s, size_t n)
{
	size_t have = strlen(dst);

	if (have + n >= dstsz)
		n = dstsz - 1 - have;
	memcpy(dst + have, s, n);
	dst[have + n] = '\0';
}

struct rfc_state {
	char comment[2 * PUBKEY_MAX_COMMENT + 4];
	bool in_comment, continued, in_body, ended;
	char *b64;
	size_t b64n;
};

static int rfc_header(struct rfc_state *r, char *line, size_t n, char *err, size_t errsz)
{
	char *colon;
	bool cont = n > 0 && line[n - 1] == '\\';

	if (cont)
		line[--n] = '\0';
	if (r->continued) {
		if (r->in_comment)
			append(r->comment, sizeof(r->comment), line, n);
		r->continued = cont;
		return 0;
	}
	colon = strchr(line, ':');
	if ((size_t)(colon - line) > RFC4716_MAX_TAG)
		return fail(SGW_EBADFORMAT, err, errsz, "RFC 4716 header tag longer than %d bytes",
		            RFC4716_MAX_TAG);
	r->in_comment = (size_t)(colon - line) == 7 && strncasecmp(line, "Comment", 7) == 0;
	r->continued = cont;
	if (r->in_comment) {
		colon++;
		colon += strspn(colon, " \t");
		append(r->comment, sizeof(r->comment), colon, strlen(colon));
	}
	return 0;
}

static int rfc_line(struct rfc_state *r, char *line, char *err, size_t errsz)
{
	size_t n = strlen(line);

	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	if (n == 0 && !r->continued)
		return 0;
	if (strncmp(line, RFC4716_END, strlen(RFC4716_END)) == 0) {
		r->ended = true;
		return 0;
	}
	if (!r->in_body && (r->continued || strchr(line, ':') != NULL))
		return rfc_header(r, line, n, err, errsz);
	r->in_body = true;
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)line[i]))
			r->b64[r->b64n++] = line[i];
	r->b64[r->b64n] = '\0';
	return 0;
}

static int rfc_comment(struct pubkey *k, struct rfc_state *r, char *err, size_t errsz)
{
	char *c = r->comment;
	size_t n = strlen(c);

	if (n >= 2 && c[0] == '"' && c[n - 1] == '"') {
		c++;
		n -= 2;
	}
	return set_comment(k, c, n, err, errsz);
}

static int parse_rfc4716(char *text, struct pubkey *k, char *err, size_t errsz)
{
	struct rfc_state r = { .comment = "" };
	char *line, *save = NULL;
	int rc = 0;

	if ((r.b64 = malloc(strlen(text) + 1)) == NULL)
		return fail(-ENOMEM, err, errsz, "out of memory");
	r.b64[0] = '\0';
	line = strtok_r(strstr(text, RFC4716_BEGIN) + strlen(RFC4716_BEGIN), "\n", &save);
	for (; line != NULL && !r.ended && rc == 0; line = strtok_r(NULL, "\n", &save))
		rc = rfc_line(&r, line, err, errsz);
	if (rc == 0 && !r.ended)
		rc = fail(SGW_ETRUNCATED, err, errsz,
		          "the RFC 4716 key has no '%s' line (truncated?)", RFC4716_END);
	if (rc == 0 && r.b64n == 0)
		rc = fail(SGW_ETRUNCATED, err, errsz, "the RFC 4716 key has no key data");
	if (rc == 0)
		rc = take_blob(k, NULL, r.b64, r.b64n, err, errsz);
	if (rc == 0)
		rc = rfc_comment(k, &r, err, errsz);
	free(r.b64);
	return rc;
}

/* Finds the single key line of an OpenSSH/authorized_keys file. */
static int parse_lines(char *text, struct pubkey *k, char *err, size_t errsz)
{
	char *line, *save = NULL, *found = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		while (n > 0 && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		line += strspn(line, " \t");
		if (*line == '\0' || *line == '#')
			continue;
		if (found != NULL)
			return fail(SGW_EBADFORMAT, err, errsz,
			            "the file holds more than one key; register one key at a time");
		found = line;
	}
	if (found == NULL)
		return fail(SGW_ENOTFOUND, err, errsz, "no public key found (the file is empty)");
	return parse_line(found, k, err, errsz);
}

static int refuse_text(const char *text, size_t len, char *err, size_t errsz)
{
	if (len > PUBKEY_MAX_TEXT)
		return fail(SGW_ETOOBIG, err, errsz,
		            "too big for a public key (%zu bytes, at most %d)", len, PUBKEY_MAX_TEXT);
	if (memchr(text, '\0', len) != NULL)
		return fail(SGW_EBADFORMAT, err, errsz, "not a text file: not an SSH public key");
	return 0;
}

int pubkey_parse(const char *text, size_t len, struct pubkey *out, char *err, size_t errsz)
{
	char *copy;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = refuse_text(text, len, err, errsz)) < 0)
		return rc;
	if ((copy = strndup(text, len)) == NULL)
		return fail(-ENOMEM, err, errsz, "out of memory");
	if (is_private(copy))
		rc = fail(SGW_EDENIED, err, errsz,
		          "this is a PRIVATE key; pass the .pub file (never share the private key)");
	else if (strstr(copy, "-----BEGIN") != NULL)
		rc = fail(SGW_EUNSUPPORTED, err, errsz,
		          "this is a PEM key; convert it first: ssh-keygen -i -m PKCS8 -f FILE");
	else if (strstr(copy, RFC4716_BEGIN) != NULL)
		rc = parse_rfc4716(copy, out, err, errsz);
	else
		rc = parse_lines(copy, out, err, errsz);
	free(copy);
	return rc;
}
