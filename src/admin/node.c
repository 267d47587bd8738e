/* node.c — sftpgw-admin: nodes of environments, node checks, the tunnel allow-list.
 *
 *   node add ENV NODE ssh://ACCOUNT@HOST[:PORT] (--host-key 'TYPE BASE64' | --host-key-file FILE)
 *            [--role ROLE] [--primary]
 *   node list [ENV] | node show ENV NODE | node rm ENV NODE | node check ENV NODE
 *   node set ENV NODE [--status up|down] [--primary] [--role R] [--host-key ... | --host-key-file F]
 *   env allow-tunnel ENV SPEC | env deny-tunnel ENV SPEC | env tunnels ENV
 *   env node-policy ENV primary|first-up|random
 */
#include <ctype.h>
#include <libssh/libssh.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "sftpgw/err.h"
#include "sftpgw/names.h"
#include "sftpgw/store_node.h"

#define NODE_DEFAULT_PORT 22
#define NODE_CHECK_TIMEOUT_S 10
#define NODE_KEYFILE_MAX 16384

/* --- parsing --- */

static bool node_chars_ok(const char *s, const char *extra, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return false;
	return true;
}

/* Parses ssh://ACCOUNT@HOST[:PORT] (HOST may be [IPv6]) into n. */
static int node_parse_url(const char *url, struct store_node *n)
{
	const char *p = url + 6, *at, *host, *hend, *port = NULL;
	char *end;
	long v;

	if (strncmp(url, "ssh://", 6) != 0 || (at = strchr(p, '@')) == NULL)
		return admin_fail("backend must look like ssh://ACCOUNT@HOST[:PORT], not \"%s\"", url);
	snprintf(n->account, sizeof(n->account), "%.*s", (int)(at - p), p);
	host = at + 1;
	if (*host == '[') {
		if ((hend = strchr(host, ']')) == NULL)
			return admin_fail("unclosed [ in \"%s\"", url);
		snprintf(n->host, sizeof(n->host), "%.*s", (int)(hend - host - 1), host + 1);
		if (hend[1] == ':')
			port = hend + 2;
		else if (hend[1] != '\0')
			return admin_fail("junk after ] in \"%s\"", url);
	} else {
		hend = strchr(host, ':');
		snprintf(n->host, sizeof(n->host), "%.*s",
		         (int)(hend ? (size_t)(hend - host) : strlen(host)), host);
		port = hend ? hend + 1 : NULL;
	}
	n->port = NODE_DEFAULT_PORT;
	if (port != NULL) {
		v = strtol(port, &end, 10);
		if (*port == '\0' || *end != '\0' || v < 1 || v > 65535)
			return admin_fail("bad port in \"%s\"", url);
		n->port = (int)v;
	}
	if (!node_chars_ok(n->account, "._-", NODE_ACCOUNT_MAX))
		return admin_fail("bad account in \"%s\"", url);
	if (!node_chars_ok(n->host, ".-:", NODE_HOST_MAX))
		return admin_fail("bad host in \"%s\"", url);
	return 0;
}

/* Normalizes "TYPE BASE64 [comment]" to "TYPE BASE64" after checking it parses. */
static int node_parse_hostkey(const char *text, struct store_node *n)
{
	char type[64], b64[NODE_HOSTKEY_MAX];
	ssh_key k = NULL;

	if (sscanf(text, " %63s %2047s", type, b64) != 2 ||
	    ssh_key_type_from_name(type) == SSH_KEYTYPE_UNKNOWN ||
	    ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type), &k) != SSH_OK)
		return admin_fail("host key must be \"TYPE BASE64\" as in ssh_host_*_key.pub "
		                  "(or ssh-keyscan output without the host name)");
	ssh_key_free(k);
	if (strlen(type) + 1 + strlen(b64) > NODE_HOSTKEY_MAX)
		return admin_fail("host key too long");
	memcpy(n->host_key, type, strlen(type));
	n->host_key[strlen(type)] = ' ';
	memcpy(n->host_key + strlen(type) + 1, b64, strlen(b64) + 1);
	return 0;
}

static int node_hostkey_arg(const char *key, const char *file, struct store_node *n)
{
	char *text = NULL;
	size_t len;
	int r;

	if (key != NULL && file != NULL)
		return admin_fail("give --host-key or --host-key-file, not both");
	if (key != NULL)
		return node_parse_hostkey(key, n);
	if ((r = admin_read_file(file, NODE_KEYFILE_MAX, &text, &len)) != 0)
		return admin_fail("cannot read %s: %s", file, sgw_strerror(r));
	r = node_parse_hostkey(text, n);
	free(text);
	return r;
}

static int node_env(struct admin_ctx *c, const char *name, struct store_env *e)
{
	int r = store_node_env_find(c->st, name, e);

	if (r == SGW_ENOTFOUND)
		return admin_fail("no environment \"%s\" (sftpgw-admin env list)", name);
	if (r != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	return 0;
}

static int node_get(struct admin_ctx *c, const char *env, const char *name, struct store_env *e,
                    struct store_node *n)
{
	int r;

	if (node_env(c, env, e) != 0)
		return ADMIN_FAIL;
	r = store_node_find(c->st, e->id, name, n);
	if (r == SGW_ENOTFOUND)
		return admin_fail("no node \"%s\" in %s (sftpgw-admin node list %s)", name, env, env);
	if (r != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	return 0;
}

static void node_fingerprint(const char *host_key, char *out, size_t outsz)
{
	char type[64], b64[NODE_HOSTKEY_MAX];
	ssh_key k = NULL;
	unsigned char *h = NULL;
	size_t hlen = 0;
	char *fp;

	snprintf(out, outsz, "?");
	if (sscanf(host_key, "%63s %2047s", type, b64) != 2 ||
	    ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type), &k) != SSH_OK)
		return;
	if (ssh_get_publickey_hash(k, SSH_PUBLICKEY_HASH_SHA256, &h, &hlen) == 0 &&
	    (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, h, hlen)) != NULL) {
		snprintf(out, outsz, "%s", fp);
		ssh_string_free_char(fp);
	}
	ssh_clean_pubkey_hash(&h);
	ssh_key_free(k);
}

static json_t *node_json(const struct store_node *n)
{
	char backend[NODE_ACCOUNT_MAX + NODE_HOST_MAX + 24], fp[128];
	bool v6 = strchr(n->host, ':') != NULL;

	snprintf(backend, sizeof(backend), "ssh://%s@%s%s%s:%d", n->account, v6 ? "[" : "", n->host,
	         v6 ? "]" : "", n->port);
	node_fingerprint(n->host_key, fp, sizeof(fp));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "env", n->env, "node", n->name,
	                 "backend", backend, "role", n->role, "status", n->up ? "up" : "down",
	                 "primary", n->primary, "host_key", fp, "host_key_text", n->host_key);
}

/* --- node commands --- */

enum { O_HOSTKEY, O_HOSTKEYFILE, O_ROLE, O_PRIMARY, O_STATUS, O_N };

static const struct option node_opts[] = {
	{ "host-key", required_argument, NULL, O_HOSTKEY },
	{ "host-key-file", required_argument, NULL, O_HOSTKEYFILE },
	{ "role", required_argument, NULL, O_ROLE },
	{ "primary", no_argument, NULL, O_PRIMARY },
	{ "status", required_argument, NULL, O_STATUS },
	{ NULL, 0, NULL, 0 },
};

static int node_apply_opts(const char **v, struct store_node *n)
{
	if ((v[O_HOSTKEY] || v[O_HOSTKEYFILE]) && node_hostkey_arg(v[O_HOSTKEY], v[O_HOSTKEYFILE], n))
		return ADMIN_FAIL;
	if (v[O_ROLE] != NULL) {
		if (v[O_ROLE][0] != '\0' && !node_chars_ok(v[O_ROLE], "_-", NODE_ROLE_MAX))
			return admin_fail("role must be letters, digits, _ and - (at most %d)", NODE_ROLE_MAX);
		snprintf(n->role, sizeof(n->role), "%s", v[O_ROLE]);
	}
	if (v[O_PRIMARY] != NULL)
		n->primary = true;
	if (v[O_STATUS] != NULL) {
		if (strcmp(v[O_STATUS], "up") != 0 && strcmp(v[O_STATUS], "down") != 0)
			return admin_fail("--status is up or down");
		n->up = strcmp(v[O_STATUS], "up") == 0;
	}
	return 0;
}

static int node_add_run(struct admin_ctx *c, int argc, char **argv)
{
	const char *v[O_N] = { 0 };
	struct store_env e;
	struct store_node n;
	int i = admin_args(c, argc, argv, node_opts, v, 3, 3), r;

	if (i < 0)
		return ADMIN_USAGE;
	memset(&n, 0, sizeof(n));
	n.up = true;
	if (!name_node_valid(argv[i + 1]))
		return admin_fail("node name must match [a-z0-9][a-z0-9_-]{0,31}: \"%s\"", argv[i + 1]);
	if (v[O_HOSTKEY] == NULL && v[O_HOSTKEYFILE] == NULL)
		return admin_fail("the node's host key is required: --host-key 'TYPE BASE64' or "
		                  "--host-key-file /path/ssh_host_ed25519_key.pub");
	if (node_env(c, argv[i], &e) != 0 || node_parse_url(argv[i + 2], &n) != 0 ||
	    node_apply_opts(v, &n) != 0)
		return ADMIN_FAIL;
	snprintf(n.name, sizeof(n.name), "%s", argv[i + 1]);
	snprintf(n.env, sizeof(n.env), "%s", e.name);
	n.env_id = e.id;
	r = store_node_add(c->st, &n);
	if (r == SGW_EEXISTS)
		return admin_fail("%s already has a node \"%s\" (sftpgw-admin node set)", e.name, n.name);
	if (r != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	if (c->json)
		admin_print_obj(c, node_json(&n));
	else
		printf("added node %s/%s; install the gateway's key on it: sftpgw-admin hostkeys --client, "
		       "then: sftpgw-admin node check %s %s\n", e.name, n.name, e.name, n.name);
	return ADMIN_OK;
}

static int node_list_run(struct admin_ctx *c, int argc, char **argv)
{
	static const char *const cols[] = { "env", "node", "backend", "role", "status", "primary",
		                            "host_key", NULL };
	struct store_env e = { .id = 0 };
	struct store_node *nodes;
	size_t n;
	json_t *rows;
	int i = admin_args(c, argc, argv, NULL, NULL, 0, 1);

	if (i < 0)
		return ADMIN_USAGE;
	if (i < argc && node_env(c, argv[i], &e) != 0)
		return ADMIN_FAIL;
	if (store_node_list(c->st, e.id, &nodes, &n) != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	rows = json_array();
	for (size_t k = 0; k < n; k++)
		json_array_append_new(rows, node_json(&nodes[k]));
	admin_print_list(c, rows, cols);
	json_decref(rows);
	free(nodes);
	return ADMIN_OK;
}

static int node_show_run(struct admin_ctx *c, int argc, char **argv)
{
	struct store_env e;
	struct store_node n;
	json_t *o;
	int i = admin_args(c, argc, argv, NULL, NULL, 2, 2);

	if (i < 0)
		return ADMIN_USAGE;
	if (node_get(c, argv[i], argv[i + 1], &e, &n) != 0)
		return ADMIN_FAIL;
	o = node_json(&n);
	json_object_set_new(o, "env_status", json_string(e.running ? "running" : "stopped"));
	json_object_set_new(o, "env_node_policy", json_string(e.node_policy));
	admin_print_obj(c, o);
	json_decref(o);
	return ADMIN_OK;
}

static int node_set_run(struct admin_ctx *c, int argc, char **argv)
{
	const char *v[O_N] = { 0 };
	struct store_env e;
	struct store_node n;
	int i = admin_args(c, argc, argv, node_opts, v, 2, 2);

	if (i < 0)
		return ADMIN_USAGE;
	if (node_get(c, argv[i], argv[i + 1], &e, &n) != 0 || node_apply_opts(v, &n) != 0)
		return ADMIN_FAIL;
	if (store_node_update(c->st, &n) != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	if (!c->json)
		printf("node %s/%s: %s%s, role %s\n", e.name, n.name, n.up ? "up" : "down",
		       n.primary ? ", primary" : "", n.role[0] ? n.role : "-");
	else
		admin_print_obj(c, node_json(&n));
	return ADMIN_OK;
}

static int node_rm_run(struct admin_ctx *c, int argc, char **argv)
{
	struct store_env e;
	struct store_node n;
	int i = admin_args(c, argc, argv, NULL, NULL, 2, 2);

	if (i < 0)
		return ADMIN_USAGE;
	if (node_get(c, argv[i], argv[i + 1], &e, &n) != 0)
		return ADMIN_FAIL;
	if (store_node_rm(c->st, e.id, n.name) != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	if (!c->json)
		printf("removed node %s/%s\n", e.name, n.name);
	return ADMIN_OK;
}

/* --- node check: a blocking connection, fine in the admin tool --- */

static int node_check_hostkey(ssh_session s, const struct store_node *n)
{
	ssh_key srv = NULL;
	unsigned char *h = NULL;
	size_t hlen = 0;
	char pinned[128], *got = NULL;
	int r = ADMIN_FAIL;

	node_fingerprint(n->host_key, pinned, sizeof(pinned));
	if (ssh_get_server_publickey(s, &srv) == SSH_OK &&
	    ssh_get_publickey_hash(srv, SSH_PUBLICKEY_HASH_SHA256, &h, &hlen) == 0)
		got = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, h, hlen);
	if (got != NULL && strcmp(got, pinned) == 0)
		r = ADMIN_OK;
	else
		admin_fail("node %s/%s: host key mismatch: pinned %s, the node offers %s "
		           "(if the node was rebuilt: sftpgw-admin node set %s %s --host-key-file ...)",
		           n->env, n->name, pinned, got ? got : "none", n->env, n->name);
	ssh_string_free_char(got);
	ssh_clean_pubkey_hash(&h);
	ssh_key_free(srv);
	return r;
}

static ssh_session node_check_session(const struct store_node *n)
{
	ssh_session s = ssh_new();
	long to = NODE_CHECK_TIMEOUT_S;
	bool no = false;
	int port = n->port;
	char type[64];

	if (s == NULL)
		return NULL;
	ssh_options_set(s, SSH_OPTIONS_HOST, n->host);
	ssh_options_set(s, SSH_OPTIONS_PORT, &port);
	ssh_options_set(s, SSH_OPTIONS_USER, n->account);
	ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &to);
	ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	if (sscanf(n->host_key, "%63s", type) == 1)
		ssh_options_set(s, SSH_OPTIONS_HOSTKEYS,
		                strcmp(type, "ssh-rsa") == 0 ? "rsa-sha2-512,rsa-sha2-256,ssh-rsa" : type);
	return s;
}

static int node_check_login(struct admin_ctx *c, ssh_session s, const struct store_node *n)
{
	char path[4096];
	ssh_key key = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/client_key", c->state_dir ? c->state_dir : ".");
	if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK)
		return admin_fail("cannot read the gateway client key %s (sftpgw-admin init creates it)",
		                  path);
	r = ssh_userauth_publickey(s, NULL, key);
	ssh_key_free(key);
	if (r != SSH_AUTH_SUCCESS)
		return admin_fail("node %s/%s: login as %s with the gateway's client key refused: add "
		                  "the line of \"sftpgw-admin hostkeys --client\" to ~%s/.ssh/authorized_keys "
		                  "on %s", n->env, n->name, n->account, n->account, n->host);
	return ADMIN_OK;
}

static int node_check_run(struct admin_ctx *c, int argc, char **argv)
{
	struct store_env e;
	struct store_node n;
	ssh_session s;
	int r, i = admin_args(c, argc, argv, NULL, NULL, 2, 2);

	if (i < 0)
		return ADMIN_USAGE;
	if (node_get(c, argv[i], argv[i + 1], &e, &n) != 0)
		return ADMIN_FAIL;
	if ((s = node_check_session(&n)) == NULL)
		return admin_fail("out of memory");
	if (ssh_connect(s) != SSH_OK) {
		r = admin_fail("node %s/%s: cannot connect to %s port %d: %s", e.name, n.name, n.host,
		               n.port, ssh_get_error(s));
	} else if ((r = node_check_hostkey(s, &n)) == ADMIN_OK &&
	           (r = node_check_login(c, s, &n)) == ADMIN_OK) {
		if (c->json)
			printf("{\"env\": \"%s\", \"node\": \"%s\", \"ok\": true}\n", e.name, n.name);
		else
			printf("node %s/%s: ok (host key matches, login as %s works)%s\n", e.name, n.name,
			       n.account, n.up ? "" : "; the node is marked down");
	}
	ssh_disconnect(s);
	ssh_free(s);
	return r;
}

/* --- tunnels --- */

/* HOST:PORT, HOST:LOW-HIGH or HOST:* */
static int tunnel_parse(const char *spec, char *host, size_t hostsz, int *lo, int *hi)
{
	const char *colon = strrchr(spec, ':');
	char *end;
	long a, b;

	if (colon == NULL || colon == spec || (size_t)(colon - spec) >= hostsz)
		return admin_fail("tunnel target must be HOST:PORT, HOST:LOW-HIGH or HOST:*");
	snprintf(host, hostsz, "%.*s", (int)(colon - spec), spec);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host) - 2);
		host[strlen(host) - 2] = '\0';
	}
	if (!node_chars_ok(host, ".-:", TUNNEL_HOST_MAX))
		return admin_fail("bad host in \"%s\"", spec);
	if (strcmp(colon + 1, "*") == 0) {
		*lo = TUNNEL_PORT_ANY_LO;
		*hi = TUNNEL_PORT_ANY_HI;
		return 0;
	}
	a = strtol(colon + 1, &end, 10);
	b = a;
	if (*end == '-')
		b = strtol(end + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || a < 1 || b > 65535 || a > b)
		return admin_fail("bad port or range in \"%s\"", spec);
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

static int tunnel_change_run(struct admin_ctx *c, int argc, char **argv, bool add)
{
	char host[TUNNEL_HOST_MAX + 1];
	struct store_env e;
	int lo = 0, hi = 0, r, i = admin_args(c, argc, argv, NULL, NULL, 2, 2);

	if (i < 0)
		return ADMIN_USAGE;
	if (node_env(c, argv[i], &e) != 0 || tunnel_parse(argv[i + 1], host, sizeof(host), &lo, &hi))
		return ADMIN_FAIL;
	r = add ? store_tunnel_add(c->st, e.id, host, lo, hi) : store_tunnel_rm(c->st, e.id, host, lo, hi);
	if (r == SGW_EEXISTS)
		return admin_fail("%s already allows %s", e.name, argv[i + 1]);
	if (r == SGW_ENOTFOUND)
		return admin_fail("%s does not allow %s (sftpgw-admin env tunnels %s)", e.name,
		                  argv[i + 1], e.name);
	if (r != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	if (!c->json)
		printf("%s: tunnels to %s %s\n", e.name, argv[i + 1], add ? "allowed" : "no longer allowed");
	return ADMIN_OK;
}

static int tunnel_allow_run(struct admin_ctx *c, int argc, char **argv)
{
	return tunnel_change_run(c, argc, argv, true);
}

static int tunnel_deny_run(struct admin_ctx *c, int argc, char **argv)
{
	return tunnel_change_run(c, argc, argv, false);
}

static int tunnel_list_run(struct admin_ctx *c, int argc, char **argv)
{
	static const char *const cols[] = { "env", "host", "ports", NULL };
	struct store_tunnel *t;
	struct store_env e;
	char ports[32];
	size_t n;
	json_t *rows;
	int i = admin_args(c, argc, argv, NULL, NULL, 1, 1);

	if (i < 0)
		return ADMIN_USAGE;
	if (node_env(c, argv[i], &e) != 0)
		return ADMIN_FAIL;
	if (store_tunnel_list(c->st, e.id, &t, &n) != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	rows = json_array();
	for (size_t k = 0; k < n; k++) {
		if (t[k].port_lo == TUNNEL_PORT_ANY_LO && t[k].port_hi == TUNNEL_PORT_ANY_HI)
			snprintf(ports, sizeof(ports), "*");
		else if (t[k].port_lo == t[k].port_hi)
			snprintf(ports, sizeof(ports), "%d", t[k].port_lo);
		else
			snprintf(ports, sizeof(ports), "%d-%d", t[k].port_lo, t[k].port_hi);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "env", e.name, "host",
		                                      t[k].host, "ports", ports));
	}
	admin_print_list(c, rows, cols);
	json_decref(rows);
	free(t);
	return ADMIN_OK;
}

static int env_policy_run(struct admin_ctx *c, int argc, char **argv)
{
	struct store_env e;
	const char *p;
	int i = admin_args(c, argc, argv, NULL, NULL, 2, 2);

	if (i < 0)
		return ADMIN_USAGE;
	p = argv[i + 1];
	if (strcmp(p, "primary") != 0 && strcmp(p, "first-up") != 0 && strcmp(p, "random") != 0)
		return admin_fail("policy is primary, first-up or random");
	if (node_env(c, argv[i], &e) != 0)
		return ADMIN_FAIL;
	if (store_node_env_policy(c->st, e.id, p) != 0)
		return admin_fail("store: %s", store_errmsg(c->st));
	if (!c->json)
		printf("%s: node policy %s\n", e.name, p);
	return ADMIN_OK;
}

const struct admin_cmd admin_node_cmds[] = {
	{ "node", "add", node_add_run,
	  "ENV NODE ssh://ACCOUNT@HOST[:PORT] (--host-key 'TYPE BASE64' | --host-key-file FILE) "
	  "[--role ROLE] [--primary]", "add a node that shells, commands and tunnels go to", false },
	{ "node", "list", node_list_run, "[ENV]", "list nodes", false },
	{ "node", "show", node_show_run, "ENV NODE", "show one node", false },
	{ "node", "set", node_set_run,
	  "ENV NODE [--status up|down] [--primary] [--role ROLE] [--host-key 'TYPE BASE64' | "
	  "--host-key-file FILE]", "change a node (down ends its sessions within 5 s)", false },
	{ "node", "rm", node_rm_run, "ENV NODE", "remove a node", false },
	{ "node", "check", node_check_run, "ENV NODE",
	  "connect now: verify the pinned host key and the gateway's login", false },
	{ "env", "allow-tunnel", tunnel_allow_run, "ENV HOST:PORT|HOST:LOW-HIGH|localhost:*",
	  "allow ssh -L/-D tunnels through the environment's node to that target", false },
	{ "env", "deny-tunnel", tunnel_deny_run, "ENV HOST:PORT|HOST:LOW-HIGH|localhost:*",
	  "remove an allowed tunnel target", false },
	{ "env", "tunnels", tunnel_list_run, "ENV", "list allowed tunnel targets", false },
	{ "env", "node-policy", env_policy_run, "ENV primary|first-up|random",
	  "which node USER+ENV logins reach", false },
	{ NULL, NULL, NULL, NULL, NULL, false },
};
