/* rsd_fbuild.c — the sender's file list, built from the VFS on the job's pool
 * thread: the source arguments as rsync names them ("dir/" sends the contents
 * as "." and relative names, "dir" sends "dir" and "dir/..."), filtered by the
 * client's rules, then sorted in rsync's order.
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

#define RSD_MAX_DEPTH 256 /* directory nesting followed */
#define FSUM_READ (256 * 1024)

void rsd_file_sum(struct rsd *r, int fd, uint8_t out[RSD_SUM_LEN])
{
	struct rsd_fsum fs;
	uint8_t *buf = malloc(FSUM_READ);
	uint64_t off = 0;
	ssize_t n;

	memset(out, 0, RSD_SUM_LEN);
	if (buf == NULL || rsd_fsum_begin(r, &fs) != 0) {
		free(buf);
		return;
	}
	while (!r->abort && (n = pread(fd, buf, FSUM_READ, (off_t)off)) > 0) {
		rsd_fsum_update(&fs, buf, (size_t)n);
		off += (uint64_t)n;
	}
	rsd_fsum_end(&fs, out);
	free(buf);
}

static int add_base(struct rsd *r, const char *vp)
{
	struct rsd_flist *fl = &r->fl;
	char **nb;

	if (fl->nbases == UINT16_MAX)
		return SGW_ELIMIT;
	if ((nb = realloc(fl->bases, (fl->nbases + 1u) * sizeof(char *))) == NULL)
		return SGW_ELIMIT;
	fl->bases = nb;
	if ((fl->bases[fl->nbases] = strdup(vp)) == NULL)
		return SGW_ELIMIT;
	return fl->nbases++;
}

/* Adds one entry for the object at vpath named name (relative to base). */
static int add_one(struct rsd *r, int base, const char *vpath, const char *name, const struct vfs_attr *a,
                   uint16_t flags)
{
	char link[RSD_MAXPATH];
	struct rsd_file *f;
	int rc;

	if (strlen(name) >= RSD_MAXPATH) {
		rsd_file_error(r, "rsync: [sender] name too long: %s", name);
		return 0;
	}
	if (S_ISLNK(a->mode)) {
		if (!r->o.links) {
			rsd_info(r, "skipping non-regular file \"%s\"", name);
			return 0;
		}
		if ((rc = vfs_readlink(r->view, vpath, link, sizeof(link))) < 0) {
			rsd_file_error(r, "rsync: [sender] readlink \"%s\" failed: %s", name, sgw_strerror(rc));
			return 0;
		}
	} else if (!S_ISREG(a->mode) && !S_ISDIR(a->mode)) {
		rsd_info(r, "skipping non-regular file \"%s\"", name);
		return 0;
	}
	if (rsd_flist_add(&r->fl, name, S_ISLNK(a->mode) ? link : NULL, &f) != 0) {
		rsd_fail(r, RERR_MALLOC, "file list too large (limit %u entries, %u MiB of names)", RSD_MAX_FILES,
		         RSD_MAX_NAMEBYTES >> 20);
		return -1;
	}
	f->size = S_ISDIR(a->mode) ? 0 : a->size;
	f->mtime = a->mtime;
	f->nsec = a->mtime_ns;
	f->mode = a->mode;
	f->uid = a->uid;
	f->gid = a->gid;
	f->base = (uint16_t)base;
	f->flags = flags;
	if (r->o.checksum && S_ISREG(a->mode)) {
		uint8_t sum[RSD_SUM_LEN] = { 0 };
		int fd;

		if (vfs_open(r->view, vpath, O_RDONLY, 0, &fd) == 0) {
			rsd_file_sum(r, fd, sum);
			close(fd);
		}
		if (rsd_flist_set_sum(&r->fl, f, sum) != 0) {
			rsd_fail(r, RERR_MALLOC, "file list too large");
			return -1;
		}
	}
	return 1;
}

static int walk(struct rsd *r, int base, const char *dirvp, const char *prefix, int depth);

/* Recurses into the directories among entries [from, to). */
static int descend(struct rsd *r, int base, const char *dirvp, uint32_t from, uint32_t to, int depth)
{
	char vp[VFS_PATH_MAX], rel[RSD_MAXPATH + 1];

	for (uint32_t i = from; i < to && !rsd_bad(r); i++) {
		const struct rsd_file *f = &r->fl.f[i];
		const char *name = rsd_fname(&r->fl, f);
		const char *leaf = strrchr(name, '/');

		if (!S_ISDIR(f->mode))
			continue;
		leaf = leaf ? leaf + 1 : name;
		if ((size_t)snprintf(vp, sizeof(vp), "%s/%s", strcmp(dirvp, "/") ? dirvp : "", leaf) >= sizeof(vp) ||
		    (size_t)snprintf(rel, sizeof(rel), "%s/", name) >= sizeof(rel))
			continue;
		if (walk(r, base, vp, rel, depth + 1) < 0)
			return -1;
	}
	return 0;
}

static int walk(struct rsd *r, int base, const char *dirvp, const char *prefix, int depth)
{
	struct vfs_dir *d;
	struct vfs_attr a;
	char leaf[VFS_NAME_MAX + 1], vp[VFS_PATH_MAX], rel[RSD_MAXPATH + VFS_NAME_MAX + 2];
	uint32_t from = r->fl.n;
	int rc;

	if (depth > RSD_MAX_DEPTH) {
		rsd_file_error(r, "rsync: [sender] directories nested too deep at %s", prefix);
		return 0;
	}
	if ((rc = vfs_opendir(r->view, dirvp, &d)) < 0) {
		rsd_file_error(r, "rsync: [sender] opendir \"%s\" failed: %s", *prefix ? prefix : ".",
		               sgw_strerror(rc));
		return 0;
	}
	while (!rsd_bad(r) && !r->abort && (rc = vfs_readdir(d, leaf, &a)) == 1) {
		snprintf(rel, sizeof(rel), "%s%s", prefix, leaf);
		if (rsd_filter_excluded(r, rel, S_ISDIR(a.mode), RSD_R_SENDER))
			continue;
		if ((size_t)snprintf(vp, sizeof(vp), "%s/%s", strcmp(dirvp, "/") ? dirvp : "", leaf) >= sizeof(vp))
			continue;
		if (add_one(r, base, vp, rel, &a, r->o.recurse ? 0 : RSD_F_NO_CONTENT) < 0)
			break;
	}
	vfs_closedir(d);
	if (rc < 0)
		rsd_file_error(r, "rsync: [sender] readdir \"%s\" failed: %s", *prefix ? prefix : ".",
		               sgw_strerror(rc));
	if (!r->o.recurse || rsd_bad(r))
		return rsd_bad(r) ? -1 : 0;
	return descend(r, base, dirvp, from, r->fl.n, depth);
}

/* Splits vp into parent (virtual) and leaf. */
static void split(const char *vp, char *parent, size_t psz, const char **leaf)
{
	const char *s = strrchr(vp, '/');

	*leaf = s + 1;
	if (s == vp)
		snprintf(parent, psz, "/");
	else
		snprintf(parent, psz, "%.*s", (int)(s - vp), vp);
}

static void add_arg(struct rsd *r, const char *arg)
{
	char vp[VFS_PATH_MAX], parent[VFS_PATH_MAX];
	const char *leaf;
	size_t al = strlen(arg);
	bool trailing = al == 0 || arg[al - 1] == '/' || strcmp(arg, ".") == 0 ||
	                (al >= 2 && strcmp(arg + al - 2, "/.") == 0);
	struct vfs_attr a;
	int rc, base;

	if ((rc = vfs_path_normalize("/", arg, vp, sizeof(vp))) < 0) {
		rsd_file_error(r, "rsync: [sender] bad path \"%s\": %s", arg, sgw_strerror(rc));
		return;
	}
	if (strcmp(vp, "/") == 0)
		trailing = true;
	if ((rc = vfs_stat(r->view, vp, trailing || !r->o.links, &a)) < 0) {
		rsd_file_error(r, "rsync: [sender] link_stat \"%s\" failed: %s", arg, sgw_strerror(rc));
		return;
	}
	if (S_ISDIR(a.mode) && !r->o.recurse && !r->o.dirs) {
		rsd_info(r, "skipping directory %s", arg);
		return;
	}
	if (S_ISDIR(a.mode) && trailing) {
		if ((base = add_base(r, vp)) < 0 || add_one(r, base, vp, ".", &a, RSD_F_TOP_DIR) < 0)
			goto oom;
		walk(r, base, vp, "", 0);
		return;
	}
	split(vp, parent, sizeof(parent), &leaf);
	if ((base = add_base(r, parent)) < 0)
		goto oom;
	if (add_one(r, base, vp, leaf, &a, S_ISDIR(a.mode) ? RSD_F_TOP_DIR : 0) < 0)
		return;
	if (S_ISDIR(a.mode) && r->o.recurse) {
		char prefix[RSD_MAXPATH];

		snprintf(prefix, sizeof(prefix), "%s/", leaf);
		walk(r, base, vp, prefix, 0);
	}
	return;
oom:
	rsd_fail(r, RERR_MALLOC, "out of memory");
}

void rsd_flist_build(struct rsd *r)
{
	if (r->o.nargs == 0) {
		rsd_fail(r, RERR_SYNTAX, "no source path given");
		return;
	}
	for (int i = 0; i < r->o.nargs && !rsd_bad(r); i++)
		add_arg(r, r->o.args[i]);
	if (!rsd_bad(r))
		rsd_flist_sort(&r->fl);
}
