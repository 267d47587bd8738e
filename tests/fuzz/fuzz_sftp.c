/* fuzz_sftp.c — the SFTP server (src/sftp) driven through its channel kind
 * with a fake channel, over the REAL VFS on a scratch directory.
 *
 * Every input starts a session and sends INIT; then byte 0 chooses:
 *  even: the rest is the raw byte stream after INIT (framing, reassembly,
 *        lengths: the fuzzer must find the 4-byte prefixes itself);
 *  odd:  the rest is a list of requests "TYPE(1) LEN(2) BODY(LEN)" which the
 *        harness frames with a length and a fresh id (the handlers' parsers).
 * Bit 1 of byte 0 offers the input in small pieces (reassembly across
 * input() calls); bit 2 makes the channel's output room small, so the kind
 * must stop and resume (back-pressure).
 * The scratch tree is rebuilt before every input: mount /data (writable: a
 * file "f", a directory "d") and /ro (read-only: a file "r").
 *
 * Checked: no crash, no leak, no hang (libFuzzer's -timeout); everything the
 * kind writes is a sequence of whole, well-formed replies of known types;
 * input held back is always resumed; close() ends with chan_release().
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "fuzz.h"
#include "sftpgw/buf.h"
#include "sftpgw/chan.h"
#include "sftpgw/err.h"
#include "sftpgw/kinds.h"
#include "sftpgw/log.h"
#include "sftpgw/sftpd.h"
#include "sftpgw/vfs.h"

#define FZ_SMALL_ROOM 512  /* output room in back-pressure mode */

struct chan {
	struct sess_info si;
	void *data;
	struct sbuf pending;  /* output not yet parsed as whole replies */
	size_t room;
	bool small_room, closed;
	int resumed, exited, released;
};

static struct chan T;

const struct sess_info *chan_sess(const struct chan *ch) { return &ch->si; }
void *chan_data(const struct chan *ch) { return ch->data; }
void chan_set_data(struct chan *ch, void *data) { ch->data = data; }
uint32_t chan_id(const struct chan *ch) { (void)ch; return 1; }
size_t chan_out_room(const struct chan *ch) { return ch->room; }
void chan_resume_input(struct chan *ch) { ch->resumed++; }
void chan_release(struct chan *ch) { ch->released++; }
void chan_exit(struct chan *ch, int status) { (void)status; ch->exited++; }
void chan_errorf(struct chan *ch, const char *fmt, ...) { (void)ch; (void)fmt; }

/* Parses whole replies off the output as a client would. */
static void take_replies(struct chan *ch)
{
	struct sbuf *o = &ch->pending;

	while (sbuf_avail(o) >= 4) {
		const uint8_t *p = sbuf_ptr(o);
		uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		uint8_t type;

		FZ_CHECK(len >= 1 && len <= SFTPD_MAX_PACKET);
		if (sbuf_avail(o) < 4 + (size_t)len)
			break;
		type = p[4];
		FZ_CHECK(type == 2 || (type >= 101 && type <= 105) || type == 201);
		FZ_CHECK(type == 2 || len >= 5);  /* everything but VERSION carries an id */
		if (type == 101)
			FZ_CHECK(len >= 9);
		if (getenv("FZ_VERBOSE") != NULL)  /* to see what a seed does */
			fprintf(stderr, "reply type %u len %u%s%u\n", type, len,
			        type == 101 ? " status " : " ", type == 101 ? p[12] : 0);
		FZ_CHECK(sbuf_consume(o, 4 + (size_t)len) == 0);
	}
	sbuf_compact(o);
}

static uv_loop_t loop;
static uv_idle_t client;  /* the client reading: opens the room again */

static void client_cb(uv_idle_t *h)
{
	uv_idle_stop(h);
	T.room = FZ_SMALL_ROOM;
	if (!T.closed && sftpd_kind.writable != NULL)
		sftpd_kind.writable(&T);
}

int chan_write(struct chan *ch, const void *data, size_t len)
{
	FZ_CHECK(!ch->closed);
	FZ_CHECK(len <= ch->room);  /* kinds check chan_out_room() first */
	FZ_CHECK(sbuf_put_bytes(&ch->pending, data, len) == 0);
	if (ch->small_room) {
		ch->room -= len;
		uv_idle_start(&client, client_cb);
	}
	take_replies(ch);
	return 0;
}

static char root[64] = "/tmp/fuzz_sftp.XXXXXX";
static char data_dir[128], ro_dir[128];
static struct vfs_view *view;

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	FZ_CHECK(fd >= 0);
	FZ_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

/* The same tree for every input, so a crash replays. */
static void scratch_reset(void)
{
	char d[256];

	chmod(data_dir, 0755);
	nftw(data_dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	write_file(data_dir, "f", "hello, fuzzer\n");
	snprintf(d, sizeof(d), "%s/d", data_dir);
	mkdir(d, 0755);
}

static void cleanup(void)
{
	nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(root);
}

static void setup_once(void)
{
	struct vfs_mount_spec m[2];

	if (vfs_probe() != 0) {
		fprintf(stderr, "fuzz_sftp: this kernel has no openat2; the VFS cannot work\n");
		exit(1);
	}
	log_set_level(LOG_ERR);
	FZ_CHECK(mkdtemp(root) != NULL);
	atexit(cleanup);
	snprintf(data_dir, sizeof(data_dir), "%s/data", root);
	snprintf(ro_dir, sizeof(ro_dir), "%s/ro", root);
	FZ_CHECK(mkdir(data_dir, 0755) == 0 && mkdir(ro_dir, 0755) == 0);
	write_file(ro_dir, "r", "read only\n");
	m[0] = (struct vfs_mount_spec){ "/data", data_dir, false };
	m[1] = (struct vfs_mount_spec){ "/ro", ro_dir, true };
	FZ_CHECK(vfs_view_open(m, 2, &view) == 0);
	FZ_CHECK(uv_loop_init(&loop) == 0);
	FZ_CHECK(uv_idle_init(&loop, &client) == 0);
}

/* Runs the loop until nothing is left to do. In the daemon, input() and
 * eof() are called from the loop's poll phase, so what they arm for the check
 * phase runs in that same iteration; called from outside, a first NOWAIT
 * iteration does the same (a DEFAULT run would block in poll first). */
static void settle(void)
{
	uv_run(&loop, UV_RUN_NOWAIT);
	uv_run(&loop, UV_RUN_DEFAULT);
}

/* Offers p[0..n) until taken, running the loop whenever the kind holds back. */
static void offer(const uint8_t *p, size_t n, size_t piece)
{
	while (n > 0 && !T.exited) {
		size_t len = n < piece ? n : piece, used;
		int before = T.resumed;

		used = sftpd_kind.input(&T, p, len);
		FZ_CHECK(used <= len);
		p += used;
		n -= used;
		if (used < len) {
			/* the kind stopped: let its work finish and the client read */
			settle();
			FZ_CHECK(T.resumed > before || T.exited);
		}
	}
}

/* Frames "TYPE LEN BODY" records into SFTP messages with fresh ids and
 * offers them; a record of type 0 is a barrier: what came before is offered
 * and finished first (as a client waits for a handle before using it). */
static void send_requests(const uint8_t *p, size_t n, size_t piece)
{
	static uint8_t out[1 << 20];
	struct fz_in in = { p, n };
	size_t o = 0;
	uint32_t id = 1;

	while (in.n > 0) {
		uint8_t type = fz_u8(&in);
		size_t want = (size_t)fz_u8(&in) << 8 | fz_u8(&in), got;
		const uint8_t *body = fz_bytes(&in, want, &got);
		uint32_t len = (uint32_t)(5 + got);

		if (type == 0 || o + 4 + len > sizeof(out)) {
			offer(out, o, piece);
			settle();
			o = 0;
			if (type == 0)
				continue;
		}
		out[o++] = (uint8_t)(len >> 24);
		out[o++] = (uint8_t)(len >> 16);
		out[o++] = (uint8_t)(len >> 8);
		out[o++] = (uint8_t)len;
		out[o++] = type;
		out[o++] = (uint8_t)(id >> 24);
		out[o++] = (uint8_t)(id >> 16);
		out[o++] = (uint8_t)(id >> 8);
		out[o++] = (uint8_t)id;
		id++;
		if (got > 0)
			memcpy(out + o, body, got);
		o += got;
	}
	offer(out, o, piece);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t init[] = { 0, 0, 0, 5, 1, 0, 0, 0, 3 };
	static bool ready;
	size_t piece;

	if (size == 0)
		return 0;
	if (!ready) {
		setup_once();
		ready = true;
	}
	scratch_reset();
	memset(&T, 0, sizeof(T));
	sbuf_init(&T.pending, 2 * CHAN_OUT_MAX);
	T.small_room = data[0] & 4;
	T.room = T.small_room ? FZ_SMALL_ROOM : CHAN_OUT_MAX;
	T.si.loop = &loop;
	T.si.view = view;
	snprintf(T.si.target.user, sizeof(T.si.target.user), "fuzz");
	FZ_CHECK(sftpd_kind.start(&T, (char *[]){ "sftp", NULL }) == 0);
	piece = (data[0] & 2) ? 1 + data[0] / 8 : SIZE_MAX;
	offer(init, sizeof(init), piece);
	if (data[0] & 1)
		send_requests(data + 1, size - 1, piece);
	else
		offer(data + 1, size - 1, piece);
	if (!T.exited && sftpd_kind.eof)
		sftpd_kind.eof(&T);
	settle();
	T.closed = true;
	uv_idle_stop(&client);
	sftpd_kind.close(&T);
	settle();
	FZ_CHECK(T.released == 1);
	sbuf_free(&T.pending);
	return 0;
}
