/* fuzz.h — helpers shared by the libFuzzer targets in tests/fuzz.
 *
 * A broken invariant must crash the target loudly so libFuzzer saves the
 * input: FZ_CHECK prints what failed and aborts.
 */
#ifndef SFTPGW_FUZZ_H
#define SFTPGW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(cond)                                                              \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,   \
			        __LINE__, #cond);                                   \
			abort();                                                    \
		}                                                                   \
	} while (0)

/* A cursor over the fuzzer's input that hands out decisions; past the end it
 * returns zeros, so every input is a valid program of operations. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz_in *in)
{
	uint8_t v = 0;

	if (in->n > 0) {
		v = in->p[0];
		in->p++;
		in->n--;
	}
	return v;
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | fz_u8(in);
	return v;
}

/* Up to want bytes of input, by pointer; *got says how many. */
static inline const uint8_t *fz_bytes(struct fz_in *in, size_t want, size_t *got)
{
	const uint8_t *p = in->p;

	*got = want < in->n ? want : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

/* A NUL-terminated heap copy of p[0..n). */
static inline char *fz_strndup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
