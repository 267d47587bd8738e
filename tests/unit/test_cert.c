/* test_cert.c — certificates: ssh-keygen-made fixtures parsed and verified,
 * every malformation refused without reading outside the buffer (the ASan
 * build runs this), signature tampering, source-address lists, issuing, and
 * cert_check's decisions against a real store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "sftpgw/buf.h"
#include "sftpgw/cert.h"
#include "sftpgw/err.h"
#include "sftpgw/store.h"
#include "sftpgw/store_ca.h"

#ifndef CERT_FIXTURES
#define CERT_FIXTURES "tests/unit/cert-fixtures"
#endif
#define FIXTURE_MAX 8192

/* Reads fixture NAME (an OpenSSH public key or certificate line) into blob. */
static void load_line(const char *name, struct sbuf *blob)
{
	char path[512], line[FIXTURE_MAX], type[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", CERT_FIXTURES, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	sbuf_init(blob, CERT_MAX_BLOB);
	assert_int_equal(cert_pubkey_line(line, blob, type, sizeof(type)), 0);
}

/* Found by tests/fuzz/fuzz_cert (UBSan): base64 that decodes to nothing
 * made cert_pubkey_line view NULL + 0 on a fresh blob. Refused now. */
static void test_pubkey_line_empty_data(void **state)
{
	struct sbuf blob;
	char type[64];

	(void)state;
	sbuf_init(&blob, CERT_MAX_BLOB);
	assert_int_equal(cert_pubkey_line("ssh-ed25519 =", &blob, type, sizeof(type)), SGW_EBADFORMAT);
	assert_int_equal(cert_pubkey_line("ssh-ed25519 ==", &blob, type, sizeof(type)), SGW_EBADFORMAT);
	assert_int_equal(sbuf_avail(&blob), 0);
	sbuf_free(&blob);
}

/* Strict base64: padding only completes a quantum; "=" alone is not base64. */
static void test_b64_strict(void **state)
{
	static const struct { const char *in; int ok; } cases[] = {
		{ "", 1 }, { "=", 0 }, { "==", 0 }, { "QQ==", 1 }, { "QUI=", 1 }, { "QUJD", 1 },
		{ "QQ", 1 }, { "QUI", 1 }, { "Q", 0 }, { "QQ=", 0 }, { "QQ===", 0 }, { "Q===", 0 },
		{ "QUI==", 0 }, { "QR==", 0 },
	};
	struct sbuf out;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sbuf_init(&out, 64);
		int r = cert_b64_decode(cases[i].in, strlen(cases[i].in), &out);
		if ((r == 0) != cases[i].ok)
			fail_msg("cert_b64_decode(\"%s\") = %d", cases[i].in, r);
		sbuf_free(&out);
	}
}

/* A heap copy of exactly n bytes, so ASan sees any read past the end. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	assert_non_null(q);
	if (n)
		memcpy(q, p, n);
	return q;
}

static void parse_ok(const char *name, enum cert_ktype kt, enum cert_ktype cakt, uint64_t serial)
{
	struct sbuf b;
	struct cert c;

	load_line(name, &b);
	assert_int_equal(cert_parse(b.d, b.len, &c), 0);
	assert_int_equal(c.ktype, kt);
	assert_int_equal(c.ca_ktype, cakt);
	assert_int_equal(c.serial, serial);
	assert_int_equal(c.cert_type, 1);
	assert_int_equal(cert_verify_signature(&c), 0);
	sbuf_free(&b);
}

static void test_fixtures_verify(void **state)
{
	(void)state;
	parse_ok("ed_ok.cert", CERT_K_ED25519, CERT_K_ED25519, 42);
	parse_ok("ecdsa_ok.cert", CERT_K_ECDSA384, CERT_K_ECDSA256, 43);
	parse_ok("ecdsa521_ok.cert", CERT_K_ED25519, CERT_K_ECDSA521, 44);
	parse_ok("rsa_ok.cert", CERT_K_RSA, CERT_K_RSA, 45);
	parse_ok("rsa256_ok.cert", CERT_K_ED25519, CERT_K_RSA, 46);
}

static void test_fields(void **state)
{
	struct sbuf b;
	struct cert c;
	struct cert_bytes p, name, data;
	size_t it = 0;

	(void)state;
	load_line("ed_ok.cert", &b);
	assert_int_equal(cert_parse(b.d, b.len, &c), 0);
	assert_int_equal(c.key_id.n, 8);
	assert_memory_equal(c.key_id.p, "alice-id", 8);
	assert_int_equal(c.n_principals, 2);
	assert_int_equal(cert_principal_next(&c, &it, &p), 1);
	assert_memory_equal(p.p, "alice", 5);
	assert_int_equal(cert_principal_next(&c, &it, &p), 1);
	assert_memory_equal(p.p, "bob+demo", 8);
	assert_int_equal(cert_principal_next(&c, &it, &p), 0);
	assert_int_equal(c.valid_after, 1767225600);   /* 2026-01-01 UTC */
	assert_int_equal(c.nonce.n, 32);
	it = 0;
	assert_int_equal(cert_option_next(c.critical, &it, &name, &data), 0);
	it = 0;
	assert_int_equal(cert_option_next(c.extensions, &it, &name, &data), 1);
	assert_int_equal(name.n, strlen("permit-X11-forwarding"));
	sbuf_free(&b);
}

static void test_sha1_refused(void **state)
{
	struct sbuf b;
	struct cert c;

	(void)state;
	load_line("rsa_sha1.cert", &b);
	assert_int_equal(cert_parse(b.d, b.len, &c), 0);
	assert_int_equal(cert_verify_signature(&c), SGW_EUNSUPPORTED);
	sbuf_free(&b);
}

static void test_host_cert_refused(void **state)
{
	struct sbuf b;
	struct cert c;

	(void)state;
	load_line("host.cert", &b);
	assert_int_not_equal(cert_parse(b.d, b.len, &c), 0);
	sbuf_free(&b);
}

/* Every prefix of every fixture is refused; the buffer is exactly the prefix. */
static void truncations(const char *name)
{
	struct sbuf b;
	struct cert c;

	load_line(name, &b);
	for (size_t n = 0; n < b.len; n++) {
		uint8_t *q = exact_copy(b.d, n);

		assert_int_not_equal(cert_parse(q, n, &c), 0);
		free(q);
	}
	sbuf_free(&b);
}

static void test_truncated_every_byte(void **state)
{
	(void)state;
	truncations("ed_ok.cert");
	truncations("ecdsa_ok.cert");
	truncations("rsa_ok.cert");
	truncations("srcaddr.cert");
}

static void test_trailing(void **state)
{
	struct sbuf b;
	struct cert c;
	uint8_t *q;

	(void)state;
	load_line("ed_ok.cert", &b);
	q = malloc(b.len + 1);
	memcpy(q, b.d, b.len);
	q[b.len] = 0;
	assert_int_equal(cert_parse(q, b.len + 1, &c), SGW_ETRAILING);
	free(q);
	sbuf_free(&b);
}

/* Every u32 that could be a length prefix, set to lie (too long by one, by
 * far, and shorter by one): never accepted unless the signature still holds,
 * which it cannot, and never a read outside the buffer. */
static void test_lying_lengths(void **state)
{
	static const uint32_t deltas[] = { 1, 0x7fffffff, 0xffffffff };
	struct sbuf b;
	struct cert c;

	(void)state;
	load_line("srcaddr.cert", &b);
	for (size_t pos = 0; pos + 4 <= b.len; pos++) {
		uint32_t v = (uint32_t)b.d[pos] << 24 | (uint32_t)b.d[pos + 1] << 16 |
		             (uint32_t)b.d[pos + 2] << 8 | b.d[pos + 3];

		if (v > b.len)
			continue;   /* not a length */
		for (size_t k = 0; k < sizeof(deltas) / sizeof(deltas[0]); k++) {
			uint8_t *q = exact_copy(b.d, b.len);
			uint32_t nv = v + deltas[k];

			q[pos] = (uint8_t)(nv >> 24), q[pos + 1] = (uint8_t)(nv >> 16);
			q[pos + 2] = (uint8_t)(nv >> 8), q[pos + 3] = (uint8_t)nv;
			if (cert_parse(q, b.len, &c) == 0)
				assert_int_not_equal(cert_verify_signature(&c), 0);
			free(q);
		}
	}
	sbuf_free(&b);
}

/* Any single flipped byte: parse fails or the signature does. */
static void test_every_byte_flipped(void **state)
{
	const char *names[] = { "ed_ok.cert", "ecdsa_ok.cert", "rsa_ok.cert" };
	struct sbuf b;
	struct cert c;

	(void)state;
	for (size_t f = 0; f < 3; f++) {
		load_line(names[f], &b);
		for (size_t i = 0; i < b.len; i++) {
			uint8_t *q = exact_copy(b.d, b.len);

			q[i] ^= 0x01;
			if (cert_parse(q, b.len, &c) == 0)
				assert_int_not_equal(cert_verify_signature(&c), 0);
			free(q);
		}
		sbuf_free(&b);
	}
}

/* Hand-built certificates for the structural limits. */
static size_t min_cert_n_ext;   /* flags in the extensions section of put_min_cert */

static void put_min_cert(struct sbuf *o, size_t n_principals, const uint8_t *nested, size_t nn)
{
	static const uint8_t pk[32];
	struct sbuf pr, ext;
	char name[32];

	sbuf_init(&pr, CERT_MAX_BLOB);
	for (size_t i = 0; i < n_principals; i++) {
		snprintf(name, sizeof(name), "u%zu", i);
		assert_int_equal(sbuf_put_cstring(&pr, name), 0);
	}
	sbuf_put_cstring(o, "ssh-ed25519-cert-v01@openssh.com");
	sbuf_put_string(o, pk, 32);
	sbuf_put_string(o, pk, 32);
	sbuf_put_u64(o, 1);
	sbuf_put_u32(o, 1);
	sbuf_put_cstring(o, "id");
	if (nested != NULL)
		sbuf_put_string(o, nested, nn);
	else
		sbuf_put_string(o, pr.d, pr.len);
	sbuf_put_u64(o, 0);
	sbuf_put_u64(o, UINT64_MAX);
	sbuf_put_string(o, NULL, 0);
	sbuf_init(&ext, CERT_MAX_BLOB);
	for (size_t i = 0; i < min_cert_n_ext; i++) {
		snprintf(name, sizeof(name), "x%03zu", i);
		sbuf_put_cstring(&ext, name);
		sbuf_put_string(&ext, NULL, 0);
	}
	sbuf_put_string(o, ext.d, ext.len);
	sbuf_free(&ext);
	sbuf_put_string(o, NULL, 0);
	{
		struct sbuf ca;

		sbuf_init(&ca, 256);
		sbuf_put_cstring(&ca, "ssh-ed25519");
		sbuf_put_string(&ca, pk, 32);
		sbuf_put_string(o, ca.d, ca.len);
		sbuf_free(&ca);
	}
	{
		struct sbuf sig;
		uint8_t s[64] = { 0 };

		sbuf_init(&sig, 256);
		sbuf_put_cstring(&sig, "ssh-ed25519");
		sbuf_put_string(&sig, s, 64);
		sbuf_put_string(o, sig.d, sig.len);
		sbuf_free(&sig);
	}
	sbuf_free(&pr);
}

static void test_principal_limit(void **state)
{
	struct sbuf o;
	struct cert c;

	(void)state;
	sbuf_init(&o, CERT_MAX_BLOB);
	put_min_cert(&o, CERT_MAX_PRINCIPALS, NULL, 0);     /* at the limit */
	assert_int_equal(cert_parse(o.d, o.len, &c), 0);
	assert_int_equal(c.n_principals, CERT_MAX_PRINCIPALS);
	assert_int_not_equal(cert_verify_signature(&c), 0);  /* zero signature */
	sbuf_reset(&o);
	put_min_cert(&o, CERT_MAX_PRINCIPALS + 1, NULL, 0); /* one past */
	assert_int_equal(cert_parse(o.d, o.len, &c), SGW_ETOOBIG);
	sbuf_free(&o);
}

static void test_option_limit(void **state)
{
	struct sbuf o;
	struct cert c;

	(void)state;
	sbuf_init(&o, CERT_MAX_BLOB);
	min_cert_n_ext = CERT_MAX_OPTIONS;                   /* at the limit */
	put_min_cert(&o, 1, NULL, 0);
	assert_int_equal(cert_parse(o.d, o.len, &c), 0);
	sbuf_reset(&o);
	min_cert_n_ext = CERT_MAX_OPTIONS + 1;               /* one past */
	put_min_cert(&o, 1, NULL, 0);
	assert_int_equal(cert_parse(o.d, o.len, &c), SGW_ETOOBIG);
	min_cert_n_ext = 0;
	sbuf_free(&o);
}

static void test_nested_lies(void **state)
{
	/* principals section whose inner string claims 9 bytes but holds 3 */
	static const uint8_t lie[] = { 0, 0, 0, 9, 'b', 'o', 'b' };
	/* inner string with an embedded NUL */
	static const uint8_t nul[] = { 0, 0, 0, 3, 'b', 0, 'b' };
	/* inner length prefix cut short */
	static const uint8_t cut[] = { 0, 0, 0 };
	struct sbuf o;
	struct cert c;

	(void)state;
	sbuf_init(&o, CERT_MAX_BLOB);
	put_min_cert(&o, 0, lie, sizeof(lie));
	assert_int_equal(cert_parse(o.d, o.len, &c), SGW_ETRUNCATED);
	sbuf_reset(&o);
	put_min_cert(&o, 0, nul, sizeof(nul));
	assert_int_equal(cert_parse(o.d, o.len, &c), SGW_EBADFORMAT);
	sbuf_reset(&o);
	put_min_cert(&o, 0, cut, sizeof(cut));
	assert_int_equal(cert_parse(o.d, o.len, &c), SGW_ETRUNCATED);
	sbuf_free(&o);
}

static void test_blob_limit(void **state)
{
	uint8_t *big = calloc(1, CERT_MAX_BLOB + 1);
	struct cert c;

	(void)state;
	assert_int_equal(cert_parse(big, CERT_MAX_BLOB + 1, &c), SGW_ETOOBIG);
	assert_int_not_equal(cert_parse(big, CERT_MAX_BLOB, &c), SGW_ETOOBIG);
	free(big);
}

static void test_cidr(void **state)
{
	const char *l = "10.0.0.0/8,2001:db8::/32,192.168.1.128/25";

	(void)state;
	assert_int_equal(cert_cidr_list_match(l, "10.1.2.3"), 1);
	assert_int_equal(cert_cidr_list_match(l, "10.255.255.255"), 1);
	assert_int_equal(cert_cidr_list_match(l, "11.0.0.0"), 0);
	assert_int_equal(cert_cidr_list_match(l, "9.255.255.255"), 0);
	assert_int_equal(cert_cidr_list_match(l, "192.168.1.128"), 1);   /* edges of /25 */
	assert_int_equal(cert_cidr_list_match(l, "192.168.1.255"), 1);
	assert_int_equal(cert_cidr_list_match(l, "192.168.1.127"), 0);
	assert_int_equal(cert_cidr_list_match(l, "2001:db8::1"), 1);
	assert_int_equal(cert_cidr_list_match(l, "2001:db8:ffff:ffff::"), 1);
	assert_int_equal(cert_cidr_list_match(l, "2001:db9::"), 0);
	assert_int_equal(cert_cidr_list_match(l, "::ffff:10.9.9.9"), 1); /* mapped v4 */
	assert_int_equal(cert_cidr_list_match("127.0.0.1", "127.0.0.1"), 1);
	assert_int_equal(cert_cidr_list_match("127.0.0.1/32", "127.0.0.2"), 0);
	assert_int_equal(cert_cidr_list_match("0.0.0.0/0", "8.8.8.8"), 1);
	assert_int_equal(cert_cidr_list_match("::/0", "8.8.8.8"), 0);
	assert_int_equal(cert_cidr_list_match("::1", "::1"), 1);
	assert_int_equal(cert_cidr_list_valid("10.0.0.1/8"), SGW_EBADFORMAT); /* host bits */
	assert_int_equal(cert_cidr_list_valid("10.0.0.0/33"), SGW_EBADFORMAT);
	assert_int_equal(cert_cidr_list_valid("2001:db8::/129"), SGW_EBADFORMAT);
	assert_int_equal(cert_cidr_list_valid("10.0.0.0/"), SGW_EBADFORMAT);
	assert_int_equal(cert_cidr_list_valid("10.0.0.0/8,"), SGW_EBADFORMAT);
	assert_int_equal(cert_cidr_list_valid("host.example"), SGW_EBADFORMAT);
	assert_int_equal(cert_cidr_list_valid(""), SGW_EBADFORMAT);
	assert_int_equal(cert_cidr_list_valid("2001:db8::/32"), 0);
}

static void issue_and_check(const char *catype)
{
	static const char *const princ[] = { "alice", "alice+demo" };
	EVP_PKEY *ca = NULL;
	struct sbuf user, out;
	struct cert c;
	struct cert_issue_req q = { 0 };
	struct cert_bytes name, data;
	size_t it = 0;

	assert_int_equal(cert_ca_generate(catype, &ca), 0);
	load_line("user_ed25519.pub", &user);
	q.pubkey = user.d, q.pubkey_n = user.len;
	q.serial = 7, q.key_id = "kid";
	q.principals = princ, q.n_principals = 2;
	q.valid_after = 100, q.valid_before = 200;
	q.force_command = "internal-sftp", q.source_address = "127.0.0.1/32";
	q.extensions = CERT_EXT_PTY | CERT_EXT_PORT_FWD;
	sbuf_init(&out, CERT_MAX_BLOB);
	assert_int_equal(cert_issue(&q, ca, &out), 0);
	assert_int_equal(cert_parse(out.d, out.len, &c), 0);
	assert_int_equal(cert_verify_signature(&c), 0);
	assert_int_equal(c.serial, 7);
	assert_int_equal(c.n_principals, 2);
	assert_int_equal(cert_option_next(c.critical, &it, &name, &data), 1);
	assert_memory_equal(name.p, "force-command", name.n);
	assert_int_equal(cert_option_next(c.critical, &it, &name, &data), 1);
	assert_memory_equal(name.p, "source-address", name.n);
	it = 0;
	assert_int_equal(cert_option_next(c.extensions, &it, &name, &data), 1);
	assert_memory_equal(name.p, "permit-port-forwarding", name.n);
	out.d[out.len - 5] ^= 1;   /* inside the signature */
	assert_int_equal(cert_parse(out.d, out.len, &c), 0);
	assert_int_not_equal(cert_verify_signature(&c), 0);
	sbuf_free(&out);
	sbuf_free(&user);
	EVP_PKEY_free(ca);
}

static void test_issue(void **state)
{
	(void)state;
	issue_and_check("ed25519");
	issue_and_check("ecdsa");
	issue_and_check("rsa");
}

static void test_ca_pem_roundtrip(void **state)
{
	char path[] = "/tmp/sftpgw-test-ca-XXXXXX";
	EVP_PKEY *ca = NULL, *back = NULL;
	struct sbuf a, b;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(cert_ca_generate("ecdsa", &ca), 0);
	assert_int_equal(cert_ca_save(ca, path), 0);
	assert_int_not_equal(cert_ca_save(ca, path), 0);   /* never overwrites */
	assert_int_equal(cert_ca_load(path, &back), 0);
	sbuf_init(&a, 1024);
	sbuf_init(&b, 1024);
	assert_int_equal(cert_ca_pubblob(ca, &a), 0);
	assert_int_equal(cert_ca_pubblob(back, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.d, b.d, a.len);
	unlink(path);
	sbuf_free(&a);
	sbuf_free(&b);
	EVP_PKEY_free(ca);
	EVP_PKEY_free(back);
}

static void test_fingerprint(void **state)
{
	struct sbuf b;
	char fp[CERT_FP_LEN];

	(void)state;
	load_line("ca_ed25519.pub", &b);
	assert_int_equal(cert_fingerprint(b.d, b.len, fp, sizeof(fp)), 0);
	assert_string_equal(fp, "SHA256:SkqlayikWxVEFyVKzANJQfHRvIT+Pg4YPF7wxeJRD9Q");
	sbuf_free(&b);
}


/* --- cert_check against a real store --- */
#define T_NOW 1780000000          /* 2026-05-28: inside the fixtures' 2026 validity */
#define T_AFTER 1767225600        /* 2026-01-01T00:00:00Z */
#define T_BEFORE 1798761600       /* 2027-01-01T00:00:00Z */

struct fx {
	struct store *st;
	char path[64];
};

static void add_ca(struct store *st, const char *name, const char *file)
{
	struct sbuf b;
	char fp[CERT_FP_LEN];

	load_line(file, &b);
	assert_int_equal(cert_fingerprint(b.d, b.len, fp, sizeof(fp)), 0);
	assert_int_equal(store_ca_add(st, name, "x", b.d, b.len, fp, NULL, 0, NULL), 0);
	sbuf_free(&b);
}

static void add_user(struct store *st, const char *name)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "INSERT INTO users (name, created) VALUES ('%s', 0)", name);
	assert_int_equal(sqlite3_exec(st->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/sftpgw-test-cert-XXXXXX");
	fd = mkstemp(f->path);
	close(fd);
	unlink(f->path);
	assert_int_equal(store_open(f->path, true, false, &f->st), 0);
	add_user(f->st, "alice");
	add_ca(f->st, "ed", "ca_ed25519.pub");
	add_ca(f->st, "rsa", "ca_rsa.pub");
	add_ca(f->st, "ec521", "ca_ecdsa521.pub");
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	char p[80];

	store_close(f->st);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	free(f);
	return 0;
}

/* Runs cert_check on fixture name; returns the reason (NULL when accepted). */
static const char *check(struct fx *f, const char *name, const char *user, const char *env,
                         const char *addr, int64_t now, int skew, struct cert_grant *g)
{
	struct sbuf b;
	const char *why = "unset";
	int r;

	load_line(name, &b);
	r = cert_check(f->st, b.d, b.len, user, env, addr, now, skew, g, &why);
	sbuf_free(&b);
	assert_true((r == 0) == (why == NULL));
	return why;
}

static void test_check_accept(void **state)
{
	struct fx *f = *state;
	struct cert_grant g;

	assert_null(check(f, "ed_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g));
	assert_string_equal(g.user, "alice");
	assert_string_equal(g.env, "");
	assert_true(g.permit_pty && g.permit_port_forwarding);
	assert_null(g.force_command);
	assert_string_equal(g.key_id, "alice-id");
	assert_int_equal(g.serial, 42);
	assert_string_equal(g.ca_fingerprint, "SHA256:SkqlayikWxVEFyVKzANJQfHRvIT+Pg4YPF7wxeJRD9Q");
	assert_int_equal(g.valid_before, T_BEFORE);
	cert_grant_free(&g);
	/* principal USER grants every environment: login USER+ENV accepted, env "" */
	assert_null(check(f, "ed_ok.cert", "alice", "demo", "127.0.0.1", T_NOW, 0, &g));
	assert_string_equal(g.env, "");
	assert_null(check(f, "rsa_ok.cert", "alice", "", "::1", T_NOW, 0, &g));
	assert_null(check(f, "rsa256_ok.cert", "alice", "", "::1", T_NOW, 0, &g));
	assert_null(check(f, "ecdsa521_ok.cert", "alice", "", "::1", T_NOW, 0, &g));
	assert_null(check(f, "forever.cert", "alice", "", "::1", T_NOW, 0, &g));
	assert_int_equal(g.valid_before, INT64_MAX);
}

static void test_check_principals(void **state)
{
	struct fx *f = *state;
	struct cert_grant g;

	assert_string_equal(check(f, "ed_ok.cert", "carol", "", "127.0.0.1", T_NOW, 0, &g),
	                    "principal");
	assert_string_equal(g.key_id, "alice-id");   /* filled for the log line */
	/* bob+demo names a user that is not registered */
	assert_string_equal(check(f, "ed_ok.cert", "bob", "demo", "127.0.0.1", T_NOW, 0, &g),
	                    "principal");
	add_user(f->st, "bob");
	assert_null(check(f, "ed_ok.cert", "bob", "demo", "127.0.0.1", T_NOW, 0, &g));
	assert_string_equal(g.env, "demo");
	/* USER+ENV does not grant a login without that environment */
	assert_string_equal(check(f, "ed_ok.cert", "bob", "", "127.0.0.1", T_NOW, 0, &g),
	                    "principal");
	assert_string_equal(check(f, "ed_ok.cert", "bob", "prod", "127.0.0.1", T_NOW, 0, &g),
	                    "principal");
	assert_string_equal(check(f, "empty_princ.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "principal");
}

static void test_check_validity(void **state)
{
	struct fx *f = *state;
	struct cert_grant g;

	assert_null(check(f, "ed_ok.cert", "alice", "", "127.0.0.1", T_AFTER, 0, &g));
	assert_string_equal(check(f, "ed_ok.cert", "alice", "", "127.0.0.1", T_AFTER - 1, 0, &g),
	                    "not yet valid");
	assert_null(check(f, "ed_ok.cert", "alice", "", "127.0.0.1", T_AFTER - 1, 1, &g));
	assert_null(check(f, "ed_ok.cert", "alice", "", "127.0.0.1", T_BEFORE - 1, 0, &g));
	assert_string_equal(check(f, "ed_ok.cert", "alice", "", "127.0.0.1", T_BEFORE, 0, &g),
	                    "expired");
	assert_null(check(f, "ed_ok.cert", "alice", "", "127.0.0.1", T_BEFORE, 1, &g));
}

static void test_check_options(void **state)
{
	struct fx *f = *state;
	struct cert_grant g;

	assert_string_equal(check(f, "unknown_crit.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "critical option");
	assert_string_equal(check(f, "verifyreq.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "critical option");
	assert_null(check(f, "srcaddr.cert", "alice", "", "10.0.0.0", T_NOW, 0, &g));
	assert_null(check(f, "srcaddr.cert", "alice", "", "192.168.1.200", T_NOW, 0, &g));
	assert_null(check(f, "srcaddr.cert", "alice", "", "2001:db8::7", T_NOW, 0, &g));
	assert_null(check(f, "srcaddr.cert", "alice", "", "::ffff:10.2.3.4", T_NOW, 0, &g));
	assert_string_equal(check(f, "srcaddr.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "source address");
	assert_string_equal(check(f, "srcaddr.cert", "alice", "", "192.168.1.127", T_NOW, 0, &g),
	                    "source address");
	assert_string_equal(check(f, "srcaddr.cert", "alice", "", "2001:db9::", T_NOW, 0, &g),
	                    "source address");
	assert_null(check(f, "forcecmd.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g));
	assert_non_null(g.force_command);
	assert_string_equal(g.force_command, "internal-sftp");
	cert_grant_free(&g);
	assert_null(g.force_command);
	assert_null(check(f, "noext.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g));
	assert_false(g.permit_pty);
	assert_false(g.permit_port_forwarding);
}

static void test_check_trust(void **state)
{
	struct fx *f = *state;
	struct cert_grant g;
	struct sbuf b;
	const char *why;

	/* the P-256 CA is not in the store */
	assert_string_equal(check(f, "ecdsa_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "unknown CA");
	assert_string_equal(check(f, "rsa_sha1.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "bad signature");
	load_line("ed_ok.cert", &b);
	b.d[b.len - 3] ^= 0x40;
	assert_int_equal(cert_check(f->st, b.d, b.len, "alice", "", "127.0.0.1", T_NOW, 0, &g, &why),
	                 SGW_EDENIED);
	assert_string_equal(why, "bad signature");
	assert_int_equal(cert_check(f->st, b.d, b.len - 1, "alice", "", "127.0.0.1", T_NOW, 0, &g,
	                            &why), SGW_EDENIED);
	assert_string_equal(why, "malformed");
	sbuf_free(&b);
	assert_string_equal(check(f, "host.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "malformed");
	assert_int_equal(store_ca_rm(f->st, "ed"), 0);
	assert_string_equal(check(f, "ed_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "unknown CA");
}

/* RSA under CERT_RSA_MIN_BITS: refused as certified key and as CA; at the limit: fine. */
static const char *check_rsa_sizes(struct fx *f, const char *name, size_t key_bits,
                                   size_t ca_bits)
{
	static const char *const princ[] = { "alice" };
	EVP_PKEY *ca = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", ca_bits);
	EVP_PKEY *user = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", key_bits);
	struct sbuf ub, cab, out;
	struct cert_issue_req q = { 0 };
	struct cert_grant g;
	char fp[CERT_FP_LEN];
	const char *why = "unset";

	assert_non_null(ca);
	assert_non_null(user);
	sbuf_init(&ub, CERT_MAX_BLOB);
	sbuf_init(&cab, CERT_MAX_BLOB);
	sbuf_init(&out, CERT_MAX_BLOB);
	assert_int_equal(cert_ca_pubblob(user, &ub), 0);
	assert_int_equal(cert_ca_pubblob(ca, &cab), 0);
	cert_fingerprint(cab.d, cab.len, fp, sizeof(fp));
	assert_int_equal(store_ca_add(f->st, name, "ssh-rsa", cab.d, cab.len, fp, NULL, 0, NULL), 0);
	q.pubkey = ub.d, q.pubkey_n = ub.len, q.serial = 1, q.key_id = "rsa";
	q.principals = princ, q.n_principals = 1, q.valid_before = CERT_FOREVER;
	assert_int_equal(cert_issue(&q, ca, &out), 0);
	cert_check(f->st, out.d, out.len, "alice", "", "127.0.0.1", T_NOW, 0, &g, &why);
	sbuf_free(&ub);
	sbuf_free(&cab);
	sbuf_free(&out);
	EVP_PKEY_free(ca);
	EVP_PKEY_free(user);
	return why;
}

static void test_check_rsa_sizes(void **state)
{
	struct fx *f = *state;

	assert_null(check_rsa_sizes(f, "r1", CERT_RSA_MIN_BITS, CERT_RSA_MIN_BITS));
	assert_string_equal(check_rsa_sizes(f, "r2", CERT_RSA_MIN_BITS - 1, CERT_RSA_MIN_BITS),
	                    "malformed");
	assert_string_equal(check_rsa_sizes(f, "r3", CERT_RSA_MIN_BITS, CERT_RSA_MIN_BITS - 1),
	                    "bad signature");
}

static void test_check_revoked(void **state)
{
	struct fx *f = *state;
	struct cert_grant g;
	struct store_ca ca;
	struct sbuf b;
	char fp[CERT_FP_LEN];

	assert_int_equal(store_ca_get(f->st, "ed", &ca, NULL, NULL), 0);
	assert_int_equal(store_revoke_add(f->st, STORE_REVOKE_SERIAL, ca.id, "43", 0), 0);
	assert_null(check(f, "ed_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g));
	assert_int_equal(store_revoke_add(f->st, STORE_REVOKE_SERIAL, ca.id, "42", 0), 0);
	assert_string_equal(check(f, "ed_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "revoked");
	/* serial 45 revoked for another CA does not touch rsa_ok (45, rsa CA)... */
	assert_int_equal(store_revoke_add(f->st, STORE_REVOKE_SERIAL, ca.id, "45", 0), 0);
	assert_null(check(f, "rsa_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g));
	/* ...a key id revoked for every CA does */
	assert_int_equal(store_revoke_add(f->st, STORE_REVOKE_KEY_ID, 0, "alice-rsa", 0), 0);
	assert_string_equal(check(f, "rsa_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "revoked");
	/* a CA key by fingerprint */
	assert_null(check(f, "ecdsa521_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g));
	load_line("ca_ecdsa521.pub", &b);
	cert_fingerprint(b.d, b.len, fp, sizeof(fp));
	sbuf_free(&b);
	assert_int_equal(store_revoke_add(f->st, STORE_REVOKE_FINGERPRINT, 0, fp, 0), 0);
	assert_string_equal(check(f, "ecdsa521_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "revoked");
	/* the certified key (user_ed25519) by fingerprint */
	assert_null(check(f, "rsa256_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g));
	load_line("user_ed25519.pub", &b);
	cert_fingerprint(b.d, b.len, fp, sizeof(fp));
	sbuf_free(&b);
	assert_int_equal(store_revoke_add(f->st, STORE_REVOKE_FINGERPRINT, 0, fp, 0), 0);
	assert_int_equal(store_revoke_add(f->st, STORE_REVOKE_FINGERPRINT, 0, fp, 0), 0);
	assert_string_equal(check(f, "rsa256_ok.cert", "alice", "", "127.0.0.1", T_NOW, 0, &g),
	                    "revoked");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_verify),
		cmocka_unit_test(test_pubkey_line_empty_data),
		cmocka_unit_test(test_b64_strict),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_sha1_refused),
		cmocka_unit_test(test_host_cert_refused),
		cmocka_unit_test(test_truncated_every_byte),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_lying_lengths),
		cmocka_unit_test(test_every_byte_flipped),
		cmocka_unit_test(test_principal_limit),
		cmocka_unit_test(test_option_limit),
		cmocka_unit_test(test_nested_lies),
		cmocka_unit_test(test_blob_limit),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_issue),
		cmocka_unit_test(test_ca_pem_roundtrip),
		cmocka_unit_test(test_fingerprint),
	};

	const struct CMUnitTest store_tests[] = {
		cmocka_unit_test_setup_teardown(test_check_accept, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_check_principals, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_check_validity, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_check_options, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_check_trust, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_check_revoked, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_check_rsa_sizes, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL) |
	       cmocka_run_group_tests(store_tests, NULL, NULL);
}
