/* store_ca.h — certificate authorities, issued certificates and revocations
 * in the store (tables cas, certs, revocations; schema 3). Same return
 * conventions as store.h. */
#ifndef SFTPGW_STORE_CA_H
#define SFTPGW_STORE_CA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sftpgw/names.h"
#include "sftpgw/store.h"

#define STORE_CA_PATH_MAX 4096

struct store_ca {
	int64_t id;
	char name[NAME_MAX_LEN + 1];
	char type[48];                 /* "ssh-ed25519", ... */
	char fingerprint[64];          /* "SHA256:..." */
	char private_path[STORE_CA_PATH_MAX]; /* "" for an external CA */
	int64_t created;
};

/* Adds a trusted CA (private_path NULL for an external one); *id may be NULL. */
int store_ca_add(struct store *st, const char *name, const char *type, const uint8_t *blob,
                 size_t n, const char *fingerprint, const char *private_path, int64_t now,
                 int64_t *id);
/* A CA by name; with blob non-NULL also its public blob (malloc'd, *bn bytes). */
int store_ca_get(struct store *st, const char *name, struct store_ca *out, uint8_t **blob,
                 size_t *bn);
/* The trusted CA whose public blob is exactly blob[0..n) (SGW_ENOTFOUND if none). */
int store_ca_find_blob(struct store *st, const uint8_t *blob, size_t n, struct store_ca *out);
/* All CAs by name. *out is one malloc'd array (free()). */
int store_ca_list(struct store *st, struct store_ca **out, size_t *n);
/* Removes a CA: its certificates stop working at once. */
int store_ca_rm(struct store *st, const char *name);

/* Allocates the next serial by recording an issued certificate. */
int store_cert_record(struct store *st, int64_t ca_id, const char *key_id,
                      const char *principals, const char *fingerprint, int64_t valid_after,
                      int64_t valid_before, int64_t now, uint64_t *serial);
/* *allowed = whether tunnels are allowed (table tunnels non-empty) in env
 * (by name, granted to the user), or in any environment granted to the user
 * when env is NULL or "". */
int store_cert_tunnels_allowed(struct store *st, int64_t user_id, const char *env,
                               bool *allowed);

enum store_revoke_kind { STORE_REVOKE_SERIAL, STORE_REVOKE_KEY_ID, STORE_REVOKE_FINGERPRINT };
struct store_revocation {
	int64_t id;
	char kind[16];                 /* "serial", "key_id", "fingerprint" */
	char ca[NAME_MAX_LEN + 1];     /* "" = any CA */
	char value[256];
	int64_t created;
};
/* Records a revocation (ca_id 0 = every CA); revoking twice is not an error. */
int store_revoke_add(struct store *st, enum store_revoke_kind kind, int64_t ca_id,
                     const char *value, int64_t now);
/* *revoked = whether (kind, value) is revoked for ca_id (or for every CA). */
int store_revoked(struct store *st, enum store_revoke_kind kind, int64_t ca_id,
                  const char *value, bool *revoked);
/* *revoked = whether any of these is revoked, in one query (the auth path):
 * key_fp or ca_fp (fingerprints), serial for ca_id, key_id for ca_id or any CA. */
int store_cert_revoked(struct store *st, int64_t ca_id, const char *key_fp, const char *ca_fp,
                       const char *serial, const char *key_id, bool *revoked);
/* What cert_check needs from the store, in one statement (one read
 * transaction on the auth path): the trusted CA with public blob ca_blob
 * (ca_id 0 if none), whether the certificate is revoked (store_cert_revoked's
 * rules), and the id of user (0 if not registered). */
struct store_cert_facts {
	int64_t ca_id;
	bool revoked;
	int64_t user_id;
};
int store_cert_facts(struct store *st, const uint8_t *ca_blob, size_t n, const char *key_fp,
                     const char *ca_fp, const char *serial, const char *key_id,
                     const char *user, struct store_cert_facts *out);
/* All revocations, oldest first. *out is one malloc'd array (free()). */
int store_revocation_list(struct store *st, struct store_revocation **out, size_t *n);

#endif
