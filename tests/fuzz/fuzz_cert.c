/* fuzz_cert.c — OpenSSH user certificates as a client presents them
 * (cert_parse, src/cert/parse.c) and certificate/key lines as operators
 * paste them (cert_pubkey_line).
 *
 * Byte 0 even: the rest is a certificate blob. A parsed certificate only
 * points inside the blob, is a user certificate, has as many principals as
 * the iterator walks, well-formed option sections, and a certified key whose
 * plain blob has the type the certificate names; checking the signature
 * must answer, not crash.
 * Byte 0 odd: the rest is a text line for cert_pubkey_line; an accepted
 * line's blob starts with the SSH string of the type it names.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "sftpgw/buf.h"
#include "sftpgw/cert.h"
#include "sftpgw/err.h"

static const uint8_t *lo, *hi;  /* the blob being parsed */

static void check_view(struct cert_bytes v)
{
	FZ_CHECK(v.n == 0 || (v.p >= lo && v.p + v.n <= hi));
}

static void check_section(struct cert_bytes sect)
{
	struct cert_bytes name, data;
	size_t it = 0, count = 0;
	int r;

	while ((r = cert_option_next(sect, &it, &name, &data)) == 1) {
		check_view(name);
		check_view(data);
		FZ_CHECK(memchr(name.p, '\0', name.n) == NULL);
		FZ_CHECK(++count <= CERT_MAX_OPTIONS);
	}
	FZ_CHECK(r == 0);  /* cert_parse already walked it */
}

static void check_cert(const uint8_t *p, size_t n)
{
	struct cert c;
	struct cert_bytes pr;
	struct sbuf plain;
	enum cert_ktype kt;
	const char *name = NULL;
	char fp[CERT_FP_LEN];
	size_t it = 0, count = 0;
	int r;

	if (cert_parse(p, n, &c) != 0)
		return;
	lo = p;
	hi = p + n;
	check_view(c.nonce);
	check_view(c.key_fields);
	check_view(c.key_id);
	check_view(c.principals);
	check_view(c.ca_key);
	check_view(c.signed_part);
	check_view(c.sig_alg);
	check_view(c.sig);
	FZ_CHECK(c.cert_type == 1);
	FZ_CHECK(c.n_principals <= CERT_MAX_PRINCIPALS);
	while ((r = cert_principal_next(&c, &it, &pr)) == 1) {
		check_view(pr);
		count++;
	}
	FZ_CHECK(r == 0 && count == c.n_principals);
	check_section(c.critical);
	check_section(c.extensions);
	sbuf_init(&plain, CERT_MAX_BLOB + 64);
	FZ_CHECK(cert_plain_key(&c, &plain) == 0);
	FZ_CHECK(cert_key_type(sbuf_ptr(&plain), sbuf_avail(&plain), &kt, &name) == 0);
	FZ_CHECK(kt == c.ktype && strcmp(name, c.plain_type) == 0);
	sbuf_free(&plain);
	FZ_CHECK(cert_fingerprint(p, n, fp, sizeof(fp)) == 0);
	r = cert_verify_signature(&c);
	FZ_CHECK(r == 0 || r == SGW_EDENIED || r == SGW_EUNSUPPORTED || r == SGW_EBADFORMAT ||
	         r == SGW_ECRYPTO);
}

static void check_line(const uint8_t *p, size_t n)
{
	char *line = fz_strndup(p, n), type[64];
	struct sbuf blob;
	const uint8_t *t;
	size_t tn;

	sbuf_init(&blob, CERT_MAX_BLOB);
	if (cert_pubkey_line(line, &blob, type, sizeof(type)) == 0) {
		FZ_CHECK(sbuf_get_string(&blob, &t, &tn) == 0);
		FZ_CHECK(tn == strlen(type) && memcmp(t, type, tn) == 0);
	}
	sbuf_free(&blob);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		check_line(data + 1, size - 1);
	else
		check_cert(data + 1, size - 1);
	return 0;
}
