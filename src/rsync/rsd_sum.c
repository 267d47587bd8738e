/* rsd_sum.c — the negotiated strong checksum, as rsync computes it.
 *
 * Two algorithms, both 16 bytes, so block sums, whole-file sums and the -c
 * file-list sums keep one length whichever is chosen:
 *  - xxh128 (XXH3 128-bit, libxxhash): block sums seeded with the checksum
 *    seed (sign-extended, as rsync passes its int), whole-file sums unseeded,
 *    both stored low 64 bits first, little endian. 20-30× faster than md5,
 *    which is what a resync of a big file spends its CPU on.
 *  - md5 (OpenSSL): block sums seeded (seed before or after the data, as the
 *    client's seed-fix flag says), whole-file sums unseeded.
 */
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "rsd_int.h"

const char *rsd_csum_name(enum rsd_csum c)
{
	return c == RSD_CSUM_XXH128 ? "xxh128" : "md5";
}

int rsd_csum_parse(const char *name, size_t len, enum rsd_csum *out)
{
	if (len == 6 && memcmp(name, "xxh128", 6) == 0)
		*out = RSD_CSUM_XXH128;
	else if (len == 3 && memcmp(name, "md5", 3) == 0)
		*out = RSD_CSUM_MD5;
	else
		return -1;
	return 0;
}

static void put64le(uint8_t *o, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		o[i] = (uint8_t)(v >> (8 * i));
}

static void put128(uint8_t out[RSD_SUM_LEN], XXH128_hash_t h)
{
	put64le(out, h.low64);
	put64le(out + 8, h.high64);
}

static void block_md5(struct rsd *r, const uint8_t *p, size_t n, uint8_t out[RSD_SUM_LEN])
{
	EVP_MD_CTX *c = r->bmd ? r->bmd : (r->bmd = EVP_MD_CTX_new());
	uint8_t seed[4] = { (uint8_t)r->seed, (uint8_t)(r->seed >> 8), (uint8_t)(r->seed >> 16),
		            (uint8_t)(r->seed >> 24) };
	unsigned len = 0;

	if (c == NULL) {
		memset(out, 0, RSD_SUM_LEN);
		return;
	}
	EVP_DigestInit_ex(c, EVP_md5(), NULL);
	if (r->seed && r->seed_fix)
		EVP_DigestUpdate(c, seed, 4);
	EVP_DigestUpdate(c, p, n);
	if (r->seed && !r->seed_fix)
		EVP_DigestUpdate(c, seed, 4);
	EVP_DigestFinal_ex(c, out, &len);
}

void rsd_block_sum(struct rsd *r, const uint8_t *p, size_t n, uint8_t out[RSD_SUM_LEN])
{
	if (r->csum == RSD_CSUM_XXH128)
		put128(out, XXH3_128bits_withSeed(p, n, (XXH64_hash_t)(int64_t)(int32_t)r->seed));
	else
		block_md5(r, p, n, out);
}

int rsd_fsum_begin(struct rsd *r, struct rsd_fsum *s)
{
	memset(s, 0, sizeof(*s));
	s->type = r->csum;
	if (s->type == RSD_CSUM_XXH128) {
		if ((s->xx = XXH3_createState()) == NULL)
			return -1;
		XXH3_128bits_reset(s->xx);
		return 0;
	}
	if ((s->md = EVP_MD_CTX_new()) == NULL)
		return -1;
	EVP_DigestInit_ex(s->md, EVP_md5(), NULL);
	return 0;
}

void rsd_fsum_update(struct rsd_fsum *s, const void *p, size_t n)
{
	if (s->xx != NULL)
		XXH3_128bits_update(s->xx, p, n);
	else if (s->md != NULL)
		EVP_DigestUpdate(s->md, p, n);
}

void rsd_fsum_end(struct rsd_fsum *s, uint8_t out[RSD_SUM_LEN])
{
	unsigned len = 0;

	memset(out, 0, RSD_SUM_LEN);
	if (s->xx != NULL) {
		put128(out, XXH3_128bits_digest(s->xx));
		XXH3_freeState(s->xx);
	} else if (s->md != NULL) {
		EVP_DigestFinal_ex(s->md, out, &len);
		EVP_MD_CTX_free(s->md);
	}
	s->xx = NULL;
	s->md = NULL;
}
