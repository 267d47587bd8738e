/* scpd_source.c — scp -f: sends files and trees to the client's sink.
 *
 * Follows OpenSSH's source(): wait for the sink's first 0, then per file an
 * optional T line, the C line, the data, a 0 (or an error) and the sink's
 * answer; directories (with -r) are D ... E around their entries. Wildcards in
 * an operand are expanded here, inside the view, since no shell does it.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scpd.h"
#include "sftpgw/err.h"

#define SCPD_FILEMODE 06777 /* mode bits sent, as OpenSSH (no sticky bit) */

static bool scpd_has_glob(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

static int scpd_send_line(struct scpd *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int scpd_send_line(struct scpd *s, const char *fmt, ...)
{
	char line[SCPD_MAX_LINE + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > SCPD_MAX_LINE)
		return -1;
	return scpd__send(s, line, (size_t)n);
}

/* T line with -p; 0 when the sink took it. */
static int scpd_send_times(struct scpd *s, const struct vfs_attr *a)
{
	if (!s->o.preserve)
		return 0;
	if (scpd_send_line(s, "T%" PRId64 " 0 %" PRId64 " 0\n", a->mtime, a->atime) != 0)
		return -2;
	return scpd__response(s);
}

/* Streams size bytes of fd; a read error is padded with zeros and reported. */
static void scpd_send_data(struct scpd *s, int fd, uint64_t size, const char *disp)
{
	int rerr = 0;

	for (uint64_t off = 0; off < size && !s->fatal;) {
		size_t want = size - off < SCPD_CHUNK ? (size_t)(size - off) : SCPD_CHUNK;
		ssize_t n = rerr ? 0 : pread(fd, s->chunk, want, (off_t)off);

		if (n <= 0) {
			if (rerr == 0)
				rerr = n < 0 ? -errno : -EIO; /* shrank while sending */
			memset(s->chunk, 0, want);
			n = (ssize_t)want;
		}
		scpd__send(s, s->chunk, (size_t)n);
		off += (uint64_t)n;
	}
	if (rerr == 0)
		scpd__send(s, "", 1);
	else
		scpd__err(s, "%s: %s", disp, sgw_strerror(rerr));
	scpd__response(s);
}

static const char *scpd_base(const char *vpath)
{
	const char *b = strrchr(vpath, '/');

	return b && b[1] ? b + 1 : vpath;
}

static void scpd_send_one(struct scpd *s, const char *disp, const char *vpath, int depth);

static void scpd_send_dir(struct scpd *s, const char *disp, const char *vpath,
                          const struct vfs_attr *a, int depth)
{
	char name[VFS_NAME_MAX + 1], cdisp[VFS_PATH_MAX], cpath[VFS_PATH_MAX];
	struct vfs_attr ca;
	struct vfs_dir *d;
	int r;

	if (depth >= SCPD_MAX_DEPTH) {
		scpd__err(s, "%s: too deeply nested", disp);
		return;
	}
	if ((r = vfs_opendir(xjob_view(s->j), vpath, &d)) != 0) {
		scpd__err(s, "%s: %s", disp, sgw_strerror(r));
		return;
	}
	if (scpd_send_times(s, a) != 0 ||
	    scpd_send_line(s, "D%04o 0 %s\n", (unsigned)(a->mode & SCPD_FILEMODE),
	                   scpd_base(vpath)) != 0 ||
	    scpd__response(s) != 0) {
		vfs_closedir(d);
		return;
	}
	while (!s->fatal && (r = vfs_readdir(d, name, &ca)) > 0) {
		scpd__join(cdisp, sizeof(cdisp), disp, name);
		scpd__join(cpath, sizeof(cpath), vpath, name);
		scpd_send_one(s, cdisp, cpath, depth + 1);
	}
	vfs_closedir(d);
	if (r < 0)
		scpd__err(s, "%s: %s", disp, sgw_strerror(r));
	if (!s->fatal && scpd_send_line(s, "E\n") == 0)
		scpd__response(s);
}

static void scpd_send_one(struct scpd *s, const char *disp, const char *vpath, int depth)
{
	struct vfs_attr a;
	int fd, r;

	if (s->fatal)
		return;
	if (strchr(scpd_base(vpath), '\n') != NULL) {
		scpd__err(s, "%s: file name contains a newline, skipped", disp);
		return;
	}
	if ((r = vfs_stat(xjob_view(s->j), vpath, true, &a)) != 0) {
		scpd__err(s, "%s: %s", disp, sgw_strerror(r));
		return;
	}
	if (S_ISDIR(a.mode)) {
		if (s->o.recursive)
			scpd_send_dir(s, disp, vpath, &a, depth);
		else
			scpd__err(s, "%s: not a regular file", disp);
		return;
	}
	if (!S_ISREG(a.mode)) {
		scpd__err(s, "%s: not a regular file", disp);
		return;
	}
	if ((r = vfs_open(xjob_view(s->j), vpath, O_RDONLY, 0, &fd)) != 0) {
		scpd__err(s, "%s: %s", disp, sgw_strerror(r));
		return;
	}
	if ((r = vfs_fstat(fd, &a)) != 0) {
		scpd__err(s, "%s: %s", disp, sgw_strerror(r));
		close(fd);
		return;
	}
	if (scpd_send_times(s, &a) == 0 &&
	    scpd_send_line(s, "C%04o %" PRIu64 " %s\n", (unsigned)(a.mode & SCPD_FILEMODE), a.size,
	                   scpd_base(vpath)) == 0 &&
	    scpd__response(s) == 0)
		scpd_send_data(s, fd, a.size, disp);
	close(fd);
}

/* --- wildcards --- */

struct scpd_matches {
	char **v;
	size_t n, cap;
	bool too_many;
};

static int scpd_match_add(struct scpd_matches *m, const char *path)
{
	if (m->n >= SCPD_MAX_GLOB) {
		m->too_many = true;
		return SGW_ELIMIT;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		char **v = realloc(m->v, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	if ((m->v[m->n] = strdup(path)) == NULL)
		return -ENOMEM;
	m->n++;
	return 0;
}

/* Matches the components of rest (a normalized path tail) below dir. */
static int scpd_glob_walk(struct scpd *s, const char *dir, const char *rest,
                          struct scpd_matches *m)
{
	char comp[VFS_NAME_MAX + 1], name[VFS_NAME_MAX + 1], path[VFS_PATH_MAX];
	size_t cl = strcspn(rest, "/");
	const char *next = rest[cl] == '/' ? rest + cl + 1 : NULL;
	struct vfs_attr a;
	struct vfs_dir *d;
	int r;

	if (cl > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(comp, rest, cl);
	comp[cl] = '\0';
	if (!scpd_has_glob(comp)) {
		scpd__join(path, sizeof(path), dir, comp);
		return next ? scpd_glob_walk(s, path, next, m) : scpd_match_add(m, path);
	}
	if ((r = vfs_opendir(xjob_view(s->j), dir, &d)) != 0)
		return r == -ENOTDIR ? 0 : r;
	while ((r = vfs_readdir(d, name, &a)) > 0) {
		if (fnmatch(comp, name, FNM_PERIOD) != 0)
			continue;
		scpd__join(path, sizeof(path), dir, name);
		r = next ? scpd_glob_walk(s, path, next, m) : scpd_match_add(m, path);
		if (r < 0 && r != -ENOENT)
			break;
	}
	vfs_closedir(d);
	return r < 0 && r != -ENOENT ? r : 0;
}

static int scpd_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scpd_send_glob(struct scpd *s, const char *arg, const char *vpath)
{
	struct scpd_matches m = { 0 };
	int r = scpd_glob_walk(s, "/", vpath + 1, &m);

	if (r < 0 || m.n == 0)
		scpd__err(s, "%s: %s", arg, m.too_many ? "too many matches" :
		          sgw_strerror(r < 0 ? r : -ENOENT));
	else {
		qsort(m.v, m.n, sizeof(*m.v), scpd_cmp);
		for (size_t i = 0; i < m.n && !s->fatal; i++)
			/* relative operands are shown relative, like a shell's expansion */
			scpd_send_one(s, arg[0] == '/' ? m.v[i] : m.v[i] + 1, m.v[i], 0);
	}
	for (size_t i = 0; i < m.n; i++)
		free(m.v[i]);
	free(m.v);
}

void scpd__source(struct scpd *s)
{
	char vpath[VFS_PATH_MAX];

	if (scpd__response(s) != 0)
		return;
	for (int i = 0; i < s->o.nargs && !s->fatal; i++) {
		const char *arg = s->o.args[i];
		int r = xjob_path_resolve(NULL, arg, vpath, sizeof(vpath));

		if (r != 0)
			scpd__err(s, "%s: %s", arg, sgw_strerror(r));
		else if (scpd_has_glob(vpath) && strcmp(vpath, "/") != 0)
			scpd_send_glob(s, arg, vpath);
		else
			scpd_send_one(s, arg, vpath, 0);
	}
}
