/* fuzz_shellwords.c — shw_split on any bytes.
 *
 * It must never crash; a refused line leaves argv untouched and gives a
 * reason; an accepted one gives exactly the counted words, none with a NUL,
 * and quoting every word in single quotes and splitting the joined line again
 * gives back the same words (so what we split is what a shell would have).
 */
#include <stdbool.h>

#include "fuzz.h"
#include "sftpgw/err.h"
#include "sftpgw/shellwords.h"

/* Appends 'word' quoted for a POSIX shell: ' becomes '\''. */
static size_t quote_word(char *out, const char *w)
{
	size_t o = 0;

	out[o++] = '\'';
	for (; *w != '\0'; w++) {
		if (*w == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			out[o++] = *w;
		}
	}
	out[o++] = '\'';
	return o;
}

static void check_requote(char **argv, int n)
{
	size_t need = 1, len = 0;
	char **again = NULL, *line;
	const char *why = NULL;
	int r;

	for (int i = 0; i < n; i++)
		need += 4 * strlen(argv[i]) + 3;
	if ((line = malloc(need)) == NULL)
		abort();
	for (int i = 0; i < n; i++) {
		if (i > 0)
			line[len++] = ' ';
		len += quote_word(line + len, argv[i]);
	}
	r = shw_split(line, len, &again, &why);
	if (len > SHW_MAX_LINE) {  /* quoting made it longer than a line may be */
		FZ_CHECK(r == SGW_ETOOBIG && again == NULL);
	} else {
		FZ_CHECK(r == n);
		for (int i = 0; i < n; i++)
			FZ_CHECK(strcmp(argv[i], again[i]) == 0);
		FZ_CHECK(again[n] == NULL);
		shw_free(again);
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **argv = NULL;
	const char *why = "unset";
	int r = shw_split((const char *)data, size, &argv, &why);

	if (r < 0) {
		FZ_CHECK(argv == NULL);
		FZ_CHECK(why != NULL && why[0] != '\0');
		FZ_CHECK(r == SGW_EBADFORMAT || r == SGW_ETOOBIG);
		return 0;
	}
	FZ_CHECK(argv != NULL && why == NULL);
	FZ_CHECK(r <= SHW_MAX_WORDS);
	for (int i = 0; i < r; i++)
		FZ_CHECK(argv[i] != NULL);
	FZ_CHECK(argv[r] == NULL);
	/* no word without at least one input byte, none longer than the line */
	for (int i = 0; i < r; i++)
		FZ_CHECK(strlen(argv[i]) <= size);
	check_requote(argv, r);
	shw_free(argv);
	return 0;
}
