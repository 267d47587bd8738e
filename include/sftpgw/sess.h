/* sess.h — what a channel kind may know about its SSH session.
 *
 * Filled by the core at authentication; read-only for channel kinds. A session
 * lives on one worker thread; everything here is touched only from that thread.
 */
#ifndef SFTPGW_SESS_H
#define SFTPGW_SESS_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "sftpgw/config.h"
#include "sftpgw/names.h"
#include "sftpgw/store.h"

struct vfs_view;

struct sess_info {
	uint64_t id;                        /* session id, as in the log */
	uv_loop_t *loop;                    /* the worker's loop */
	struct store *store;                /* the worker's read connection (loop thread only) */
	const struct sgw_config *cfg;
	char addr[64];                      /* client address, no port */
	int port;                           /* client port */
	char login[256];                    /* login name as the client sent it */
	struct login_target target;         /* user / env / node from the login name */
	int64_t user_id;
	struct store_env *envs;             /* environments this session may use: the one
	                                       named in the login, else all granted */
	size_t n_envs;
	struct vfs_view *view;              /* mounts of envs (NULL until built) */
	/* Certificate logins; for key logins all permits are true. */
	bool is_cert;
	bool permit_pty;
	bool permit_port_forwarding;
	char *force_command;                /* NULL unless the certificate forces one */
	int64_t cert_valid_before;          /* 0 = no expiry */
	char cert_key_id[256];
	uint64_t cert_serial;
};

#endif
