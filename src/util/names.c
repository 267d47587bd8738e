/* names.c — name rules and login-name splitting (see names.h). */
#include <ctype.h>
#include <string.h>

#include "sftpgw/err.h"
#include "sftpgw/names.h"

static bool name_valid_n(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(extra, c) != NULL))
			return false;
	}
	return true;
}

bool name_valid(const char *s)
{
	return name_valid_n(s, NAME_MAX_LEN, "._-");
}

bool name_node_valid(const char *s)
{
	return name_valid_n(s, NODE_MAX_LEN, "_-");
}

const char *name_why_invalid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "a name cannot be empty";
	if (n > NAME_MAX_LEN)
		return "a name has at most 64 characters";
	if (strpbrk(s, "+:@/") != NULL)
		return "a name cannot contain '+', ':', '@' or '/'";
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			return "a name is lower-case";
	if (!name_valid(s))
		return "a name starts with a-z or 0-9 and holds only a-z, 0-9, '.', '_' and '-'";
	return NULL;
}

int name_from_comment(const char *comment, char *out, size_t outsz)
{
	const char *start = comment, *end, *at;
	size_t n;

	while (*start == ' ' || *start == '\t')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (end == start)
		return SGW_ENOTFOUND;
	at = NULL;
	for (const char *p = start; p < end; p++)
		if (*p == '@')
			at = p;
	if (at != NULL)
		end = at;
	n = (size_t)(end - start);
	if (n == 0 || n >= outsz)
		return SGW_EBADNAME;
	memcpy(out, start, n);
	out[n] = '\0';
	return name_valid(out) ? 0 : SGW_EBADNAME;
}

static int take_part(const char **p, char *out, size_t outsz)
{
	const char *plus = strchr(*p, '+');
	size_t n = plus ? (size_t)(plus - *p) : strlen(*p);

	if (n == 0 || n >= outsz)
		return SGW_EBADNAME;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n + (plus ? 1 : 0);
	return plus ? 1 : 0;
}

int login_target_parse(const char *login, struct login_target *t)
{
	const char *p = login;
	int more;

	memset(t, 0, sizeof(*t));
	if ((more = take_part(&p, t->user, sizeof(t->user))) < 0 || !name_valid(t->user))
		return SGW_EBADNAME;
	if (more && ((more = take_part(&p, t->env, sizeof(t->env))) < 0 || !name_valid(t->env)))
		return SGW_EBADNAME;
	if (more && ((more = take_part(&p, t->node, sizeof(t->node))) != 0 || !name_node_valid(t->node)))
		return SGW_EBADNAME;
	return 0;
}
