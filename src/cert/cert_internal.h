/* cert_internal.h — shared by the files of src/cert only. */
#ifndef SFTPGW_CERT_INTERNAL_H
#define SFTPGW_CERT_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <openssl/types.h>

#include "sftpgw/cert.h"

/* True when the bytes equal the C string s. */
static inline bool cert__bytes_eq(struct cert_bytes b, const char *s)
{
	size_t n = strlen(s);

	return b.n == n && memcmp(b.p, s, n) == 0;
}
/* libcrypto public key from a plain OpenSSH key blob (RSA under CERT_RSA_MIN_BITS: NULL). */
EVP_PKEY *cert__pkey_from_blob(const uint8_t *blob, size_t n, enum cert_ktype *kt);

#endif
