/* rsync_harness.c — runs the rsync channel kind over stdin/stdout with a
 * stand-in for the core's channel, so the real rsync client can drive it as
 * its remote shell without a daemon:
 *
 *   RSD_ROOT=/some/dir rsync -e tests/rsync_harness SRC host:m/DST
 *
 * The view has one mount "/m" -> $RSD_ROOT (and "/ro" -> $RSD_RO, read-only,
 * and "/m/inner" -> $RSD_INNER when set). The command after the host name is joined and split with the
 * project's shell-word parser, as the daemon does.
 *
 * RSD_SCRIBBLE=LEAF:N[:PATH] makes a basis file change in mid-transfer, to test
 * the redo phase: see __wrap_vfs_open below.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "sftpgw/chan.h"
#include "sftpgw/kinds.h"
#include "sftpgw/shellwords.h"
#include "sftpgw/vfs.h"

struct chan {
	const struct chan_kind *kind;
	void *data;
	struct sess_info sess;
	uv_pipe_t in, out;
	size_t queued;
	uint8_t *pend;
	size_t pend_len;
	bool reading, exited, closed, released, eof_seen;
	int status;
};

static struct chan C;

/* RSD_SCRIBBLE=LEAF:N[:PATH]: at the Nth successful read-only vfs_open of a
 * file named LEAF (counted over all threads), "SCRIBBLE" is written over the
 * first 8 bytes of that file, or of PATH (a file on the client's side) when
 * given, before the open returns. When the client pushes, open 1 is the
 * generator's (block sums) and open 2 the receiver's (basis): N=2 changes the
 * basis between the two. When it pulls, open 1 is the sender's, made after the
 * client's generator sent the sums of its basis PATH and before its receiver
 * reads that basis. Either way the rebuilt file fails its whole-file checksum
 * and must be fetched again in the redo phase. The test link wraps vfs_open
 * (-Wl,--wrap=vfs_open); without RSD_SCRIBBLE it only passes the call on. */
int __real_vfs_open(struct vfs_view *v, const char *vpath, int oflags, mode_t mode, int *fd);
int __wrap_vfs_open(struct vfs_view *v, const char *vpath, int oflags, mode_t mode, int *fd);

static void scribble(struct vfs_view *v, const char *vpath, const char *path)
{
	int wfd = -1;

	if (path != NULL)
		wfd = open(path, O_WRONLY);
	else if (__real_vfs_open(v, vpath, O_WRONLY, 0, &wfd) != 0)
		wfd = -1;
	if (wfd < 0 || pwrite(wfd, "SCRIBBLE", 8, 0) != 8)
		fprintf(stderr, "rsync_harness: cannot scribble on %s\n", path ? path : vpath);
	else
		fprintf(stderr, "rsync_harness: scribbled on %s\n", path ? path : vpath);
	if (wfd >= 0)
		close(wfd);
}

int __wrap_vfs_open(struct vfs_view *v, const char *vpath, int oflags, mode_t mode, int *fd)
{
	static atomic_long seen;
	const char *spec = getenv("RSD_SCRIBBLE"), *leaf = strrchr(vpath, '/');
	int rc = __real_vfs_open(v, vpath, oflags, mode, fd);
	char *end;
	size_t ll;
	long n;

	if (rc != 0 || spec == NULL || (oflags & O_ACCMODE) != O_RDONLY)
		return rc;
	leaf = leaf ? leaf + 1 : vpath;
	ll = strlen(leaf);
	if (strncmp(spec, leaf, ll) != 0 || spec[ll] != ':')
		return rc;
	n = strtol(spec + ll + 1, &end, 10);
	if ((*end != '\0' && *end != ':') || atomic_fetch_add(&seen, 1) + 1 != n)
		return rc;
	scribble(v, vpath, *end == ':' ? end + 1 : NULL);
	return rc;
}

const struct sess_info *chan_sess(const struct chan *ch) { return &ch->sess; }
void *chan_data(const struct chan *ch) { return ch->data; }
void chan_set_data(struct chan *ch, void *data) { ch->data = data; }
uint32_t chan_id(const struct chan *ch) { (void)ch; return 1; }

size_t chan_out_room(const struct chan *ch)
{
	return ch->queued >= CHAN_OUT_MAX ? 0 : CHAN_OUT_MAX - ch->queued;
}

static void maybe_finish(struct chan *ch);

static void write_cb(uv_write_t *w, int status)
{
	struct chan *ch = &C;
	size_t n = (size_t)(uintptr_t)((void **)w->data)[1];

	(void)status;
	free(((void **)w->data)[0]);
	free(w->data);
	free(w);
	ch->queued -= n;
	if (!ch->exited && ch->kind->writable)
		ch->kind->writable(ch);
	maybe_finish(ch);
}

int chan_write(struct chan *ch, const void *data, size_t len)
{
	if (ch->exited)
		return 0;
	if (len > chan_out_room(ch))
		return -1;
	uv_write_t *w = malloc(sizeof(*w));
	void **ctx = malloc(2 * sizeof(void *));
	void *copy = malloc(len ? len : 1);

	memcpy(copy, data, len);
	ctx[0] = copy;
	ctx[1] = (void *)(uintptr_t)len;
	w->data = ctx;
	uv_buf_t b = uv_buf_init(copy, (unsigned)len);

	ch->queued += len;
	uv_write(w, (uv_stream_t *)&ch->out, &b, 1, write_cb);
	return 0;
}

int chan_write_err(struct chan *ch, const void *data, size_t len)
{
	(void)ch;
	if (write(2, data, len) < 0)
		return -1;
	return 0;
}

void chan_errorf(struct chan *ch, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		chan_write_err(ch, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void alloc_cb(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
	(void)h;
	b->base = malloc(sz);
	b->len = b->base ? sz : 0;
}

static void offer(struct chan *ch);

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct chan *ch = &C;

	(void)s;
	if (n < 0) {
		free(b->base);
		uv_read_stop((uv_stream_t *)&ch->in);
		ch->reading = false;
		ch->eof_seen = true;
		if (!ch->exited && ch->kind->eof)
			ch->kind->eof(ch);
		return;
	}
	if (n == 0 || ch->exited) {
		free(b->base);
		return;
	}
	ch->pend = (uint8_t *)b->base;
	ch->pend_len = (size_t)n;
	offer(ch);
}

static void offer(struct chan *ch)
{
	static size_t pos;

	if (ch->pend == NULL)
		return;
	size_t used = ch->kind->input(ch, ch->pend + pos, ch->pend_len - pos);

	pos += used;
	if (pos < ch->pend_len) {
		if (ch->reading)
			uv_read_stop((uv_stream_t *)&ch->in);
		ch->reading = false;
		return;
	}
	free(ch->pend);
	ch->pend = NULL;
	pos = 0;
	if (!ch->reading && !ch->eof_seen) {
		ch->reading = true;
		uv_read_start((uv_stream_t *)&ch->in, alloc_cb, read_cb);
	}
}

void chan_resume_input(struct chan *ch)
{
	if (ch->pend != NULL)
		offer(ch);
	else if (!ch->reading && !ch->eof_seen) {
		ch->reading = true;
		uv_read_start((uv_stream_t *)&ch->in, alloc_cb, read_cb);
	}
}

static void maybe_finish(struct chan *ch)
{
	if (ch->exited && ch->queued == 0 && !ch->closed) {
		ch->closed = true;
		if (ch->reading)
			uv_read_stop((uv_stream_t *)&ch->in);
		ch->kind->close(ch);
	}
}

void chan_exit(struct chan *ch, int status)
{
	if (ch->exited)
		return;
	ch->exited = true;
	ch->status = status;
	maybe_finish(ch);
}

void chan_release(struct chan *ch)
{
	ch->released = true;
	uv_close((uv_handle_t *)&ch->in, NULL);
	uv_close((uv_handle_t *)&ch->out, NULL);
}

/* The client went away (rsync signals its remote shell when killed): do what
 * the core does when a client disconnects. */
static void signal_cb(uv_signal_t *h, int signum)
{
	(void)signum;
	uv_signal_stop(h);
	uv_close((uv_handle_t *)h, NULL);
	if (!C.closed) {
		C.closed = C.exited = true;
		if (C.reading)
			uv_read_stop((uv_stream_t *)&C.in);
		C.kind->close(&C);
	}
}

int main(int argc, char **argv)
{
	static uv_signal_t sigs[4];
	static const int signums[4] = { SIGTERM, SIGUSR1, SIGHUP, SIGINT };
	const char *root = getenv("RSD_ROOT"), *ro = getenv("RSD_RO"), *inner = getenv("RSD_INNER");
	struct vfs_mount_spec m[3] = { { "/m", root, false }, { "/ro", ro, true }, { "/m/inner", inner, false } };
	char line[65536] = "";
	char **words;
	const char *why = "";
	int i;

	if (root == NULL) {
		fprintf(stderr, "rsync_harness: set RSD_ROOT\n");
		return 2;
	}
	for (i = 1; i < argc && strcmp(argv[i], "rsync") != 0; i++)
		;
	for (; i < argc; i++) {
		strncat(line, argv[i], sizeof(line) - strlen(line) - 2);
		strncat(line, " ", sizeof(line) - strlen(line) - 1);
	}
	if (shw_split(line, strlen(line), &words, &why) < 0) {
		fprintf(stderr, "rsync_harness: %s\n", why);
		return 2;
	}
	uv_loop_t *loop = uv_default_loop();

	C.sess.loop = loop;
	if (ro == NULL && inner != NULL) {
		fprintf(stderr, "rsync_harness: RSD_INNER needs RSD_RO\n");
		return 2;
	}
	if (vfs_view_open(m, inner ? 3 : ro ? 2 : 1, &C.sess.view) != 0) {
		fprintf(stderr, "rsync_harness: cannot open the view\n");
		return 2;
	}
	C.kind = chan_builtin_find(words[0]) ? chan_builtin_find(words[0]) : &rsd_kind;
	uv_pipe_init(loop, &C.in, 0);
	uv_pipe_init(loop, &C.out, 0);
	uv_pipe_open(&C.in, 0);
	uv_pipe_open(&C.out, 1);
	signal(SIGPIPE, SIG_IGN);
	for (int k = 0; k < 4; k++) {
		uv_signal_init(loop, &sigs[k]);
		uv_signal_start(&sigs[k], signal_cb, signums[k]);
		uv_unref((uv_handle_t *)&sigs[k]);
	}
	if (C.kind->start(&C, words) == 0) {
		C.reading = true;
		uv_read_start((uv_stream_t *)&C.in, alloc_cb, read_cb);
	}
	uv_run(loop, UV_RUN_DEFAULT);
	shw_free(words);
	vfs_view_unref(C.sess.view);
	return C.status;
}

const struct chan_kind *chan_builtin_find(const char *name)
{
	return strcmp(name, "rsync") == 0 ? &rsd_kind : NULL;
}
