/* sftpd_attr.c — ATTRS on the wire, `ls -l` longnames, the one error ->
 * status map, and the reply builder every handler answers through. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sftpgw/err.h"
#include "sftpd_int.h"

struct sftpd_errmap {
	int err;
	uint32_t status;
	const char *msg;
};

/* Every error a handler can meet, with the words the client shows. */
static const struct sftpd_errmap sftpd_errmap[] = {
	{ 0, SSH_FX_OK, "Success" },
	{ -ENOENT, SSH_FX_NO_SUCH_FILE, "No such file" },
	{ -ENOTDIR, SSH_FX_NO_SUCH_FILE, "Not a directory" },
	{ -EACCES, SSH_FX_PERMISSION_DENIED, "Permission denied" },
	{ -EPERM, SSH_FX_PERMISSION_DENIED, "Operation not permitted" },
	{ -EROFS, SSH_FX_PERMISSION_DENIED, "Read-only file system" },
	{ -EXDEV, SSH_FX_FAILURE, "Cross-mount operation not supported" },
	{ -EEXIST, SSH_FX_FAILURE, "File exists" },
	{ -ENOTEMPTY, SSH_FX_FAILURE, "Directory not empty" },
	{ -EISDIR, SSH_FX_FAILURE, "Is a directory" },
	{ -ELOOP, SSH_FX_FAILURE, "Too many levels of symbolic links" },
	{ -ENAMETOOLONG, SSH_FX_FAILURE, "File name too long" },
	{ -ENOSPC, SSH_FX_FAILURE, "No space left on device" },
	{ -EDQUOT, SSH_FX_FAILURE, "Disk quota exceeded" },
	{ -EFBIG, SSH_FX_FAILURE, "File too large" },
	{ -EBUSY, SSH_FX_FAILURE, "Device or resource busy" },
	{ -EMLINK, SSH_FX_FAILURE, "Too many links" },
	{ -EBADF, SSH_FX_FAILURE, "Handle not open for this operation" },
	{ -EINVAL, SSH_FX_FAILURE, "Invalid argument" },
	{ -EIO, SSH_FX_FAILURE, "Input/output error" },
	{ -ENOMEM, SSH_FX_FAILURE, "Out of memory" },
	{ -ENOSYS, SSH_FX_OP_UNSUPPORTED, "Operation unsupported" },
	{ -EOPNOTSUPP, SSH_FX_OP_UNSUPPORTED, "Operation unsupported" },
	{ SGW_ENOTFOUND, SSH_FX_FAILURE, "Invalid handle" },
	{ SGW_ELIMIT, SSH_FX_FAILURE, "Too many open handles" },
	{ SGW_EUNSUPPORTED, SSH_FX_OP_UNSUPPORTED, "Operation unsupported" },
	{ SGW_ETRUNCATED, SSH_FX_BAD_MESSAGE, "Bad message: truncated field" },
	{ SGW_ETRAILING, SSH_FX_BAD_MESSAGE, "Bad message: trailing bytes" },
	{ SGW_EBADFORMAT, SSH_FX_BAD_MESSAGE, "Bad message: malformed field" },
	{ SGW_ETOOBIG, SSH_FX_BAD_MESSAGE, "Bad message: value over its limit" },
	{ SGW_EDENIED, SSH_FX_PERMISSION_DENIED, "Permission denied" },
	{ SGW_EEXISTS, SSH_FX_FAILURE, "File exists" },
	{ SGW_EUSAGE, SSH_FX_FAILURE, "Source and destination are the same file" },
	{ SFTPD_ERR_EOF, SSH_FX_EOF, "End of file" },
};

uint32_t sftpd_status_from_err(int err, const char **msg)
{
	for (size_t i = 0; i < sizeof(sftpd_errmap) / sizeof(sftpd_errmap[0]); i++) {
		if (sftpd_errmap[i].err == err) {
			*msg = sftpd_errmap[i].msg;
			return sftpd_errmap[i].status;
		}
	}
	*msg = "Failure";
	return SSH_FX_FAILURE;
}

int sftpd__attrs_get(struct sbuf *m, struct sftpd_attrs *a)
{
	const uint8_t *p;
	uint32_t n;
	size_t len;
	int rc = 0;

	memset(a, 0, sizeof(*a));
	if ((rc = sbuf_get_u32(m, &a->flags)) != 0)
		return rc;
	if (a->flags & SSH_FILEXFER_ATTR_SIZE)
		rc = sbuf_get_u64(m, &a->size);
	if (rc == 0 && (a->flags & SSH_FILEXFER_ATTR_UIDGID) &&
	    (rc = sbuf_get_u32(m, &a->uid)) == 0)
		rc = sbuf_get_u32(m, &a->gid);
	if (rc == 0 && (a->flags & SSH_FILEXFER_ATTR_PERMISSIONS))
		rc = sbuf_get_u32(m, &a->perm);
	if (rc == 0 && (a->flags & SSH_FILEXFER_ATTR_ACMODTIME) &&
	    (rc = sbuf_get_u32(m, &a->atime)) == 0)
		rc = sbuf_get_u32(m, &a->mtime);
	if (rc != 0 || !(a->flags & SSH_FILEXFER_ATTR_EXTENDED))
		return rc;
	if ((rc = sbuf_get_u32(m, &n)) != 0)
		return rc;
	if (n > SFTPD_MAX_ATTR_EXT)
		return SGW_ETOOBIG;
	/* Extended attributes are parsed (to stay in step) and ignored. */
	for (uint32_t i = 0; i < n && rc == 0; i++)
		if ((rc = sbuf_get_string(m, &p, &len)) == 0)
			rc = sbuf_get_string(m, &p, &len);
	return rc;
}

int sftpd__attrs_put(struct sbuf *b, const struct vfs_attr *va)
{
	int rc;

	if ((rc = sbuf_put_u32(b, SSH_FILEXFER_ATTR_SIZE | SSH_FILEXFER_ATTR_UIDGID |
	                              SSH_FILEXFER_ATTR_PERMISSIONS | SSH_FILEXFER_ATTR_ACMODTIME)) != 0 ||
	    (rc = sbuf_put_u64(b, va->size)) != 0 || (rc = sbuf_put_u32(b, va->uid)) != 0 ||
	    (rc = sbuf_put_u32(b, va->gid)) != 0 || (rc = sbuf_put_u32(b, va->mode)) != 0 ||
	    (rc = sbuf_put_u32(b, (uint32_t)va->atime)) != 0)
		return rc;
	return sbuf_put_u32(b, (uint32_t)va->mtime);
}

void sftpd__attrs_to_set(const struct sftpd_attrs *a, struct vfs_setattr *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (a->flags & SSH_FILEXFER_ATTR_SIZE) {
		sa->valid |= VFS_SET_SIZE;
		sa->size = a->size;
	}
	if (a->flags & SSH_FILEXFER_ATTR_PERMISSIONS) {
		sa->valid |= VFS_SET_MODE;
		sa->mode = a->perm & 07777;
	}
	if (a->flags & SSH_FILEXFER_ATTR_ACMODTIME) {
		sa->valid |= VFS_SET_TIMES;
		sa->atime = a->atime;
		sa->mtime = a->mtime;
	}
	if (a->flags & SSH_FILEXFER_ATTR_UIDGID) {
		sa->valid |= VFS_SET_OWNER;
		sa->uid = a->uid;
		sa->gid = a->gid;
	}
}

static void sftpd_modestr(uint32_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";

	switch (mode & S_IFMT) {
	case S_IFDIR: out[0] = 'd'; break;
	case S_IFLNK: out[0] = 'l'; break;
	case S_IFCHR: out[0] = 'c'; break;
	case S_IFBLK: out[0] = 'b'; break;
	case S_IFIFO: out[0] = 'p'; break;
	case S_IFSOCK: out[0] = 's'; break;
	default: out[0] = '-'; break;
	}
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = (mode & S_IXUSR) ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = (mode & S_IXGRP) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = (mode & S_IXOTH) ? 't' : 'T';
	out[10] = '\0';
}

void sftpd__longname(char *out, size_t n, const char *name, const struct vfs_attr *a,
                     const char *user, int64_t now)
{
	char mode[11], date[32];
	time_t t = (time_t)a->mtime;
	struct tm tm;
	/* Like ls: the year instead of the time for files older than ~6 months. */
	bool recent = a->mtime + 182 * 86400 > now && a->mtime <= now + 3600;
	size_t dn = 0;

	sftpd_modestr(a->mode, mode);
	if (gmtime_r(&t, &tm) != NULL)
		dn = recent ? strftime(date, sizeof(date), "%b %e %H:%M", &tm) :
		              strftime(date, sizeof(date), "%b %e  %Y", &tm);
	if (dn == 0)
		snprintf(date, sizeof(date), "?");
	snprintf(out, n, "%s %3u %-8s %-8s %8llu %s %s", mode, a->nlink ? a->nlink : 1, user, user,
	         (unsigned long long)a->size, date, name);
}

int sftpd__get_path(struct sbuf *m, char **out)
{
	char tmp[VFS_PATH_MAX], *raw;
	int rc;

	if ((rc = sbuf_get_cstring(m, VFS_PATH_MAX - 1, &raw)) != 0)
		return rc == SGW_ETOOBIG ? -ENAMETOOLONG : rc;
	/* Relative paths start at the home directory, which is "/". */
	rc = vfs_path_normalize("/", raw, tmp, sizeof(tmp));
	free(raw);
	if (rc != 0)
		return rc;
	if ((*out = strdup(tmp)) == NULL)
		return -ENOMEM;
	return 0;
}

int sftpd__reply_begin(struct sftpd_req *r, uint8_t type)
{
	int rc;

	sbuf_reset(&r->rep);
	if ((rc = sbuf_put_u32(&r->rep, 0)) != 0 || (rc = sbuf_put_u8(&r->rep, type)) != 0)
		return rc;
	return sbuf_put_u32(&r->rep, r->id);
}

int sftpd__reply_end(struct sftpd_req *r)
{
	int rc = sbuf_poke_u32(&r->rep, 0, (uint32_t)(r->rep.len - 4));

	r->out = r->rep.d;
	r->out_len = r->rep.len;
	r->out_off = 0;
	return rc;
}

int sftpd__reply_status(struct sftpd_req *r, int err)
{
	const char *msg;
	uint32_t code = sftpd_status_from_err(err, &msg);
	int rc;

	if ((rc = sftpd__reply_begin(r, SSH_FXP_STATUS)) != 0 || (rc = sbuf_put_u32(&r->rep, code)) != 0 ||
	    (rc = sbuf_put_cstring(&r->rep, msg)) != 0 || (rc = sbuf_put_cstring(&r->rep, "en")) != 0)
		return rc;
	return sftpd__reply_end(r);
}
