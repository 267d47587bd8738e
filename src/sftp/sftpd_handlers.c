/* sftpd_handlers.c — the SFTP v3 requests and the table that dispatches them.
 *
 * Each request: parse (loop thread: every field through sbuf getters, limits
 * checked), work (threadpool: the VFS call), reply (loop: success reply;
 * errors become a STATUS via sftpd_status_from_err). Replies that carry file
 * data or listings are built on the threadpool, next to the work.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sftpgw/err.h"
#include "sftpd_int.h"

#define VIEW(r) ((r)->s->view)

static int sftpd_reply_built(struct sftpd_req *r)
{
	return sftpd__reply_end(r);
}

static int sftpd_reply_handle(struct sftpd_req *r)
{
	int rc;

	if ((rc = sftpd__reply_begin(r, SSH_FXP_HANDLE)) != 0 || (rc = sftpd__handle_add(r)) != 0)
		return rc;
	return sftpd__reply_end(r);
}

static int sftpd_reply_attrs(struct sftpd_req *r)
{
	int rc;

	if ((rc = sftpd__reply_begin(r, SSH_FXP_ATTRS)) != 0 || (rc = sftpd__attrs_put(&r->rep, &r->st)) != 0)
		return rc;
	return sftpd__reply_end(r);
}

/* Threadpool: a NAME reply with one entry and empty attributes (REALPATH, READLINK). */
static int sftpd_build_name1(struct sftpd_req *r, const char *name)
{
	int rc;

	if ((rc = sftpd__reply_begin(r, SSH_FXP_NAME)) != 0 || (rc = sbuf_put_u32(&r->rep, 1)) != 0 ||
	    (rc = sbuf_put_cstring(&r->rep, name)) != 0 || (rc = sbuf_put_cstring(&r->rep, name)) != 0)
		return rc;
	return sbuf_put_u32(&r->rep, 0);
}

static int sftpd_oflags(uint32_t pflags)
{
	int fl;

	if ((pflags & SSH_FXF_READ) && (pflags & SSH_FXF_WRITE))
		fl = O_RDWR;
	else if (pflags & SSH_FXF_WRITE)
		fl = O_WRONLY;
	else
		fl = O_RDONLY;
	if (pflags & SSH_FXF_APPEND)
		fl |= O_APPEND;
	if (pflags & SSH_FXF_CREAT)
		fl |= O_CREAT;
	if (pflags & SSH_FXF_TRUNC)
		fl |= O_TRUNC;
	if (pflags & SSH_FXF_EXCL)
		fl |= O_EXCL;
	return fl;
}

/* ---- OPEN / OPENDIR / CLOSE ---- */

static int sftpd_parse_open(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_path(m, &r->p1)) != 0 || (rc = sbuf_get_u32(m, &r->u32)) != 0 ||
	    (rc = sftpd__attrs_get(m, &r->a)) != 0)
		return rc;
	if ((rc = sbuf_expect_end(m)) != 0 || (rc = sftpd__handle_reserve(r->s)) != 0)
		return rc;
	r->opens_handle = true;
	return 0;
}

static void sftpd_work_open(struct sftpd_req *r)
{
	mode_t mode = (r->a.flags & SSH_FILEXFER_ATTR_PERMISSIONS) ? (r->a.perm & 07777) : 0666;

	r->err = vfs_open(VIEW(r), r->p1, sftpd_oflags(r->u32), mode, &r->fd);
	if (r->err == 0)
		r->local = vfs_fd_local(r->fd);
}

/* Read-only opens of files whose path is in the dentry cache. */
static bool sftpd_now_open(struct sftpd_req *r)
{
	if (r->u32 & (SSH_FXF_WRITE | SSH_FXF_APPEND | SSH_FXF_CREAT | SSH_FXF_TRUNC | SSH_FXF_EXCL))
		return false;
	if (vfs_open_cached(VIEW(r), r->p1, sftpd_oflags(r->u32), &r->fd) != 0)
		return false;
	r->local = true;
	return true;
}

static int sftpd_parse_opendir(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_path(m, &r->p1)) != 0 || (rc = sbuf_expect_end(m)) != 0 ||
	    (rc = sftpd__handle_reserve(r->s)) != 0)
		return rc;
	r->opens_handle = true;
	return 0;
}

static void sftpd_work_opendir(struct sftpd_req *r)
{
	r->err = vfs_opendir(VIEW(r), r->p1, &r->dir);
}

static int sftpd_parse_handle(struct sftpd_req *r, struct sbuf *m)
{
	return sftpd__get_handle(r, m, &r->h);
}

static int sftpd_parse_close(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_handle(r, m, &r->h)) != 0 || (rc = sbuf_expect_end(m)) != 0)
		return rc;
	r->h->closing = true;   /* later requests naming it fail at once */
	return 0;
}

static void sftpd_work_close(struct sftpd_req *r)
{
	struct sftpd_handle *h = r->h;

	if (h->fd >= 0 && close(h->fd) != 0)
		r->err = -errno;
	if (h->dir != NULL)
		vfs_closedir(h->dir);
	h->fd = -1;
	h->dir = NULL;
}

/* ---- READ / WRITE ---- */

static int sftpd_parse_read(struct sftpd_req *r, struct sbuf *m)
{
	uint32_t len;
	int rc;

	if ((rc = sftpd__get_handle(r, m, &r->h)) != 0 || (rc = sbuf_get_u64(m, &r->off)) != 0 ||
	    (rc = sbuf_get_u32(m, &len)) != 0)
		return rc;
	if (r->h->fd < 0)
		return -EBADF;
	/* Larger asks get what we announced, as OpenSSH's server does. */
	r->len = len < SFTPD_MAX_IO ? len : SFTPD_MAX_IO;
	r->s->mem += r->len;
	r->cost += r->len;
	return 0;
}

static void sftpd_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The buffer is sized to the request and has room for the reply header,
 * so the DATA reply leaves in one write without a copy. */
static int sftpd_read_buf(struct sftpd_req *r)
{
	if (r->data == NULL && (r->data = malloc(SFTPD_DATA_HDR + r->len)) == NULL)
		return -ENOMEM;
	return 0;
}

/* Reads from the page cache only (RWF_NOWAIT): EAGAIN when a page is not
 * there, EOPNOTSUPP where the file system cannot tell. Then the threadpool
 * goes on from r->dlen. */
static bool sftpd_now_read(struct sftpd_req *r)
{
	struct iovec iov;
	size_t got = 0;
	ssize_t n;

	if (!r->h->local || sftpd_read_buf(r) != 0)
		return false;
	while (got < r->len) {
		iov.iov_base = r->data + SFTPD_DATA_HDR + got;
		iov.iov_len = r->len - got;
		n = preadv2(r->h->fd, &iov, 1, (off_t)(r->off + got), RWF_NOWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->dlen = got;
			return false;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0 && r->len > 0)
		r->err = SFTPD_ERR_EOF;
	r->dlen = got;
	return true;
}

static void sftpd_work_read(struct sftpd_req *r)
{
	size_t got = r->dlen;   /* what sftpd_now_read got */
	ssize_t n;

	if ((r->err = sftpd_read_buf(r)) != 0)
		return;
	while (got < r->len) {
		n = pread(r->h->fd, r->data + SFTPD_DATA_HDR + got, r->len - got, (off_t)(r->off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->err = -errno;
			return;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0 && r->len > 0) {
		r->err = SFTPD_ERR_EOF;
		return;
	}
	r->dlen = got;
}

static int sftpd_reply_read(struct sftpd_req *r)
{
	sftpd_put_be32(r->data, (uint32_t)(SFTPD_DATA_HDR - 4 + r->dlen));
	r->data[4] = SSH_FXP_DATA;
	sftpd_put_be32(r->data + 5, r->id);
	sftpd_put_be32(r->data + 9, (uint32_t)r->dlen);
	r->out = r->data;
	r->out_len = SFTPD_DATA_HDR + r->dlen;
	r->out_off = 0;
	return 0;
}

/* Keeps a WRITE payload until the work runs. A message completed in the
 * reassembly buffer gives the whole buffer away instead of being copied
 * again; the next message gets a fresh one. */
static int sftpd_take_payload(struct sftpd_req *r, const uint8_t *p, size_t n)
{
	struct sbuf *in = &r->s->in;
	size_t cost = n;

	if (in->d != NULL && p >= in->d && p + n <= in->d + in->len) {
		r->data = in->d;
		r->wdata = p;
		cost = in->cap;
		in->d = NULL;
		sbuf_free(in);
	} else if (n > 0) {
		if ((r->data = malloc(n)) == NULL)
			return -ENOMEM;
		memcpy(r->data, p, n);
		r->wdata = r->data;
	}
	r->dlen = n;
	r->s->mem += cost;
	r->cost += cost;
	return 0;
}

static int sftpd_parse_write(struct sftpd_req *r, struct sbuf *m)
{
	const uint8_t *p;
	size_t n;
	int rc;

	if ((rc = sftpd__get_handle(r, m, &r->h)) != 0 || (rc = sbuf_get_u64(m, &r->off)) != 0 ||
	    (rc = sbuf_get_string(m, &p, &n)) != 0 || (rc = sbuf_expect_end(m)) != 0)
		return rc;
	if (r->h->fd < 0)
		return -EBADF;
	if (n > SFTPD_MAX_IO)
		return SGW_ETOOBIG;
	return sftpd_take_payload(r, p, n);
}

static void sftpd_work_write(struct sftpd_req *r)
{
	size_t done = 0;
	ssize_t n;

	while (done < r->dlen) {
		n = pwrite(r->h->fd, r->wdata + done, r->dlen - done, (off_t)(r->off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r->err = n < 0 ? -errno : -EIO;
			return;
		}
		done += (size_t)n;
	}
}

/* ---- attributes ---- */

static int sftpd_parse_path(struct sftpd_req *r, struct sbuf *m)
{
	return sftpd__get_path(m, &r->p1);
}

static void sftpd_work_stat(struct sftpd_req *r)
{
	r->err = vfs_stat(VIEW(r), r->p1, true, &r->st);
}

static void sftpd_work_lstat(struct sftpd_req *r)
{
	r->err = vfs_stat(VIEW(r), r->p1, false, &r->st);
}

static void sftpd_work_fstat(struct sftpd_req *r)
{
	if (r->h->fd >= 0)
		r->err = vfs_fstat(r->h->fd, &r->st);
	else
		r->err = vfs_stat(VIEW(r), r->h->vpath, true, &r->st);
}

static int sftpd_parse_setstat(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_path(m, &r->p1)) != 0)
		return rc;
	return sftpd__attrs_get(m, &r->a);
}

static void sftpd_work_setstat(struct sftpd_req *r)
{
	struct vfs_setattr sa;

	sftpd__attrs_to_set(&r->a, &sa);
	r->err = vfs_setattr(VIEW(r), r->p1, &sa, true);
}

static int sftpd_parse_fsetstat(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_handle(r, m, &r->h)) != 0)
		return rc;
	return sftpd__attrs_get(m, &r->a);
}

static void sftpd_work_fsetstat(struct sftpd_req *r)
{
	struct vfs_setattr sa;

	sftpd__attrs_to_set(&r->a, &sa);
	if (r->h->fd >= 0)
		r->err = vfs_fsetattr(r->h->fd, &sa);
	else
		r->err = vfs_setattr(VIEW(r), r->h->vpath, &sa, true);
}

/* ---- directories ---- */

static int sftpd_parse_readdir(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_handle(r, m, &r->h)) != 0)
		return rc;
	if (r->h->dir == NULL)
		return -EBADF;
	r->s->mem += SFTPD_READDIR_BYTES;
	r->cost += SFTPD_READDIR_BYTES;
	return 0;
}

static int sftpd_readdir_entry(struct sftpd_req *r, const char *name, const struct vfs_attr *a,
                               int64_t now)
{
	char longname[VFS_NAME_MAX + 160];
	int rc;

	sftpd__longname(longname, sizeof(longname), name, a, r->s->user, now);
	if ((rc = sbuf_put_cstring(&r->rep, name)) != 0 || (rc = sbuf_put_cstring(&r->rep, longname)) != 0)
		return rc;
	return sftpd__attrs_put(&r->rep, a);
}

/* Reads a batch of entries; each takes well under 1 KiB, so stopping 1 KiB
 * before the byte budget never splits one. */
static void sftpd_work_readdir(struct sftpd_req *r)
{
	char name[VFS_NAME_MAX + 1];
	struct vfs_attr a;
	int64_t now = (int64_t)time(NULL);
	uint32_t count = 0;
	int rc = 0;

	if ((r->err = sftpd__reply_begin(r, SSH_FXP_NAME)) != 0 || (r->err = sbuf_put_u32(&r->rep, 0)) != 0)
		return;
	while (count < SFTPD_READDIR_BATCH && r->rep.len + 1024 < SFTPD_READDIR_BYTES) {
		if ((rc = vfs_readdir(r->h->dir, name, &a)) <= 0)
			break;
		if ((rc = sftpd_readdir_entry(r, name, &a, now)) != 0)
			break;
		count++;
	}
	if (count == 0)
		r->err = rc < 0 ? rc : SFTPD_ERR_EOF;
	else
		r->err = sbuf_poke_u32(&r->rep, 9, count);
}

static int sftpd_parse_mkdir(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_path(m, &r->p1)) != 0)
		return rc;
	return sftpd__attrs_get(m, &r->a);
}

static void sftpd_work_mkdir(struct sftpd_req *r)
{
	mode_t mode = (r->a.flags & SSH_FILEXFER_ATTR_PERMISSIONS) ? (r->a.perm & 07777) : 0777;

	r->err = vfs_mkdir(VIEW(r), r->p1, mode);
}

static void sftpd_work_rmdir(struct sftpd_req *r)
{
	r->err = vfs_rmdir(VIEW(r), r->p1);
}

static void sftpd_work_remove(struct sftpd_req *r)
{
	r->err = vfs_unlink(VIEW(r), r->p1);
}

/* ---- names and links ---- */

void sftpd__work_realpath(struct sftpd_req *r)
{
	char out[VFS_PATH_MAX];
	int rc = vfs_realpath(VIEW(r), r->p1, out, sizeof(out));

	/* Like OpenSSH, a path that does not exist (yet) still has a canonical
	 * name: its lexically normalized form. */
	if (rc == -ENOENT)
		rc = snprintf(out, sizeof(out), "%s", r->p1) < 0 ? -EINVAL : 0;
	if (rc < 0) {
		r->err = rc;
		return;
	}
	r->err = sftpd_build_name1(r, out);
}

static void sftpd_work_readlink(struct sftpd_req *r)
{
	char out[VFS_PATH_MAX];
	int rc = vfs_readlink(VIEW(r), r->p1, out, sizeof(out));

	r->err = rc < 0 ? rc : sftpd_build_name1(r, out);
}

static int sftpd_parse_two_paths(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_path(m, &r->p1)) != 0)
		return rc;
	return sftpd__get_path(m, &r->p2);
}

static void sftpd_work_rename(struct sftpd_req *r)
{
	r->err = vfs_rename(VIEW(r), r->p1, r->p2, VFS_RENAME_NOREPLACE);
}

/* OpenSSH sends SYMLINK's fields in the order target, link path (the draft
 * says the reverse); every client copies OpenSSH, so we do too. The target is
 * stored as given, not normalized: a relative link stays relative. */
static int sftpd_parse_symlink(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sbuf_get_cstring(m, VFS_PATH_MAX - 1, &r->p2)) != 0)
		return rc == SGW_ETOOBIG ? -ENAMETOOLONG : rc;
	if (r->p2[0] == '\0')
		return -ENOENT;
	return sftpd__get_path(m, &r->p1);
}

static void sftpd_work_symlink(struct sftpd_req *r)
{
	r->err = vfs_symlink(VIEW(r), r->p2, r->p1);
}

#define OP(t, n, p, w, rp, f) [t] = { n, p, w, rp, f, NULL }
#define OPNOW(t, n, p, w, rp, f, now) [t] = { n, p, w, rp, f, now }
static const struct sftpd_op sftpd_ops[SSH_FXP_EXTENDED + 1] = {
	OPNOW(SSH_FXP_OPEN, "open", sftpd_parse_open, sftpd_work_open, sftpd_reply_handle, 0,
	      sftpd_now_open),
	OP(SSH_FXP_CLOSE, "close", sftpd_parse_close, sftpd_work_close, NULL,
	   SFTPD_OP_HANDLE | SFTPD_OP_CLOSES),
	OPNOW(SSH_FXP_READ, "read", sftpd_parse_read, sftpd_work_read, sftpd_reply_read,
	      SFTPD_OP_HANDLE | SFTPD_OP_SHARED, sftpd_now_read),
	OP(SSH_FXP_WRITE, "write", sftpd_parse_write, sftpd_work_write, NULL, SFTPD_OP_HANDLE),
	OP(SSH_FXP_LSTAT, "lstat", sftpd_parse_path, sftpd_work_lstat, sftpd_reply_attrs, 0),
	OP(SSH_FXP_FSTAT, "fstat", sftpd_parse_handle, sftpd_work_fstat, sftpd_reply_attrs,
	   SFTPD_OP_HANDLE | SFTPD_OP_SHARED),
	OP(SSH_FXP_SETSTAT, "setstat", sftpd_parse_setstat, sftpd_work_setstat, NULL, 0),
	OP(SSH_FXP_FSETSTAT, "fsetstat", sftpd_parse_fsetstat, sftpd_work_fsetstat, NULL,
	   SFTPD_OP_HANDLE),
	OP(SSH_FXP_OPENDIR, "opendir", sftpd_parse_opendir, sftpd_work_opendir, sftpd_reply_handle, 0),
	OP(SSH_FXP_READDIR, "readdir", sftpd_parse_readdir, sftpd_work_readdir, sftpd_reply_built,
	   SFTPD_OP_HANDLE),
	OP(SSH_FXP_REMOVE, "remove", sftpd_parse_path, sftpd_work_remove, NULL, 0),
	OP(SSH_FXP_MKDIR, "mkdir", sftpd_parse_mkdir, sftpd_work_mkdir, NULL, 0),
	OP(SSH_FXP_RMDIR, "rmdir", sftpd_parse_path, sftpd_work_rmdir, NULL, 0),
	OP(SSH_FXP_REALPATH, "realpath", sftpd_parse_path, sftpd__work_realpath, sftpd_reply_built, 0),
	OP(SSH_FXP_STAT, "stat", sftpd_parse_path, sftpd_work_stat, sftpd_reply_attrs, 0),
	OP(SSH_FXP_RENAME, "rename", sftpd_parse_two_paths, sftpd_work_rename, NULL, 0),
	OP(SSH_FXP_READLINK, "readlink", sftpd_parse_path, sftpd_work_readlink, sftpd_reply_built, 0),
	OP(SSH_FXP_SYMLINK, "symlink", sftpd_parse_symlink, sftpd_work_symlink, NULL, 0),
	OP(SSH_FXP_EXTENDED, "extended", sftpd__ext_parse, NULL, NULL, 0),
};

const struct sftpd_op *sftpd__op_find(uint8_t type)
{
	if (type >= sizeof(sftpd_ops) / sizeof(sftpd_ops[0]) || sftpd_ops[type].parse == NULL)
		return NULL;
	return &sftpd_ops[type];
}
