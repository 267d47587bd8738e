/* sftpd_ext.c — the extensions. One table both fills the VERSION reply and
 * dispatches EXTENDED requests, so what we announce is what we serve. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sftpgw/err.h"
#include "sftpd_int.h"

#define VIEW(r) ((r)->s->view)
#define SFTPD_ST_RDONLY 0x1u   /* statvfs@openssh.com flag bits */
#define SFTPD_ST_NOSUID 0x2u

static int sftpd_ext_parse_path(struct sftpd_req *r, struct sbuf *m)
{
	return sftpd__get_path(m, &r->p1);
}

static int sftpd_ext_parse_two_paths(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_path(m, &r->p1)) != 0)
		return rc;
	return sftpd__get_path(m, &r->p2);
}

static int sftpd_ext_parse_handle(struct sftpd_req *r, struct sbuf *m)
{
	return sftpd__get_handle(r, m, &r->h);
}

static void sftpd_ext_work_posix_rename(struct sftpd_req *r)
{
	r->err = vfs_rename(VIEW(r), r->p1, r->p2, 0);
}

static void sftpd_ext_work_hardlink(struct sftpd_req *r)
{
	r->err = vfs_link(VIEW(r), r->p1, r->p2);
}

static void sftpd_ext_work_statvfs(struct sftpd_req *r)
{
	const char *p = r->h ? r->h->vpath : r->p1;

	r->err = vfs_statvfs(VIEW(r), p, &r->sv);
	/* The read-only flag comes from the mount, not the backing fs. */
	r->u32 = vfs_view_readonly(VIEW(r), p) ? SFTPD_ST_RDONLY : 0;
}

static int sftpd_ext_reply_statvfs(struct sftpd_req *r)
{
	const struct statvfs *v = &r->sv;
	uint64_t flag = r->u32 | ((v->f_flag & ST_RDONLY) ? SFTPD_ST_RDONLY : 0) |
	                ((v->f_flag & ST_NOSUID) ? SFTPD_ST_NOSUID : 0);
	uint64_t f[] = { v->f_bsize, v->f_frsize, v->f_blocks, v->f_bfree, v->f_bavail, v->f_files,
	                 v->f_ffree, v->f_favail, v->f_fsid, flag, v->f_namemax };
	int rc = sftpd__reply_begin(r, SSH_FXP_EXTENDED_REPLY);

	for (size_t i = 0; rc == 0 && i < sizeof(f) / sizeof(f[0]); i++)
		rc = sbuf_put_u64(&r->rep, f[i]);
	return rc ? rc : sftpd__reply_end(r);
}

static void sftpd_ext_work_fsync(struct sftpd_req *r)
{
	if (r->h->fd < 0)
		r->err = -EBADF;
	else if (fsync(r->h->fd) != 0)
		r->err = -errno;
}

static int sftpd_ext_parse_lsetstat(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_path(m, &r->p1)) != 0)
		return rc;
	return sftpd__attrs_get(m, &r->a);
}

static void sftpd_ext_work_lsetstat(struct sftpd_req *r)
{
	struct vfs_setattr sa;

	sftpd__attrs_to_set(&r->a, &sa);
	r->err = vfs_setattr(VIEW(r), r->p1, &sa, false);
}

static int sftpd_ext_parse_none(struct sftpd_req *r, struct sbuf *m)
{
	(void)r;
	(void)m;
	return 0;
}

static int sftpd_ext_reply_limits(struct sftpd_req *r)
{
	int rc;

	if ((rc = sftpd__reply_begin(r, SSH_FXP_EXTENDED_REPLY)) != 0 ||
	    (rc = sbuf_put_u64(&r->rep, SFTPD_MAX_PACKET)) != 0 ||
	    (rc = sbuf_put_u64(&r->rep, SFTPD_MAX_IO)) != 0 ||
	    (rc = sbuf_put_u64(&r->rep, SFTPD_MAX_IO)) != 0 ||
	    (rc = sbuf_put_u64(&r->rep, SFTPD_MAX_HANDLES)) != 0)
		return rc;
	return sftpd__reply_end(r);
}

/* "~", "~/x", "~user/x" (our own user only): the home directory is "/". */
static int sftpd_ext_parse_expand(struct sftpd_req *r, struct sbuf *m)
{
	char *raw, tmp[VFS_PATH_MAX];
	const char *rest;
	size_t ulen;
	int rc;

	if ((rc = sbuf_get_cstring(m, VFS_PATH_MAX - 1, &raw)) != 0)
		return rc == SGW_ETOOBIG ? -ENAMETOOLONG : rc;
	rest = raw;
	if (raw[0] == '~') {
		rest = raw + 1;
		ulen = strcspn(rest, "/");
		if (ulen > 0 && (ulen != strlen(r->s->user) || strncmp(rest, r->s->user, ulen) != 0)) {
			free(raw);
			return -ENOENT;
		}
		rest += ulen;
	}
	rc = vfs_path_normalize("/", rest, tmp, sizeof(tmp));
	free(raw);
	if (rc == 0 && (r->p1 = strdup(tmp)) == NULL)
		rc = -ENOMEM;
	return rc;
}

static int sftpd_ext_parse_home(struct sftpd_req *r, struct sbuf *m)
{
	const uint8_t *p;
	size_t n;
	int rc;

	if ((rc = sbuf_get_string(m, &p, &n)) != 0)
		return rc;
	if (n != 0 && (n != strlen(r->s->user) || memcmp(p, r->s->user, n) != 0))
		return -ENOENT;
	return 0;
}

static int sftpd_ext_reply_home(struct sftpd_req *r)
{
	int rc;

	if ((rc = sftpd__reply_begin(r, SSH_FXP_NAME)) != 0 || (rc = sbuf_put_u32(&r->rep, 1)) != 0 ||
	    (rc = sbuf_put_cstring(&r->rep, "/")) != 0 || (rc = sbuf_put_cstring(&r->rep, "/")) != 0 ||
	    (rc = sbuf_put_u32(&r->rep, 0)) != 0)
		return rc;
	return sftpd__reply_end(r);
}

/* copy-data: source handle, offset, length, destination handle, offset. */
static int sftpd_ext_parse_copy(struct sftpd_req *r, struct sbuf *m)
{
	int rc;

	if ((rc = sftpd__get_handle(r, m, &r->h2)) != 0 || (rc = sbuf_get_u64(m, &r->off2)) != 0 ||
	    (rc = sbuf_get_u64(m, &r->len)) != 0 || (rc = sftpd__get_handle(r, m, &r->h)) != 0 ||
	    (rc = sbuf_get_u64(m, &r->off)) != 0)
		return rc;
	if (r->h->fd < 0 || r->h2->fd < 0)
		return -EBADF;
	if (r->h == r->h2)
		return SGW_EUSAGE;
	if (vfs_view_mount_index(VIEW(r), r->h->vpath) != vfs_view_mount_index(VIEW(r), r->h2->vpath))
		return -EXDEV;
	return 0;
}

static void sftpd_ext_work_copy(struct sftpd_req *r)
{
	struct stat a, b;

	if (fstat(r->h2->fd, &a) != 0 || fstat(r->h->fd, &b) != 0) {
		r->err = -errno;
		return;
	}
	/* Copying a file onto itself would read what it just wrote. */
	if (a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		r->err = SGW_EUSAGE;
		return;
	}
	r->err = vfs_copy_range(r->h2->fd, r->off2, r->h->fd, r->off, r->len);
}

/* users-groups-by-id@openssh.com: every id is shown as the session's user. */
static int sftpd_ext_parse_ids(struct sftpd_req *r, struct sbuf *m)
{
	struct sbuf uids, gids;
	int rc;

	if ((rc = sbuf_get_stringb(m, &uids)) != 0 || (rc = sbuf_get_stringb(m, &gids)) != 0)
		return rc;
	if (sbuf_avail(&uids) % 4 != 0 || sbuf_avail(&gids) % 4 != 0)
		return SGW_EBADFORMAT;
	if (sbuf_avail(&uids) / 4 > SFTPD_MAX_IDS || sbuf_avail(&gids) / 4 > SFTPD_MAX_IDS)
		return SGW_ETOOBIG;
	r->off = sbuf_avail(&uids) / 4;
	r->off2 = sbuf_avail(&gids) / 4;
	return 0;
}

static int sftpd_ext_put_names(struct sftpd_req *r, uint64_t n)
{
	size_t ulen = strlen(r->s->user);
	int rc;

	if ((rc = sbuf_put_u32(&r->rep, (uint32_t)(n * (4 + ulen)))) != 0)
		return rc;
	for (uint64_t i = 0; i < n && rc == 0; i++)
		rc = sbuf_put_cstring(&r->rep, r->s->user);
	return rc;
}

static int sftpd_ext_reply_ids(struct sftpd_req *r)
{
	int rc;

	if ((rc = sftpd__reply_begin(r, SSH_FXP_EXTENDED_REPLY)) != 0 ||
	    (rc = sftpd_ext_put_names(r, r->off)) != 0 || (rc = sftpd_ext_put_names(r, r->off2)) != 0)
		return rc;
	return sftpd__reply_end(r);
}

static const struct sftpd_ext sftpd_exts[] = {
	{ "posix-rename@openssh.com", "1",
	  { "posix-rename", sftpd_ext_parse_two_paths, sftpd_ext_work_posix_rename, NULL, 0, NULL } },
	{ "statvfs@openssh.com", "2",
	  { "statvfs", sftpd_ext_parse_path, sftpd_ext_work_statvfs, sftpd_ext_reply_statvfs, 0, NULL } },
	{ "fstatvfs@openssh.com", "2",
	  { "fstatvfs", sftpd_ext_parse_handle, sftpd_ext_work_statvfs, sftpd_ext_reply_statvfs,
	    SFTPD_OP_HANDLE | SFTPD_OP_SHARED, NULL } },
	{ "hardlink@openssh.com", "1",
	  { "hardlink", sftpd_ext_parse_two_paths, sftpd_ext_work_hardlink, NULL, 0, NULL } },
	{ "fsync@openssh.com", "1",
	  { "fsync", sftpd_ext_parse_handle, sftpd_ext_work_fsync, NULL, SFTPD_OP_HANDLE, NULL } },
	{ "lsetstat@openssh.com", "1",
	  { "lsetstat", sftpd_ext_parse_lsetstat, sftpd_ext_work_lsetstat, NULL, 0, NULL } },
	{ "limits@openssh.com", "1",
	  { "limits", sftpd_ext_parse_none, NULL, sftpd_ext_reply_limits, 0, NULL } },
	{ "expand-path@openssh.com", "1",
	  { "expand-path", sftpd_ext_parse_expand, sftpd__work_realpath, sftpd__reply_end, 0, NULL } },
	{ "copy-data", "1",
	  { "copy-data", sftpd_ext_parse_copy, sftpd_ext_work_copy, NULL, SFTPD_OP_HANDLE, NULL } },
	{ "home-directory", "1",
	  { "home-directory", sftpd_ext_parse_home, NULL, sftpd_ext_reply_home, 0, NULL } },
	{ "users-groups-by-id@openssh.com", "1",
	  { "users-groups-by-id", sftpd_ext_parse_ids, NULL, sftpd_ext_reply_ids, 0, NULL } },
};

#define SFTPD_N_EXTS (sizeof(sftpd_exts) / sizeof(sftpd_exts[0]))

const struct sftpd_op *sftpd__ext_find(const uint8_t *name, size_t n)
{
	for (size_t i = 0; i < SFTPD_N_EXTS; i++)
		if (strlen(sftpd_exts[i].name) == n && memcmp(sftpd_exts[i].name, name, n) == 0)
			return &sftpd_exts[i].op;
	return NULL;
}

int sftpd__ext_announce(struct sbuf *b)
{
	int rc = 0;

	for (size_t i = 0; i < SFTPD_N_EXTS && rc == 0; i++)
		if ((rc = sbuf_put_cstring(b, sftpd_exts[i].name)) == 0)
			rc = sbuf_put_cstring(b, sftpd_exts[i].version);
	return rc;
}

int sftpd__ext_parse(struct sftpd_req *r, struct sbuf *m)
{
	const struct sftpd_op *op;
	const uint8_t *name;
	size_t n;
	int rc;

	if ((rc = sbuf_get_string(m, &name, &n)) != 0)
		return rc;
	if ((op = sftpd__ext_find(name, n)) == NULL)
		return SGW_EUNSUPPORTED;
	r->op = op;
	return op->parse(r, m);
}
