/* cert.h — OpenSSH user certificates: parse, verify as sshd does, issue.
 * See ../shared/CERT-NOTES.md and doc/certificates.md. The daemon's auth
 * callback calls cert_check() in the probe stage and again for the signed
 * attempt; sftpgw-admin uses the rest (issue, show, CA keys).
 */
#ifndef SFTPGW_CERT_H
#define SFTPGW_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "sftpgw/buf.h"
#include "sftpgw/names.h"
#include "sftpgw/store.h"

#define CERT_MAX_PRINCIPALS 256
#define CERT_MAX_BLOB (16 * 1024)
#define CERT_MAX_OPTIONS 32          /* critical options or extensions per certificate */
#define CERT_MAX_OPTION_VALUE 4096   /* force-command / source-address text */
#define CERT_NONCE_LEN 32
#define CERT_RSA_MIN_BITS 2048       /* CA and certified RSA keys below this are refused */
#define CERT_FP_LEN 64               /* "SHA256:" + 43 base64 + NUL fits */
#define CERT_FOREVER UINT64_MAX      /* valid_before meaning "no expiry" */

/* What a verified certificate grants the session. */
struct cert_grant {
	char user[NAME_MAX_LEN + 1]; /* from the matching principal */
	int64_t user_id;             /* that user's id in the store */
	char env[NAME_MAX_LEN + 1];  /* "" when the principal was plain USER */
	bool permit_pty;
	bool permit_port_forwarding;
	char *force_command;         /* heap, or NULL */
	int64_t valid_before;        /* unix seconds; INT64_MAX = forever */
	char key_id[256];
	uint64_t serial;
	char ca_fingerprint[64];     /* "SHA256:..." */
};

/* Checks a certificate blob (decoded from ssh_pki_export_pubkey_base64) for a
 * login as login_user (+ login_env, "" if none) from client_addr at time now:
 * parse, CA trusted, CA signature, revocations, principals, validity (with
 * skew seconds), critical options, extensions. Returns 0 and fills g, or a
 * negative code with *reason one of "expired", "not yet valid", "principal",
 * "unknown CA", "revoked", "critical option", "source address", "bad signature",
 * "malformed", "store error" (static strings). g->key_id/serial/ca_fingerprint are filled as
 * far as parsing got, for the log line. */
int cert_check(struct store *st, const uint8_t *blob, size_t n, const char *login_user,
               const char *login_env, const char *client_addr, int64_t now, int skew,
               struct cert_grant *g, const char **reason);
void cert_grant_free(struct cert_grant *g);

/* --- parsing --- */
enum cert_ktype { CERT_K_ED25519, CERT_K_ECDSA256, CERT_K_ECDSA384, CERT_K_ECDSA521, CERT_K_RSA };

struct cert_bytes { const uint8_t *p; size_t n; };

/* A parsed certificate: views into the caller's blob (keep it alive). */
struct cert {
	enum cert_ktype ktype;
	const char *type;            /* "ssh-ed25519-cert-v01@openssh.com" (static) */
	const char *plain_type;      /* "ssh-ed25519" (static) */
	struct cert_bytes nonce;
	struct cert_bytes key_fields; /* the certified key's fields, as in its plain blob */
	uint64_t serial;
	uint32_t cert_type;          /* always 1 (user) after a successful parse */
	struct cert_bytes key_id;    /* no NUL inside */
	struct cert_bytes principals; /* the inner buffer: n_principals strings */
	size_t n_principals;
	uint64_t valid_after, valid_before;
	struct cert_bytes critical, extensions, reserved;
	struct cert_bytes ca_key;    /* the CA's plain public key blob */
	enum cert_ktype ca_ktype;
	struct cert_bytes signed_part; /* fields 1-13: what the CA signed */
	struct cert_bytes sig_alg, sig;
};

/* Parses a user certificate blob with the bounded reader; 0, or SGW_EBADFORMAT /
 * SGW_ETRUNCATED / SGW_ETRAILING / SGW_ETOOBIG / SGW_EUNSUPPORTED. */
int cert_parse(const uint8_t *blob, size_t n, struct cert *c);
/* Verifies the CA signature over c->signed_part with libcrypto: 0 or SGW_EDENIED
 * (bad), SGW_EUNSUPPORTED (ssh-rsa SHA-1, weak RSA, unknown algorithm). */
int cert_verify_signature(const struct cert *c);
/* Iterates principals: *it starts at 0; returns 1 with the next one, 0 at the end. */
int cert_principal_next(const struct cert *c, size_t *it, struct cert_bytes *out);
/* Iterates a critical option or extension section: 1 with (name, data), 0 at end. */
int cert_option_next(struct cert_bytes sect, size_t *it, struct cert_bytes *name,
                     struct cert_bytes *data);
/* Plain public key blob of the certified key into out (an owned sbuf). */
int cert_plain_key(const struct cert *c, struct sbuf *out);

/* --- keys, fingerprints, base64 --- */
/* "SHA256:<base64 without padding>" of a key blob, as ssh-keygen -l prints. */
int cert_fingerprint(const uint8_t *blob, size_t n, char *out, size_t outsz);
/* Type name and kind of a plain public key blob (refuses certificate types). */
int cert_key_type(const uint8_t *blob, size_t n, enum cert_ktype *kt, const char **name);
/* Key size in bits as ssh-keygen -l prints it (256 for Ed25519), or a negative code. */
int cert_key_bits(const uint8_t *blob, size_t n);
/* "ED25519", "ECDSA", "RSA": what ssh-keygen prints for a kind. */
const char *cert_ktype_label(enum cert_ktype kt);
/* Base64 of p[0..n) into a new NUL-terminated heap string (*out). */
int cert_b64_encode(const uint8_t *p, size_t n, char **out);
/* Decodes base64 text s into out (an owned sbuf); SGW_EBADFORMAT on bad text. */
int cert_b64_decode(const char *s, size_t len, struct sbuf *out);
/* Parses an OpenSSH public key or certificate line "TYPE BASE64 [COMMENT]"
 * into its blob (appended to an owned sbuf) and TYPE (checked against the blob). */
int cert_pubkey_line(const char *line, struct sbuf *blob, char *type, size_t typesz);

/* --- CA keys (libcrypto) --- */
/* New CA private key: type "ed25519" (default), "ecdsa" (P-256) or "rsa" (3072). */
int cert_ca_generate(const char *type, EVP_PKEY **out);
/* The plain OpenSSH public blob of a CA private key. */
int cert_ca_pubblob(EVP_PKEY *k, struct sbuf *out);
/* Writes k as PKCS#8 PEM to a new file path, mode 0600 (fails if it exists). */
int cert_ca_save(EVP_PKEY *k, const char *path);
/* Loads a PKCS#8 PEM private key. */
int cert_ca_load(const char *path, EVP_PKEY **out);

/* --- issuing --- */
#define CERT_EXT_NO_TOUCH (1u << 0)
#define CERT_EXT_X11 (1u << 1)
#define CERT_EXT_AGENT (1u << 2)
#define CERT_EXT_PORT_FWD (1u << 3)
#define CERT_EXT_PTY (1u << 4)
#define CERT_EXT_USER_RC (1u << 5)

struct cert_issue_req {
	const uint8_t *pubkey; size_t pubkey_n; /* the user's plain public key blob */
	uint64_t serial;
	const char *key_id;
	const char *const *principals; size_t n_principals;
	uint64_t valid_after, valid_before;
	const char *force_command;   /* NULL = none */
	const char *source_address;  /* NULL = none */
	unsigned extensions;         /* CERT_EXT_* */
};
/* ssh-keygen -s: builds and signs a certificate with CA key ca into out. */
int cert_issue(const struct cert_issue_req *r, EVP_PKEY *ca, struct sbuf *out);
/* Extension bit of a --permit word ("pty", "port-forwarding", ...), or 0. */
unsigned cert_ext_from_word(const char *w);
/* Checks a source-address list's syntax (CIDR list, as sshd's): 0 or SGW_EBADFORMAT. */
int cert_cidr_list_valid(const char *list);
/* 1 when addr matches the CIDR list, 0 when not, SGW_EBADFORMAT on a bad list/address. */
int cert_cidr_list_match(const char *list, const char *addr);

#endif
