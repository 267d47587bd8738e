/* rsd_filter.c — the client's filter rules (as its send_rules() writes them:
 * "- pat", "+ pat", "P pat", "R pat", "H pat", "S pat", "!" with modifiers
 * such as "-/ ", "-! ", "-s ", "-r "), and rsync's matching of them: patterns
 * without '/' match the last component, others the whole relative path
 * ('/'-anchored or at any component boundary), a trailing '/' only matches
 * directories, "**" crosses '/', and "dir" + "/" + "***" is the dir and all below.
 */
#include <stdlib.h>
#include <string.h>

#include "sftpgw/err.h"
#include "rsd_int.h"

/* Does the rule's pattern match name? */
static bool rule_hit(const struct rsd_rule *ru, const char *name, bool is_dir)
{
	const char *pat = ru->pat;
	size_t pl = strlen(pat);
	bool hit = false;

	if ((ru->flags & RSD_R_DIR) && !is_dir)
		return (ru->flags & RSD_R_NEGATE) != 0;
	if (pl >= 4 && strcmp(pat + pl - 4, "/" "***") == 0) {
		/* the directory itself or anything below it */
		char tmp[RSD_MAXPATH + 8];
		struct rsd_rule sub = { tmp, ru->flags & ~(RSD_R_DIR | RSD_R_NEGATE) };

		if (pl + 4 >= sizeof(tmp))
			return false;
		memcpy(tmp, pat, pl - 4);
		tmp[pl - 4] = '\0';
		hit = rule_hit(&sub, name, is_dir);
		if (!hit) {
			memcpy(tmp + pl - 4, "/" "**", 4);
			sub.flags |= RSD_R_SLASH;
			hit = rule_hit(&sub, name, is_dir);
		}
	} else if (ru->flags & RSD_R_ANCHOR) {
		hit = rsd_wildmatch(pat, name);
	} else if (ru->flags & RSD_R_SLASH) {
		for (const char *s = name; s != NULL && !hit; s = strchr(s, '/') ? strchr(s, '/') + 1 : NULL)
			hit = rsd_wildmatch(pat, s);
	} else {
		const char *leaf = strrchr(name, '/');

		hit = rsd_wildmatch(pat, leaf ? leaf + 1 : name);
	}
	return hit != ((ru->flags & RSD_R_NEGATE) != 0);
}

bool rsd_filter_excluded(const struct rsd *r, const char *name, bool is_dir, unsigned side)
{
	if (strcmp(name, ".") == 0)
		return false;
	for (int i = 0; i < r->nrules; i++) {
		const struct rsd_rule *ru = &r->rules[i];

		if (!(ru->flags & side))
			continue;
		if (rule_hit(ru, name, is_dir))
			return !(ru->flags & RSD_R_INCLUDE);
	}
	return false;
}

/* Parses one rule as the client sends it. 0, or -1 when unsupported. */
static int parse_rule(const char *s, struct rsd_rule *ru)
{
	unsigned fl = 0;
	size_t pl;

	switch (*s) {
	case '-': fl = RSD_R_SENDER | RSD_R_RECEIVER; break;
	case '+': fl = RSD_R_INCLUDE | RSD_R_SENDER | RSD_R_RECEIVER; break;
	case 'H': fl = RSD_R_SENDER; break;
	case 'S': fl = RSD_R_INCLUDE | RSD_R_SENDER; break;
	case 'P': fl = RSD_R_RECEIVER; break;
	case 'R': fl = RSD_R_INCLUDE | RSD_R_RECEIVER; break;
	case '!':
		ru->flags = RSD_R_CLEAR;
		ru->pat = NULL;
		return s[1] == '\0' ? 0 : -1;
	default:
		return -1;
	}
	for (s++; *s && *s != ' ' && *s != '_'; s++) {
		switch (*s) {
		case '/': fl |= RSD_R_ANCHOR; break;
		case '!': fl |= RSD_R_NEGATE; break;
		case 's': fl &= ~RSD_R_RECEIVER; break;
		case 'r': fl &= ~RSD_R_SENDER; break;
		case 'p': case 'n': case 'w': case 'e': break;
		default: return -1; /* xattr, cvs and merge modifiers are not served */
		}
	}
	if (*s == '\0')
		return -1;
	s++;
	if (*s == '/')
		fl |= RSD_R_ANCHOR, s++;
	pl = strlen(s);
	if (pl > 1 && s[pl - 1] == '/')
		fl |= RSD_R_DIR, pl--;
	if (pl == 0 || (ru->pat = strndup(s, pl)) == NULL)
		return -1;
	if (strchr(ru->pat, '/') != NULL || strstr(ru->pat, "**") != NULL)
		fl |= RSD_R_SLASH;
	ru->flags = fl;
	return 0;
}

void rsd_filter_free(struct rsd *r)
{
	for (int i = 0; i < r->nrules; i++)
		free(r->rules[i].pat);
	free(r->rules);
	r->rules = NULL;
	r->nrules = 0;
}

void rsd_filter_recv(struct rsd *r)
{
	char buf[RSD_MAXPATH * 4 + 1];

	for (;;) {
		int32_t len = rsd_read_int(r);

		if (rsd_bad(r) || len == 0)
			return;
		if (len < 0 || (size_t)len >= sizeof(buf)) {
			rsd_fail(r, RERR_STREAMIO, "filter rule too long (%d bytes) [server]", len);
			return;
		}
		rsd_read(r, buf, (size_t)len);
		buf[len] = '\0';
		if (r->nrules >= RSD_MAX_FILTERS) {
			rsd_fail(r, RERR_SYNTAX, "too many filter rules (limit %d)", RSD_MAX_FILTERS);
			return;
		}
		if (r->nrules % 64 == 0) {
			struct rsd_rule *n = realloc(r->rules, (size_t)(r->nrules + 64) * sizeof(*n));

			if (n == NULL) {
				rsd_fail(r, RERR_MALLOC, "out of memory");
				return;
			}
			r->rules = n;
		}
		struct rsd_rule ru;

		if (parse_rule(buf, &ru) != 0) {
			rsd_fail(r, RERR_SYNTAX, "filter rule not supported by this gateway: \"%s\"", buf);
			return;
		}
		if (ru.flags & RSD_R_CLEAR) {
			rsd_filter_free(r);
			continue;
		}
		r->rules[r->nrules++] = ru;
	}
}
