/* fuzz_pubkey.c — pubkey_parse on any text.
 *
 * Never a crash; a refusal always comes with a reason; an accepted key has a
 * known type whose blob checks out again with the same type and bits, a
 * fingerprint as ssh-keygen prints it, and a comment without control bytes.
 */
#include <ctype.h>
#include <stdbool.h>

#include "fuzz.h"
#include "sftpgw/err.h"
#include "sftpgw/pubkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pubkey k;
	char err[PUBKEY_ERR_LEN], type[PUBKEY_TYPE_MAX], fp[PUBKEY_FP_LEN];
	unsigned bits = 0;
	int r;

	err[0] = '\0';
	r = pubkey_parse((const char *)data, size, &k, err, sizeof(err));
	if (r != 0) {
		FZ_CHECK(r < 0);
		FZ_CHECK(err[0] != '\0');
		return 0;
	}
	FZ_CHECK(k.type[0] != '\0' && strlen(k.type) < PUBKEY_TYPE_MAX);
	FZ_CHECK(strcmp(pubkey_type_label(k.type), "UNKNOWN") != 0);
	FZ_CHECK(k.blob_len > 0 && k.blob_len <= PUBKEY_MAX_BLOB);
	FZ_CHECK(pubkey_check_blob(k.blob, k.blob_len, type, &bits, err, sizeof(err)) == 0);
	FZ_CHECK(strcmp(type, k.type) == 0 && bits == k.bits);
	FZ_CHECK(bits >= 256 && bits <= PUBKEY_MAX_RSA_BITS);
	FZ_CHECK(strcmp(k.type, "ssh-rsa") != 0 || bits >= PUBKEY_MIN_RSA_BITS);
	FZ_CHECK(pubkey_fingerprint(k.blob, k.blob_len, fp) == 0);
	FZ_CHECK(strncmp(fp, "SHA256:", 7) == 0 && strlen(fp) == 7 + 43);
	FZ_CHECK(strlen(k.comment) <= PUBKEY_MAX_COMMENT);
	for (const char *c = k.comment; *c != '\0'; c++)
		FZ_CHECK(!iscntrl((unsigned char)*c));
	return 0;
}
