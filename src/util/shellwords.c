/* shellwords.c — split an exec line into words without any shell (see shellwords.h).
 *
 * Two passes over the line: the first counts words and bytes and validates,
 * the second fills one allocation holding the argv array and the strings.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sftpgw/err.h"
#include "sftpgw/shellwords.h"

struct shw_state {
	const char *s, *end;
	char *out;          /* NULL in the counting pass */
	size_t bytes;       /* string bytes incl. NULs */
	int words;
	const char *why;
};

static void shw_emit(struct shw_state *st, char c)
{
	if (st->out != NULL)
		*st->out++ = c;
	st->bytes++;
}

/* Reads one double-quoted section; st->s is just past the opening quote. */
static int shw_dquote(struct shw_state *st)
{
	while (st->s < st->end && *st->s != '"') {
		char c = *st->s++;
		if (c == '\\' && st->s < st->end && strchr("\\\"$`\n", *st->s) != NULL)
			c = *st->s++;
		else if (c == '$' || c == '`') {
			st->why = "command substitution and variables are not supported";
			return SGW_EBADFORMAT;
		}
		shw_emit(st, c);
	}
	if (st->s == st->end) {
		st->why = "unterminated double quote";
		return SGW_EBADFORMAT;
	}
	st->s++;
	return 0;
}

static int shw_word(struct shw_state *st)
{
	while (st->s < st->end && *st->s != ' ' && *st->s != '\t' && *st->s != '\n') {
		char c = *st->s++;
		if (c == '\'') {
			const char *q = memchr(st->s, '\'', (size_t)(st->end - st->s));
			if (q == NULL) {
				st->why = "unterminated single quote";
				return SGW_EBADFORMAT;
			}
			while (st->s < q)
				shw_emit(st, *st->s++);
			st->s++;
		} else if (c == '"') {
			int r = shw_dquote(st);
			if (r != 0)
				return r;
		} else if (c == '\\') {
			if (st->s == st->end) {
				st->why = "trailing backslash";
				return SGW_EBADFORMAT;
			}
			shw_emit(st, *st->s++);
		} else if (strchr(";|&<>`$()", c) != NULL) {
			st->why = "shell syntax is not supported (quote it to use it as a name)";
			return SGW_EBADFORMAT;
		} else {
			shw_emit(st, c);
		}
	}
	shw_emit(st, '\0');
	st->words++;
	return 0;
}

static int shw_pass(struct shw_state *st, const char *line, size_t len, char **argv)
{
	st->s = line;
	st->end = line + len;
	st->bytes = 0;
	st->words = 0;
	for (;;) {
		while (st->s < st->end && (*st->s == ' ' || *st->s == '\t' || *st->s == '\n'))
			st->s++;
		if (st->s == st->end)
			return 0;
		if (st->words >= SHW_MAX_WORDS) {
			st->why = "too many words";
			return SGW_ETOOBIG;
		}
		if (argv != NULL)
			argv[st->words] = st->out;
		int r = shw_word(st);
		if (r != 0)
			return r;
	}
}

int shw_split(const char *line, size_t len, char ***argvp, const char **why)
{
	struct shw_state st = { 0 };
	char **argv;
	int r;

	*why = NULL;
	if (len > SHW_MAX_LINE) {
		*why = "command line too long";
		return SGW_ETOOBIG;
	}
	if (memchr(line, '\0', len) != NULL) {
		*why = "NUL byte in command line";
		return SGW_EBADFORMAT;
	}
	if ((r = shw_pass(&st, line, len, NULL)) != 0) {
		*why = st.why;
		return r;
	}
	argv = malloc(sizeof(char *) * ((size_t)st.words + 1) + st.bytes);
	if (argv == NULL)
		return -ENOMEM;
	st.out = (char *)(argv + st.words + 1);
	shw_pass(&st, line, len, argv);
	argv[st.words] = NULL;
	*argvp = argv;
	return st.words;
}

void shw_free(char **argv)
{
	free(argv);
}
