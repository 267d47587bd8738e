/* target.c — which environment and node a login reaches (issue 10).
 *
 * USER+ENV+NODE names the node; USER+ENV uses the environment's policy;
 * USER alone means the user's only environment, or the menu (interactive)
 * or a refusal naming the choices (exit 2) when there are several. Messages
 * name only the user's own environments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd_internal.h"
#include "sftpgw/err.h"
#include "sftpgw/log.h"
#include "sftpgw/sess.h"

static void fwd_refuse(struct fwd_choice *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fwd_refuse(struct fwd_choice *c, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	c->status = status;
}

void fwd__env_names(const struct sess_info *si, char *out, size_t outsz)
{
	struct store_env *envs = NULL;
	size_t n = 0, off = 0;

	out[0] = '\0';
	if (store_user_envs(si->store, si->user_id, &envs, &n) != 0 || n == 0) {
		snprintf(out, outsz, "none");
		free(envs);
		return;
	}
	for (size_t i = 0; i < n && off < outsz; i++)
		off += (size_t)snprintf(out + off, outsz - off, "%s%s%s", i ? ", " : "", envs[i].name,
		                        envs[i].running ? "" : " (stopped)");
	free(envs);
}

int fwd__policy_pick(const char *policy, const struct store_node *nodes, size_t n)
{
	size_t up = 0, k;

	if (strcmp(policy, "random") == 0) {
		for (size_t i = 0; i < n; i++)
			up += nodes[i].up;
		if (up == 0)
			return -1;
		k = (size_t)(random() % (long)up);
		for (size_t i = 0; i < n; i++)
			if (nodes[i].up && k-- == 0)
				return (int)i;
		return -1;
	}
	if (strcmp(policy, "first-up") != 0)
		for (size_t i = 0; i < n; i++)
			if (nodes[i].primary && nodes[i].up)
				return (int)i;
	for (size_t i = 0; i < n; i++)
		if (nodes[i].up)
			return (int)i;
	return -1;
}

static int fwd_no_nodes(const struct sess_info *si, enum fwd_mode mode, const char *cmd,
                        struct fwd_choice *c)
{
	if (mode == FWD_EXEC)
		fwd_refuse(c, 127, "sftpgw: %s: not available on this gateway", cmd ? cmd : "command");
	else if (mode == FWD_SHELL)
		fwd_refuse(c, 1, "sftpgw: environment %s has no shell access on this gateway "
		                 "(sftp, scp and rsync work)", c->env.name);
	else
		fwd_refuse(c, 1, "sftpgw: environment %s has no node for tunnels", c->env.name);
	(void)si;
	return -1;
}

/* Node of c->env: the named one, the menu, or by policy. */
static int fwd_choose_node(const struct sess_info *si, enum fwd_mode mode, bool menu_ok,
                           const char *cmd, struct fwd_choice *c)
{
	const char *want = si->target.node;
	struct store_node *nodes = NULL;
	char names[512];
	size_t n = 0;
	int r, i;

	c->env_chosen = true;
	if ((r = store_node_list(si->store, c->env.id, &nodes, &n)) != 0) {
		fwd_refuse(c, 1, "sftpgw: %s: %s", c->env.name, sgw_strerror(r));
		return -1;
	}
	if (want[0] != '\0') {
		for (i = 0; i < (int)n && strcmp(nodes[i].name, want) != 0; i++)
			;
		fwd__env_names(si, names, sizeof(names));
		if (i == (int)n)
			fwd_refuse(c, 1, "sftpgw: no node \"%s\" in environment %s; your environments: %s",
			           want, c->env.name, names);
		else if (!nodes[i].up)
			fwd_refuse(c, 1, "sftpgw: node %s/%s is down; your environments: %s", c->env.name,
			           want, names);
		else
			c->node = nodes[i];
		free(nodes);
		return i == (int)n || !c->node.up ? -1 : 0;
	}
	if (n == 0) {
		free(nodes);
		return fwd_no_nodes(si, mode, cmd, c);
	}
	if (menu_ok && n > 1) {
		free(nodes);
		return 1;
	}
	i = fwd__policy_pick(c->env.node_policy, nodes, n);
	if (i < 0)
		fwd_refuse(c, 1, "sftpgw: no node of environment %s is up", c->env.name);
	else
		c->node = nodes[i];
	free(nodes);
	return i < 0 ? -1 : 0;
}

static void fwd_ambiguous(const struct sess_info *si, const struct store_env *envs, size_t n,
                          struct fwd_choice *c)
{
	char names[512];
	size_t off = 0;
	const char *u = si->target.user;

	names[0] = '\0';
	for (size_t i = 0; i < n && off < sizeof(names); i++)
		off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s", i ? ", " : "",
		                        envs[i].name);
	fwd_refuse(c, 2, "sftpgw: %s has several environments (%s): use \"ssh -t %s@GATEWAY\" "
	                 "for the menu, or name one, e.g. \"ssh %s+%s@GATEWAY\" or "
	                 "\"ssh %s+%s+NODE@GATEWAY\"", u, names, u, u, envs[0].name, u, envs[0].name);
}

int fwd__target_resolve(const struct sess_info *si, enum fwd_mode mode, bool interactive,
                        const char *cmd, struct fwd_choice *c)
{
	struct store_env *envs = NULL;
	size_t n = 0;
	int r;

	memset(c, 0, sizeof(*c));
	if (si->target.env[0] != '\0') {
		if (si->n_envs == 0 || strcmp(si->envs[0].name, si->target.env) != 0) {
			fwd_refuse(c, 1, "sftpgw: no environment \"%s\" for %s", si->target.env,
			           si->target.user);
			return -1;
		}
		c->env = si->envs[0];
		return fwd_choose_node(si, mode, false, cmd, c);
	}
	if ((r = store_user_envs(si->store, si->user_id, &envs, &n)) != 0 || n == 0) {
		free(envs);
		fwd_refuse(c, 1, "sftpgw: user %s has no environment", si->target.user);
		return -1;
	}
	if (n > 1) {
		if (!interactive)
			fwd_ambiguous(si, envs, n, c);
		free(envs);
		return interactive ? 1 : -1;
	}
	c->env = envs[0];
	free(envs);
	if (!c->env.running) {
		fwd_refuse(c, 1, "sftpgw: environment %s is stopped", c->env.name);
		return -1;
	}
	return fwd_choose_node(si, mode, interactive, cmd, c);
}

const char *fwd__target_recheck(struct fwd *f, char *buf, size_t bufsz)
{
	const struct sess_info *si = f->si;
	struct store_env env, *envs = NULL;
	struct store_node node;
	size_t n = 0;
	bool granted = false;
	int r;

	/* Only definite answers end a session; a busy store is asked again next time. */
	r = store_node_env_find(si->store, f->env.name, &env);
	if (r != 0 && r != SGW_ENOTFOUND)
		return NULL;
	if (r == SGW_ENOTFOUND || !env.running) {
		snprintf(buf, bufsz, "environment %s was stopped", f->env.name);
		return buf;
	}
	if (store_user_envs(si->store, si->user_id, &envs, &n) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		granted |= envs[i].id == env.id;
	free(envs);
	if (!granted) {
		snprintf(buf, bufsz, "access to environment %s was revoked", f->env.name);
		return buf;
	}
	r = store_node_find(si->store, env.id, f->node.name, &node);
	if (r != 0 && r != SGW_ENOTFOUND)
		return NULL;
	if (r == SGW_ENOTFOUND) {
		snprintf(buf, bufsz, "node %s was removed", f->label);
		return buf;
	}
	if (!node.up) {
		snprintf(buf, bufsz, "node %s is down", f->label);
		return buf;
	}
	return NULL;
}
