/* fuzz_rsync.c — rsync's integer encodings, file indexes, wildcards and the
 * server command line (src/rsync/rsd_enc.c, rsd_wild.c, rsd_opts.c).
 *
 * Byte 0 picks:
 *  0: the rest is a stream of varints, varlongs and file indexes as a client
 *     sends them (each next byte picks which); every decoded value encodes
 *     and decodes back to itself; a failed decode leaves the offset alone.
 *  1: round trips of values taken from the input (varint, varlong, indexes
 *     through paired writer/reader states).
 *  2: "PATTERN\0TEXT" to rsd_wildmatch: must answer (and quickly); a pattern
 *     without wildcard characters matches exactly itself.
 *  3: an exec line, split with shw_split, to rsd_opts_parse.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "sftpgw/buf.h"
#include "sftpgw/err.h"
#include "sftpgw/rsd.h"
#include "sftpgw/shellwords.h"
#include "../../src/rsync/rsd_int.h"

#define FZ_NDX_RANGE (1 << 30)  /* indexes a transfer can name: far beyond RSD_MAX_FILES */

static void reencode(int kind, int64_t v)
{
	uint8_t w[16];
	struct sbuf b;
	int32_t x32;
	int64_t x64;
	size_t n;

	if (kind == 0) {
		n = rsd_varint_put(w, (int32_t)v);
		FZ_CHECK(n >= 1 && n <= 5);
		sbuf_view(&b, w, n);
		FZ_CHECK(rsd_varint_get(&b, &x32) == 0 && x32 == (int32_t)v && sbuf_avail(&b) == 0);
	} else {
		int min = kind == 1 ? 3 : 4;
		n = rsd_varlong_put(w, v, min);
		FZ_CHECK(n >= (size_t)min && n <= 9);
		sbuf_view(&b, w, n);
		FZ_CHECK(rsd_varlong_get(&b, min, &x64) == 0 && x64 == v && sbuf_avail(&b) == 0);
	}
}

static void decode_stream(struct fz_in *in)
{
	struct rsd_ndx_state st;
	struct sbuf b;
	int32_t x32;
	int64_t x64;

	rsd_ndx_init(&st);
	sbuf_view(&b, in->p, in->n);
	while (sbuf_avail(&b) > 0) {
		uint8_t k;
		size_t off;
		int r;

		(void)sbuf_get_u8(&b, &k);
		off = b.off;
		switch (k % 4) {
		case 0:
			if ((r = rsd_varint_get(&b, &x32)) == 0)
				reencode(0, x32);
			break;
		case 1:
		case 2:
			if ((r = rsd_varlong_get(&b, k % 4 == 1 ? 3 : 4, &x64)) == 0)
				reencode(k % 4, x64);
			break;
		default:
			r = rsd_ndx_get(&st, &b, &x32);
			FZ_CHECK(r != 0 || x32 == -1 || x32 == st.prev_pos || x32 == -st.prev_neg);
			break;
		}
		if (r != 0)
			FZ_CHECK(b.off == off);  /* a failed decode leaves the offset alone */
	}
}

static void round_trips(struct fz_in *in)
{
	struct rsd_ndx_state wr, rd;
	uint8_t w[8];
	struct sbuf b;
	int32_t got;

	rsd_ndx_init(&wr);
	rsd_ndx_init(&rd);
	while (in->n > 0) {
		uint8_t k = fz_u8(in);
		int64_t v = (int64_t)((uint64_t)fz_u32(in) << 32 | fz_u32(in));

		if (k % 3 < 2) {
			reencode(k % 3 == 0 ? 0 : 1 + (k >> 7), k % 3 == 0 ? (int32_t)v : v);
			continue;
		}
		/* indexes: -1 (done), other negatives (list markers) and file numbers */
		int32_t ndx = (int32_t)(v % FZ_NDX_RANGE);
		size_t n = rsd_ndx_put(&wr, w, ndx);

		FZ_CHECK(n >= 1 && n <= 6);
		sbuf_view(&b, w, n);
		FZ_CHECK(rsd_ndx_get(&rd, &b, &got) == 0 && sbuf_avail(&b) == 0);
		FZ_CHECK(got == ndx);
	}
}

static void wildmatch(const uint8_t *p, size_t n)
{
	char *s = fz_strndup(p, n);
	const char *text = s + strlen(s) + (strlen(s) < n ? 1 : 0);
	char *t;

	if (text > s + n)
		text = s + n;
	t = fz_strndup((const uint8_t *)text, (size_t)(s + n - text));
	(void)rsd_wildmatch(s, t);
	if (strpbrk(s, "*?[\\") == NULL)
		FZ_CHECK(rsd_wildmatch(s, s));
	free(t);
	free(s);
}

static void opts(const uint8_t *p, size_t n)
{
	struct rsd_opts o;
	char **argv = NULL, why[256];
	const char *w;
	int words = shw_split((const char *)p, n, &argv, &w);

	if (words < 1)
		goto out;
	memset(&o, 0, sizeof(o));
	why[0] = '\0';
	if (rsd_opts_parse(&o, argv, why, sizeof(why)) != 0) {
		FZ_CHECK(why[0] != '\0');
		goto out;
	}
	FZ_CHECK(o.nargs >= 0 && o.nargs < words);
	if (o.args != NULL)
		FZ_CHECK(o.args > argv && o.args + o.nargs <= argv + words);
	FZ_CHECK(o.block_size == 0 || (o.block_size >= RSD_BLOCK_MIN && o.block_size <= RSD_BLOCK_MAX));
out:
	shw_free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };

	switch (fz_u8(&in) % 4) {
	case 0: decode_stream(&in); break;
	case 1: round_trips(&in); break;
	case 2: wildmatch(in.p, in.n); break;
	default: opts(in.p, in.n); break;
	}
	return 0;
}
