/* pubkey.h — SSH public keys: parsing what operators paste, checking blobs,
 * fingerprints as ssh-keygen prints them.
 *
 * Accepted: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa of at least
 * PUBKEY_MIN_RSA_BITS, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com.
 * Everything else is refused with a sentence saying why and what to do.
 */
#ifndef SFTPGW_PUBKEY_H
#define SFTPGW_PUBKEY_H

#include <stddef.h>
#include <stdint.h>

#define PUBKEY_MAX_TEXT 16384     /* a public key file (RFC 4716 with headers included) */
#define PUBKEY_MAX_BLOB 4096      /* decoded key blob; RSA 16384 bits needs ~2 KiB */
#define PUBKEY_MAX_COMMENT 255    /* bytes of comment kept */
#define PUBKEY_MIN_RSA_BITS 2048
#define PUBKEY_MAX_RSA_BITS 16384
#define PUBKEY_TYPE_MAX 48
#define PUBKEY_FP_LEN 64          /* "SHA256:" + 43 base64 characters + NUL fits */
#define PUBKEY_ERR_LEN 256        /* room for a reason */

struct pubkey {
	char type[PUBKEY_TYPE_MAX];          /* "ssh-ed25519", ... */
	uint8_t blob[PUBKEY_MAX_BLOB];       /* wire-format public key */
	size_t blob_len;
	unsigned bits;                       /* as ssh-keygen -l shows: 256, 384, 521, 3072, ... */
	char comment[PUBKEY_MAX_COMMENT + 1]; /* "" when none */
};

/* Parses one key given as an OpenSSH line, an authorized_keys line (options
 * refused) or RFC 4716 text. On failure returns SGW_E* and a reason in err. */
int pubkey_parse(const char *text, size_t len, struct pubkey *out, char *err, size_t errsz);
/* Checks a wire-format key blob (type known and allowed, structure, RSA size):
 * sets type and bits. On failure returns SGW_E* and a reason in err. */
int pubkey_check_blob(const uint8_t *blob, size_t n, char type[PUBKEY_TYPE_MAX], unsigned *bits,
                      char *err, size_t errsz);
/* "SHA256:" + unpadded base64 of SHA-256(blob), exactly as ssh-keygen -l prints it. */
int pubkey_fingerprint(const uint8_t *blob, size_t n, char out[PUBKEY_FP_LEN]);
/* The label ssh-keygen -l puts in parentheses: "ED25519", "ECDSA", "RSA", "ED25519-SK", "ECDSA-SK". */
const char *pubkey_type_label(const char *type);
/* Base64 without line breaks (with '=' padding when pad); returns the length written or SGW_ENOSPACE. */
int pubkey_base64(const uint8_t *in, size_t n, char *out, size_t outsz, int pad);

#endif
