/* fwd.h — forwarding to an environment's nodes: shells, commands, tunnels. */
#ifndef SFTPGW_FWD_H
#define SFTPGW_FWD_H

#include "sftpgw/chan.h"

/* Shells and exec commands that are not built in: the menu or the chosen
 * node, relayed over a libssh client session. */
extern const struct chan_kind fwd_shell_kind;

/* Logins naming a node (USER+ENV+NODE): 0 when that node exists and is up
 * (or no node is named), else a negative code with *why set to the one-line
 * refusal, which names only the user's own environments. Files never need
 * the node, but a login naming a wrong or down one should be refused. */
int fwd_node_check(const struct sess_info *s, const char **why);

/* direct-tcpip: 0 when the session may open a tunnel to host:port (the
 * environment's allow-list and the certificate's permits), else a negative
 * code with *why set to a one-line reason. */
int fwd_tunnel_check(const struct sess_info *s, const char *host, int port, const char **why);
/* Started with argv {host, port, originator host, originator port, NULL}. */
extern const struct chan_kind fwd_tunnel_kind;

#endif
