/* rsd_wild.c — rsync-style wildcards: '*' and '?' stop at '/', "**" crosses
 * it, [...] classes (with ! or ^), backslash escapes. Pure (unit tested).
 */
#include <stdbool.h>
#include <string.h>

#include "sftpgw/rsd.h"

#define WILD_STEPS 100000 /* work bound for one pathological pattern */

static bool wm(const char *p, const char *t, int *steps);

static bool class_match(const char **pp, char c)
{
	const char *p = *pp + 1;
	bool neg = false, hit = false;

	if (*p == '!' || *p == '^')
		neg = true, p++;
	if (*p == ']') { /* a leading ']' is literal */
		hit = c == ']';
		p++;
	}
	for (; *p && *p != ']'; p++) {
		if (p[1] == '-' && p[2] && p[2] != ']') {
			if ((unsigned char)c >= (unsigned char)p[0] && (unsigned char)c <= (unsigned char)p[2])
				hit = true;
			p += 2;
		} else if (*p == c) {
			hit = true;
		}
	}
	*pp = *p ? p : p - 1;
	return hit != neg && c != '/';
}

static bool star(const char *p, const char *t, bool cross, int *steps)
{
	for (;; t++) {
		if (wm(p, t, steps))
			return true;
		if (*t == '\0' || (!cross && *t == '/') || --*steps <= 0)
			return false;
	}
}

static bool wm(const char *p, const char *t, int *steps)
{
	for (; *p; p++, t++) {
		if (--*steps <= 0)
			return false;
		switch (*p) {
		case '?':
			if (*t == '\0' || *t == '/')
				return false;
			break;
		case '*': {
			bool cross = p[1] == '*';

			while (*p == '*')
				p++;
			if (*p == '\0' && (cross || strchr(t, '/') == NULL))
				return true;
			return star(p, t, cross, steps);
		}
		case '[':
			if (*t == '\0' || !class_match(&p, *t))
				return false;
			break;
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*p != *t)
				return false;
		}
	}
	return *t == '\0';
}

bool rsd_wildmatch(const char *pat, const char *text)
{
	int steps = WILD_STEPS;

	return wm(pat, text, &steps);
}

