/* core.h — shared by the files of src/core only. */
#ifndef SFTPGW_CORE_H
#define SFTPGW_CORE_H

#include "sftpgw/chan.h"

/* builtins.c */
const struct chan_kind *core_subsystem_find(const char *name);
const struct chan_kind *core_forward_kind(void);
int core_tunnel_check(const struct sess_info *s, const char *host, int port, const char **why);
const struct chan_kind *core_tunnel_kind(void);

#endif
