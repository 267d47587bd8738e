/* miscd.c — pwd, true and false, for tools that probe the remote side.
 * The user's home is "/" of their view, so pwd always prints "/".
 */
#include <string.h>

#include "sftpgw/chan.h"
#include "sftpgw/kinds.h"

/* pwd's options, as coreutils accepts them (they change nothing here). */
static const char *const miscd_pwd_opts[] = { "-L", "-P", "--logical", "--physical", "--", NULL };

static bool miscd_pwd_opt_ok(const char *a)
{
	for (const char *const *o = miscd_pwd_opts; *o != NULL; o++)
		if (strcmp(*o, a) == 0)
			return true;
	/* clustered short options such as -LP */
	if (a[0] == '-' && a[1] != '-' && a[1] != '\0' && strspn(a + 1, "LP") == strlen(a + 1))
		return true;
	return false;
}

static int miscd_pwd(struct chan *ch, char **argv)
{
	bool operands = false, dashdash = false;

	for (int i = 1; argv[i] != NULL; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			operands = true;
			continue;
		}
		if (!miscd_pwd_opt_ok(a)) {
			if (a[1] == '-')
				chan_errorf(ch, "pwd: unrecognized option '%s'\n", a);
			else
				chan_errorf(ch, "pwd: invalid option -- '%c'\n", a[strspn(a + 1, "LP") + 1]);
			chan_errorf(ch, "Try 'pwd --help' for more information.\n");
			chan_exit(ch, 1);
			return 0;
		}
		if (strcmp(a, "--") == 0)
			dashdash = true;
	}
	if (operands)
		chan_errorf(ch, "pwd: ignoring non-option arguments\n");
	chan_write(ch, "/\n", 2);
	chan_exit(ch, 0);
	return 0;
}

static int miscd_start(struct chan *ch, char **argv)
{
	if (strcmp(argv[0], "pwd") == 0)
		return miscd_pwd(ch, argv);
	/* true and false ignore their arguments, as coreutils does */
	chan_exit(ch, strcmp(argv[0], "false") == 0 ? 1 : 0);
	return 0;
}

static size_t miscd_input(struct chan *ch, const uint8_t *data, size_t len)
{
	(void)ch;
	(void)data;
	return len;
}

static void miscd_close(struct chan *ch)
{
	chan_release(ch);
}

const struct chan_kind miscd_kind = {
	.name = "misc",
	.start = miscd_start,
	.input = miscd_input,
	.close = miscd_close,
};
