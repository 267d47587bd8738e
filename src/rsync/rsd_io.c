/* rsd_io.c — the job's blocking reads and writes over the two rings, rsync's
 * multiplexing (4-byte header: tag MPLEX_BASE + code in the top byte, 24-bit
 * length, little endian) and the typed wire encodings.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sftpgw/err.h"
#include "sftpgw/log.h"
#include "rsd_int.h"

#define WAIT_SLICE_NS (1000ull * 1000 * 1000) /* re-check abort/timeout every second */

/* Records the first fatal error and tells the client (multiplexed or on stderr). */
void rsd_fail(struct rsd *r, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int expect = 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(msg) - 3)
		n = (int)sizeof(msg) - 3;
	if (!atomic_compare_exchange_strong(&r->err, &expect, code))
		return;
	log_info("rsync %u: %s (exit %d)", chan_id(r->ch), msg, code);
	msg[n++] = '\n';
	msg[n] = '\0';
	if (r->mux_out && !r->abort) {
		uv_mutex_lock(&r->omu);
		/* bypass the sticky check: this message must still go out */
		uint8_t hdr[4];
		uint32_t h = ((uint32_t)(RSD_MPLEX_BASE + RSD_MSG_ERROR) << 24) | (uint32_t)n;

		if (r->olen > 0) {
			uint32_t d = ((uint32_t)RSD_MPLEX_BASE << 24) | (uint32_t)r->olen;

			hdr[0] = (uint8_t)d, hdr[1] = (uint8_t)(d >> 8), hdr[2] = (uint8_t)(d >> 16),
			hdr[3] = (uint8_t)(d >> 24);
			rsd_raw_write(r, hdr, 4);
			rsd_raw_write(r, r->obuf, r->olen);
			r->olen = 0;
		}
		hdr[0] = (uint8_t)h, hdr[1] = (uint8_t)(h >> 8), hdr[2] = (uint8_t)(h >> 16),
		hdr[3] = (uint8_t)(h >> 24);
		rsd_raw_write(r, hdr, 4);
		rsd_raw_write(r, msg, (size_t)n);
		uv_mutex_unlock(&r->omu);
	} else {
		uv_mutex_lock(&r->mu);
		if (r->errlen + (size_t)n < sizeof(r->errtext)) {
			memcpy(r->errtext + r->errlen, msg, (size_t)n);
			r->errlen += (size_t)n;
		}
		uv_mutex_unlock(&r->mu);
	}
}

static void vmsg(struct rsd *r, int code, const char *fmt, va_list ap)
{
	char msg[1024];
	int n = vsnprintf(msg, sizeof(msg) - 1, fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n > sizeof(msg) - 2)
		n = (int)sizeof(msg) - 2;
	msg[n++] = '\n';
	rsd_msg(r, code, msg, (size_t)n);
}

/* A per-file error: reported to the client, the transfer goes on (exit 23). */
void rsd_file_error(struct rsd *r, const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_or(&r->io_error, 1);
	va_start(ap, fmt);
	vmsg(r, RSD_MSG_ERROR_XFER, fmt, ap);
	va_end(ap);
}

void rsd_info(struct rsd *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(r, RSD_MSG_INFO, fmt, ap);
	va_end(ap);
}

void rsd_warn(struct rsd *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(r, RSD_MSG_WARNING, fmt, ap);
	va_end(ap);
}

/* ---- rings ---- */

static void try_flush(struct rsd *r)
{
	if (uv_mutex_trylock(&r->omu) == 0) {
		uv_mutex_unlock(&r->omu);
		rsd_flush(r);
	}
}

/* Blocks until n raw bytes were read. 0, or -1 at EOF/abort/timeout. The
 * loop signals only once in_want bytes are there (or the ring is full). */
int rsd_raw_read(struct rsd *r, void *p, size_t n)
{
	uint8_t *d = p;
	uint64_t idle = 0;

	while (n > 0) {
		size_t want = n < RSD_RING_SIZE / 2 ? n : RSD_RING_SIZE / 2;

		uv_mutex_lock(&r->mu);
		if (r->in_len < want && !r->in_eof && !r->abort) {
			uv_mutex_unlock(&r->mu);
			try_flush(r); /* never wait for a reply to unsent data */
			uv_mutex_lock(&r->mu);
		}
		while (r->in_len < want && !r->in_eof && !r->abort) {
			size_t had = r->in_len;

			r->in_want = want;
			if (uv_cond_timedwait(&r->in_cv, &r->mu, WAIT_SLICE_NS) == UV_ETIMEDOUT && r->in_len == had) {
				idle++;
				if (r->o.timeout > 0 && idle >= (uint64_t)r->o.timeout) {
					r->in_want = 0;
					uv_mutex_unlock(&r->mu);
					rsd_fail(r, RERR_TIMEOUT, "rsync error: timeout in data send/receive "
					                          "(--timeout=%d)", r->o.timeout);
					return -1;
				}
			} else if (r->in_len != had) {
				idle = 0;
			}
		}
		r->in_want = 0;
		if (r->abort || (r->in_len == 0 && r->in_eof)) {
			uv_mutex_unlock(&r->mu);
			return -1;
		}
		size_t take = r->in_len < n ? r->in_len : n;
		size_t first = RSD_RING_SIZE - r->in_head;

		if (first > take)
			first = take;
		memcpy(d, r->inr + r->in_head, first);
		memcpy(d + first, r->inr, take - first);
		r->in_head = (r->in_head + take) % RSD_RING_SIZE;
		r->in_len -= take;
		bool wake = r->in_blocked && r->in_len < RSD_RING_SIZE / 2;

		uv_mutex_unlock(&r->mu);
		if (wake)
			uv_async_send(&r->async);
		d += take;
		n -= take;
		idle = 0;
	}
	return 0;
}

/* Blocks until all bytes are in the output ring (or the channel is gone). */
void rsd_raw_write(struct rsd *r, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n > 0) {
		uv_mutex_lock(&r->mu);
		while (r->out_len == RSD_RING_SIZE && !r->abort)
			uv_cond_wait(&r->out_cv, &r->mu);
		if (r->abort) {
			uv_mutex_unlock(&r->mu);
			atomic_store(&r->io_error, atomic_load(&r->io_error) | 1);
			int expect = 0;

			atomic_compare_exchange_strong(&r->err, &expect, RERR_STREAMIO);
			return;
		}
		size_t room = RSD_RING_SIZE - r->out_len;
		size_t put = room < n ? room : n;
		size_t tail = (r->out_head + r->out_len) % RSD_RING_SIZE;
		size_t first = RSD_RING_SIZE - tail;

		if (first > put)
			first = put;
		memcpy(r->outr + tail, s, first);
		memcpy(r->outr, s + first, put - first);
		r->out_len += put;
		uv_mutex_unlock(&r->mu);
		uv_async_send(&r->async);
		s += put;
		n -= put;
	}
}

/* ---- multiplexed input ---- */

static void handle_msg(struct rsd *r, int code, uint8_t *p, size_t n)
{
	int32_t v = n >= 4 ? (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	                                (uint32_t)p[3] << 24) : 0;

	switch (code) {
	case RSD_MSG_NOOP:
		break;
	case RSD_MSG_IO_ERROR:
		if (n != 4)
			goto bad;
		atomic_fetch_or(&r->io_error, v & 7);
		break;
	case RSD_MSG_INFO:
	case RSD_MSG_ERROR:
	case RSD_MSG_ERROR_XFER:
	case RSD_MSG_WARNING:
	case RSD_MSG_LOG:
	case RSD_MSG_ERROR_SOCKET:
	case RSD_MSG_ERROR_UTF8:
		log_info("rsync %u: client says: %.*s", chan_id(r->ch), (int)(n && p[n - 1] == '\n' ? n - 1 : n),
		         (const char *)p);
		break;
	case RSD_MSG_ERROR_EXIT:
		rsd_fail(r, n == 4 && v > 0 ? v : RERR_PARTIAL, "client exited with an error");
		break;
	case RSD_MSG_SUCCESS:
	case RSD_MSG_NO_SEND:
		if (n != 4 || v < 0 || (uint32_t)v >= r->fl.n)
			goto bad;
		if (code == RSD_MSG_SUCCESS)
			r->fl.f[v].flags |= RSD_F_SENT;
		else
			r->fl.f[v].flags |= RSD_F_FAILED;
		if (code == RSD_MSG_SUCCESS && r->o.sender && r->o.remove_source) {
			char vp[VFS_PATH_MAX];
			const struct rsd_file *f = &r->fl.f[v];
			int rc = -ENAMETOOLONG;

			if ((size_t)snprintf(vp, sizeof(vp), "%s/%s", r->fl.bases[f->base], rsd_fname(&r->fl, f)) <
			    sizeof(vp))
				rc = vfs_unlink(r->view, vp);
			if (rc < 0)
				rsd_file_error(r, "rsync: [sender] cannot remove source file \"%s\": %s",
				               rsd_fname(&r->fl, f), sgw_strerror(rc));
		}
		break;
	case RSD_MSG_DELETED:
	case RSD_MSG_STATS:
		break;
	default:
		goto bad;
	}
	return;
bad:
	rsd_fail(r, RERR_STREAMIO, "unexpected tag %d in the protocol stream [server]", code);
}

/* Reads the next frame header; returns false on error. */
static bool next_frame(struct rsd *r)
{
	uint8_t h[4], msg[RSD_MAX_MSG];

	while (r->in_frame == 0) {
		if (rsd_raw_read(r, h, 4) != 0)
			return false;
		uint32_t v = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
		int tag = (int)(v >> 24);
		size_t len = v & 0xffffff;

		if (tag < RSD_MPLEX_BASE) {
			rsd_fail(r, RERR_STREAMIO, "unexpected tag %d in the protocol stream [server]", tag);
			return false;
		}
		if (tag == RSD_MPLEX_BASE + RSD_MSG_DATA) {
			r->in_frame = (uint32_t)len;
			continue;
		}
		if (len > sizeof(msg)) {
			rsd_fail(r, RERR_STREAMIO, "multiplexed message too long (%zu bytes) [server]", len);
			return false;
		}
		if (rsd_raw_read(r, msg, len) != 0)
			return false;
		handle_msg(r, tag - RSD_MPLEX_BASE, msg, len);
		if (rsd_bad(r))
			return false;
	}
	return true;
}

static void eof_fail(struct rsd *r)
{
	if (!rsd_bad(r))
		rsd_fail(r, RERR_STREAMIO, "connection unexpectedly closed [server]");
}

/* Reads n data bytes (demultiplexed once multiplexing is on); zeros on error. */
void rsd_read(struct rsd *r, void *p, size_t n)
{
	uint8_t *d = p;

	if (rsd_bad(r)) {
		memset(p, 0, n);
		return;
	}
	if (!r->mux_in) {
		if (rsd_raw_read(r, p, n) != 0) {
			memset(p, 0, n);
			eof_fail(r);
		} else {
			r->st_read += n;
		}
		return;
	}
	while (n > 0) {
		if (r->in_frame == 0 && !next_frame(r)) {
			memset(d, 0, n);
			eof_fail(r);
			return;
		}
		size_t take = r->in_frame < n ? r->in_frame : n;

		if (rsd_raw_read(r, d, take) != 0) {
			memset(d, 0, n);
			eof_fail(r);
			return;
		}
		r->in_frame -= (uint32_t)take;
		r->st_read += take;
		d += take;
		n -= take;
	}
}

uint8_t rsd_read_byte(struct rsd *r)
{
	uint8_t b;

	rsd_read(r, &b, 1);
	return b;
}

int32_t rsd_read_int(struct rsd *r)
{
	uint8_t b[4];
	struct sbuf sb;
	uint32_t v = 0;

	rsd_read(r, b, 4);
	sbuf_view(&sb, b, 4);
	(void)sbuf_get_u32_le(&sb, &v);
	return (int32_t)v;
}

uint16_t rsd_read_short(struct rsd *r)
{
	uint8_t b[2];

	rsd_read(r, b, 2);
	return (uint16_t)(b[0] | b[1] << 8);
}

/* Reads a var-length integer's bytes (count from the first byte) into b. */
static size_t read_var_bytes(struct rsd *r, uint8_t *b, int min, size_t cap)
{
	static const uint8_t extra[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 0 };
	size_t n;
	int ex;

	rsd_read(r, b, (size_t)min);
	/* leading byte: 0x80.. 1 extra, 0xc0.. 2, 0xe0.. 3, 0xf0.. 4, 0xf8.. 5, 0xfc.. 6 */
	if (b[0] < 0xf0)
		ex = extra[b[0] >> 4];
	else if (b[0] < 0xf8)
		ex = 4;
	else if (b[0] < 0xfc)
		ex = 5;
	else
		ex = 6;
	n = (size_t)min + (size_t)ex;
	if (n > cap) {
		rsd_fail(r, RERR_STREAMIO, "overflow in a variable-length integer [server]");
		return (size_t)min;
	}
	rsd_read(r, b + min, (size_t)ex);
	return n;
}

int32_t rsd_read_varint(struct rsd *r)
{
	uint8_t b[12];
	struct sbuf sb;
	int32_t v = 0;
	size_t n = read_var_bytes(r, b, 1, 5);

	sbuf_view(&sb, b, n);
	if (!rsd_bad(r) && rsd_varint_get(&sb, &v) != 0)
		rsd_fail(r, RERR_STREAMIO, "bad varint in the protocol stream [server]");
	return rsd_bad(r) ? 0 : v;
}

int64_t rsd_read_varlong(struct rsd *r, int min)
{
	uint8_t b[16];
	struct sbuf sb;
	int64_t v = 0;
	size_t n = read_var_bytes(r, b, min, 9);

	sbuf_view(&sb, b, n);
	if (!rsd_bad(r) && rsd_varlong_get(&sb, min, &v) != 0)
		rsd_fail(r, RERR_STREAMIO, "bad varlong in the protocol stream [server]");
	return rsd_bad(r) ? 0 : v;
}

int32_t rsd_read_ndx(struct rsd *r)
{
	uint8_t b[6];
	size_t n = 1;
	struct sbuf sb;
	int32_t v = NDX_DONE;

	rsd_read(r, b, 1);
	if (b[0] == 0xff) {
		rsd_read(r, b + n, 1);
		n++;
	}
	if (b[n - 1] == 0xfe) {
		rsd_read(r, b + n, 2);
		n += 2;
		if (b[n - 2] & 0x80) {
			rsd_read(r, b + n, 2);
			n += 2;
		}
	}
	if (rsd_bad(r))
		return NDX_DONE;
	sbuf_view(&sb, b, n);
	if (rsd_ndx_get(&r->ndx_rd, &sb, &v) != 0 || sbuf_expect_end(&sb) != 0) {
		rsd_fail(r, RERR_STREAMIO, "bad file index in the protocol stream [server]");
		return NDX_DONE;
	}
	return v;
}

size_t rsd_read_vstring(struct rsd *r, char *out, size_t outsz)
{
	size_t len = rsd_read_byte(r);

	if (len & 0x80)
		len = ((len & 0x7f) << 8) | rsd_read_byte(r);
	if (len >= outsz) {
		rsd_fail(r, RERR_STREAMIO, "over-long string (%zu bytes) in the protocol stream [server]", len);
		out[0] = '\0';
		return 0;
	}
	rsd_read(r, out, len);
	out[len] = '\0';
	return len;
}

/* ---- multiplexed output ---- */

static void put_frame(struct rsd *r, int code, const void *p, size_t n)
{
	uint32_t h = ((uint32_t)(RSD_MPLEX_BASE + code) << 24) | (uint32_t)n;
	uint8_t hdr[4] = { (uint8_t)h, (uint8_t)(h >> 8), (uint8_t)(h >> 16), (uint8_t)(h >> 24) };

	rsd_raw_write(r, hdr, 4);
	rsd_raw_write(r, p, n);
}

static void flush_locked(struct rsd *r)
{
	if (r->olen == 0)
		return;
	if (r->mux_out)
		put_frame(r, RSD_MSG_DATA, r->obuf, r->olen);
	else
		rsd_raw_write(r, r->obuf, r->olen);
	r->olen = 0;
}

void rsd_write(struct rsd *r, const void *p, size_t n)
{
	const uint8_t *s = p;

	if (rsd_bad(r))
		return;
	uv_mutex_lock(&r->omu);
	r->st_written += n;
	while (n > 0) {
		size_t put = RSD_OBUF - r->olen < n ? RSD_OBUF - r->olen : n;

		memcpy(r->obuf + r->olen, s, put);
		r->olen += put;
		s += put;
		n -= put;
		if (r->olen == RSD_OBUF)
			flush_locked(r);
	}
	uv_mutex_unlock(&r->omu);
}

void rsd_flush(struct rsd *r)
{
	uv_mutex_lock(&r->omu);
	flush_locked(r);
	uv_mutex_unlock(&r->omu);
}

void rsd_msg(struct rsd *r, int code, const void *p, size_t n)
{
	if (rsd_bad(r))
		return;
	if (!r->mux_out) { /* before multiplexing only stderr can carry text */
		uv_mutex_lock(&r->mu);
		if (r->errlen + n < sizeof(r->errtext)) {
			memcpy(r->errtext + r->errlen, p, n);
			r->errlen += n;
		}
		uv_mutex_unlock(&r->mu);
		return;
	}
	uv_mutex_lock(&r->omu);
	flush_locked(r);
	put_frame(r, code, p, n);
	uv_mutex_unlock(&r->omu);
}

/* Protocol >= 31 ending after a fatal error (rsync's exit_cleanup): tell the
 * client our exit code, then read until it hangs up or answers, so it reports
 * our error rather than a broken connection. */
void rsd_error_exit(struct rsd *r, int code)
{
	uint8_t b[4] = { (uint8_t)code, (uint8_t)(code >> 8), (uint8_t)(code >> 16), (uint8_t)(code >> 24) };
	uint8_t h[4], msg[RSD_MAX_MSG];

	if (!r->mux_out || r->proto < 31 || r->abort)
		return;
	uv_mutex_lock(&r->omu);
	flush_locked(r);
	put_frame(r, RSD_MSG_ERROR_EXIT, b, 4);
	uv_mutex_unlock(&r->omu);
	if (r->o.timeout == 0 || r->o.timeout > RSD_DRAIN_SECS)
		r->o.timeout = RSD_DRAIN_SECS;
	for (;;) {
		if (rsd_raw_read(r, h, 4) != 0)
			return;
		uint32_t v = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
		size_t len = v & 0xffffff;

		while (len > 0) {
			size_t n = len < sizeof(msg) ? len : sizeof(msg);

			if (rsd_raw_read(r, msg, n) != 0)
				return;
			len -= n;
		}
		if ((v >> 24) == RSD_MPLEX_BASE + RSD_MSG_ERROR_EXIT)
			return;
	}
}

void rsd_msg_int(struct rsd *r, int code, int32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	rsd_msg(r, code, b, 4);
}

void rsd_write_byte(struct rsd *r, uint8_t v)
{
	rsd_write(r, &v, 1);
}

void rsd_write_int(struct rsd *r, int32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	rsd_write(r, b, 4);
}

void rsd_write_short(struct rsd *r, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	rsd_write(r, b, 2);
}

void rsd_write_varint(struct rsd *r, int32_t v)
{
	uint8_t b[5];

	rsd_write(r, b, rsd_varint_put(b, v));
}

void rsd_write_varlong(struct rsd *r, int64_t v, int min)
{
	uint8_t b[9];

	rsd_write(r, b, rsd_varlong_put(b, v, min));
}

void rsd_write_ndx(struct rsd *r, int32_t ndx)
{
	uint8_t b[6];

	rsd_write(r, b, rsd_ndx_put(&r->ndx_wr, b, ndx));
}

void rsd_write_vstring(struct rsd *r, const char *s)
{
	size_t n = strlen(s);

	if (n > 0x7fff)
		n = 0x7fff;
	if (n > 0x7f) {
		rsd_write_byte(r, (uint8_t)(0x80 | (n >> 8)));
		rsd_write_byte(r, (uint8_t)n);
	} else {
		rsd_write_byte(r, (uint8_t)n);
	}
	rsd_write(r, s, n);
}
