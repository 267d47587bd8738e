/* scpd_sink.c — scp -t: receives files and trees from the client's source.
 *
 * Follows OpenSSH's sink(): a 0 to start each level, then records until E or
 * EOF. A file is written to a temp name in its directory and renamed over the
 * real name only once all of it arrived and the source said 0, so an aborted
 * transfer never leaves a truncated file; the temp file is removed on every
 * failure, including the channel going away mid-file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scpd.h"
#include "sftpgw/err.h"

struct scpd_times {
	bool set;
	int64_t mtime, atime;
};

static void scpd_sink_level(struct scpd *s, const char *disp, const char *vpath, bool isdir,
                            int depth);

static void scpd_split(const char *vpath, char *dir, size_t dirsz, const char **base)
{
	const char *slash = strrchr(vpath, '/');
	size_t dl = slash == vpath ? 1 : (size_t)(slash - vpath);

	snprintf(dir, dirsz, "%.*s", (int)dl, vpath);
	*base = slash + 1;
}

/* Reads the file's bytes into fd; 0, or the first write error (data still
 * consumed), or SGW_EPROTOCOL when the client went away. */
static int scpd_recv_data(struct scpd *s, int fd, uint64_t size)
{
	int werr = 0;

	for (uint64_t off = 0; off < size;) {
		size_t want = size - off < SCPD_CHUNK ? (size_t)(size - off) : SCPD_CHUNK;

		if (scpd__read(s, s->chunk, want) != 0)
			return SGW_EPROTOCOL;
		for (size_t done = 0; werr == 0 && done < want;) {
			ssize_t w = pwrite(fd, s->chunk + done, want - done, (off_t)(off + done));
			if (w < 0)
				werr = -errno;
			else
				done += (size_t)w;
		}
		off += want;
	}
	return werr;
}

/* Mode and times for the finished file, as OpenSSH sets them. */
static int scpd_finish_attrs(struct scpd *s, int fd, const struct scpd_ctl *c, bool exists,
                             uint32_t old_mode, const struct scpd_times *t)
{
	struct vfs_setattr sa = { .valid = VFS_SET_MODE };

	if (s->o.preserve)
		sa.mode = c->mode;
	else if (exists)
		sa.mode = old_mode & 07777;
	else
		sa.mode = c->mode & ~(uint32_t)SCPD_UMASK;
	if (t->set) {
		sa.valid |= VFS_SET_TIMES;
		sa.mtime = t->mtime;
		sa.atime = t->atime;
	}
	return vfs_fsetattr(fd, &sa);
}

static void scpd_sink_file(struct scpd *s, const struct scpd_ctl *c, const char *disp,
                           const char *np, const struct scpd_times *t)
{
	struct vfs_view *v = xjob_view(s->j);
	char dir[VFS_PATH_MAX], tmp[VFS_PATH_MAX];
	const char *base;
	struct vfs_attr a;
	bool exists;
	int fd, r;

	r = vfs_stat(v, np, true, &a);
	exists = r == 0;
	if (exists && S_ISDIR(a.mode))
		r = -EISDIR;
	else if (r == -ENOENT)
		r = 0;
	scpd_split(np, dir, sizeof(dir), &base);
	if (r != 0 || (r = vfs_open_temp(v, dir, base, 0600, &fd, tmp, sizeof(tmp))) != 0) {
		scpd__err(s, "%s: %s", disp, sgw_strerror(r));
		return;
	}
	if (scpd__send(s, "", 1) != 0 || (r = scpd_recv_data(s, fd, c->size)) == SGW_EPROTOCOL ||
	    scpd__response(s) != 0) {
		/* aborted, or the source reported a read error: no partial file */
		close(fd);
		vfs_unlink(v, tmp);
		return;
	}
	if (r == 0)
		r = scpd_finish_attrs(s, fd, c, exists, a.mode, t);
	if (close(fd) != 0 && r == 0)
		r = -errno;
	if (r == 0)
		r = vfs_rename(v, tmp, np, 0);
	if (r != 0) {
		vfs_unlink(v, tmp);
		scpd__err(s, "%s: %s", disp, sgw_strerror(r));
		return;
	}
	scpd__send(s, "", 1);
}

static void scpd_sink_dir(struct scpd *s, const struct scpd_ctl *c, const char *disp,
                          const char *np, const struct scpd_times *t, int depth)
{
	struct vfs_view *v = xjob_view(s->j);
	struct vfs_setattr sa = { 0 };
	struct vfs_attr a;
	bool created = false;
	int r;

	if (!s->o.recursive) {
		scpd__err(s, "received directory without -r");
		s->fatal = true;
		return;
	}
	if (depth + 1 >= SCPD_MAX_DEPTH) {
		scpd__err(s, "%s: too deeply nested", disp);
		s->fatal = true;
		return;
	}
	if ((r = vfs_stat(v, np, true, &a)) == 0 && !S_ISDIR(a.mode))
		r = -ENOTDIR;
	else if (r == -ENOENT && (r = vfs_mkdir(v, np, (c->mode | 0700) & 07777)) == 0)
		created = true;
	if (r != 0) {
		scpd__err(s, "%s: %s", disp, sgw_strerror(r));
		return;
	}
	scpd_sink_level(s, disp, np, true, depth + 1);
	if (s->fatal)
		return;
	if (s->o.preserve || created) {
		sa.valid |= VFS_SET_MODE;
		sa.mode = s->o.preserve ? c->mode : c->mode & ~(uint32_t)SCPD_UMASK;
	}
	if (t->set) {
		sa.valid |= VFS_SET_TIMES;
		sa.mtime = t->mtime;
		sa.atime = t->atime;
	}
	if (sa.valid != 0 && (r = vfs_setattr(v, np, &sa, true)) != 0)
		scpd__err(s, "%s: set mode/times: %s", disp, sgw_strerror(r));
}

/* Reads the rest of a record whose first byte is c; 0 or -1 (fatal). */
static int scpd_read_line(struct scpd *s, int c, struct scpd_line *l)
{
	int r;

	l->len = 0;
	for (r = scpd_line_feed(l, (uint8_t)c); r == 0; r = scpd_line_feed(l, (uint8_t)c))
		if ((c = scpd__getc(s)) < 0)
			return -1;
	if (r < 0) {
		scpd__err(s, "protocol error: control line too long");
		s->fatal = true;
		return -1;
	}
	return 0;
}

/* One record at this level; false at its end (E, EOF, fatal). */
static bool scpd_sink_record(struct scpd *s, const char *disp, const char *vpath, bool isdir,
                             int depth, struct scpd_times *t)
{
	char ndisp[VFS_PATH_MAX], np[VFS_PATH_MAX];
	struct scpd_line l;
	struct scpd_ctl c;
	const char *why;
	int ch = scpd__getc(s);

	if (ch < 0) {
		if (s->eof && depth == 0)
			s->fatal = false; /* the source is done: a normal end */
		return false;
	}
	if (scpd_read_line(s, ch, &l) != 0)
		return false;
	if (ch == 1 || ch == 2) { /* the source's error, already shown to the user */
		s->errs++;
		s->fatal = ch == 2;
		return ch == 1;
	}
	if (scpd_ctl_parse(l.buf, l.len, &c, &why) != 0) {
		scpd__err(s, "protocol error: %s", why);
		s->fatal = true;
		return false;
	}
	if (c.type == 'E' || c.type == 'T') {
		t->set = c.type == 'T';
		t->mtime = c.mtime;
		t->atime = c.atime;
		scpd__send(s, "", 1);
		return c.type == 'T' && !s->fatal;
	}
	scpd__join(ndisp, sizeof(ndisp), disp, c.name);
	scpd__join(np, sizeof(np), vpath, c.name);
	if (c.type == 'D')
		scpd_sink_dir(s, &c, isdir ? ndisp : disp, isdir ? np : vpath, t, depth);
	else
		scpd_sink_file(s, &c, isdir ? ndisp : disp, isdir ? np : vpath, t);
	t->set = false;
	return !s->fatal;
}

static void scpd_sink_level(struct scpd *s, const char *disp, const char *vpath, bool isdir,
                            int depth)
{
	struct scpd_times t = { .set = false };

	if (scpd__send(s, "", 1) != 0)
		return;
	while (scpd_sink_record(s, disp, vpath, isdir, depth, &t))
		;
}

void scpd__sink(struct scpd *s)
{
	const char *arg = s->o.args[0];
	char vpath[VFS_PATH_MAX];
	struct vfs_attr a;
	bool isdir;
	int r;

	if ((r = xjob_path_resolve(NULL, arg, vpath, sizeof(vpath))) != 0) {
		scpd__err(s, "%s: %s", arg, sgw_strerror(r));
		return;
	}
	r = vfs_stat(xjob_view(s->j), vpath, true, &a);
	isdir = r == 0 && S_ISDIR(a.mode);
	if (s->o.target_dir && !isdir) {
		scpd__err(s, "%s: %s", arg, sgw_strerror(r != 0 ? r : -ENOTDIR));
		return;
	}
	scpd_sink_level(s, arg, vpath, isdir, 0);
}
