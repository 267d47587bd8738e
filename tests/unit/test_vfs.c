/* test_vfs.c — the confined VFS: normalization, mounts, synthesized
 * directories, read-only mounts and path attacks, against temp dirs in /tmp. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sftpgw/vfs.h"

static char root[PATH_MAX];      /* the temp dir holding every backing dir */
static struct vfs_view *view;    /* the mounts of the fixture, below */

/* Mounts of the fixture:
 *   /pub                -> root/pub       (rw)
 *   /pub/media          -> root/media     (rw; longer prefix than /pub)
 *   /other              -> root/other     (rw; a second mount for EXDEV)
 *   /ro                 -> root/ro        (read-only)
 *   /env1/site/media    -> root/env1media (rw; /env1 and /env1/site synthesized)
 * root/outside holds what no path may reach. */

static void disk(char *out, size_t sz, const char *rel)
{
	int n = snprintf(out, sz, "%s/%s", root, rel);

	assert_true(n > 0 && (size_t)n < sz);
}

static void put_file(const char *rel, const char *content)
{
	char p[PATH_MAX];
	int fd;

	disk(p, sizeof(p), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static void put_dir(const char *rel)
{
	char p[PATH_MAX];

	disk(p, sizeof(p), rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void put_link(const char *target, const char *rel)
{
	char p[PATH_MAX];

	disk(p, sizeof(p), rel);
	assert_int_equal(symlink(target, p), 0);
}

static bool disk_exists(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	disk(p, sizeof(p), rel);
	return lstat(p, &st) == 0;
}

static mode_t disk_mode(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	disk(p, sizeof(p), rel);
	assert_int_equal(lstat(p, &st), 0);
	return st.st_mode & 07777;
}

/* Reads a whole small file through an fd into buf. */
static void fd_read_all(int fd, char *buf, size_t sz)
{
	ssize_t n = pread(fd, buf, sz - 1, 0);

	assert_true(n >= 0);
	buf[n] = '\0';
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	static const char *const dirs[] = { "pub", "pub/media", "media", "media/sub", "other",
					    "ro", "ro/d", "env1media", "outside", "outside/dir" };
	struct vfs_mount_spec m[5];
	char p[5][PATH_MAX];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_vfs.XXXXXX");
	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		put_dir(dirs[i]);
	put_file("outside/secret.txt", "secret");
	put_file("outside/dir/secret.txt", "secret");
	put_file("pub/top.txt", "top");
	put_file("pub/media/shadow.txt", "shadowed by the /pub/media mount");
	put_file("media/a.txt", "alpha");
	put_file("ro/f.txt", "readonly");
	disk(p[0], PATH_MAX, "pub");
	disk(p[1], PATH_MAX, "media");
	disk(p[2], PATH_MAX, "other");
	disk(p[3], PATH_MAX, "ro");
	disk(p[4], PATH_MAX, "env1media");
	m[0] = (struct vfs_mount_spec){ "/pub", p[0], false };
	m[1] = (struct vfs_mount_spec){ "/pub/media", p[1], false };
	m[2] = (struct vfs_mount_spec){ "/other", p[2], false };
	m[3] = (struct vfs_mount_spec){ "/ro", p[3], true };
	m[4] = (struct vfs_mount_spec){ "/env1/site/media", p[4], false };
	assert_int_equal(vfs_view_open(m, 5, &view), 0);
	assert_int_equal(vfs_view_mount_count(view), 5);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vfs_view_unref(view);
	nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* ---- normalization ---- */

struct norm_case {
	const char *base, *path, *want;  /* want NULL: error expected */
	int err;
};

static void test_normalize_table(void **state)
{
	static const struct norm_case cases[] = {
		{ NULL, "", "/", 0 },
		{ NULL, "/", "/", 0 },
		{ NULL, ".", "/", 0 },
		{ NULL, "..", "/", 0 },
		{ NULL, "../../..", "/", 0 },
		{ NULL, "/../../../etc/passwd", "/etc/passwd", 0 },
		{ NULL, "//pub///media//", "/pub/media", 0 },
		{ NULL, "/pub/./media/.", "/pub/media", 0 },
		{ NULL, "/pub/media/../x", "/pub/x", 0 },
		{ NULL, "pub/media/", "/pub/media", 0 },
		{ NULL, "/a/b/c/../../..", "/", 0 },
		{ NULL, "/a/b/../../../../c", "/c", 0 },
		{ NULL, "/...", "/...", 0 },
		{ NULL, "/..a/b..", "/..a/b..", 0 },
		{ "/pub", "media", "/pub/media", 0 },
		{ "/pub", "../other", "/other", 0 },
		{ "/pub", "../../../..", "/", 0 },
		{ "/pub", "/abs", "/abs", 0 },
		{ "/pub/media", "", "/pub/media", 0 },
		{ "/pub//media/", "./x/", "/pub/media/x", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[VFS_PATH_MAX];
		int rc = vfs_path_normalize(cases[i].base, cases[i].path, out, sizeof(out));

		if (cases[i].want == NULL) {
			assert_int_equal(rc, cases[i].err);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(out, cases[i].want);
	}
}

static void test_normalize_nul(void **state)
{
	char out[VFS_PATH_MAX];

	(void)state;
	assert_int_equal(vfs_path_normalize_n(NULL, "/pub/a\0b", 8, out, sizeof(out)), -EINVAL);
	assert_int_equal(vfs_path_normalize_n(NULL, "\0", 1, out, sizeof(out)), -EINVAL);
	assert_int_equal(vfs_path_normalize_n(NULL, "/pub/ab", 7, out, sizeof(out)), 0);
	assert_string_equal(out, "/pub/ab");
	assert_int_equal(vfs_path_normalize_n(NULL, "/pub/abXXX", 7, out, sizeof(out)), 0);
	assert_string_equal(out, "/pub/ab");
}

/* Random paths over "/", ".", "a": the result is always canonical and
 * normalizing it again changes nothing. */
static void test_normalize_random(void **state)
{
	static const char alpha[] = "/./a";
	char in[64], out[VFS_PATH_MAX], again[VFS_PATH_MAX];

	(void)state;
	srand(4242);
	for (int i = 0; i < 100000; i++) {
		size_t n = (size_t)rand() % (sizeof(in) - 1);

		for (size_t k = 0; k < n; k++)
			in[k] = alpha[rand() % 4];
		in[n] = '\0';
		assert_int_equal(vfs_path_normalize(rand() % 2 ? "/x/y" : NULL, in, out, sizeof(out)), 0);
		assert_int_equal(out[0], '/');
		assert_null(strstr(out, "//"));
		assert_null(strstr(out, "/./"));
		assert_null(strstr(out, "/../"));
		assert_true(strcmp(out, "/") == 0 || out[strlen(out) - 1] != '/');
		assert_true(strlen(out) < 3 || strcmp(out + strlen(out) - 3, "/..") != 0);
		assert_true(strlen(out) < 2 || strcmp(out + strlen(out) - 2, "/.") != 0);
		assert_int_equal(vfs_path_normalize(NULL, out, again, sizeof(again)), 0);
		assert_string_equal(out, again);
	}
}

/* A path of exactly len characters: "/aaa.../aaa...", components of 200. */
static void long_path(char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		p[i++] = '/';
		for (size_t k = 0; k < 200 && i < len; k++)
			p[i++] = 'a';
	}
	if (p[len - 1] == '/')
		p[len - 1] = 'a';
	p[len] = '\0';
}

static void test_normalize_limits(void **state)
{
	char p[VFS_PATH_MAX + 16], out[VFS_PATH_MAX];
	char name[VFS_NAME_MAX + 3];

	(void)state;
	long_path(p, VFS_PATH_MAX - 1);  /* with its NUL exactly VFS_PATH_MAX */
	assert_int_equal(vfs_path_normalize(NULL, p, out, sizeof(out)), 0);
	assert_string_equal(out, p);
	long_path(p, VFS_PATH_MAX);      /* one past */
	assert_int_equal(vfs_path_normalize(NULL, p, out, sizeof(out)), -ENAMETOOLONG);
	/* out too small for the result */
	assert_int_equal(vfs_path_normalize(NULL, "/abc", out, 4), -ENAMETOOLONG);
	assert_int_equal(vfs_path_normalize(NULL, "/abc", out, 5), 0);
	/* one component at VFS_NAME_MAX and one past */
	name[0] = '/';
	memset(name + 1, 'n', VFS_NAME_MAX);
	name[VFS_NAME_MAX + 1] = '\0';
	assert_int_equal(vfs_path_normalize(NULL, name, out, sizeof(out)), 0);
	name[VFS_NAME_MAX + 1] = 'n';
	name[VFS_NAME_MAX + 2] = '\0';
	assert_int_equal(vfs_path_normalize(NULL, name, out, sizeof(out)), -ENAMETOOLONG);
}

/* ---- views ---- */

static void test_view_limits(void **state)
{
	static struct vfs_mount_spec m[VFS_MAX_MOUNTS + 1];
	static char names[VFS_MAX_MOUNTS + 1][16];
	struct vfs_view *v;
	char dir[PATH_MAX];

	(void)state;
	disk(dir, sizeof(dir), "other");
	for (int i = 0; i <= VFS_MAX_MOUNTS; i++) {
		snprintf(names[i], sizeof(names[i]), "/m%d", i);
		m[i] = (struct vfs_mount_spec){ names[i], dir, false };
	}
	assert_int_equal(vfs_view_open(m, VFS_MAX_MOUNTS, &v), 0);
	assert_int_equal(vfs_view_mount_count(v), VFS_MAX_MOUNTS);
	vfs_view_ref(v);
	vfs_view_unref(v);
	vfs_view_unref(v);
	assert_int_equal(vfs_view_open(m, VFS_MAX_MOUNTS + 1, &v), -E2BIG);
	assert_null(v);

	m[0].vpath = "/";
	assert_int_equal(vfs_view_open(m, 1, &v), -EINVAL);
	m[0].vpath = "/a/../b";
	assert_int_equal(vfs_view_open(m, 1, &v), -EINVAL);
	m[0].vpath = "/m1";  /* same as m[1] */
	assert_int_equal(vfs_view_open(m, 2, &v), -EINVAL);
	m[0] = (struct vfs_mount_spec){ "/gone", "/nonexistent/sftpgw-test", false };
	assert_int_equal(vfs_view_open(m, 2, &v), 0);  /* skipped with a warning */
	assert_int_equal(vfs_view_mount_count(v), 1);
	assert_int_equal(vfs_view_mount_index(v, "/gone"), -1);
	vfs_view_unref(v);
}

static void test_probe(void **state)
{
	(void)state;
	assert_int_equal(vfs_probe(), 0);
}

static void test_longest_prefix(void **state)
{
	struct vfs_attr a;
	char buf[64];
	int fd, media = vfs_view_mount_index(view, "/pub/media");
	int pub = vfs_view_mount_index(view, "/pub");

	(void)state;
	assert_true(media >= 0 && pub >= 0 && media != pub);
	assert_int_equal(vfs_view_mount_index(view, "/pub/media/a/b"), media);
	assert_int_equal(vfs_view_mount_index(view, "/pub/mediax"), pub);
	assert_int_equal(vfs_view_mount_index(view, "/pub/medi"), pub);
	assert_int_equal(vfs_view_mount_index(view, "/pubx"), -1);
	assert_int_equal(vfs_view_mount_index(view, "/"), -1);
	assert_int_equal(vfs_stat(view, "/pub/media/a.txt", true, &a), 0);
	assert_int_equal(vfs_stat(view, "pub//media/./sub/../a.txt/", true, &a), 0);  /* unnormalized */
	/* the /pub mount's own "media" subdirectory is hidden by the mount */
	assert_int_equal(vfs_stat(view, "/pub/media/shadow.txt", true, &a), -ENOENT);
	assert_int_equal(vfs_open(view, "/pub/top.txt", O_RDONLY, 0, &fd), 0);
	fd_read_all(fd, buf, sizeof(buf));
	close(fd);
	assert_string_equal(buf, "top");
}

/* ---- operations inside a mount ---- */

static void test_basic_ops(void **state)
{
	struct vfs_attr a;
	struct vfs_dir *d;
	char buf[64], name[VFS_NAME_MAX + 1];
	int fd, n = 0, seen = 0;

	(void)state;
	assert_int_equal(vfs_mkdir(view, "/pub/media/b", 0750), 0);
	assert_int_equal(vfs_mkdir(view, "/pub/media/b", 0750), -EEXIST);
	assert_int_equal(vfs_open(view, "/pub/media/b/f.txt", O_WRONLY | O_CREAT | O_EXCL, 0640, &fd),
			 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	assert_int_equal(vfs_fstat(fd, &a), 0);
	assert_int_equal(a.size, 5);
	close(fd);
	assert_int_equal(vfs_open(view, "/pub/media/b/f.txt", O_WRONLY | O_CREAT | O_EXCL, 0640, &fd),
			 -EEXIST);
	assert_int_equal(vfs_stat(view, "/pub/media/b/f.txt", false, &a), 0);
	assert_true(S_ISREG(a.mode));
	assert_int_equal(a.mode & 0777, 0640 & ~0);
	assert_false(a.synthetic);
	assert_int_equal(vfs_stat(view, "/pub/media/b", false, &a), 0);
	assert_true(S_ISDIR(a.mode));
	assert_int_equal(vfs_rename(view, "/pub/media/b/f.txt", "/pub/media/b/g.txt", 0), 0);
	assert_false(disk_exists("media/b/f.txt"));
	assert_int_equal(vfs_open(view, "/pub/media/b/g.txt", O_RDONLY, 0, &fd), 0);
	fd_read_all(fd, buf, sizeof(buf));
	close(fd);
	assert_string_equal(buf, "hello");
	assert_int_equal(vfs_opendir(view, "/pub/media/b", &d), 0);
	while ((n = vfs_readdir(d, name, &a)) == 1) {
		assert_string_equal(name, "g.txt");
		assert_int_equal(a.size, 5);
		seen++;
	}
	assert_int_equal(n, 0);
	assert_int_equal(seen, 1);
	vfs_closedir(d);
	assert_int_equal(vfs_rmdir(view, "/pub/media/b"), -ENOTEMPTY);
	assert_int_equal(vfs_unlink(view, "/pub/media/b/g.txt"), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/b/g.txt"), -ENOENT);
	assert_int_equal(vfs_rmdir(view, "/pub/media/b"), 0);
	assert_false(disk_exists("media/b"));
	/* directories open read-only only */
	assert_int_equal(vfs_open(view, "/pub/media/sub", O_RDONLY, 0, &fd), 0);
	close(fd);
	assert_int_equal(vfs_open(view, "/pub/media/sub", O_WRONLY, 0, &fd), -EISDIR);
	assert_int_equal(vfs_open(view, "/pub/media/sub", O_PATH, 0, &fd), -EINVAL);
	/* the O_NONBLOCK used while opening is gone; the caller's flags stay */
	assert_int_equal(vfs_open(view, "/pub/media/a.txt", O_WRONLY | O_APPEND, 0, &fd), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & (O_NONBLOCK | O_APPEND | O_ACCMODE),
			 O_APPEND | O_WRONLY);
	close(fd);
	assert_int_equal(vfs_open(view, "/pub/media/a.txt", O_RDONLY | O_NONBLOCK, 0, &fd), 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
}

static void test_rename_noreplace_link(void **state)
{
	struct vfs_attr a;

	(void)state;
	put_file("media/r1", "one");
	put_file("media/r2", "two");
	assert_int_equal(vfs_rename(view, "/pub/media/r1", "/pub/media/r2", VFS_RENAME_NOREPLACE),
			 -EEXIST);
	assert_int_equal(vfs_link(view, "/pub/media/r1", "/pub/media/sub/r1"), 0);
	assert_int_equal(vfs_stat(view, "/pub/media/r1", false, &a), 0);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(vfs_link(view, "/pub/media/r1", "/pub/media/r2"), -EEXIST);
	assert_int_equal(vfs_rename(view, "/pub/media/r1", "/pub/media/r2", 0), 0);  /* posix */
	assert_false(disk_exists("media/r1"));
	assert_int_equal(vfs_unlink(view, "/pub/media/r2"), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/sub/r1"), 0);
}

/* Renames whose two parents share one open when they are the same directory
 * (pair_open): same directory, parents of equal length that differ, the
 * mount's top and a subdirectory, and one parent a prefix of the other. */
static void test_rename_parents(void **state)
{
	(void)state;
	put_dir("media/pa");
	put_dir("media/pb");
	put_dir("media/pab");
	put_file("media/pa/x", "x");
	assert_int_equal(vfs_rename(view, "/pub/media/pa/x", "/pub/media/pa/.x.tmp", 0), 0);
	assert_true(disk_exists("media/pa/.x.tmp"));
	assert_int_equal(vfs_rename(view, "/pub/media/pa/.x.tmp", "/pub/media/pb/x", 0), 0);
	assert_true(disk_exists("media/pb/x") && !disk_exists("media/pa/x"));
	assert_int_equal(vfs_rename(view, "/pub/media/pb/x", "/pub/media/x", 0), 0);
	assert_true(disk_exists("media/x"));
	assert_int_equal(vfs_rename(view, "/pub/media/x", "/pub/media/pab/x", 0), 0);
	assert_int_equal(vfs_rename(view, "/pub/media/pab/x", "/pub/media/pa/x", 0), 0);
	assert_true(disk_exists("media/pa/x") && !disk_exists("media/pab/x"));
	assert_int_equal(vfs_rename(view, "/pub/media/pa/x", "/pub/media/pa/x", 0), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/pa/x"), 0);
	assert_int_equal(vfs_rmdir(view, "/pub/media/pa"), 0);
	assert_int_equal(vfs_rmdir(view, "/pub/media/pb"), 0);
	assert_int_equal(vfs_rmdir(view, "/pub/media/pab"), 0);
}

static void test_symlink_inside(void **state)
{
	struct vfs_attr a;
	char buf[64];
	int fd;

	(void)state;
	assert_int_equal(vfs_symlink(view, "a.txt", "/pub/media/ln"), 0);
	assert_int_equal(vfs_symlink(view, "../a.txt", "/pub/media/sub/ln_up"), 0);
	assert_int_equal(vfs_symlink(view, "sub", "/pub/media/ln_dir"), 0);
	assert_int_equal(vfs_readlink(view, "/pub/media/ln", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "a.txt");
	assert_int_equal(vfs_readlink(view, "/pub/media/ln", buf, 5), -ENAMETOOLONG);
	assert_int_equal(vfs_stat(view, "/pub/media/ln", false, &a), 0);
	assert_true(S_ISLNK(a.mode));
	assert_int_equal(vfs_stat(view, "/pub/media/sub/ln_up", true, &a), 0);
	assert_true(S_ISREG(a.mode));
	assert_int_equal(vfs_open(view, "/pub/media/ln_dir/ln_up", O_RDONLY, 0, &fd), 0);
	fd_read_all(fd, buf, sizeof(buf));
	close(fd);
	assert_string_equal(buf, "alpha");
	assert_int_equal(vfs_open(view, "/pub/media/ln", O_RDONLY | O_NOFOLLOW, 0, &fd), -ELOOP);
	assert_int_equal(vfs_unlink(view, "/pub/media/ln"), 0);
	assert_true(disk_exists("media/a.txt"));
	assert_int_equal(vfs_unlink(view, "/pub/media/sub/ln_up"), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/ln_dir"), 0);
}

static void test_setattr(void **state)
{
	struct vfs_setattr sa = { 0 };
	struct vfs_attr a;
	int fd;

	(void)state;
	put_file("media/s.txt", "0123456789");
	put_link("s.txt", "media/s.ln");
	sa.valid = VFS_SET_SIZE | VFS_SET_MODE | VFS_SET_TIMES;
	sa.size = 4;
	sa.mode = 0600;
	sa.atime = 1000000000;
	sa.mtime = 1234567890;
	assert_int_equal(vfs_setattr(view, "/pub/media/s.ln", &sa, true), 0);  /* via the link */
	assert_int_equal(vfs_stat(view, "/pub/media/s.txt", false, &a), 0);
	assert_int_equal(a.size, 4);
	assert_int_equal(a.mode & 07777, 0600);
	assert_int_equal(a.mtime, 1234567890);
	assert_int_equal(a.atime, 1000000000);
	/* lsetstat of a link's mode: Linux has no such thing */
	sa.valid = VFS_SET_MODE;
	assert_int_equal(vfs_setattr(view, "/pub/media/s.ln", &sa, false), -EOPNOTSUPP);
	/* on an fd */
	assert_int_equal(vfs_open(view, "/pub/media/s.txt", O_RDWR, 0, &fd), 0);
	sa.valid = VFS_SET_SIZE | VFS_SET_MODE;
	sa.size = 2;
	sa.mode = 0644;
	assert_int_equal(vfs_fsetattr(fd, &sa), 0);
	assert_int_equal(vfs_fstat(fd, &a), 0);
	assert_int_equal(a.size, 2);
	assert_int_equal(a.mode & 07777, 0644);
	close(fd);
	assert_int_equal(vfs_open(view, "/pub/media/s.txt", O_RDONLY, 0, &fd), 0);
	assert_int_equal(vfs_fsetattr(fd, &sa), -EBADF);
	close(fd);
	assert_int_equal(vfs_unlink(view, "/pub/media/s.ln"), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/s.txt"), 0);
}

static void test_set_owner(void **state)
{
	struct vfs_setattr sa = { 0 };
	struct vfs_attr a;
	int fd;

	(void)state;
	put_file("media/o.txt", "x");
	assert_int_equal(vfs_stat(view, "/pub/media/o.txt", false, &a), 0);
	sa.valid = VFS_SET_OWNER;
	sa.uid = a.uid;
	sa.gid = a.gid;
	assert_int_equal(vfs_setattr(view, "/pub/media/o.txt", &sa, true), 0);  /* no-op */
	sa.valid = VFS_SET_OWNER | VFS_SET_MODE;
	sa.mode = 0600;
	sa.uid = a.uid + 1;
	assert_int_equal(vfs_setattr(view, "/pub/media/o.txt", &sa, true), -EPERM);
	assert_int_equal(disk_mode("media/o.txt"), 0644);  /* nothing else changed either */
	sa.uid = a.uid;
	sa.gid = a.gid + 1;
	assert_int_equal(vfs_setattr(view, "/pub/media/o.txt", &sa, false), -EPERM);
	assert_int_equal(vfs_open(view, "/pub/media/o.txt", O_WRONLY, 0, &fd), 0);
	assert_int_equal(vfs_fsetattr(fd, &sa), -EPERM);
	sa.gid = a.gid;
	assert_int_equal(vfs_fsetattr(fd, &sa), 0);
	close(fd);
	assert_int_equal(disk_mode("media/o.txt"), 0600);
	assert_int_equal(vfs_unlink(view, "/pub/media/o.txt"), 0);
}

static void test_statvfs(void **state)
{
	struct statvfs s;

	(void)state;
	assert_int_equal(vfs_statvfs(view, "/pub/media/a.txt", &s), 0);
	assert_true(s.f_bsize > 0);
	assert_int_equal(s.f_flag & ST_RDONLY, 0);
	assert_int_equal(vfs_statvfs(view, "/ro", &s), 0);
	assert_true(s.f_flag & ST_RDONLY);
	assert_int_equal(vfs_statvfs(view, "/env1", &s), 0);
	assert_int_equal(s.f_blocks, 0);
	assert_int_equal(vfs_statvfs(view, "/nothing", &s), -ENOENT);
}

static void test_copy_range(void **state)
{
	static char data[300000], got[300001];
	int in, out;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(vfs_open(view, "/pub/media/c.in", O_RDWR | O_CREAT, 0644, &in), 0);
	assert_int_equal(write(in, data, sizeof(data)), (ssize_t)sizeof(data));
	assert_int_equal(vfs_open(view, "/pub/media/c.out", O_RDWR | O_CREAT, 0644, &out), 0);
	assert_int_equal(vfs_copy_range(in, 0, out, 0, 0), 0);  /* to EOF */
	assert_int_equal(pread(out, got, sizeof(got), 0), (ssize_t)sizeof(data));
	assert_memory_equal(got, data, sizeof(data));
	assert_int_equal(vfs_copy_range(in, 10, out, 5, 3), 0);
	assert_int_equal(pread(out, got, 8, 0), 8);
	assert_memory_equal(got, "abcdeklm", 8);
	close(in);
	close(out);
	assert_int_equal(vfs_unlink(view, "/pub/media/c.in"), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/c.out"), 0);
}

static void test_readdir_many(void **state)
{
	enum { N = 1000 };
	static bool seen[N];
	struct vfs_attr a;
	struct vfs_dir *d;
	char name[VFS_NAME_MAX + 1], rel[64];
	int rc, count = 0;

	(void)state;
	put_dir("other/many");
	for (int i = 0; i < N; i++) {
		snprintf(rel, sizeof(rel), "other/many/f%d", i);
		put_file(rel, "x");
	}
	assert_int_equal(vfs_opendir(view, "/other/many", &d), 0);
	while ((rc = vfs_readdir(d, name, &a)) == 1) {
		int i = (int)strtol(name + 1, NULL, 10);

		assert_true(i >= 0 && i < N && !seen[i]);
		seen[i] = true;
		assert_int_equal(a.size, 1);
		count++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(count, N);
	vfs_closedir(d);
}

static void test_fifo_refused(void **state)
{
	char p[PATH_MAX];
	int fd;

	(void)state;
	disk(p, sizeof(p), "media/fifo");
	assert_int_equal(mkfifo(p, 0644), 0);
	/* would block forever on a pool thread without a writer */
	assert_int_equal(vfs_open(view, "/pub/media/fifo", O_RDONLY, 0, &fd), -EPERM);
	assert_int_equal(vfs_open(view, "/pub/media/fifo", O_WRONLY, 0, &fd), -ENXIO);
	assert_int_equal(vfs_unlink(view, "/pub/media/fifo"), 0);
}

/* vfs_open_cached serves read-only opens of regular files (the test
 * directory is on a local disk file system) and says -EAGAIN for everything
 * else, so that vfs_open on the threadpool gives the real answer. */
static void test_open_cached(void **state)
{
	char p[PATH_MAX], buf[8];
	bool local;
	int fd;

	(void)state;
	disk(p, sizeof(p), "media");
	fd = open(p, O_PATH | O_CLOEXEC);
	local = vfs_fd_local(fd);
	close(fd);
	if (!local)
		skip();
	/* a first vfs_open puts the path in the dentry cache */
	assert_int_equal(vfs_open(view, "/pub/media/a.txt", O_RDONLY, 0, &fd), 0);
	close(fd);
	assert_int_equal(vfs_open_cached(view, "/pub/media/a.txt", O_RDONLY, &fd), 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	assert_int_equal(vfs_open_cached(view, "/pub/media/a.txt", O_WRONLY, &fd), -EAGAIN);
	assert_int_equal(vfs_open_cached(view, "/pub/media/a.txt", O_RDONLY | O_TRUNC, &fd), -EAGAIN);
	assert_int_equal(vfs_open_cached(view, "/pub/media/new.txt", O_RDONLY | O_CREAT, &fd), -EAGAIN);
	assert_int_equal(vfs_open_cached(view, "/pub/media/none.txt", O_RDONLY, &fd), -EAGAIN);
	assert_int_equal(fd, -1);
	assert_int_equal(vfs_open_cached(view, "/pub/media/sub", O_RDONLY, &fd), -EAGAIN);
	assert_int_equal(vfs_open_cached(view, "/pub", O_RDONLY, &fd), -EAGAIN);
	assert_int_equal(vfs_open_cached(view, "/", O_RDONLY, &fd), -EAGAIN);
	assert_int_equal(vfs_open_cached(view, "/pub/media/../../outside/secret.txt", O_RDONLY, &fd),
	                 -EAGAIN);
	disk(p, sizeof(p), "media/fifo2");
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_equal(vfs_open_cached(view, "/pub/media/fifo2", O_RDONLY, &fd), -EAGAIN);
	assert_int_equal(unlink(p), 0);
}

/* ---- synthesized directories ---- */

static void list_names(const char *vpath, char *out, size_t sz)
{
	struct vfs_attr a;
	struct vfs_dir *d;
	char name[VFS_NAME_MAX + 1];

	out[0] = '\0';
	assert_int_equal(vfs_opendir(view, vpath, &d), 0);
	while (vfs_readdir(d, name, &a) == 1) {
		assert_true(S_ISDIR(a.mode));
		strncat(out, name, sz - strlen(out) - 2);
		strncat(out, a.synthetic ? "* " : " ", sz - strlen(out) - 1);
	}
	vfs_closedir(d);
}

static void test_synth_stat_list(void **state)
{
	struct vfs_attr a;
	char names[256], buf[64];
	int fd;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		static const char *const p[] = { "/", "/env1", "/env1/site" };

		assert_int_equal(vfs_stat(view, p[i], true, &a), 0);
		assert_true(a.synthetic);
		assert_int_equal(a.mode, S_IFDIR | 0555);
		assert_true(vfs_view_readonly(view, p[i]));
		assert_int_equal(vfs_view_mount_index(view, p[i]), -1);
		assert_int_equal(vfs_realpath(view, p[i], buf, sizeof(buf)), 0);
		assert_string_equal(buf, p[i]);
	}
	assert_int_equal(vfs_stat(view, "/env1/site/media", true, &a), 0);
	assert_false(a.synthetic);
	assert_int_equal(vfs_stat(view, "/env1/nothing", true, &a), -ENOENT);
	assert_int_equal(vfs_stat(view, "/env", true, &a), -ENOENT);
	list_names("/", names, sizeof(names));
	assert_string_equal(names, "env1* other pub ro ");  /* mounts: real attributes */
	list_names("/env1", names, sizeof(names));
	assert_string_equal(names, "site* ");
	list_names("/env1/site", names, sizeof(names));
	assert_string_equal(names, "media ");
	assert_int_equal(vfs_open(view, "/env1", O_RDONLY, 0, &fd), -EISDIR);
	assert_int_equal(vfs_readlink(view, "/env1", buf, sizeof(buf)), -EINVAL);
	assert_false(vfs_view_readonly(view, "/pub/media/a.txt"));
}

static void test_synth_writes_refused(void **state)
{
	struct vfs_setattr sa = { .valid = VFS_SET_MODE, .mode = 0777 };
	char tmp[VFS_PATH_MAX];
	struct vfs_dir *d;
	int fd;

	(void)state;
	assert_int_equal(vfs_mkdir(view, "/env1/x", 0755), -EACCES);
	assert_int_equal(vfs_mkdir(view, "/newtop", 0755), -EACCES);
	assert_int_equal(vfs_mkdir(view, "/env1", 0755), -EEXIST);
	assert_int_equal(vfs_open(view, "/env1/x", O_WRONLY | O_CREAT, 0644, &fd), -EACCES);
	assert_int_equal(vfs_open(view, "/env1", O_WRONLY, 0, &fd), -EACCES);
	assert_int_equal(vfs_open(view, "/x", O_RDWR | O_CREAT | O_TRUNC, 0644, &fd), -EACCES);
	assert_int_equal(vfs_open_temp(view, "/env1", "x", 0600, &fd, tmp, sizeof(tmp)), -EACCES);
	assert_int_equal(vfs_open_temp(view, "/", "x", 0600, &fd, tmp, sizeof(tmp)), -EACCES);
	assert_int_equal(vfs_setattr(view, "/env1", &sa, true), -EACCES);
	assert_int_equal(vfs_setattr(view, "/", &sa, false), -EACCES);
	assert_int_equal(vfs_rmdir(view, "/env1"), -EACCES);
	assert_int_equal(vfs_unlink(view, "/env1/site"), -EACCES);
	assert_int_equal(vfs_symlink(view, "x", "/env1/ln"), -EACCES);
	assert_int_equal(vfs_rename(view, "/env1", "/env2", 0), -EACCES);
	assert_int_equal(vfs_rename(view, "/env1/site/media/nope", "/env1/nope", 0), -EACCES);
	assert_int_equal(vfs_link(view, "/pub/media/a.txt", "/env1/a.txt"), -EACCES);
	assert_int_equal(vfs_link(view, "/env1", "/pub/media/e"), -EACCES);
	assert_int_equal(vfs_opendir(view, "/env1/nothing", &d), -ENOENT);
	assert_true(disk_exists("media/a.txt"));
}

/* Mount points directly inside a real directory show in its listing once,
 * with the mount's own directory, whether the disk has the name or not. */
static void test_nested_mount_listing(void **state)
{
	struct vfs_mount_spec m[3];
	struct vfs_view *v;
	struct vfs_dir *d;
	struct vfs_attr a;
	struct stat st;
	char dirs[3][PATH_MAX], name[VFS_NAME_MAX + 1];
	int media = 0, n = 0, top = 0, rc;

	(void)state;
	disk(dirs[0], PATH_MAX, "pub");
	disk(dirs[1], PATH_MAX, "media");
	disk(dirs[2], PATH_MAX, "ro");
	m[0] = (struct vfs_mount_spec){ "/pub", dirs[0], false };
	m[1] = (struct vfs_mount_spec){ "/pub/media", dirs[1], false };  /* pub/media on disk */
	m[2] = (struct vfs_mount_spec){ "/pub/extra", dirs[2], true };   /* pub/extra is not */
	assert_int_equal(vfs_view_open(m, 3, &v), 0);
	assert_int_equal(stat(dirs[1], &st), 0);
	assert_int_equal(vfs_opendir(v, "/pub", &d), 0);
	vfs_view_unref(v);  /* the listing holds its own reference */
	while ((rc = vfs_readdir(d, name, &a)) == 1) {
		if (strcmp(name, "media") == 0) {
			media++;
			assert_int_equal(a.mode, st.st_mode);
			assert_int_equal(a.mtime_ns, (uint32_t)st.st_mtim.tv_nsec);
		} else if (strcmp(name, "top.txt") == 0) {
			top++;
		} else {
			assert_string_equal(name, "extra");
			assert_true(S_ISDIR(a.mode));
			n++;
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(media, 1);
	assert_int_equal(top, 1);
	assert_int_equal(n, 1);
	vfs_closedir(d);
}

/* ---- read-only mount ---- */

static void test_readonly(void **state)
{
	struct vfs_setattr sa = { .valid = VFS_SET_MODE, .mode = 0600 };
	char tmp[VFS_PATH_MAX], buf[64];
	int fd;

	(void)state;
	assert_true(vfs_view_readonly(view, "/ro/f.txt"));
	assert_int_equal(vfs_open(view, "/ro/f.txt", O_RDONLY, 0, &fd), 0);
	fd_read_all(fd, buf, sizeof(buf));
	assert_string_equal(buf, "readonly");
	assert_int_equal(vfs_fsetattr(fd, &sa), -EBADF);
	close(fd);
	assert_int_equal(vfs_open(view, "/ro/f.txt", O_WRONLY, 0, &fd), -EROFS);
	assert_int_equal(vfs_open(view, "/ro/f.txt", O_RDWR, 0, &fd), -EROFS);
	assert_int_equal(vfs_open(view, "/ro/f.txt", O_RDONLY | O_TRUNC, 0, &fd), -EROFS);
	assert_int_equal(vfs_open(view, "/ro/new", O_RDONLY | O_CREAT, 0644, &fd), -EROFS);
	assert_int_equal(vfs_open(view, "/ro/f.txt", O_WRONLY | O_APPEND, 0, &fd), -EROFS);
	assert_int_equal(vfs_setattr(view, "/ro/f.txt", &sa, true), -EROFS);
	assert_int_equal(vfs_mkdir(view, "/ro/nd", 0755), -EROFS);
	assert_int_equal(vfs_rmdir(view, "/ro/d"), -EROFS);
	assert_int_equal(vfs_unlink(view, "/ro/f.txt"), -EROFS);
	assert_int_equal(vfs_rename(view, "/ro/f.txt", "/ro/g.txt", 0), -EROFS);
	assert_int_equal(vfs_rename(view, "/pub/media/a.txt", "/ro/a.txt", 0), -EROFS);
	assert_int_equal(vfs_link(view, "/ro/f.txt", "/ro/h.txt"), -EROFS);
	assert_int_equal(vfs_symlink(view, "f.txt", "/ro/ln"), -EROFS);
	assert_int_equal(vfs_open_temp(view, "/ro", "f.txt", 0600, &fd, tmp, sizeof(tmp)), -EROFS);
	assert_int_equal(disk_mode("ro/f.txt"), 0644);
	assert_true(disk_exists("ro/d"));
	assert_false(disk_exists("ro/nd") || disk_exists("ro/g.txt") || disk_exists("ro/h.txt") ||
		     disk_exists("ro/ln") || disk_exists("ro/new"));
}

/* ---- mounts against each other ---- */

static void test_cross_mount(void **state)
{
	(void)state;
	put_file("other/x.txt", "x");
	assert_int_equal(vfs_rename(view, "/pub/media/a.txt", "/other/a.txt", 0), -EXDEV);
	assert_int_equal(vfs_rename(view, "/other/x.txt", "/pub/x.txt", 0), -EXDEV);
	assert_int_equal(vfs_link(view, "/pub/media/a.txt", "/other/a.txt"), -EXDEV);
	assert_int_equal(vfs_link(view, "/pub/top.txt", "/pub/media/top.txt"), -EXDEV);
	assert_true(disk_exists("media/a.txt") && disk_exists("other/x.txt"));
	assert_false(disk_exists("other/a.txt") || disk_exists("pub/x.txt"));
	assert_int_equal(vfs_unlink(view, "/other/x.txt"), 0);
}

static void test_mount_point_pinned(void **state)
{
	struct vfs_setattr sa = { .valid = VFS_SET_MODE, .mode = 0755 };

	(void)state;
	put_file("pub/y.txt", "y");
	assert_int_equal(vfs_rename(view, "/pub/media", "/pub/m2", 0), -EBUSY);
	assert_int_equal(vfs_rename(view, "/other", "/other/sub", 0), -EBUSY);
	assert_int_equal(vfs_rename(view, "/pub/y.txt", "/pub/media", 0), -EBUSY);
	assert_int_equal(vfs_rmdir(view, "/pub/media"), -EBUSY);
	assert_int_equal(vfs_rmdir(view, "/other"), -EBUSY);
	assert_int_equal(vfs_unlink(view, "/other"), -EBUSY);
	assert_int_equal(vfs_mkdir(view, "/other", 0755), -EEXIST);
	assert_int_equal(vfs_symlink(view, "y.txt", "/other"), -EEXIST);
	assert_int_equal(vfs_link(view, "/pub/y.txt", "/pub"), -EEXIST);
	assert_int_equal(vfs_setattr(view, "/other", &sa, false), 0);  /* its own directory */
	assert_true(disk_exists("media/a.txt") && disk_exists("pub/y.txt"));
	assert_int_equal(vfs_unlink(view, "/pub/y.txt"), 0);
}

/* ---- temp files ---- */

static void test_open_temp(void **state)
{
	char t1[VFS_PATH_MAX], t2[VFS_PATH_MAX], base[VFS_NAME_MAX + 1];
	struct vfs_attr a;
	int f1, f2;

	(void)state;
	assert_int_equal(vfs_open_temp(view, "/pub/media/sub", "up.bin", 0600, &f1, t1, sizeof(t1)),
			 0);
	assert_int_equal(vfs_open_temp(view, "/pub/media/sub", "up.bin", 0600, &f2, t2, sizeof(t2)),
			 0);
	assert_int_equal(strlen(t1), strlen("/pub/media/sub/.up.bin.XXXXXX"));
	assert_memory_equal(t1, "/pub/media/sub/.up.bin.", strlen("/pub/media/sub/.up.bin."));
	assert_string_not_equal(t1, t2);
	assert_int_equal(write(f1, "data", 4), 4);
	assert_int_equal(vfs_fstat(f1, &a), 0);
	assert_int_equal(a.mode & 0777, 0600);
	close(f1);
	close(f2);
	assert_int_equal(vfs_rename(view, t1, "/pub/media/sub/up.bin", 0), 0);
	assert_int_equal(vfs_stat(view, "/pub/media/sub/up.bin", false, &a), 0);
	assert_int_equal(a.size, 4);
	assert_int_equal(vfs_unlink(view, t2), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/sub/up.bin"), 0);
	/* a base at the name limit is cut so the temp name still fits */
	memset(base, 'b', VFS_NAME_MAX);
	base[VFS_NAME_MAX] = '\0';
	assert_int_equal(vfs_open_temp(view, "/other", base, 0600, &f1, t1, sizeof(t1)), 0);
	close(f1);
	assert_int_equal(strlen(t1), strlen("/other/") + VFS_NAME_MAX);
	assert_int_equal(vfs_unlink(view, t1), 0);
	assert_int_equal(vfs_open_temp(view, "/other", "a/b", 0600, &f1, t1, sizeof(t1)), -EINVAL);
	assert_int_equal(vfs_open_temp(view, "/other", "x", 0600, &f1, t1, 10), -ENAMETOOLONG);
	assert_int_equal(vfs_open_temp(view, "/other/nodir", "x", 0600, &f1, t1, sizeof(t1)),
			 -ENOENT);
}

/* Exclusivity: a name taken by anything, a symlink included, is never reused. */
static void test_open_temp_exclusive(void **state)
{
	enum { N = 200 };
	static char names[N][VFS_PATH_MAX];
	int fd;

	(void)state;
	put_dir("other/tmpx");
	for (int i = 0; i < N; i++) {
		assert_int_equal(vfs_open_temp(view, "/other/tmpx", "f", 0600, &fd, names[i],
					       sizeof(names[i])), 0);
		close(fd);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(names[i], names[j]);
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(vfs_unlink(view, names[i]), 0);
}

/* ---- realpath ---- */

static void test_realpath(void **state)
{
	char out[VFS_PATH_MAX];

	(void)state;
	put_link("sub", "media/rp_dir");
	put_link("rp_l2", "media/rp_l1");
	put_link("rp_l1", "media/rp_l2");
	put_link("../../outside", "media/rp_out");
	assert_int_equal(vfs_realpath(view, "/pub/media/sub/../a.txt", out, sizeof(out)), 0);
	assert_string_equal(out, "/pub/media/a.txt");
	assert_int_equal(vfs_realpath(view, "/pub/media", out, sizeof(out)), 0);
	assert_string_equal(out, "/pub/media");
	assert_int_equal(vfs_realpath(view, "/pub/media/new/deeper", out, sizeof(out)), 0);
	assert_string_equal(out, "/pub/media/new/deeper");
	assert_int_equal(vfs_realpath(view, "/pub/media/rp_dir/new", out, sizeof(out)), 0);
	assert_string_equal(out, "/pub/media/sub/new");
	assert_int_equal(vfs_realpath(view, "/pub/media/rp_dir", out, sizeof(out)), 0);
	assert_string_equal(out, "/pub/media/sub");
	assert_int_equal(vfs_realpath(view, "/pub/media/rp_out", out, sizeof(out)), -EACCES);
	assert_int_equal(vfs_realpath(view, "/pub/media/rp_out/x", out, sizeof(out)), -EACCES);
	assert_int_equal(vfs_realpath(view, "/pub/media/rp_l1", out, sizeof(out)), -ELOOP);
	assert_int_equal(vfs_realpath(view, "/pub/media/a.txt/x", out, sizeof(out)), -ENOTDIR);
	assert_int_equal(vfs_realpath(view, "/pub/media/a.txt", out, 10), -ENAMETOOLONG);
	assert_int_equal(vfs_realpath(view, "/nowhere", out, sizeof(out)), -ENOENT);
	assert_int_equal(vfs_unlink(view, "/pub/media/rp_dir"), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/rp_l1"), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/rp_l2"), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/rp_out"), 0);
}

/* VFS_SYMLINK_HOPS links in a row resolve; one more is -ELOOP. */
static void test_realpath_hops(void **state)
{
	char rel[64], target[64], out[VFS_PATH_MAX];

	(void)state;
	put_dir("other/hops");
	put_file("other/hops/end", "e");
	for (int i = 0; i <= VFS_SYMLINK_HOPS; i++) {
		snprintf(rel, sizeof(rel), "other/hops/h%d", i);
		if (i == VFS_SYMLINK_HOPS)
			snprintf(target, sizeof(target), "end");
		else
			snprintf(target, sizeof(target), "h%d", i + 1);
		put_link(target, rel);
	}
	/* h1 -> ... -> h40 -> end: VFS_SYMLINK_HOPS links */
	assert_int_equal(vfs_realpath(view, "/other/hops/h1", out, sizeof(out)), 0);
	assert_string_equal(out, "/other/hops/end");
	assert_int_equal(vfs_realpath(view, "/other/hops/h0", out, sizeof(out)), -ELOOP);
}

/* A link target of VFS_PATH_MAX - 1 bytes is stored; one more is refused. */
static void test_symlink_target_limit(void **state)
{
	static char target[VFS_PATH_MAX + 1], back[VFS_PATH_MAX + 1];

	(void)state;
	long_path(target, VFS_PATH_MAX - 1);
	assert_int_equal(vfs_symlink(view, target + 1, "/other/longlink"), 0);  /* relative */
	assert_int_equal(vfs_readlink(view, "/other/longlink", back, sizeof(back)),
			 VFS_PATH_MAX - 2);
	assert_string_equal(back, target + 1);
	long_path(target, VFS_PATH_MAX - 1);
	target[VFS_PATH_MAX - 1] = 'a';
	target[VFS_PATH_MAX] = '\0';
	assert_int_equal(vfs_symlink(view, target + 1, "/other/longlink2"), 0);  /* 4095 */
	assert_int_equal(vfs_symlink(view, target, "/other/longlink3"), -ENAMETOOLONG);
	assert_false(disk_exists("other/longlink3"));
	assert_int_equal(vfs_unlink(view, "/other/longlink"), 0);
	assert_int_equal(vfs_unlink(view, "/other/longlink2"), 0);
}

/* ---- path attacks ---- */

static void test_attack_dotdot(void **state)
{
	struct vfs_attr a;
	struct vfs_dir *d;
	int fd;

	(void)state;
	/* ".." is lexical and stops at "/": these are paths outside every mount */
	assert_int_equal(vfs_open(view, "/pub/media/../../../outside/secret.txt", O_RDONLY, 0, &fd),
			 -ENOENT);
	assert_int_equal(vfs_open(view, "../../../../../../etc/passwd", O_RDONLY, 0, &fd), -ENOENT);
	assert_int_equal(vfs_stat(view, "/pub/../../outside", true, &a), -ENOENT);
	assert_int_equal(vfs_opendir(view, "/../..", &d), 0);  /* that is "/" */
	vfs_closedir(d);
	assert_int_equal(vfs_mkdir(view, "/pub/media/../../../tmp/evil", 0755), -EACCES);
}

/* Each symlink of media/ that leads outside, used every way a client can. */
static void attack_link(const char *vlink, bool is_dir)
{
	struct vfs_setattr sa = { .valid = VFS_SET_MODE | VFS_SET_SIZE, .mode = 0666, .size = 0 };
	char p[VFS_PATH_MAX], out[VFS_PATH_MAX];
	struct vfs_attr a;
	struct vfs_dir *d;
	int fd;

	assert_int_equal(vfs_stat(view, vlink, false, &a), 0);  /* the link itself is fine */
	assert_true(S_ISLNK(a.mode));
	assert_int_equal(vfs_stat(view, vlink, true, &a), -EACCES);
	assert_int_equal(vfs_open(view, vlink, O_RDONLY, 0, &fd), -EACCES);
	assert_int_equal(vfs_realpath(view, vlink, out, sizeof(out)), -EACCES);
	assert_int_equal(vfs_setattr(view, vlink, &sa, true), -EACCES);
	if (!is_dir) {
		assert_int_equal(vfs_open(view, vlink, O_WRONLY | O_TRUNC, 0, &fd), -EACCES);
		assert_int_equal(vfs_open(view, vlink, O_WRONLY | O_CREAT, 0644, &fd), -EACCES);
		return;
	}
	assert_int_equal(vfs_opendir(view, vlink, &d), -EACCES);
	snprintf(p, sizeof(p), "%s/secret.txt", vlink);
	assert_int_equal(vfs_open(view, p, O_RDONLY, 0, &fd), -EACCES);
	assert_int_equal(vfs_stat(view, p, false, &a), -EACCES);
	assert_int_equal(vfs_unlink(view, p), -EACCES);
	assert_int_equal(vfs_setattr(view, p, &sa, false), -EACCES);
	assert_int_equal(vfs_rename(view, p, "/pub/media/stolen", 0), -EACCES);
	assert_int_equal(vfs_link(view, p, "/pub/media/stolen"), -EACCES);
	assert_int_equal(vfs_readlink(view, p, out, sizeof(out)), -EACCES);
	snprintf(p, sizeof(p), "%s/new", vlink);
	assert_int_equal(vfs_open(view, p, O_WRONLY | O_CREAT, 0644, &fd), -EACCES);
	assert_int_equal(vfs_mkdir(view, p, 0755), -EACCES);
	assert_int_equal(vfs_symlink(view, "x", p), -EACCES);
	assert_int_equal(vfs_rename(view, "/pub/media/a.txt", p, 0), -EACCES);
	assert_int_equal(vfs_open_temp(view, vlink, "t", 0600, &fd, out, sizeof(out)), -EACCES);
}

static void test_attack_symlinks_out(void **state)
{
	char abs_file[PATH_MAX], abs_dir[PATH_MAX];
	char buf[64];
	int fd;

	(void)state;
	disk(abs_file, sizeof(abs_file), "outside/secret.txt");
	disk(abs_dir, sizeof(abs_dir), "outside/dir");
	put_link(abs_file, "media/abs_file");
	put_link("../outside/secret.txt", "media/rel_file");
	put_link(abs_dir, "media/abs_dir");
	put_link("../outside/dir", "media/rel_dir");
	put_link("../../outside/dir", "media/sub/rel_dir2");
	put_link("/etc/passwd", "media/etc_passwd");
	/* through the VFS: stored as given, refused when followed */
	assert_int_equal(vfs_symlink(view, "../../../outside/dir", "/pub/media/sub/made"), 0);
	attack_link("/pub/media/abs_file", false);
	attack_link("/pub/media/rel_file", false);
	attack_link("/pub/media/etc_passwd", false);
	attack_link("/pub/media/abs_dir", true);
	attack_link("/pub/media/rel_dir", true);
	attack_link("/pub/media/sub/rel_dir2", true);
	attack_link("/pub/media/sub/made", true);
	/* nothing outside was read or changed */
	assert_int_equal(disk_mode("outside/secret.txt"), 0644);
	assert_int_equal(disk_mode("outside/dir/secret.txt"), 0644);
	assert_false(disk_exists("outside/dir/new") || disk_exists("media/stolen"));
	fd = open(abs_file, O_RDONLY);
	assert_true(fd >= 0);
	fd_read_all(fd, buf, sizeof(buf));
	close(fd);
	assert_string_equal(buf, "secret");
	/* removing the link removes the link only */
	assert_int_equal(vfs_unlink(view, "/pub/media/abs_file"), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/rel_dir"), 0);
	assert_true(disk_exists("outside/secret.txt") && disk_exists("outside/dir/secret.txt"));
}

/* A link one mount's files may not use to reach another mount's. */
static void test_attack_link_to_other_mount(void **state)
{
	int fd;

	(void)state;
	put_link("../other", "pub/to_other");
	assert_int_equal(vfs_open(view, "/pub/to_other/x", O_RDONLY, 0, &fd), -EACCES);
	assert_int_equal(vfs_unlink(view, "/pub/to_other"), 0);
}

static void test_attack_magic_links(void **state)
{
	struct vfs_mount_spec m = { "/proc", "/proc/self", false };
	struct vfs_view *pv;
	struct vfs_attr a;
	struct vfs_dir *d;
	char out[VFS_PATH_MAX];
	int fd;

	(void)state;
	put_link("/proc/self/cwd", "media/cwd");
	put_link("/proc/self/root", "media/rootlink");
	assert_int_equal(vfs_open(view, "/pub/media/cwd/outside/secret.txt", O_RDONLY, 0, &fd),
			 -EACCES);
	assert_int_equal(vfs_opendir(view, "/pub/media/rootlink", &d), -EACCES);
	assert_int_equal(vfs_open(view, "/pub/media/rootlink/etc/passwd", O_RDONLY, 0, &fd), -EACCES);
	/* a mount whose directory holds real magic links: RESOLVE_NO_MAGICLINKS */
	assert_int_equal(vfs_view_open(&m, 1, &pv), 0);
	assert_int_equal(vfs_stat(pv, "/proc/cwd", true, &a), -EACCES);
	assert_int_equal(vfs_open(pv, "/proc/root/etc/passwd", O_RDONLY, 0, &fd), -EACCES);
	assert_int_equal(vfs_opendir(pv, "/proc/cwd", &d), -EACCES);
	assert_int_equal(vfs_opendir(pv, "/proc/root", &d), -EACCES);
	assert_int_equal(vfs_realpath(pv, "/proc/cwd", out, sizeof(out)), -EACCES);
	assert_int_equal(vfs_open(pv, "/proc/fd/0", O_RDONLY, 0, &fd), -EACCES);
	vfs_view_unref(pv);
	assert_int_equal(vfs_unlink(view, "/pub/media/cwd"), 0);
	assert_int_equal(vfs_unlink(view, "/pub/media/rootlink"), 0);
}

/* A directory swapped for a symlink to the outside, over and over, while the
 * VFS resolves paths through it: every answer is "inside" or a refusal. */
static atomic_bool swap_stop;

static void *swap_thread(void *arg)
{
	char a[PATH_MAX], b[PATH_MAX];

	(void)arg;
	disk(a, sizeof(a), "media/swap");
	disk(b, sizeof(b), "media/swap_alt");
	while (!atomic_load(&swap_stop))
		renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
	return NULL;
}

static void test_attack_swap_race(void **state)
{
	enum { TRIES = 20000 };
	char buf[64], out[VFS_PATH_MAX];
	struct vfs_attr a;
	pthread_t t;
	int fd, ok = 0, refused = 0;

	(void)state;
	put_dir("media/swap");
	put_file("media/swap/secret.txt", "inside");
	put_link("../outside/dir", "media/swap_alt");
	atomic_store(&swap_stop, false);
	assert_int_equal(pthread_create(&t, NULL, swap_thread, NULL), 0);
	for (int i = 0; i < TRIES; i++) {
		int rc = vfs_open(view, "/pub/media/swap/secret.txt", O_RDWR, 0, &fd);

		if (rc == 0) {
			fd_read_all(fd, buf, sizeof(buf));
			close(fd);
			assert_string_equal(buf, "inside");
			ok++;
		} else {
			assert_true(rc == -EACCES || rc == -ENOENT);
			refused++;
		}
		rc = vfs_realpath(view, "/pub/media/swap/secret.txt", out, sizeof(out));
		if (rc == 0)
			assert_memory_equal(out, "/pub/media/swap", strlen("/pub/media/swap"));
		else
			assert_true(rc == -EACCES || rc == -ENOENT || rc == -ELOOP);
		rc = vfs_stat(view, "/pub/media/swap/secret.txt", false, &a);
		assert_true(rc == 0 || rc == -EACCES || rc == -ENOENT);
	}
	atomic_store(&swap_stop, true);
	pthread_join(t, NULL);
	assert_true(ok > 0 && refused > 0);  /* both sides of the race were seen */
	assert_int_equal(disk_mode("outside/dir/secret.txt"), 0644);
}

/* Open fds of this process (what /proc/self/fd lists, minus the listing's own). */
static int count_fds(void)
{
	char p[64];
	int n = 0;

	for (int fd = 0; fd < 4096; fd++) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n += access(p, F_OK) == 0;
	}
	return n;
}

static bool view_has(struct vfs_view *v, const char *vpath)
{
	struct vfs_attr a;

	return vfs_stat(v, vpath, true, &a) == 0;
}

/* Views of one directory share one fd; a directory replaced under its path
 * is a new one for new views, while older views keep the one they had. */
static void test_shared_roots(void **state)
{
	char dir[PATH_MAX], old[PATH_MAX];
	struct vfs_mount_spec m = { .vpath = "/s", .dir = dir };
	struct vfs_view *v[3], *fresh;
	int base;

	(void)state;
	put_dir("shared");
	put_file("shared/first", "1");
	disk(dir, sizeof(dir), "shared");
	disk(old, sizeof(old), "shared-old");
	base = count_fds();
	for (int i = 0; i < 3; i++)
		assert_int_equal(vfs_view_open(&m, 1, &v[i]), 0);
	assert_int_equal(count_fds(), base + 1);
	assert_int_equal(rename(dir, old), 0);
	put_dir("shared");
	put_file("shared/second", "2");
	assert_int_equal(vfs_view_open(&m, 1, &fresh), 0);
	assert_int_equal(count_fds(), base + 2);
	assert_true(view_has(fresh, "/s/second") && !view_has(fresh, "/s/first"));
	assert_true(view_has(v[0], "/s/first") && !view_has(v[0], "/s/second"));
	for (int i = 0; i < 3; i++)
		vfs_view_unref(v[i]);
	assert_int_equal(count_fds(), base + 1);
	vfs_view_unref(fresh);
	assert_int_equal(count_fds(), base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_table),
		cmocka_unit_test(test_normalize_nul),
		cmocka_unit_test(test_normalize_random),
		cmocka_unit_test(test_normalize_limits),
		cmocka_unit_test(test_view_limits),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_basic_ops),
		cmocka_unit_test(test_rename_noreplace_link),
		cmocka_unit_test(test_rename_parents),
		cmocka_unit_test(test_symlink_inside),
		cmocka_unit_test(test_setattr),
		cmocka_unit_test(test_set_owner),
		cmocka_unit_test(test_statvfs),
		cmocka_unit_test(test_copy_range),
		cmocka_unit_test(test_readdir_many),
		cmocka_unit_test(test_fifo_refused),
		cmocka_unit_test(test_open_cached),
		cmocka_unit_test(test_synth_stat_list),
		cmocka_unit_test(test_synth_writes_refused),
		cmocka_unit_test(test_nested_mount_listing),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_cross_mount),
		cmocka_unit_test(test_mount_point_pinned),
		cmocka_unit_test(test_open_temp),
		cmocka_unit_test(test_open_temp_exclusive),
		cmocka_unit_test(test_realpath),
		cmocka_unit_test(test_realpath_hops),
		cmocka_unit_test(test_symlink_target_limit),
		cmocka_unit_test(test_attack_dotdot),
		cmocka_unit_test(test_attack_symlinks_out),
		cmocka_unit_test(test_attack_link_to_other_mount),
		cmocka_unit_test(test_attack_magic_links),
		cmocka_unit_test(test_attack_swap_race),
		cmocka_unit_test(test_shared_roots),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
