/* cert.c — sftpgw-admin cert issue|show|revoke|revoked: OpenSSH user
 * certificates signed by a gateway CA, in exactly the format OpenSSH clients
 * load (KEY-cert.pub beside KEY), and their revocation. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "admin.h"
#include "sftpgw/cert.h"
#include "sftpgw/err.h"
#include "sftpgw/store_ca.h"

#define PUBKEY_FILE_MAX (64 * 1024)
#define KEY_ID_MAX 255
#define CERT_PATH_MAX 4096
#define SECS_MIN 60
#define SECS_HOUR 3600
#define SECS_DAY 86400
#define SECS_WEEK (7 * SECS_DAY)

/* The cap on --ttl: cert_max_ttl of the configuration. */
static int64_t admin_cert_max_ttl(const struct admin_ctx *c)
{
	return c->cfg != NULL ? c->cfg->cert_max_ttl : 24 * SECS_HOUR;
}

struct issue_args {
	const char *ca, *user, *env, *ttl, *id, *permit, *source, *force, *file, *out;
};

/* "30m", "6h", "7d", "2w", "90s" or plain seconds. */
static int parse_duration(const char *s, int64_t *out)
{
	char *end;
	long long v;
	int64_t mult = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v <= 0)
		return SGW_EBADFORMAT;
	if (*end != '\0') {
		if (end[1] != '\0')
			return SGW_EBADFORMAT;
		switch (*end) {
		case 's': mult = 1; break;
		case 'm': mult = SECS_MIN; break;
		case 'h': mult = SECS_HOUR; break;
		case 'd': mult = SECS_DAY; break;
		case 'w': mult = SECS_WEEK; break;
		default: return SGW_EBADFORMAT;
		}
	}
	if (v > INT64_MAX / mult / 2)
		return SGW_ETOOBIG;
	*out = v * mult;
	return 0;
}

static int parse_issue_args(int argc, char **argv, struct issue_args *a)
{
	static const struct { const char *flag; size_t off; } flags[] = {
		{ "--ca", offsetof(struct issue_args, ca) },
		{ "--user", offsetof(struct issue_args, user) },
		{ "--env", offsetof(struct issue_args, env) },
		{ "--ttl", offsetof(struct issue_args, ttl) },
		{ "--id", offsetof(struct issue_args, id) },
		{ "--permit", offsetof(struct issue_args, permit) },
		{ "--source-address", offsetof(struct issue_args, source) },
		{ "--force-command", offsetof(struct issue_args, force) },
		{ "-o", offsetof(struct issue_args, out) },
	};
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		size_t f;

		for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			if (!strcmp(argv[i], flags[f].flag))
				break;
		if (f < sizeof(flags) / sizeof(flags[0])) {
			if (i + 1 >= argc)
				return ADMIN_USAGE;
			*(const char **)((char *)a + flags[f].off) = argv[++i];
		} else if (argv[i][0] != '-' && a->file == NULL) {
			a->file = argv[i];
		} else {
			return ADMIN_USAGE;
		}
	}
	return a->ca && a->user && a->ttl && a->file ? 0 : ADMIN_USAGE;
}

/* --permit words, comma-separated; "none" for no extension at all. */
static int parse_permit(const char *list, unsigned *ext)
{
	char buf[512], *save = NULL, *w;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", list) >= sizeof(buf))
		return SGW_ETOOBIG;
	*ext = 0;
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		unsigned bit = cert_ext_from_word(w);

		if (!strcmp(w, "none"))
			continue;
		if (bit == 0)
			return admin_fail("--permit: unknown extension %s (pty, port-forwarding,"
			                  " agent-forwarding, X11-forwarding, user-rc, none)", w);
		*ext |= bit;
	}
	return 0;
}

/* The user, the env granted to them, and the default extensions. */
static int check_target(struct admin_ctx *c, const struct issue_args *a, unsigned *ext)
{
	int64_t uid;
	struct store_env *envs = NULL;
	size_t n = 0, i;
	bool tunnels = false;

	if (!name_valid(a->user) || store_user_id(c->st, a->user, &uid) != 0)
		return admin_fail("no such user: %s", a->user);
	if (a->env != NULL) {
		if (!name_valid(a->env) || store_user_envs(c->st, uid, &envs, &n) != 0)
			return admin_fail("no such environment: %s", a->env);
		for (i = 0; i < n && strcmp(envs[i].name, a->env); i++)
			;
		free(envs);
		if (i == n)
			return admin_fail("user %s has no access to environment %s", a->user, a->env);
	}
	if (a->permit != NULL)
		return parse_permit(a->permit, ext);
	if (store_cert_tunnels_allowed(c->st, uid, a->env, &tunnels) != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	*ext = CERT_EXT_PTY | (tunnels ? CERT_EXT_PORT_FWD : 0);
	return 0;
}

/* KEY.pub -> KEY-cert.pub (what OpenSSH clients load next to KEY). */
static int default_out(const char *pub, char *out, size_t outsz)
{
	size_t n = strlen(pub);

	if (n > 4 && !strcmp(pub + n - 4, ".pub"))
		n -= 4;
	if (n + sizeof("-cert.pub") > outsz)
		return SGW_ETOOBIG;
	memcpy(out, pub, n);
	memcpy(out + n, "-cert.pub", sizeof("-cert.pub"));
	return 0;
}

static int write_line(const char *path, const char *line)
{
	int fd;
	size_t len = strlen(line), done = 0;
	ssize_t w;

	if (!strcmp(path, "-"))
		return fputs(line, stdout) < 0 ? -EIO : 0;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -errno;
	while (done < len) {
		if ((w = write(fd, line + done, len - done)) < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -errno;
		}
		done += (size_t)w;
	}
	return close(fd) == 0 ? 0 : -errno;
}

/* The comment of a public key line (after type and base64), or "". */
static const char *line_comment(const char *line, char *out, size_t outsz)
{
	const char *p = line + strspn(line, " \t");

	p += strcspn(p, " \t");
	p += strspn(p, " \t");
	p += strcspn(p, " \t\r\n");
	p += strspn(p, " \t");
	snprintf(out, outsz, "%.*s", (int)strcspn(p, "\r\n"), p);
	return out;
}

struct issued {
	struct sbuf cert;
	char principal[2 * NAME_MAX_LEN + 2];
	char key_id[KEY_ID_MAX + 1];
	char comment[256];
	uint64_t serial;
	int64_t va, vb;
};

static int sign_cert(struct admin_ctx *c, const struct issue_args *a, unsigned ext,
                     int64_t ttl, struct issued *is)
{
	struct store_ca ca;
	EVP_PKEY *k = NULL;
	char *text = NULL, type[64], fp[CERT_FP_LEN];
	const char *princ[1] = { is->principal };
	struct sbuf pub;
	struct cert_issue_req q = { 0 };
	size_t len;
	int64_t now = (int64_t)time(NULL);
	int r;

	if ((r = store_ca_get(c->st, a->ca, &ca, NULL, NULL)) != 0)
		return admin_fail("CA %s: %s", a->ca, sgw_strerror(r));
	if (ca.private_path[0] == '\0')
		return admin_fail("CA %s is external: sftpgw has no private key to sign with", a->ca);
	if ((r = admin_read_file(a->file, PUBKEY_FILE_MAX, &text, &len)) != 0)
		return admin_fail("%s: %s", a->file, sgw_strerror(r));
	sbuf_init(&pub, CERT_MAX_BLOB);
	line_comment(text, is->comment, sizeof(is->comment));
	if (cert_pubkey_line(text, &pub, type, sizeof(type)) != 0 ||
	    cert_key_type(pub.d, pub.len, &(enum cert_ktype){ 0 }, NULL) != 0) {
		r = admin_fail("%s: not a plain Ed25519, ECDSA or RSA public key", a->file);
		goto out;
	}
	if ((r = cert_ca_load(ca.private_path, &k)) != 0) {
		r = admin_fail("%s: %s", ca.private_path, sgw_strerror(r));
		goto out;
	}
	is->va = ((now - 59) / 60) * 60;   /* backdated as ssh-keygen -V +ttl does */
	is->vb = now + ttl;
	cert_fingerprint(pub.d, pub.len, fp, sizeof(fp));
	if (store_cert_record(c->st, ca.id, is->key_id, is->principal, fp, is->va, is->vb, now,
	                      &is->serial) != 0) {
		r = admin_fail("store: %s", store_errmsg(c->st));
		goto out;
	}
	q.pubkey = pub.d, q.pubkey_n = pub.len, q.serial = is->serial, q.key_id = is->key_id;
	q.principals = princ, q.n_principals = 1;
	q.valid_after = (uint64_t)is->va, q.valid_before = (uint64_t)is->vb;
	q.force_command = a->force, q.source_address = a->source, q.extensions = ext;
	if ((r = cert_issue(&q, k, &is->cert)) != 0)
		r = admin_fail("signing: %s", sgw_strerror(r));
out:
	EVP_PKEY_free(k);
	sbuf_free(&pub);
	free(text);
	return r == 0 ? ADMIN_OK : ADMIN_FAIL;
}

static int issue_validate(const struct issue_args *a, int64_t *ttl, int64_t cap)
{
	if (parse_duration(a->ttl, ttl) != 0)
		return admin_fail("--ttl %s: use a duration like 30m, 6h, 7d", a->ttl);
	if (*ttl > cap)
		return admin_fail("--ttl %s exceeds cert_max_ttl (%lld seconds)", a->ttl,
		                  (long long)cap);
	if (a->source != NULL && cert_cidr_list_valid(a->source) != 0)
		return admin_fail("--source-address %s: not a CIDR list", a->source);
	if (a->force != NULL && (a->force[0] == '\0' || strlen(a->force) > CERT_MAX_OPTION_VALUE))
		return admin_fail("--force-command: empty or too long");
	if (a->id != NULL && strlen(a->id) > KEY_ID_MAX)
		return admin_fail("--id: at most %d bytes", KEY_ID_MAX);
	return 0;
}

static json_t *issued_json(const struct issued *is, const char *path)
{
	return json_pack("{s:I,s:s,s:s,s:o,s:o,s:s}", "serial", (json_int_t)is->serial,
	                 "key_id", is->key_id, "principal", is->principal,
	                 "valid_after", admin_time(is->va), "valid_before", admin_time(is->vb),
	                 "file", path);
}

static int cmd_issue(struct admin_ctx *c, int argc, char **argv)
{
	struct issue_args a;
	struct issued is;
	unsigned ext = 0;
	int64_t ttl = 0;
	char path[CERT_PATH_MAX], *b64 = NULL, *line = NULL;
	size_t len;
	int r;

	if (parse_issue_args(argc, argv, &a) != 0)
		return admin_usage(c->cmd);
	if (issue_validate(&a, &ttl, admin_cert_max_ttl(c)) != 0 || check_target(c, &a, &ext) != 0)
		return ADMIN_FAIL;
	memset(&is, 0, sizeof(is));
	snprintf(is.principal, sizeof(is.principal), "%s%s%s", a.user, a.env ? "+" : "",
	         a.env ? a.env : "");
	snprintf(is.key_id, sizeof(is.key_id), "%s", a.id ? a.id : is.principal);
	if (a.out != NULL)
		snprintf(path, sizeof(path), "%s", a.out);
	else if (default_out(a.file, path, sizeof(path)) != 0)
		return admin_fail("%s: path too long", a.file);
	sbuf_init(&is.cert, CERT_MAX_BLOB);
	if ((r = sign_cert(c, &a, ext, ttl, &is)) == ADMIN_OK) {
		struct cert pc;

		cert_parse(is.cert.d, is.cert.len, &pc);
		cert_b64_encode(is.cert.d, is.cert.len, &b64);
		len = strlen(pc.type) + strlen(b64) + strlen(is.comment) + 4;
		line = malloc(len);
		snprintf(line, len, "%s %s%s%s\n", pc.type, b64, is.comment[0] ? " " : "", is.comment);
		if ((r = write_line(path, line)) != 0) {
			r = admin_fail("%s: %s", path, sgw_strerror(r));
		} else if (strcmp(path, "-")) {
			json_t *o = issued_json(&is, path);

			admin_print_obj(c, o);
			json_decref(o);
		}
	}
	free(line);
	free(b64);
	sbuf_free(&is.cert);
	return r == 0 ? ADMIN_OK : ADMIN_FAIL;
}

/* ssh-keygen's format: local time, "forever", "before X", "after X". */
static void fmt_time(uint64_t t, char *out, size_t outsz)
{
	time_t tt = t > (uint64_t)INT64_MAX ? (time_t)INT64_MAX : (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL || strftime(out, outsz, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(out, outsz, "%llu", (unsigned long long)t);
}

static void fmt_validity(const struct cert *pc, char *out, size_t outsz)
{
	char from[64], to[64];

	fmt_time(pc->valid_after, from, sizeof(from));
	fmt_time(pc->valid_before, to, sizeof(to));
	if (pc->valid_after == 0 && pc->valid_before == CERT_FOREVER)
		snprintf(out, outsz, "forever");
	else if (pc->valid_after == 0)
		snprintf(out, outsz, "before %s", to);
	else if (pc->valid_before == CERT_FOREVER)
		snprintf(out, outsz, "after %s", from);
	else
		snprintf(out, outsz, "from %s to %s", from, to);
}

static char *bytes_str(struct cert_bytes b)
{
	char *s = malloc(b.n + 1);

	if (s != NULL) {
		memcpy(s, b.p, b.n);
		s[b.n] = '\0';
	}
	return s;
}

/* An option's value (a string inside data), "" for a flag, hex for anything else. */
static json_t *option_value(struct cert_bytes data)
{
	struct sbuf b;
	char *v = NULL, hex[2 * 64 + 1];
	json_t *j;

	if (data.n == 0)
		return json_string("");
	sbuf_view(&b, data.p, data.n);
	if (sbuf_get_cstring(&b, CERT_MAX_OPTION_VALUE, &v) == 0 && sbuf_expect_end(&b) == 0) {
		j = json_string(v);
		free(v);
		if (j != NULL)
			return j;
	}
	free(v);
	for (size_t i = 0; i < data.n && i < 64; i++)
		snprintf(hex + 2 * i, 3, "%02x", data.p[i]);
	return json_sprintf("UNKNOWN OPTION: %s (len %zu)", hex, data.n);
}

static json_t *options_json(struct cert_bytes sect)
{
	struct cert_bytes name, data;
	size_t it = 0;
	json_t *o = json_object();

	while (cert_option_next(sect, &it, &name, &data) == 1) {
		char *n = bytes_str(name);

		if (n != NULL)
			json_object_set_new(o, n, option_value(data));
		free(n);
	}
	return o;
}

static json_t *show_json(struct admin_ctx *c, const struct cert *pc)
{
	struct sbuf plain;
	char fp[CERT_FP_LEN], cafp[CERT_FP_LEN], valid[160];
	struct store_ca ca;
	struct cert_bytes p;
	size_t it = 0;
	char *kid = bytes_str(pc->key_id), *alg = bytes_str(pc->sig_alg);
	json_t *o = json_object(), *pr = json_array();

	sbuf_init(&plain, CERT_MAX_BLOB);
	cert_plain_key(pc, &plain);
	cert_fingerprint(plain.d, plain.len, fp, sizeof(fp));
	sbuf_free(&plain);
	cert_fingerprint(pc->ca_key.p, pc->ca_key.n, cafp, sizeof(cafp));
	fmt_validity(pc, valid, sizeof(valid));
	while (cert_principal_next(pc, &it, &p) == 1)
		json_array_append_new(pr, json_stringn((const char *)p.p, p.n));
	json_object_set_new(o, "type", json_string(pc->type));
	json_object_set_new(o, "public_key", json_sprintf("%s-CERT %s",
	                    cert_ktype_label(pc->ktype), fp));
	json_object_set_new(o, "signing_ca", json_sprintf("%s %s (using %s)",
	                    cert_ktype_label(pc->ca_ktype), cafp, alg ? alg : "?"));
	json_object_set_new(o, "ca_fingerprint", json_string(cafp));
	json_object_set_new(o, "ca", json_string(store_ca_find_blob(c->st, pc->ca_key.p,
	                    pc->ca_key.n, &ca) == 0 ? ca.name : ""));
	json_object_set_new(o, "signature", json_string(cert_verify_signature(pc) == 0 ? "good"
	                                                                                : "BAD"));
	json_object_set_new(o, "key_id", json_string(kid ? kid : ""));
	json_object_set_new(o, "serial", json_integer((json_int_t)pc->serial));
	json_object_set_new(o, "valid", json_string(valid));
	json_object_set_new(o, "valid_after", json_integer((json_int_t)pc->valid_after));
	json_object_set_new(o, "valid_before", pc->valid_before == CERT_FOREVER ? json_null() :
	                    json_integer((json_int_t)pc->valid_before));
	json_object_set_new(o, "principals", pr);
	json_object_set_new(o, "critical_options", options_json(pc->critical));
	json_object_set_new(o, "extensions", options_json(pc->extensions));
	free(kid);
	free(alg);
	return o;
}

static void print_section(const char *title, json_t *obj, bool values)
{
	const char *k;
	json_t *v;

	printf("        %s:%s\n", title, json_object_size(obj) ? " " : " (none)");
	json_object_foreach(obj, k, v) {
		if (values && json_string_length(v) > 0)
			printf("                %s %s\n", k, json_string_value(v));
		else
			printf("                %s\n", k);
	}
}

/* The text ssh-keygen -L -f FILE prints, plus trust and signature lines. */
static void show_text(const char *file, json_t *o)
{
	size_t i;
	json_t *v;

	printf("%s:\n", file);
	printf("        Type: %s user certificate\n", json_string_value(json_object_get(o, "type")));
	printf("        Public key: %s\n", json_string_value(json_object_get(o, "public_key")));
	printf("        Signing CA: %s\n", json_string_value(json_object_get(o, "signing_ca")));
	printf("        Key ID: \"%s\"\n", json_string_value(json_object_get(o, "key_id")));
	printf("        Serial: %llu\n",
	       (unsigned long long)json_integer_value(json_object_get(o, "serial")));
	printf("        Valid: %s\n", json_string_value(json_object_get(o, "valid")));
	printf("        Principals: %s\n",
	       json_array_size(json_object_get(o, "principals")) ? "" : "(none)");
	json_array_foreach(json_object_get(o, "principals"), i, v)
		printf("                %s\n", json_string_value(v));
	print_section("Critical Options", json_object_get(o, "critical_options"), true);
	print_section("Extensions", json_object_get(o, "extensions"), false);
	printf("        Signature: %s\n", json_string_value(json_object_get(o, "signature")));
	printf("        Trusted CA: %s\n", json_string_value(json_object_get(o, "ca"))[0] ?
	       json_string_value(json_object_get(o, "ca")) : "(none: not trusted here)");
}

static int cmd_show(struct admin_ctx *c, int argc, char **argv)
{
	char *text = NULL, type[64];
	size_t len;
	struct sbuf blob;
	struct cert pc;
	json_t *o;
	int r, rc = ADMIN_OK;

	if (argc != 2)
		return admin_usage(c->cmd);
	if ((r = admin_read_file(argv[1], PUBKEY_FILE_MAX, &text, &len)) != 0)
		return admin_fail("%s: %s", argv[1], sgw_strerror(r));
	sbuf_init(&blob, CERT_MAX_BLOB);
	if ((r = cert_pubkey_line(text, &blob, type, sizeof(type))) != 0 ||
	    (r = cert_parse(blob.d, blob.len, &pc)) != 0) {
		rc = admin_fail("%s: not an OpenSSH user certificate (%s)", argv[1], sgw_strerror(r));
	} else {
		o = show_json(c, &pc);
		if (c->json)
			admin_print_obj(c, o);
		else
			show_text(argv[1], o);
		json_decref(o);
	}
	sbuf_free(&blob);
	free(text);
	return rc;
}

static int revoke_value(struct admin_ctx *c, const char *kind, const char *value,
                        const char *caname)
{
	static const char *const kinds[] = { "serial", "key_id", "fingerprint" };
	struct store_ca ca = { 0 };
	int k, r;
	json_t *o;

	for (k = 0; k < 3 && strcmp(kind, kinds[k]); k++)
		;
	if (caname != NULL && (r = store_ca_get(c->st, caname, &ca, NULL, NULL)) != 0)
		return admin_fail("CA %s: %s", caname, sgw_strerror(r));
	if (store_revoke_add(c->st, (enum store_revoke_kind)k, ca.id, value,
	                     (int64_t)time(NULL)) != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	o = json_pack("{s:s,s:s,s:s}", "revoked", kind, "value", value, "ca",
	              caname ? caname : "(any)");
	admin_print_obj(c, o);
	json_decref(o);
	return ADMIN_OK;
}

static int cmd_revoke(struct admin_ctx *c, int argc, char **argv)
{
	const char *serial = NULL, *kid = NULL, *fp = NULL, *ca = NULL;
	char *end;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--serial"))
			serial = argv[i + 1];
		else if (!strcmp(argv[i], "--key-id"))
			kid = argv[i + 1];
		else if (!strcmp(argv[i], "--fingerprint"))
			fp = argv[i + 1];
		else if (!strcmp(argv[i], "--ca"))
			ca = argv[i + 1];
		else
			return admin_usage(c->cmd);
	}
	if (argc % 2 == 0 || (serial != NULL) + (kid != NULL) + (fp != NULL) != 1)
		return admin_usage(c->cmd);
	if (serial != NULL) {
		errno = 0;
		(void)strtoull(serial, &end, 10);
		if (ca == NULL || errno || *end || serial[0] < '0' || serial[0] > '9')
			return admin_fail("--serial N needs a decimal N and --ca NAME");
		return revoke_value(c, "serial", serial, ca);
	}
	if (kid != NULL)
		return revoke_value(c, "key_id", kid, ca);
	if (ca != NULL)
		return admin_fail("--fingerprint revokes a key for every CA: no --ca");
	if (strncmp(fp, "SHA256:", 7) != 0 || strlen(fp) != 50)
		return admin_fail("--fingerprint: SHA256:... as ssh-keygen -lf prints it");
	return revoke_value(c, "fingerprint", fp, ca);
}

static int cmd_revoked(struct admin_ctx *c, int argc, char **argv)
{
	static const char *const cols[] = { "id", "kind", "ca", "value", "created", NULL };
	struct store_revocation *v = NULL;
	size_t n = 0;
	json_t *rows;

	(void)argv;
	if (argc != 1)
		return admin_usage(c->cmd);
	if (store_revocation_list(c->st, &v, &n) != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	rows = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, json_pack("{s:I,s:s,s:s,s:s,s:o}", "id",
		                      (json_int_t)v[i].id, "kind", v[i].kind, "ca",
		                      v[i].ca[0] ? v[i].ca : "(any)", "value", v[i].value,
		                      "created", admin_time(v[i].created)));
	admin_print_list(c, rows, cols);
	json_decref(rows);
	free(v);
	return ADMIN_OK;
}

const struct admin_cmd admin_cert_cmds[] = {
	{ "cert", "issue", cmd_issue,
	  "--ca NAME --user USER [--env ENV] --ttl DURATION [--id TEXT] [--permit pty,port-forwarding,...]"
	  " [--source-address CIDR,...] [--force-command CMD] PUBKEY_FILE [-o FILE|-o -]",
	  "sign a user certificate (writes KEY-cert.pub beside the key)", false },
	{ "cert", "show", cmd_show, "FILE", "what ssh-keygen -L -f FILE prints", false },
	{ "cert", "revoke", cmd_revoke,
	  "--serial N --ca NAME | --key-id TEXT [--ca NAME] | --fingerprint SHA256:...",
	  "refuse certificates from the next login on", false },
	{ "cert", "revoked", cmd_revoked, "", "list revocations", false },
	{ NULL, NULL, NULL, NULL, NULL, false },
};
