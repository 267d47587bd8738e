/* test_sftp.c — the SFTP server's framing, caps and replies, driven through
 * its channel kind with a fake channel (below) and a small stand-in VFS over a
 * temporary directory (weak symbols: the real vfs is not needed here). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sftpgw/buf.h"
#include "sftpgw/chan.h"
#include "sftpgw/err.h"
#include "sftpgw/kinds.h"
#include "sftpgw/sftpd.h"
#include "sftpgw/vfs.h"

/* ---- fake channel ---- */

struct chan {
	struct sess_info si;
	void *data;
	struct sbuf out;      /* everything the kind wrote */
	size_t room;          /* what chan_out_room() reports */
	bool hold_room;       /* writes use up room (else the client reads at once) */
	int resumed, exited, released, exit_status;
};

static struct chan T;

const struct sess_info *chan_sess(const struct chan *ch) { return &ch->si; }
void *chan_data(const struct chan *ch) { return ch->data; }
void chan_set_data(struct chan *ch, void *data) { ch->data = data; }
size_t chan_out_room(const struct chan *ch) { return ch->room; }
void chan_resume_input(struct chan *ch) { ch->resumed++; }
void chan_release(struct chan *ch) { ch->released++; }
void chan_errorf(struct chan *ch, const char *fmt, ...) { (void)ch; (void)fmt; }

int chan_write(struct chan *ch, const void *data, size_t len)
{
	if (len > ch->room)
		return SGW_ENOSPACE;
	if (ch->hold_room)
		ch->room -= len;
	return sbuf_put_bytes(&ch->out, data, len);
}

void chan_exit(struct chan *ch, int status)
{
	ch->exited++;
	ch->exit_status = status;
}

/* ---- stand-in VFS: paths under one temporary directory, no confinement ---- */

static char root[256];
static int rootfd = -1;

static const char *rel(const char *vpath)
{
	return vpath[1] ? vpath + 1 : ".";
}

__attribute__((weak)) int vfs_path_normalize(const char *base, const char *path, char *out, size_t outsz)
{
	(void)base;
	if (snprintf(out, outsz, "%s%s", path[0] == '/' ? "" : "/", path) >= (int)outsz)
		return -ENAMETOOLONG;
	return 0;
}
__attribute__((weak)) void vfs_view_ref(struct vfs_view *v) { (void)v; }
__attribute__((weak)) void vfs_view_unref(struct vfs_view *v) { (void)v; }
__attribute__((weak)) int vfs_view_mount_index(const struct vfs_view *v, const char *p) { (void)v; (void)p; return 0; }
__attribute__((weak)) bool vfs_view_readonly(const struct vfs_view *v, const char *p) { (void)v; (void)p; return false; }

static void to_attr(const struct stat *st, struct vfs_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->size = (uint64_t)st->st_size;
	a->mode = st->st_mode;
	a->nlink = (uint32_t)st->st_nlink;
	a->mtime = st->st_mtime;
}

__attribute__((weak)) int vfs_stat(struct vfs_view *v, const char *p, bool follow, struct vfs_attr *a)
{
	struct stat st;

	(void)v;
	if (fstatat(rootfd, rel(p), &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
		return -errno;
	to_attr(&st, a);
	return 0;
}
__attribute__((weak)) int vfs_fstat(int fd, struct vfs_attr *a)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -errno;
	to_attr(&st, a);
	return 0;
}
__attribute__((weak)) int vfs_open(struct vfs_view *v, const char *p, int fl, mode_t mode, int *fd)
{
	(void)v;
	if ((*fd = openat(rootfd, rel(p), fl | O_CLOEXEC, mode)) < 0)
		return -errno;
	return 0;
}
/* Loop-safe opens and RWF_NOWAIT reads are taken whenever possible here, so
 * the tests cover both the loop path and (for writes) the threadpool one. */
static int open_cached_calls, open_cached_ok;
static bool fake_local;   /* files are on a "local disk" (setup: true) */
__attribute__((weak)) int vfs_open_cached(struct vfs_view *v, const char *p, int fl, int *fd)
{
	(void)v;
	open_cached_calls++;
	if (!fake_local || (fl & (O_ACCMODE | O_CREAT | O_TRUNC)) != O_RDONLY)
		return -EAGAIN;
	if ((*fd = openat(rootfd, rel(p), fl | O_CLOEXEC)) < 0)
		return -EAGAIN;
	open_cached_ok++;
	return 0;
}
__attribute__((weak)) bool vfs_fd_local(int fd) { (void)fd; return fake_local; }
__attribute__((weak)) int vfs_setattr(struct vfs_view *v, const char *p, const struct vfs_setattr *sa, bool f)
{
	(void)v; (void)f;
	if ((sa->valid & VFS_SET_MODE) && fchmodat(rootfd, rel(p), sa->mode, 0) != 0)
		return -errno;
	return 0;
}
__attribute__((weak)) int vfs_fsetattr(int fd, const struct vfs_setattr *sa) { (void)fd; (void)sa; return -ENOSYS; }
__attribute__((weak)) int vfs_mkdir(struct vfs_view *v, const char *p, mode_t mode)
{
	(void)v;
	return mkdirat(rootfd, rel(p), mode) ? -errno : 0;
}
__attribute__((weak)) int vfs_rmdir(struct vfs_view *v, const char *p)
{
	(void)v;
	return unlinkat(rootfd, rel(p), AT_REMOVEDIR) ? -errno : 0;
}
__attribute__((weak)) int vfs_unlink(struct vfs_view *v, const char *p)
{
	(void)v;
	return unlinkat(rootfd, rel(p), 0) ? -errno : 0;
}
__attribute__((weak)) int vfs_rename(struct vfs_view *v, const char *a, const char *b, unsigned fl)
{
	(void)v;
	if ((fl & VFS_RENAME_NOREPLACE) && faccessat(rootfd, rel(b), F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	return renameat(rootfd, rel(a), rootfd, rel(b)) ? -errno : 0;
}
__attribute__((weak)) int vfs_link(struct vfs_view *v, const char *a, const char *b) { (void)v; (void)a; (void)b; return -EXDEV; }
__attribute__((weak)) int vfs_symlink(struct vfs_view *v, const char *target, const char *lp)
{
	(void)v;
	return symlinkat(target, rootfd, rel(lp)) ? -errno : 0;
}
__attribute__((weak)) int vfs_readlink(struct vfs_view *v, const char *p, char *buf, size_t n)
{
	ssize_t r;

	(void)v;
	if ((r = readlinkat(rootfd, rel(p), buf, n - 1)) < 0)
		return -errno;
	buf[r] = '\0';
	return (int)r;
}
__attribute__((weak)) int vfs_realpath(struct vfs_view *v, const char *p, char *out, size_t n)
{
	(void)v;
	snprintf(out, n, "%s", p);
	return 0;
}
__attribute__((weak)) int vfs_statvfs(struct vfs_view *v, const char *p, struct statvfs *o)
{
	(void)v; (void)p;
	return fstatvfs(rootfd, o) ? -errno : 0;
}
struct vfs_dir { DIR *d; };
__attribute__((weak)) int vfs_opendir(struct vfs_view *v, const char *p, struct vfs_dir **out)
{
	int fd;

	(void)v;
	if ((fd = openat(rootfd, rel(p), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	*out = calloc(1, sizeof(**out));
	(*out)->d = fdopendir(fd);
	return 0;
}
__attribute__((weak)) int vfs_readdir(struct vfs_dir *d, char *name, struct vfs_attr *a)
{
	struct dirent *e;

	while ((e = readdir(d->d)) != NULL && e->d_name[0] == '.')
		;
	if (e == NULL)
		return 0;
	snprintf(name, VFS_NAME_MAX + 1, "%s", e->d_name);
	memset(a, 0, sizeof(*a));
	a->mode = S_IFREG | 0644;
	return 1;
}
__attribute__((weak)) void vfs_closedir(struct vfs_dir *d)
{
	closedir(d->d);
	free(d);
}
__attribute__((weak)) int vfs_copy_range(int a, uint64_t b, int c, uint64_t d, uint64_t e)
{
	(void)a; (void)b; (void)c; (void)d; (void)e;
	return -ENOSYS;
}

/* ---- helpers: build requests, read replies ---- */

static void put_msg(struct sbuf *b, uint8_t type, uint32_t id, const struct sbuf *body)
{
	assert_int_equal(sbuf_put_u32(b, (uint32_t)(5 + sbuf_avail(body))), 0);
	assert_int_equal(sbuf_put_u8(b, type), 0);
	assert_int_equal(sbuf_put_u32(b, id), 0);
	assert_int_equal(sbuf_put_bytes(b, sbuf_ptr(body), sbuf_avail(body)), 0);
}

static size_t feed(const struct sbuf *b)
{
	return sftpd_kind.input(&T, sbuf_ptr(b), sbuf_avail(b));
}

/* Takes the next reply from the fake channel's output: type, id and a view of the rest. */
static int next_reply(uint8_t *type, uint32_t *id, struct sbuf *body)
{
	struct sbuf msg;

	if (sbuf_avail(&T.out) < 4 || sbuf_get_stringb(&T.out, &msg) != 0)
		return -1;
	assert_int_equal(sbuf_get_u8(&msg, type), 0);
	assert_int_equal(sbuf_get_u32(&msg, id), 0);
	*body = msg;
	return 0;
}

static uint32_t next_status(uint32_t want_id)
{
	struct sbuf body;
	uint32_t id, code;
	uint8_t type;

	assert_int_equal(next_reply(&type, &id, &body), 0);
	assert_int_equal(type, 101);
	assert_int_equal(id, want_id);
	assert_int_equal(sbuf_get_u32(&body, &code), 0);
	return code;
}

static void run_loop(void)
{
	/* Requests answered on the loop (op->now) leave only the kind's check
	 * handle active, and a check handle does not end a blocking poll (in the
	 * daemon the channel's kick does): one turn without waiting runs it. */
	uv_run(T.si.loop, UV_RUN_NOWAIT);
	uv_run(T.si.loop, UV_RUN_DEFAULT);
}

static int setup(void **state)
{
	static const uint8_t init[] = { 0, 0, 0, 5, 1, 0, 0, 0, 3 };
	struct sbuf b;
	uint32_t id;
	uint8_t type;

	(void)state;
	memset(&T, 0, sizeof(T));
	fake_local = true;
	sbuf_init(&T.out, 64 * 1024 * 1024);
	T.room = CHAN_OUT_MAX;
	T.si.loop = uv_default_loop();
	T.si.view = (struct vfs_view *)&T;
	snprintf(T.si.target.user, sizeof(T.si.target.user), "alice");
	snprintf(root, sizeof(root), "/tmp/test_sftp.XXXXXX");
	assert_non_null(mkdtemp(root));
	rootfd = open(root, O_RDONLY | O_DIRECTORY);
	assert_int_equal(sftpd_kind.start(&T, (char *[]){ "sftp", NULL }), 0);
	/* INIT one byte at a time: reassembly across input() calls. */
	for (size_t i = 0; i < sizeof(init); i++)
		assert_int_equal(sftpd_kind.input(&T, init + i, 1), 1);
	run_loop();
	assert_int_equal(next_reply(&type, &id, &b), 0);
	assert_int_equal(type, 2);
	assert_int_equal(id, 3);   /* the version */
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	sftpd_kind.close(&T);
	run_loop();
	assert_int_equal(T.released, 1);
	sbuf_free(&T.out);
	close(rootfd);
	snprintf(cmd, sizeof(cmd), "%s", root);
	/* the tests create only flat files and one directory */
	DIR *d = opendir(root);
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0), unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	closedir(d);
	rmdir(cmd);
	return 0;
}

/* ---- framing ---- */

static void test_frame_check(void **state)
{
	uint8_t m[9] = { 0 };
	size_t len = 0;
	uint32_t max = SFTPD_MAX_MSG;

	(void)state;
	assert_int_equal(sftpd_frame_check(m, 3, &len), 0);          /* no length yet */
	m[3] = 5;
	assert_int_equal(sftpd_frame_check(m, 8, &len), 0);          /* body incomplete */
	m[3] = 4;
	assert_int_equal(sftpd_frame_check(m, 8, &len), 1 - 1 + SGW_EBADFORMAT); /* no room for an id */
	m[3] = 5;
	assert_int_equal(sftpd_frame_check(m, 9, &len), 1);          /* 4 + 5 = 9 bytes */
	assert_int_equal(len, 5);
	m[3] = 0;
	assert_int_equal(sftpd_frame_check(m, 8, &len), SGW_EBADFORMAT);
	m[0] = (uint8_t)(max >> 24); m[1] = (uint8_t)(max >> 16); m[2] = (uint8_t)(max >> 8); m[3] = (uint8_t)max;
	assert_int_equal(sftpd_frame_check(m, 8, &len), 0);          /* at the limit: fine */
	max++;
	m[0] = (uint8_t)(max >> 24); m[1] = (uint8_t)(max >> 16); m[2] = (uint8_t)(max >> 8); m[3] = (uint8_t)max;
	assert_int_equal(sftpd_frame_check(m, 8, &len), SGW_ETOOBIG); /* one past it */
}

static void test_status_map(void **state)
{
	const char *msg;

	(void)state;
	assert_int_equal(sftpd_status_from_err(0, &msg), SSH_FX_OK);
	assert_int_equal(sftpd_status_from_err(-ENOENT, &msg), SSH_FX_NO_SUCH_FILE);
	assert_string_equal(msg, "No such file");
	assert_int_equal(sftpd_status_from_err(-EACCES, &msg), SSH_FX_PERMISSION_DENIED);
	assert_string_equal(msg, "Permission denied");
	assert_int_equal(sftpd_status_from_err(-EROFS, &msg), SSH_FX_PERMISSION_DENIED);
	assert_string_equal(msg, "Read-only file system");
	assert_int_equal(sftpd_status_from_err(-EXDEV, &msg), SSH_FX_FAILURE);
	assert_string_equal(msg, "Cross-mount operation not supported");
	assert_int_equal(sftpd_status_from_err(SGW_ETRUNCATED, &msg), SSH_FX_BAD_MESSAGE);
	assert_int_equal(sftpd_status_from_err(SGW_EUNSUPPORTED, &msg), SSH_FX_OP_UNSUPPORTED);
	assert_int_equal(sftpd_status_from_err(SFTPD_ERR_EOF, &msg), SSH_FX_EOF);
	assert_int_equal(sftpd_status_from_err(-ETXTBSY, &msg), SSH_FX_FAILURE);
}

static void test_version_lists_extensions(void **state)
{
	static const uint8_t init[] = { 0, 0, 0, 5, 1, 0, 0, 0, 3 };
	static const char *const want[] = {
		"posix-rename@openssh.com", "statvfs@openssh.com", "fstatvfs@openssh.com",
		"hardlink@openssh.com", "fsync@openssh.com", "lsetstat@openssh.com",
		"limits@openssh.com", "expand-path@openssh.com", "copy-data", "home-directory",
		"users-groups-by-id@openssh.com",
	};
	struct chan save;
	struct sbuf b;
	uint32_t id;
	uint8_t type;
	const uint8_t *name, *ver;
	size_t n, vn, found = 0;

	(void)state;
	/* a second session, to see its VERSION */
	save = T;
	memset(&T.out, 0, sizeof(T.out));
	sbuf_init(&T.out, 65536);
	T.data = NULL;
	assert_int_equal(sftpd_kind.start(&T, NULL), 0);
	assert_int_equal(sftpd_kind.input(&T, init, sizeof(init)), sizeof(init));
	run_loop();
	assert_int_equal(next_reply(&type, &id, &b), 0);
	assert_int_equal(type, 2);
	while (sbuf_get_string(&b, &name, &n) == 0 && sbuf_get_string(&b, &ver, &vn) == 0)
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (strlen(want[i]) == n && memcmp(want[i], name, n) == 0)
				found++;
	assert_int_equal(found, sizeof(want) / sizeof(want[0]));
	sftpd_kind.close(&T);
	run_loop();
	sbuf_free(&T.out);
	save.released = T.released - 1;
	T = save;
}

static void test_oversized_length_closes(void **state)
{
	uint8_t m[9] = { 0 };
	uint32_t len = SFTPD_MAX_MSG + 1;

	(void)state;
	m[0] = (uint8_t)(len >> 24); m[1] = (uint8_t)(len >> 16); m[2] = (uint8_t)(len >> 8); m[3] = (uint8_t)len;
	assert_int_equal(sftpd_kind.input(&T, m, sizeof(m)), sizeof(m));
	assert_int_equal(T.exited, 1);
	assert_int_equal(T.exit_status, 1);
	/* more input is swallowed, not parsed */
	assert_int_equal(sftpd_kind.input(&T, m, sizeof(m)), sizeof(m));
}

static void test_message_at_limit_is_parsed(void **state)
{
	struct sbuf req, body;
	uint8_t *p;

	(void)state;
	/* A WRITE to a bogus handle padded to exactly SFTPD_MAX_MSG: a reply, no close. */
	sbuf_init(&body, SFTPD_MAX_MSG);
	sbuf_init(&req, SFTPD_MAX_MSG + 4);
	assert_int_equal(sbuf_put_string(&body, "12345678", 8), 0);
	assert_int_equal(sbuf_put_u64(&body, 0), 0);
	size_t data = SFTPD_MAX_MSG - 5 - sbuf_avail(&body) - 4;
	assert_int_equal(sbuf_put_u32(&body, (uint32_t)data), 0);
	assert_int_equal(sbuf_reserve(&body, data, &p), 0);
	memset(p, 'x', data);
	sbuf_commit(&body, data);
	put_msg(&req, 6, 77, &body);
	assert_int_equal(sbuf_avail(&req), SFTPD_MAX_MSG + 4);
	/* in two pieces, so the reassembly buffer holds the whole maximum */
	assert_int_equal(sftpd_kind.input(&T, sbuf_ptr(&req), 1000), 1000);
	assert_int_equal(sftpd_kind.input(&T, sbuf_ptr(&req) + 1000, sbuf_avail(&req) - 1000),
	                 sbuf_avail(&req) - 1000);
	run_loop();
	assert_int_equal(T.exited, 0);
	assert_int_equal(next_status(77), SSH_FX_FAILURE);   /* invalid handle */
	sbuf_free(&req);
	sbuf_free(&body);
}

/* Every request type cut short after its id, and after its first field. */
static void test_truncated_fields(void **state)
{
	struct sbuf req, body;

	(void)state;
	sbuf_init(&req, 4096);
	sbuf_init(&body, 4096);
	for (uint8_t type = 3; type <= 20; type++) {
		sbuf_reset(&req);
		sbuf_reset(&body);
		put_msg(&req, type, 1000u + type, &body);
		assert_int_equal(feed(&req), sbuf_avail(&req));
		assert_int_equal(next_status(1000u + type), SSH_FX_BAD_MESSAGE);
		/* a string whose length says more than is there */
		sbuf_reset(&req);
		assert_int_equal(sbuf_put_u32(&body, 50), 0);
		assert_int_equal(sbuf_put_bytes(&body, "abc", 3), 0);
		put_msg(&req, type, 2000u + type, &body);
		assert_int_equal(feed(&req), sbuf_avail(&req));
		assert_int_equal(next_status(2000u + type), SSH_FX_BAD_MESSAGE);
	}
	/* trailing garbage after a whole STAT */
	sbuf_reset(&req);
	sbuf_reset(&body);
	assert_int_equal(sbuf_put_cstring(&body, "/"), 0);
	assert_int_equal(sbuf_put_u8(&body, 9), 0);
	put_msg(&req, 17, 3000, &body);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	assert_int_equal(next_status(3000), SSH_FX_BAD_MESSAGE);
	/* unknown type and unknown extension: unsupported, session goes on */
	sbuf_reset(&req);
	sbuf_reset(&body);
	put_msg(&req, 99, 3001, &body);
	assert_int_equal(sbuf_put_cstring(&body, "nope@example.com"), 0);
	put_msg(&req, 200, 3002, &body);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	assert_int_equal(next_status(3001), SSH_FX_OP_UNSUPPORTED);
	assert_int_equal(next_status(3002), SSH_FX_OP_UNSUPPORTED);
	assert_int_equal(T.exited, 0);
	sbuf_free(&req);
	sbuf_free(&body);
}

static void test_split_message(void **state)
{
	static const uint8_t m[] = { 0, 0, 0, 5, 17, 0, 0, 0 };   /* STAT without a path, in two pieces */
	static const uint8_t m2[] = { 0, 0, 0, 5, 17, 0, 0, 0, 1 };

	(void)state;
	assert_int_equal(sftpd_kind.input(&T, m, sizeof(m)), sizeof(m));   /* partial: buffered */
	assert_int_equal(T.exited, 0);
	assert_int_equal(sftpd_kind.input(&T, m2 + 8, 1), 1);              /* completes STAT, no path */
	assert_int_equal(T.exited, 0);
	run_loop();
	assert_int_equal(next_status(1), SSH_FX_BAD_MESSAGE);
}

static void stat_req(struct sbuf *req, uint32_t id, const char *path)
{
	struct sbuf body;

	sbuf_init(&body, 4096);
	assert_int_equal(sbuf_put_cstring(&body, path), 0);
	put_msg(req, 17, id, &body);
	sbuf_free(&body);
}

/* Pipelined requests: exactly SFTPD_MAX_INFLIGHT are taken, the rest held
 * back until replies are out; then everything is answered. */
static void test_inflight_cap(void **state)
{
	struct sbuf req, body;
	size_t used, total = 0, one;
	uint8_t type;
	uint32_t id;
	unsigned replies = 0;

	(void)state;
	sbuf_init(&req, 1 << 20);
	for (uint32_t i = 0; i < 3 * SFTPD_MAX_INFLIGHT; i++)
		stat_req(&req, i, "/");
	one = sbuf_avail(&req) / (3 * SFTPD_MAX_INFLIGHT);
	used = feed(&req);
	assert_int_equal(used, SFTPD_MAX_INFLIGHT * one);   /* at the cap, not one more */
	assert_int_equal(T.resumed, 0);
	while (total + used < sbuf_avail(&req)) {
		total += used;
		run_loop();                                   /* work completes, replies leave */
		assert_true(T.resumed > 0);
		used = sftpd_kind.input(&T, sbuf_ptr(&req) + total, sbuf_avail(&req) - total);
	}
	run_loop();
	while (next_reply(&type, &id, &body) == 0) {
		assert_int_equal(type, 105);
		replies++;
	}
	assert_int_equal(replies, 3 * SFTPD_MAX_INFLIGHT);
	sbuf_free(&req);
}

/* No output room: nothing is taken; room again (writable) resumes input.
 * A reply larger than the room goes out in pieces, holding input meanwhile. */
static void test_out_room_backpressure(void **state)
{
	struct sbuf req, body;
	uint8_t type;
	uint32_t id;

	(void)state;
	sbuf_init(&req, 4096);
	stat_req(&req, 1, "/");
	T.hold_room = true;
	T.room = 0;
	assert_int_equal(feed(&req), 0);
	T.room = CHAN_OUT_MAX;
	sftpd_kind.writable(&T);
	assert_int_equal(T.resumed, 1);
	T.room = 10;
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	assert_int_equal(sbuf_avail(&T.out), 10);       /* the first 10 bytes of the reply */
	assert_int_equal(T.room, 0);
	assert_int_equal(feed(&req), 0);                /* held: no room */
	T.room = CHAN_OUT_MAX;
	sftpd_kind.writable(&T);
	assert_int_equal(T.resumed, 2);
	assert_int_equal(next_reply(&type, &id, &body), 0);
	assert_int_equal(type, 105);
	assert_int_equal(id, 1);
	sbuf_free(&req);
}

static void open_req(struct sbuf *req, uint32_t id, const char *path, uint32_t pflags)
{
	struct sbuf body;

	sbuf_init(&body, 4096);
	assert_int_equal(sbuf_put_cstring(&body, path), 0);
	assert_int_equal(sbuf_put_u32(&body, pflags), 0);
	assert_int_equal(sbuf_put_u32(&body, 0), 0);
	put_msg(req, 3, id, &body);
	sbuf_free(&body);
}

static void get_handle(uint32_t want_id, uint8_t h[8])
{
	struct sbuf body;
	const uint8_t *p;
	uint8_t type;
	uint32_t id;
	size_t n;

	assert_int_equal(next_reply(&type, &id, &body), 0);
	assert_int_equal(type, 102);
	assert_int_equal(id, want_id);
	assert_int_equal(sbuf_get_string(&body, &p, &n), 0);
	assert_int_equal(n, 8);
	memcpy(h, p, 8);
}

/* 200 pipelined WRITEs to one handle land in order (each overwrites the
 * same byte), then READs in parallel return the data. */
static void test_write_order_and_read(void **state)
{
	struct sbuf req, body, rep;
	uint8_t h[8], type;
	uint32_t id;
	const uint8_t *p;
	size_t n;

	(void)state;
	sbuf_init(&req, 1 << 20);
	sbuf_init(&body, 4096);
	open_req(&req, 1, "f", 0x1 | 0x2 | 0x8 | 0x10);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	get_handle(1, h);
	sbuf_reset(&req);
	for (uint32_t i = 0; i < 50; i++) {
		uint8_t v = (uint8_t)('a' + i % 26);

		sbuf_reset(&body);
		assert_int_equal(sbuf_put_string(&body, h, 8), 0);
		assert_int_equal(sbuf_put_u64(&body, 0), 0);
		assert_int_equal(sbuf_put_string(&body, &v, 1), 0);
		put_msg(&req, 6, 100 + i, &body);
	}
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	for (uint32_t i = 0; i < 50; i++)
		assert_int_equal(next_status(100 + i), SSH_FX_OK);   /* ordered: same handle */
	sbuf_reset(&req);
	sbuf_reset(&body);
	assert_int_equal(sbuf_put_string(&body, h, 8), 0);
	assert_int_equal(sbuf_put_u64(&body, 0), 0);
	assert_int_equal(sbuf_put_u32(&body, SFTPD_MAX_IO + 1), 0);  /* clipped, not refused */
	put_msg(&req, 5, 500, &body);
	sbuf_reset(&body);
	assert_int_equal(sbuf_put_string(&body, h, 8), 0);
	assert_int_equal(sbuf_put_u64(&body, 1), 0);
	assert_int_equal(sbuf_put_u32(&body, 10), 0);
	put_msg(&req, 5, 501, &body);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	for (int k = 0; k < 2; k++) {
		assert_int_equal(next_reply(&type, &id, &rep), 0);
		if (id == 500) {
			assert_int_equal(type, 103);
			assert_int_equal(sbuf_get_string(&rep, &p, &n), 0);
			assert_int_equal(n, 1);
			assert_int_equal(p[0], 'a' + 49 % 26);
		} else {
			assert_int_equal(id, 501);
			assert_int_equal(type, 101);
			assert_int_equal(sbuf_get_u32(&rep, &id), 0);
			assert_int_equal(id, SSH_FX_EOF);
		}
	}
	sbuf_free(&req);
	sbuf_free(&body);
}

/* A WRITE that arrives in pieces is reassembled (and its buffer handed to
 * the request): the file gets exactly the payload. */
static void test_split_write(void **state)
{
	struct sbuf req, body;
	uint8_t h[8], *p, got[300];
	size_t cut[] = { 3, 1000, 50000, 0 };
	int fd;

	(void)state;
	sbuf_init(&req, 1 << 20);
	sbuf_init(&body, 1 << 20);
	open_req(&req, 1, "w", 0x2 | 0x8 | 0x10);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	get_handle(1, h);
	sbuf_reset(&req);
	assert_int_equal(sbuf_put_string(&body, h, 8), 0);
	assert_int_equal(sbuf_put_u64(&body, 0), 0);
	assert_int_equal(sbuf_put_u32(&body, 100000), 0);
	assert_int_equal(sbuf_reserve(&body, 100000, &p), 0);
	for (size_t i = 0; i < 100000; i++)
		p[i] = (uint8_t)(i * 7);
	sbuf_commit(&body, 100000);
	put_msg(&req, 6, 2, &body);
	stat_req(&req, 3, "w");    /* a second message right behind it */
	cut[3] = sbuf_avail(&req);
	for (size_t i = 0, at = 0; i < 4; at = cut[i++])
		assert_int_equal(sftpd_kind.input(&T, sbuf_ptr(&req) + at, cut[i] - at), cut[i] - at);
	run_loop();
	for (int k = 0; k < 2; k++) {   /* the STAT may overtake the WRITE */
		struct sbuf rep;
		uint8_t type;
		uint32_t id, code;

		assert_int_equal(next_reply(&type, &id, &rep), 0);
		assert_int_equal(type, id == 2 ? 101 : 105);
		if (id == 2) {
			assert_int_equal(sbuf_get_u32(&rep, &code), 0);
			assert_int_equal(code, SSH_FX_OK);
		}
	}
	fd = openat(rootfd, "w", O_RDONLY);
	assert_int_equal(pread(fd, got, sizeof(got), 99800), 200);
	for (size_t i = 0; i < 200; i++)
		assert_int_equal(got[i], (uint8_t)((99800 + i) * 7));
	close(fd);
	sbuf_free(&req);
	sbuf_free(&body);
}

static void read_req(struct sbuf *req, uint32_t id, const uint8_t h[8], uint64_t off, uint32_t len)
{
	struct sbuf body;

	sbuf_init(&body, 64);
	assert_int_equal(sbuf_put_string(&body, h, 8), 0);
	assert_int_equal(sbuf_put_u64(&body, off), 0);
	assert_int_equal(sbuf_put_u32(&body, len), 0);
	put_msg(req, 5, id, &body);
	sbuf_free(&body);
}

/* SFTPD_MAX_IO, SFTPD_MAX_INFLIGHT_BYTES, SFTPD_MAX_ATTR_EXT, SFTPD_MAX_IDS
 * and SFTPD_READDIR_BATCH, each at the limit and one past it. */
static void test_limits(void **state)
{
	struct sbuf req, body, rep;
	uint8_t h[8], *p, type;
	uint32_t id, count;
	const uint8_t *d;
	size_t n, one;
	int fd = openat(rootfd, "big", O_CREAT | O_WRONLY, 0644);
	char name[32];

	(void)state;
	fake_local = false;   /* reads stay in flight on the threadpool: the byte cap */
	assert_int_equal(ftruncate(fd, 4 * 1024 * 1024), 0);
	close(fd);
	sbuf_init(&req, 4 << 20);
	sbuf_init(&body, 1 << 20);
	open_req(&req, 1, "big", 0x1 | 0x2);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	get_handle(1, h);

	/* WRITE payload: SFTPD_MAX_IO fine, one more is a bad message */
	for (uint32_t extra = 0; extra < 2; extra++) {
		sbuf_reset(&req);
		sbuf_reset(&body);
		assert_int_equal(sbuf_put_string(&body, h, 8), 0);
		assert_int_equal(sbuf_put_u64(&body, 0), 0);
		assert_int_equal(sbuf_put_u32(&body, SFTPD_MAX_IO + extra), 0);
		assert_int_equal(sbuf_reserve(&body, SFTPD_MAX_IO + extra, &p), 0);
		memset(p, 'w', SFTPD_MAX_IO + extra);
		sbuf_commit(&body, SFTPD_MAX_IO + extra);
		put_msg(&req, 6, 10 + extra, &body);
		assert_int_equal(feed(&req), sbuf_avail(&req));
		run_loop();
		assert_int_equal(next_status(10 + extra), extra ? SSH_FX_BAD_MESSAGE : SSH_FX_OK);
	}
	/* READ of SFTPD_MAX_IO + 1 bytes returns SFTPD_MAX_IO */
	sbuf_reset(&req);
	read_req(&req, 12, h, 0, SFTPD_MAX_IO + 1);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	assert_int_equal(next_reply(&type, &id, &rep), 0);
	assert_int_equal(type, 103);
	assert_int_equal(sbuf_get_string(&rep, &d, &n), 0);
	assert_int_equal(n, SFTPD_MAX_IO);

	/* buffer bytes in flight: reads of 256 KiB (with the small cost) are
	 * admitted while under SFTPD_MAX_INFLIGHT_BYTES, then input is held */
	sbuf_reset(&req);
	for (uint32_t i = 0; i < 40; i++)
		read_req(&req, 100 + i, h, 0, SFTPD_MAX_IO);
	one = sbuf_avail(&req) / 40;
	assert_int_equal(feed(&req), one * (SFTPD_MAX_INFLIGHT_BYTES / (SFTPD_MAX_IO + 1024)));
	run_loop();
	sbuf_reset(&T.out);

	/* ATTRS with SFTPD_MAX_ATTR_EXT extended pairs parse; one more does not */
	for (uint32_t extra = 0; extra < 2; extra++) {
		sbuf_reset(&req);
		sbuf_reset(&body);
		assert_int_equal(sbuf_put_cstring(&body, "big"), 0);
		assert_int_equal(sbuf_put_u32(&body, 0x80000000u), 0);
		assert_int_equal(sbuf_put_u32(&body, SFTPD_MAX_ATTR_EXT + extra), 0);
		for (uint32_t i = 0; i < SFTPD_MAX_ATTR_EXT + extra; i++) {
			assert_int_equal(sbuf_put_cstring(&body, "k"), 0);
			assert_int_equal(sbuf_put_cstring(&body, "v"), 0);
		}
		put_msg(&req, 9, 200 + extra, &body);
		assert_int_equal(feed(&req), sbuf_avail(&req));
		run_loop();
		assert_int_equal(next_status(200 + extra), extra ? SSH_FX_BAD_MESSAGE : SSH_FX_OK);
	}

	/* users-groups-by-id: SFTPD_MAX_IDS ids answered, one more refused */
	for (uint32_t extra = 0; extra < 2; extra++) {
		sbuf_reset(&req);
		sbuf_reset(&body);
		assert_int_equal(sbuf_put_cstring(&body, "users-groups-by-id@openssh.com"), 0);
		assert_int_equal(sbuf_put_u32(&body, 4 * (SFTPD_MAX_IDS + extra)), 0);
		for (uint32_t i = 0; i < SFTPD_MAX_IDS + extra; i++)
			assert_int_equal(sbuf_put_u32(&body, i), 0);
		assert_int_equal(sbuf_put_u32(&body, 0), 0);
		put_msg(&req, 200, 300 + extra, &body);
		assert_int_equal(feed(&req), sbuf_avail(&req));
		run_loop();
		if (extra) {
			assert_int_equal(next_status(301), SSH_FX_BAD_MESSAGE);
			continue;
		}
		assert_int_equal(next_reply(&type, &id, &rep), 0);
		assert_int_equal(type, 201);
		assert_int_equal(sbuf_get_string(&rep, &d, &n), 0);
		assert_int_equal(n, SFTPD_MAX_IDS * (4 + strlen("alice")));
	}

	/* READDIR: SFTPD_READDIR_BATCH + 1 entries come in two replies */
	assert_int_equal(mkdirat(rootfd, "dir", 0755), 0);
	fd = openat(rootfd, "dir", O_RDONLY | O_DIRECTORY);
	for (int i = 0; i <= SFTPD_READDIR_BATCH; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		close(openat(fd, name, O_CREAT | O_WRONLY, 0644));
	}
	sbuf_reset(&req);
	sbuf_reset(&body);
	assert_int_equal(sbuf_put_cstring(&body, "dir"), 0);
	put_msg(&req, 11, 400, &body);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	get_handle(400, h);
	for (uint32_t k = 0; k < 3; k++) {
		sbuf_reset(&req);
		sbuf_reset(&body);
		assert_int_equal(sbuf_put_string(&body, h, 8), 0);
		put_msg(&req, 12, 401 + k, &body);
		assert_int_equal(feed(&req), sbuf_avail(&req));
		run_loop();
		if (k == 2) {
			assert_int_equal(next_status(403), SSH_FX_EOF);
			break;
		}
		assert_int_equal(next_reply(&type, &id, &rep), 0);
		assert_int_equal(type, 104);
		assert_int_equal(sbuf_get_u32(&rep, &count), 0);
		assert_int_equal(count, k == 0 ? SFTPD_READDIR_BATCH : 1);
	}
	for (int i = 0; i <= SFTPD_READDIR_BATCH; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		unlinkat(fd, name, 0);
	}
	close(fd);
	sbuf_free(&req);
	sbuf_free(&body);
}

/* READs on one handle run in parallel but their replies leave in request
 * order (OpenSSH < 9.4 truncates downloads at a reordered reply). */
static void test_read_replies_in_order(void **state)
{
	struct sbuf req, rep;
	uint8_t h[8], type;
	uint32_t id;
	int fd = openat(rootfd, "r", O_CREAT | O_WRONLY, 0644);

	(void)state;
	assert_int_equal(ftruncate(fd, 8 * 1024 * 1024), 0);
	close(fd);
	sbuf_init(&req, 1 << 20);
	open_req(&req, 1, "r", 0x1);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	get_handle(1, h);
	for (int round = 0; round < 5; round++) {
		sbuf_reset(&req);
		/* big reads first, tiny ones after: the tiny ones finish first */
		for (uint32_t i = 0; i < 30; i++)
			read_req(&req, 10 + i, h, (uint64_t)i * 65536, i < 15 ? SFTPD_MAX_IO : 16);
		assert_int_equal(feed(&req), sbuf_avail(&req));
		run_loop();
		for (uint32_t i = 0; i < 30; i++) {
			assert_int_equal(next_reply(&type, &id, &rep), 0);
			assert_int_equal(type, 103);
			assert_int_equal(id, 10 + i);
		}
	}
	sbuf_free(&req);
}

/* Long names: a READDIR reply stops at SFTPD_READDIR_BYTES, never past it,
 * and the next one continues where it stopped. */
static void test_readdir_bytes(void **state)
{
	struct sbuf req, body, rep;
	uint8_t h[8], type;
	uint32_t id, count, total = 0;
	char name[VFS_NAME_MAX + 1];
	int fd;

	(void)state;
	assert_int_equal(mkdirat(rootfd, "long", 0755), 0);
	fd = openat(rootfd, "long", O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < SFTPD_READDIR_BATCH; i++) {
		memset(name, 'n', VFS_NAME_MAX);
		snprintf(name, 8, "%05d", i);
		name[5] = 'n';
		name[VFS_NAME_MAX] = '\0';
		close(openat(fd, name, O_CREAT | O_WRONLY, 0644));
	}
	sbuf_init(&req, 4096);
	sbuf_init(&body, 4096);
	assert_int_equal(sbuf_put_cstring(&body, "long"), 0);
	put_msg(&req, 11, 1, &body);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	get_handle(1, h);
	for (uint32_t k = 0;; k++) {
		sbuf_reset(&req);
		sbuf_reset(&body);
		assert_int_equal(sbuf_put_string(&body, h, 8), 0);
		put_msg(&req, 12, 10 + k, &body);
		assert_int_equal(feed(&req), sbuf_avail(&req));
		run_loop();
		assert_int_equal(next_reply(&type, &id, &rep), 0);
		if (type == 101)
			break;
		assert_int_equal(type, 104);
		assert_true(4 + rep.len <= SFTPD_READDIR_BYTES);
		assert_int_equal(sbuf_get_u32(&rep, &count), 0);
		if (k == 0)
			assert_true(count < SFTPD_READDIR_BATCH);   /* the byte cap came first */
		total += count;
	}
	assert_int_equal(total, SFTPD_READDIR_BATCH);
	for (int i = 0; i < SFTPD_READDIR_BATCH; i++) {
		memset(name, 'n', VFS_NAME_MAX);
		snprintf(name, 8, "%05d", i);
		name[5] = 'n';
		name[VFS_NAME_MAX] = '\0';
		unlinkat(fd, name, 0);
	}
	close(fd);
	unlinkat(rootfd, "long", AT_REMOVEDIR);
	sbuf_free(&req);
	sbuf_free(&body);
}

static void test_handle_cap(void **state)
{
	struct sbuf req;
	uint8_t h[8];
	int fd = openat(rootfd, "g", O_CREAT | O_WRONLY, 0644);

	(void)state;
	close(fd);
	sbuf_init(&req, 1 << 20);
	for (uint32_t i = 0; i <= SFTPD_MAX_HANDLES; i++)
		open_req(&req, i, "g", 0x1);
	/* the inflight cap applies too: feed until all are taken */
	size_t total = 0;
	while (total < sbuf_avail(&req)) {
		total += sftpd_kind.input(&T, sbuf_ptr(&req) + total, sbuf_avail(&req) - total);
		run_loop();
	}
	/* replies come in any order: exactly one, the last admitted, is refused */
	struct sbuf body;
	uint8_t type;
	uint32_t id, code, handles = 0;

	(void)h;
	while (next_reply(&type, &id, &body) == 0) {
		if (type == 102) {
			handles++;
			continue;
		}
		assert_int_equal(type, 101);
		assert_int_equal(id, SFTPD_MAX_HANDLES);
		assert_int_equal(sbuf_get_u32(&body, &code), 0);
		assert_int_equal(code, SSH_FX_FAILURE);
	}
	assert_int_equal(handles, SFTPD_MAX_HANDLES);      /* at the cap */
	sbuf_free(&req);
}

static void close_req(struct sbuf *req, uint32_t id, const uint8_t h[8])
{
	struct sbuf body;

	sbuf_init(&body, 64);
	assert_int_equal(sbuf_put_string(&body, h, 8), 0);
	put_msg(req, 4, id, &body);
	sbuf_free(&body);
}

/* On a local file system a read-only OPEN and its READs are served on the
 * loop (op->now), answered while input() runs; CLOSE of that handle is
 * answered early. The loop's replies keep request order with the rest. */
static void test_now_paths(void **state)
{
	struct sbuf req, rep;
	uint8_t h[8], type;
	uint32_t id;
	const uint8_t *d;
	size_t n;
	int fd = openat(rootfd, "n", O_CREAT | O_WRONLY, 0644);

	(void)state;
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);
	sbuf_init(&req, 1 << 16);
	open_cached_ok = 0;
	open_req(&req, 1, "n", 0x1);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	assert_int_equal(open_cached_ok, 1);
	get_handle(1, h);   /* before the loop ran: answered inside input() */
	sbuf_reset(&req);
	read_req(&req, 2, h, 0, 4096);
	read_req(&req, 3, h, 10, 4096);
	close_req(&req, 4, h);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	assert_int_equal(next_reply(&type, &id, &rep), 0);
	assert_int_equal(type, 103);
	assert_int_equal(id, 2);
	assert_int_equal(sbuf_get_string(&rep, &d, &n), 0);
	assert_int_equal(n, 10);
	assert_memory_equal(d, "0123456789", 10);
	assert_int_equal(next_status(3), SSH_FX_EOF);
	assert_int_equal(next_status(4), SSH_FX_OK);   /* early: close(2) still running */
	run_loop();
	assert_int_equal(sbuf_avail(&T.out), 0);
	/* the handle is gone once the close ran */
	sbuf_reset(&req);
	read_req(&req, 5, h, 0, 16);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	assert_int_not_equal(next_status(5), SSH_FX_OK);
	/* a handle open for writing on a file system whose close(2) may report
	 * an error (NFS...) waits for it before answering */
	fake_local = false;
	sbuf_reset(&req);
	open_req(&req, 6, "n", 0x2);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	get_handle(6, h);
	sbuf_reset(&req);
	close_req(&req, 7, h);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	assert_int_equal(sbuf_avail(&T.out), 0);
	run_loop();
	assert_int_equal(next_status(7), SSH_FX_OK);
	/* EOF while an early-answered CLOSE still runs: the channel ends after it;
	 * on a local file system also for a file open for writing */
	fake_local = true;
	sbuf_reset(&req);
	open_req(&req, 8, "n", 0x2);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	get_handle(8, h);
	sbuf_reset(&req);
	close_req(&req, 9, h);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	assert_int_equal(next_status(9), SSH_FX_OK);
	sftpd_kind.eof(&T);
	assert_int_equal(T.exited, 0);
	run_loop();
	assert_int_equal(T.exited, 1);
	assert_int_equal(T.exit_status, 0);
	sbuf_free(&req);
}

static void test_symlink_order(void **state)
{
	struct sbuf req, body;
	char buf[64];
	ssize_t n;

	(void)state;
	sbuf_init(&req, 4096);
	sbuf_init(&body, 4096);
	/* OpenSSH order: target first, then the link's path */
	assert_int_equal(sbuf_put_cstring(&body, "target-file"), 0);
	assert_int_equal(sbuf_put_cstring(&body, "lnk"), 0);
	put_msg(&req, 20, 9, &body);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	assert_int_equal(next_status(9), SSH_FX_OK);
	n = readlinkat(rootfd, "lnk", buf, sizeof(buf) - 1);
	assert_int_equal(n, 11);
	buf[n] = '\0';
	assert_string_equal(buf, "target-file");
	/* RENAME (v3) onto an existing name fails */
	sbuf_reset(&req);
	sbuf_reset(&body);
	close(openat(rootfd, "x", O_CREAT | O_WRONLY, 0644));
	assert_int_equal(sbuf_put_cstring(&body, "lnk"), 0);
	assert_int_equal(sbuf_put_cstring(&body, "x"), 0);
	put_msg(&req, 18, 10, &body);
	assert_int_equal(feed(&req), sbuf_avail(&req));
	run_loop();
	assert_int_equal(next_status(10), SSH_FX_FAILURE);
	sbuf_free(&req);
	sbuf_free(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_check),
		cmocka_unit_test(test_status_map),
		cmocka_unit_test_setup_teardown(test_version_lists_extensions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_length_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_at_limit_is_parsed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inflight_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_room_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_order_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_replies_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readdir_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handle_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_now_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_order, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
