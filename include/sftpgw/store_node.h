/* store_node.h — nodes of environments and the tunnel allow-list.
 *
 * Same conventions as store.h: 0 or a negative SGW_E* code; SGW_ENOTFOUND
 * when a row is missing, SGW_EEXISTS on a uniqueness clash. Reads are
 * indexed look-ups, cheap enough for the loop thread.
 */
#ifndef SFTPGW_STORE_NODE_H
#define SFTPGW_STORE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sftpgw/store.h"

#define NODE_ACCOUNT_MAX 64     /* backend account name */
#define NODE_HOST_MAX 255       /* backend host name or address */
#define NODE_HOSTKEY_MAX 2048   /* "TYPE BASE64" of the pinned host key */
#define NODE_ROLE_MAX 32        /* role label */
#define TUNNEL_HOST_MAX 255     /* allow-list host */
#define TUNNEL_PORT_ANY_LO 1
#define TUNNEL_PORT_ANY_HI 65535

struct store_node {
	int64_t id;
	int64_t env_id;
	char env[NAME_MAX_LEN + 1];
	char name[NODE_MAX_LEN + 1];
	char account[NODE_ACCOUNT_MAX + 1];
	char host[NODE_HOST_MAX + 1];
	int port;
	char host_key[NODE_HOSTKEY_MAX + 1];
	char role[NODE_ROLE_MAX + 1];
	bool up;                 /* status = 'up' */
	bool primary;
};

struct store_tunnel {
	int64_t id;
	int64_t env_id;
	char host[TUNNEL_HOST_MAX + 1];
	int port_lo, port_hi;
};

/* Finds an environment by name (status and policy included). */
int store_node_env_find(struct store *st, const char *name, struct store_env *out);
/* Sets an environment's node policy ("primary", "first-up", "random"). */
int store_node_env_policy(struct store *st, int64_t env_id, const char *policy);
/* The nodes of one environment (env_id > 0) or of all, by env then node name.
 * *out is one malloc'd array (free()); NULL when n == 0. */
int store_node_list(struct store *st, int64_t env_id, struct store_node **out, size_t *n);
/* Finds a node by environment and name. */
int store_node_find(struct store *st, int64_t env_id, const char *name, struct store_node *out);
/* Adds a node (id is set on return); with primary set, the environment's
 * other nodes stop being primary (one transaction). */
int store_node_add(struct store *st, struct store_node *n);
/* Writes every field of the node with n->id (same primary rule). */
int store_node_update(struct store *st, const struct store_node *n);
/* Removes a node. */
int store_node_rm(struct store *st, int64_t env_id, const char *name);

/* Adds host:lo-hi to an environment's allow-list. */
int store_tunnel_add(struct store *st, int64_t env_id, const char *host, int lo, int hi);
/* Removes exactly that entry. */
int store_tunnel_rm(struct store *st, int64_t env_id, const char *host, int lo, int hi);
/* The allow-list of one environment. *out is one malloc'd array (free()). */
int store_tunnel_list(struct store *st, int64_t env_id, struct store_tunnel **out, size_t *n);
/* 0 when some entry of the environment allows host:port (host compared
 * case-insensitively), else SGW_ENOTFOUND. */
int store_tunnel_match(struct store *st, int64_t env_id, const char *host, int port);

#endif
