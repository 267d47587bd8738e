/* fuzz_pubkey_blob.c — pubkey_check_blob on any wire-format bytes (what a
 * client sends during public-key auth), and the base64 round trip.
 *
 * An accepted blob has a known type and a plausible size, and the OpenSSH
 * line built from it ("TYPE BASE64") parses back to the same blob and type.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "sftpgw/err.h"
#include "sftpgw/pubkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pubkey k;
	static char line[PUBKEY_TYPE_MAX + 2 + 4 * (PUBKEY_MAX_BLOB / 3 + 2)];
	char err[PUBKEY_ERR_LEN], type[PUBKEY_TYPE_MAX];
	unsigned bits = 0;
	size_t n;
	int r;

	err[0] = '\0';
	r = pubkey_check_blob(data, size, type, &bits, err, sizeof(err));
	if (r != 0) {
		FZ_CHECK(r < 0 && err[0] != '\0');
		return 0;
	}
	FZ_CHECK(strcmp(pubkey_type_label(type), "UNKNOWN") != 0);
	FZ_CHECK(bits >= 256 && bits <= PUBKEY_MAX_RSA_BITS);
	if (size > PUBKEY_MAX_BLOB)
		return 0;  /* valid on the wire, too big to register: pubkey_parse refuses it */
	n = strlen(type);
	memcpy(line, type, n);
	line[n++] = ' ';
	r = pubkey_base64(data, size, line + n, sizeof(line) - n, 1);
	FZ_CHECK(r > 0);
	n += (size_t)r;
	r = pubkey_parse(line, n, &k, err, sizeof(err));
	FZ_CHECK(r == 0);
	FZ_CHECK(k.blob_len == size && memcmp(k.blob, data, size) == 0);
	FZ_CHECK(strcmp(k.type, type) == 0 && k.bits == bits);
	return 0;
}
