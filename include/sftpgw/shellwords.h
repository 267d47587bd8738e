/* shellwords.h — split an exec command line into words, never through a shell.
 *
 * Understands what OpenSSH's scp and rsync send: words separated by blanks,
 * single quotes, double quotes (with \\ \" \$ \` escapes inside) and backslash
 * escapes outside quotes. Unquoted shell syntax (; | & < > ` $( ) is refused
 * with SGW_EBADFORMAT so it can never be mistaken for something that runs.
 */
#ifndef SFTPGW_SHELLWORDS_H
#define SFTPGW_SHELLWORDS_H

#include <stddef.h>

#define SHW_MAX_LINE 65536 /* longest exec line accepted */
#define SHW_MAX_WORDS 4096 /* most words in one line */

/* Splits line[0..len) into a NULL-terminated argv (one allocation; free with
 * shw_free). Returns the word count, or SGW_EBADFORMAT (bad quoting, NUL, shell
 * syntax), SGW_ETOOBIG (over a limit). *why gets a static reason on failure. */
int shw_split(const char *line, size_t len, char ***argv, const char **why);
void shw_free(char **argv);

#endif
