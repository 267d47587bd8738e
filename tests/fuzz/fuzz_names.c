/* fuzz_names.c — name_from_comment, login_target_parse and the name rules.
 *
 * The first input byte picks the function; the rest is the string (a NUL in
 * it ends the string early, as in C). Accepted results must follow the rules
 * in names.h: a name from a comment is a valid name found in the comment; a
 * parsed login target is valid parts that join back to the login exactly.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "sftpgw/err.h"
#include "sftpgw/names.h"

static void check_comment(const char *s)
{
	char out[NAME_MAX_LEN + 1];
	int r;

	memset(out, 'X', sizeof(out));
	r = name_from_comment(s, out, sizeof(out));
	if (r != 0) {
		FZ_CHECK(r == SGW_ENOTFOUND || r == SGW_EBADNAME);
		return;
	}
	FZ_CHECK(name_valid(out));
	FZ_CHECK(name_why_invalid(out) == NULL);
	FZ_CHECK(strlen(out) <= NAME_MAX_LEN);
	FZ_CHECK(strstr(s, out) != NULL);
	FZ_CHECK(strchr(out, '@') == NULL);
}

static void check_login(const char *s)
{
	struct login_target t;
	char joined[3 * (NAME_MAX_LEN + 1) + 1];
	int r = login_target_parse(s, &t);

	if (r != 0) {
		FZ_CHECK(r == SGW_EBADNAME);
		return;
	}
	FZ_CHECK(name_valid(t.user));
	FZ_CHECK(t.env[0] == '\0' || name_valid(t.env));
	FZ_CHECK(t.node[0] == '\0' || name_node_valid(t.node));
	FZ_CHECK(t.node[0] == '\0' || t.env[0] != '\0');
	snprintf(joined, sizeof(joined), "%s%s%s%s%s", t.user, t.env[0] ? "+" : "", t.env,
	         t.node[0] ? "+" : "", t.node);
	FZ_CHECK(strcmp(joined, s) == 0);
}

static void check_rules(const char *s)
{
	const char *why = name_why_invalid(s);

	FZ_CHECK((why == NULL) == name_valid(s));
	if (name_node_valid(s))
		FZ_CHECK(strlen(s) <= NODE_MAX_LEN && strchr(s, '.') == NULL);
	if (name_valid(s))
		FZ_CHECK(strpbrk(s, "+@:/ ") == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size == 0)
		return 0;
	s = fz_strndup(data + 1, size - 1);
	switch (data[0] % 3) {
	case 0: check_comment(s); break;
	case 1: check_login(s); break;
	default: check_rules(s); break;
	}
	free(s);
	return 0;
}
