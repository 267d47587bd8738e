/* rsd_flist.c — the file list: compact storage, rsync's sort order, sending
 * (built from the VFS) and receiving (validated names), protocol 30/31 with
 * varint flags.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sftpgw/err.h"
#include "sftpgw/vfs.h"
#include "rsd_int.h"

/* ---- sending ---- */

struct send_state {
	char last[RSD_MAXPATH];
	uint32_t mode, uid, gid;
	int64_t mtime;
	bool first;
};

static void send_entry(struct rsd *r, struct send_state *st, const struct rsd_file *f)
{
	const char *name = rsd_fname(&r->fl, f);
	size_t len = strlen(name), l1 = 0, l2;
	uint32_t x = 0;

	while (l1 < len && l1 < 255 && st->last[l1] == name[l1])
		l1++;
	l2 = len - l1;
	if (f->flags & RSD_F_TOP_DIR)
		x |= XMIT_TOP_DIR;
	if (f->mode == st->mode)
		x |= XMIT_SAME_MODE;
	if (S_ISDIR(f->mode) && (f->flags & RSD_F_NO_CONTENT))
		x |= XMIT_NO_CONTENT_DIR;
	if (!st->first && f->uid == st->uid)
		x |= XMIT_SAME_UID;
	if (!st->first && f->gid == st->gid)
		x |= XMIT_SAME_GID;
	if (f->mtime == st->mtime)
		x |= XMIT_SAME_TIME;
	if (f->nsec)
		x |= XMIT_MOD_NSEC;
	if (l1)
		x |= XMIT_SAME_NAME;
	if (l2 > 255)
		x |= XMIT_LONG_NAME;
	rsd_write_varint(r, x ? (int32_t)x : (int32_t)XMIT_EXTENDED_FLAGS);
	if (x & XMIT_SAME_NAME)
		rsd_write_byte(r, (uint8_t)l1);
	if (x & XMIT_LONG_NAME)
		rsd_write_varint(r, (int32_t)l2);
	else
		rsd_write_byte(r, (uint8_t)l2);
	rsd_write(r, name + l1, l2);
	rsd_write_varlong(r, (int64_t)f->size, 3);
	if (!(x & XMIT_SAME_TIME))
		rsd_write_varlong(r, f->mtime, 4);
	if (x & XMIT_MOD_NSEC)
		rsd_write_varint(r, (int32_t)f->nsec);
	if (!(x & XMIT_SAME_MODE))
		rsd_write_int(r, (int32_t)f->mode);
	if (r->o.owner && !(x & XMIT_SAME_UID))
		rsd_write_varint(r, (int32_t)f->uid);
	if (r->o.group && !(x & XMIT_SAME_GID))
		rsd_write_varint(r, (int32_t)f->gid);
	if (r->o.links && S_ISLNK(f->mode)) {
		const char *t = r->fl.names + f->link;
		size_t tl = strlen(t);

		rsd_write_varint(r, (int32_t)tl);
		rsd_write(r, t, tl);
	}
	if (r->o.checksum && S_ISREG(f->mode)) {
		static const uint8_t zero[RSD_SUM_LEN];

		rsd_write(r, f->link ? (const uint8_t *)r->fl.names + f->link : zero, RSD_SUM_LEN);
	}
	memcpy(st->last, name, len + 1);
	st->mode = f->mode;
	st->uid = f->uid;
	st->gid = f->gid;
	st->mtime = f->mtime;
	st->first = false;
}

void rsd_flist_send(struct rsd *r)
{
	struct send_state st = { .first = true };

	for (uint32_t i = 0; i < r->fl.n && !rsd_bad(r); i++)
		send_entry(r, &st, &r->fl.f[i]);
	rsd_write_varint(r, 0);
	rsd_write_varint(r, atomic_load(&r->io_error) & 7);
	/* empty uid/gid name lists: the gateway sends numeric ids only */
	if (!r->o.numeric_ids && r->o.owner)
		rsd_write_varint(r, 0);
	if (!r->o.numeric_ids && r->o.group)
		rsd_write_varint(r, 0);
	rsd_flush(r);
}

/* ---- receiving ---- */

/* Refuses names that are absolute, empty, contain "..", "//" or NUL. */
static bool name_ok(const char *s)
{
	if (s[0] == '\0' || s[0] == '/')
		return false;
	if (strcmp(s, ".") == 0)
		return true;
	for (const char *p = s; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 0 || n > VFS_NAME_MAX || (n == 2 && p[0] == '.' && p[1] == '.') ||
		    (n == 1 && p[0] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
		if (e != NULL && *p == '\0')
			return false;
	}
	return true;
}

struct recv_state {
	char last[RSD_MAXPATH];
	uint32_t mode;
	int64_t mtime;
	uint32_t rdev_major;
};

static void recv_entry(struct rsd *r, struct recv_state *st, uint32_t x)
{
	char name[RSD_MAXPATH + 1], link[RSD_MAXPATH + 1];
	size_t l1 = 0, l2;
	struct rsd_file fe = { 0 }, *f;
	bool have_link = false;

	if (x & XMIT_SAME_NAME)
		l1 = rsd_read_byte(r);
	l2 = (x & XMIT_LONG_NAME) ? (size_t)(uint32_t)rsd_read_varint(r) : rsd_read_byte(r);
	if (l1 > strlen(st->last) || l2 >= RSD_MAXPATH - l1) {
		rsd_fail(r, RERR_STREAMIO, "file-list name overflow (l1=%zu l2=%zu) [server]", l1, l2);
		return;
	}
	memcpy(name, st->last, l1);
	rsd_read(r, name + l1, l2);
	name[l1 + l2] = '\0';
	memcpy(st->last, name, l1 + l2 + 1);
	if (x & XMIT_HLINKED) {
		rsd_fail(r, RERR_UNSUPPORTED, "hard links are not supported by this gateway");
		return;
	}
	fe.size = (uint64_t)rsd_read_varlong(r, 3);
	if (!(x & XMIT_SAME_TIME))
		st->mtime = rsd_read_varlong(r, 4);
	fe.mtime = st->mtime;
	if (x & XMIT_MOD_NSEC)
		fe.nsec = (uint32_t)rsd_read_varint(r);
	if (!(x & XMIT_SAME_MODE))
		st->mode = (uint32_t)rsd_read_int(r);
	fe.mode = st->mode;
	if (r->o.owner && !(x & XMIT_SAME_UID)) {
		(void)rsd_read_varint(r);
		if (x & XMIT_USER_NAME_FOLLOWS) {
			char tmp[256];
			size_t n = rsd_read_byte(r);

			rsd_read(r, tmp, n);
		}
	}
	if (r->o.group && !(x & XMIT_SAME_GID)) {
		(void)rsd_read_varint(r);
		if (x & XMIT_GROUP_NAME_FOLLOWS) {
			char tmp[256];
			size_t n = rsd_read_byte(r);

			rsd_read(r, tmp, n);
		}
	}
	if (r->o.devices && (S_ISCHR(fe.mode) || S_ISBLK(fe.mode))) {
		if (!(x & XMIT_SAME_RDEV_MAJOR))
			st->rdev_major = (uint32_t)rsd_read_varint(r);
		(void)rsd_read_varint(r);
		fe.flags |= RSD_F_DEVICE;
	} else if (!S_ISREG(fe.mode) && !S_ISDIR(fe.mode) && !S_ISLNK(fe.mode)) {
		fe.flags |= RSD_F_DEVICE;
	}
	if (r->o.links && S_ISLNK(fe.mode)) {
		size_t ll = (size_t)(uint32_t)rsd_read_varint(r);

		if (ll == 0 || ll >= RSD_MAXPATH) {
			rsd_fail(r, RERR_STREAMIO, "overflow: linkname_len=%zu [server]", ll);
			return;
		}
		rsd_read(r, link, ll);
		link[ll] = '\0';
		have_link = true;
	}
	uint8_t sum[RSD_SUM_LEN];

	if (r->o.checksum && S_ISREG(fe.mode))
		rsd_read(r, sum, RSD_SUM_LEN);
	if (rsd_bad(r))
		return;
	if (!name_ok(name) || (have_link && memchr(link, '\0', strlen(link)) != NULL)) {
		rsd_fail(r, RERR_PROTOCOL, "refusing unsafe file name in the file list: \"%s\"", name);
		return;
	}
	if (x & XMIT_TOP_DIR)
		fe.flags |= RSD_F_TOP_DIR;
	if (S_ISDIR(fe.mode) && (x & XMIT_NO_CONTENT_DIR))
		fe.flags |= RSD_F_NO_CONTENT;
	if (rsd_flist_add(&r->fl, name, have_link ? link : NULL, &f) != 0) {
		rsd_fail(r, RERR_MALLOC, "file list too large (limit %u entries)", RSD_MAX_FILES);
		return;
	}
	uint32_t nm = f->name, lk = f->link;

	*f = fe;
	f->name = nm;
	f->link = lk;
	if (r->o.checksum && S_ISREG(fe.mode) && rsd_flist_set_sum(&r->fl, f, sum) != 0)
		rsd_fail(r, RERR_MALLOC, "file list too large");
}

void rsd_flist_recv(struct rsd *r)
{
	struct recv_state st = { .last = "" };

	for (;;) {
		int32_t x = rsd_read_varint(r);

		if (rsd_bad(r))
			return;
		if (x == 0) {
			atomic_fetch_or(&r->io_error, rsd_read_varint(r) & 7);
			break;
		}
		recv_entry(r, &st, (uint32_t)x);
	}
	if (!r->o.numeric_ids) { /* name lists: read and ignore (ownership stays the gateway's) */
		for (int pass = 0; pass < 2 && !rsd_bad(r); pass++) {
			if (!(pass == 0 ? r->o.owner : r->o.group))
				continue;
			while (!rsd_bad(r) && rsd_read_varint(r) != 0) {
				char tmp[256];
				size_t n = rsd_read_byte(r);

				rsd_read(r, tmp, n);
			}
		}
	}
	if (rsd_bad(r))
		return;
	rsd_flist_sort(&r->fl);
	for (uint32_t i = 1; i < r->fl.n; i++) {
		if (strcmp(rsd_fname(&r->fl, &r->fl.f[i - 1]), rsd_fname(&r->fl, &r->fl.f[i])) == 0) {
			rsd_fail(r, RERR_PROTOCOL, "duplicate name in the file list: \"%s\"",
			         rsd_fname(&r->fl, &r->fl.f[i]));
			return;
		}
	}
}
