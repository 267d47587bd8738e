/* rsd_fstore.c — the file list's compact storage (48-byte entries plus a
 * shared pool of names, link targets and -c checksums), rsync's sort order
 * over it and look-up by name. No I/O (unit tested).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sftpgw/err.h"
#include "rsd_int.h"

int rsd_flist_add(struct rsd_flist *fl, const char *name, const char *link, struct rsd_file **out)
{
	size_t nl = strlen(name) + 1, ll = link ? strlen(link) + 1 : 0;

	if (fl->n >= RSD_MAX_FILES)
		return SGW_ELIMIT;
	if (fl->nlen == 0) { /* offset 0 is the empty string */
		fl->ncap = 4096;
		if ((fl->names = malloc(fl->ncap)) == NULL)
			return SGW_ELIMIT;
		fl->names[0] = '\0';
		fl->nlen = 1;
	}
	if (fl->nlen + nl + ll > RSD_MAX_NAMEBYTES)
		return SGW_ELIMIT;
	while (fl->nlen + nl + ll > fl->ncap) {
		char *p = realloc(fl->names, fl->ncap * 2);

		if (p == NULL)
			return SGW_ELIMIT;
		fl->names = p;
		fl->ncap *= 2;
	}
	if (fl->n == fl->cap) {
		uint32_t nc = fl->cap ? fl->cap * 2 : 256;
		struct rsd_file *p = realloc(fl->f, (size_t)nc * sizeof(*p));

		if (p == NULL)
			return SGW_ELIMIT;
		fl->f = p;
		fl->cap = nc;
	}
	struct rsd_file *f = &fl->f[fl->n++];

	memset(f, 0, sizeof(*f));
	f->name = (uint32_t)fl->nlen;
	memcpy(fl->names + fl->nlen, name, nl);
	fl->nlen += nl;
	if (link) {
		f->link = (uint32_t)fl->nlen;
		memcpy(fl->names + fl->nlen, link, ll);
		fl->nlen += ll;
	}
	*out = f;
	return 0;
}

int rsd_flist_set_sum(struct rsd_flist *fl, struct rsd_file *f, const uint8_t sum[RSD_SUM_LEN])
{
	if (fl->nlen + RSD_SUM_LEN > RSD_MAX_NAMEBYTES)
		return SGW_ELIMIT;
	while (fl->nlen + RSD_SUM_LEN > fl->ncap) {
		char *p = realloc(fl->names, fl->ncap * 2);

		if (p == NULL)
			return SGW_ELIMIT;
		fl->names = p;
		fl->ncap *= 2;
	}
	f->link = (uint32_t)fl->nlen;
	memcpy(fl->names + fl->nlen, sum, RSD_SUM_LEN);
	fl->nlen += RSD_SUM_LEN;
	return 0;
}

void rsd_flist_free(struct rsd_flist *fl)
{
	free(fl->f);
	free(fl->names);
	for (uint16_t i = 0; i < fl->nbases; i++)
		free(fl->bases[i]);
	free(fl->bases);
	memset(fl, 0, sizeof(*fl));
}

static const struct rsd_flist *sort_fl;

static int sort_cb(const void *x, const void *y)
{
	const struct rsd_file *a = x, *b = y;

	return rsd_name_cmp(rsd_fname(sort_fl, a), S_ISDIR(a->mode), rsd_fname(sort_fl, b),
	                    S_ISDIR(b->mode));
}

static uv_mutex_t sort_mu;
static uv_once_t sort_once = UV_ONCE_INIT;

static void sort_init(void)
{
	uv_mutex_init(&sort_mu);
}

void rsd_flist_sort(struct rsd_flist *fl)
{
	if (fl->n < 2)
		return;
	/* qsort has no context argument; serialize the (fast) sorts */
	uv_once(&sort_once, sort_init);
	uv_mutex_lock(&sort_mu);
	sort_fl = fl;
	qsort(fl->f, fl->n, sizeof(*fl->f), sort_cb);
	sort_fl = NULL;
	uv_mutex_unlock(&sort_mu);
}

int rsd_flist_find(const struct rsd_flist *fl, const char *name, bool is_dir)
{
	uint32_t lo = 0, hi = fl->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct rsd_file *f = &fl->f[mid];
		int c = rsd_name_cmp(rsd_fname(fl, f), S_ISDIR(f->mode), name, is_dir);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

