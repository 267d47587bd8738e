/* tunnel.c — which direct-tcpip targets a session may reach through its node,
 * and the node check of USER+ENV+NODE logins.
 *
 * Off by default: the operator allows HOST:PORT, HOST:LOW-HIGH or
 * localhost:* per environment (sftpgw-admin env allow-tunnel). "localhost"
 * in the allow-list also covers 127.0.0.1 and ::1, as clients send either.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fwd_internal.h"
#include "sftpgw/err.h"
#include "sftpgw/fwd.h"
#include "sftpgw/sess.h"

static bool fwd_is_loopback(const char *host)
{
	return strcasecmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0 ||
	       strcmp(host, "::1") == 0;
}

int fwd_tunnel_check(const struct sess_info *s, const char *host, int port, const char **why)
{
	static __thread char msg[FWD_MSG_MAX];
	struct fwd_choice c;

	*why = msg;
	if (!s->permit_port_forwarding) {
		snprintf(msg, sizeof(msg), "port forwarding is not permitted for this login");
		return SGW_EDENIED;
	}
	if (port < 1 || port > 65535 || strlen(host) > TUNNEL_HOST_MAX) {
		snprintf(msg, sizeof(msg), "bad tunnel target");
		return SGW_EBADFORMAT;
	}
	if (fwd__target_resolve(s, FWD_TUNNEL, false, NULL, &c) != 0) {
		snprintf(msg, sizeof(msg), "%s", c.msg);
		return SGW_EDENIED;
	}
	if (store_tunnel_match(s->store, c.env.id, host, port) == 0 ||
	    (fwd_is_loopback(host) && store_tunnel_match(s->store, c.env.id, "localhost", port) == 0))
		return 0;
	snprintf(msg, sizeof(msg), "tunnel to %s:%d is not allowed for environment %s", host, port,
	         c.env.name);
	return SGW_EDENIED;
}

int fwd_node_check(const struct sess_info *s, const char **why)
{
	static __thread char msg[FWD_MSG_MAX];
	struct fwd_choice c;

	*why = msg;
	msg[0] = '\0';
	if (s->target.node[0] == '\0' || s->target.env[0] == '\0')
		return 0;
	if (fwd__target_resolve(s, FWD_EXEC, false, "", &c) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "%s", c.msg);
	return SGW_EDENIED;
}
