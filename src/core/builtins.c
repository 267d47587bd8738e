/* builtins.c — which channel kind serves which request.
 *
 * Each protocol module adds its lines here and nowhere else in the core.
 */
#include <string.h>

#include "sftpgw/chan.h"
#include "sftpgw/fwd.h"
#include "sftpgw/kinds.h"
#include "core.h"

static const struct chan_builtin builtins[] = {
	/* src/scp */
	{ "scp", &scpd_kind },

	/* src/archive */
	{ "md5sum", &sumd_kind },
	{ "sha1sum", &sumd_kind },
	{ "sha256sum", &sumd_kind },
	{ "sha512sum", &sumd_kind },
	{ "tar", &arcd_kind },
	{ "pwd", &miscd_kind },
	{ "true", &miscd_kind },
	{ "false", &miscd_kind },

	/* src/rsync */
	{ "rsync", &rsd_kind },

	{ NULL, NULL }
};

static const struct chan_builtin subsystems[] = {
	/* src/sftp */
	{ "sftp", &sftpd_kind },

	{ NULL, NULL }
};

static const struct chan_builtin *builtin_lookup(const struct chan_builtin *t, const char *name)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

const struct chan_kind *chan_builtin_find(const char *name)
{
	const struct chan_builtin *b = builtin_lookup(builtins, name);

	return b ? b->kind : NULL;
}

const struct chan_kind *core_subsystem_find(const char *name)
{
	const struct chan_builtin *b = builtin_lookup(subsystems, name);

	return b ? b->kind : NULL;
}

/* Shells and commands that are not built in (src/forward), or NULL. */
const struct chan_kind *core_forward_kind(void)
{
	return &fwd_shell_kind;
}

/* direct-tcpip (src/forward): 0 when allowed. */
int core_tunnel_check(const struct sess_info *s, const char *host, int port, const char **why)
{
	return fwd_tunnel_check(s, host, port, why);
}

const struct chan_kind *core_tunnel_kind(void)
{
	return &fwd_tunnel_kind;
}
