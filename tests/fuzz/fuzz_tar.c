/* fuzz_tar.c — the tar command line a client sends (arcd_opts_parse,
 * src/archive/arcd_opts.c), split by shw_split as the dispatcher does.
 *
 * A refusal comes with GNU tar's message; an accepted line has a mode, at
 * most ARCD_MAX_OPERANDS operands, and every directory (-C, global and per
 * operand) normalized and absolute, at most ARCD_MAX_EXCLUDES patterns; every
 * word of the line is then tried as a member name against --exclude and the
 * member selection, and a selected name marks an operand. arcd_opts_free
 * releases everything in both cases (LeakSanitizer checks).
 */
#include <stdbool.h>

#include "fuzz.h"
#include "sftpgw/arcd.h"
#include "sftpgw/err.h"
#include "sftpgw/shellwords.h"
#include "sftpgw/vfs.h"

static void check_dir(const char *d)
{
	char again[VFS_PATH_MAX];

	FZ_CHECK(d != NULL && d[0] == '/');
	FZ_CHECK(vfs_path_normalize(NULL, d, again, sizeof(again)) == 0 && strcmp(again, d) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arcd_opts o;
	char **argv = NULL, err[512];
	const char *why;
	int words = shw_split((const char *)data, size, &argv, &why), r;

	if (words < 1)
		goto out;
	memset(&o, 0, sizeof(o));
	err[0] = '\0';
	r = arcd_opts_parse(argv, &o, err, sizeof(err));
	if (r != 0) {
		FZ_CHECK(r == SGW_EUSAGE || r == SGW_ETOOBIG);
		FZ_CHECK(err[0] != '\0');
	} else {
		FZ_CHECK(o.mode != ARCD_NONE);
		FZ_CHECK(o.n <= ARCD_MAX_OPERANDS && o.n < (size_t)words);
		check_dir(o.dir);
		for (size_t i = 0; i < o.n; i++) {
			FZ_CHECK(o.ops[i].path != NULL);
			check_dir(o.ops[i].dir);
		}
		FZ_CHECK(o.nexcl <= ARCD_MAX_EXCLUDES);
		for (int i = 0; i < words; i++) {
			bool any = false;

			(void)arcd_excluded(&o, argv[i]);
			if (arcd_selected(&o, argv[i]) && o.n > 0) {
				for (size_t k = 0; k < o.n; k++)
					any |= o.ops[k].matched;
				FZ_CHECK(any);
			}
		}
	}
	arcd_opts_free(&o);
out:
	shw_free(argv);
	return 0;
}
