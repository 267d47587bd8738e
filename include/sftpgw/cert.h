/* cert.h — OpenSSH user certificates: parse, verify as sshd does, issue.
 * See ../shared/CERT-NOTES.md. The daemon's auth callback calls cert_check()
 * in the probe stage and again for the signed attempt.
 */
#ifndef SFTPGW_CERT_H
#define SFTPGW_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sftpgw/names.h"
#include "sftpgw/store.h"

#define CERT_MAX_PRINCIPALS 256
#define CERT_MAX_BLOB (16 * 1024)

/* What a verified certificate grants the session. */
struct cert_grant {
	char user[NAME_MAX_LEN + 1]; /* from the matching principal */
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
 * "malformed" (static strings). g->key_id/serial/ca_fingerprint are filled as
 * far as parsing got, for the log line. */
int cert_check(struct store *st, const uint8_t *blob, size_t n, const char *login_user,
               const char *login_env, const char *client_addr, int64_t now, int skew,
               struct cert_grant *g, const char **reason);
void cert_grant_free(struct cert_grant *g);

#endif
