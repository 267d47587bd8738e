/* menu.c — the pty menu for an interactive shell whose target is not named.
 *
 * Environments first (all the user's, stopped ones listed but refused), then
 * the nodes of the chosen one (down ones listed but refused), each row with
 * its direct login name so users learn to skip the menu. Numbering follows
 * the store's name order, so it is stable. The menu only reads from the
 * client; no byte reaches a node before the choice.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd_internal.h"
#include "sftpgw/log.h"
#include "sftpgw/sess.h"

#define FWD_MENU_LINE_MAX 6        /* digits typed for a choice */
#define FWD_MENU_TEXT_MAX (32 * 1024)
#define KEY_CTRL_C 0x03
#define KEY_CTRL_D 0x04
#define KEY_BS 0x08
#define KEY_DEL 0x7f

struct fwd_menu {
	struct store_env *envs;
	size_t n_envs;
	size_t *env_nodes;           /* node count per environment */
	struct store_node *nodes;    /* of f->env, at the node level */
	size_t n_nodes;
	bool node_level;
	bool env_fixed;              /* USER+ENV or a single environment: no env level */
	char line[FWD_MENU_LINE_MAX + 1];
	size_t len;
};

struct menu_text {
	char buf[FWD_MENU_TEXT_MAX];
	size_t off;
};

static void menu_printf(struct menu_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void menu_printf(struct menu_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->off >= sizeof(t->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->off, sizeof(t->buf) - t->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->off += (size_t)n < sizeof(t->buf) - t->off ? (size_t)n : sizeof(t->buf) - t->off - 1;
}

static void menu_send(struct fwd *f, const struct menu_text *t)
{
	size_t n = t->off < chan_out_room(f->ch) ? t->off : chan_out_room(f->ch);

	chan_write(f->ch, t->buf, n);
}

static void menu_draw_envs(struct fwd *f, struct menu_text *t)
{
	struct fwd_menu *m = f->menu;

	menu_printf(t, "\r\nsftpgw: environments of %s\r\n", f->si->target.user);
	menu_printf(t, "  %3s  %-24s %-8s %5s  %s\r\n", "#", "ENVIRONMENT", "STATUS", "NODES",
	            "DIRECT LOGIN");
	for (size_t i = 0; i < m->n_envs; i++)
		menu_printf(t, "  %3zu  %-24s %-8s %5zu  %s+%s\r\n", i + 1, m->envs[i].name,
		            m->envs[i].running ? "running" : "stopped", m->env_nodes[i],
		            f->si->target.user, m->envs[i].name);
	menu_printf(t, "Choose an environment (number, q to quit): %s", m->line);
}

static void menu_draw_nodes(struct fwd *f, struct menu_text *t)
{
	struct fwd_menu *m = f->menu;

	menu_printf(t, "\r\nsftpgw: nodes of %s\r\n", f->env.name);
	menu_printf(t, "  %3s  %-20s %-10s %-6s  %s\r\n", "#", "NODE", "ROLE", "STATUS", "DIRECT LOGIN");
	for (size_t i = 0; i < m->n_nodes; i++) {
		const struct store_node *n = &m->nodes[i];
		char name[NODE_MAX_LEN + 3];
		snprintf(name, sizeof(name), "%s%s", n->name, n->primary ? " *" : "");
		menu_printf(t, "  %3zu  %-20s %-10s %-6s  %s+%s+%s\r\n", i + 1, name,
		            n->role[0] ? n->role : "-", n->up ? "up" : "down", f->si->target.user,
		            f->env.name, n->name);
	}
	menu_printf(t, "(* primary)\r\nChoose a node (number, %sq to quit): %s",
	            m->env_fixed ? "" : "b for back, ", m->line);
}

void fwd__menu_redraw(struct fwd *f)
{
	struct menu_text *t;

	if (f->menu == NULL || (t = malloc(sizeof(*t))) == NULL)
		return;
	t->off = 0;
	if (f->menu->node_level)
		menu_draw_nodes(f, t);
	else
		menu_draw_envs(f, t);
	menu_send(f, t);
	free(t);
}

static void menu_say(struct fwd *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void menu_say(struct fwd *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0)
		chan_write(f->ch, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

void fwd__menu_free(struct fwd *f)
{
	if (f->menu == NULL)
		return;
	free(f->menu->envs);
	free(f->menu->env_nodes);
	free(f->menu->nodes);
	free(f->menu);
	f->menu = NULL;
}

static int menu_load_nodes(struct fwd *f)
{
	struct fwd_menu *m = f->menu;

	free(m->nodes);
	m->nodes = NULL;
	m->n_nodes = 0;
	return store_node_list(f->si->store, f->env.id, &m->nodes, &m->n_nodes);
}

static void menu_leave(struct fwd *f, int status)
{
	chan_write(f->ch, "\r\n", 2);
	chan_exit(f->ch, status);
	fwd__menu_free(f);
	f->st = FS_DONE;
	fwd__end(f);
}

/* The node is chosen: leave the menu and connect. */
static void menu_go(struct fwd *f, const struct store_node *n)
{
	f->node = *n;
	menu_say(f, "\r\nsftpgw: connecting to %s/%s\r\n", f->env.name, n->name);
	fwd__menu_free(f);
	fwd__go(f);
}

static void menu_pick_node(struct fwd *f, size_t i)
{
	struct store_node n;

	if (store_node_find(f->si->store, f->env.id, f->menu->nodes[i].name, &n) != 0)
		menu_say(f, "\r\nsftpgw: node %s/%s is gone\r\n", f->env.name, f->menu->nodes[i].name);
	else if (!n.up)
		menu_say(f, "\r\nsftpgw: node %s/%s is down\r\n", f->env.name, n.name);
	else
		return menu_go(f, &n);
	fwd__menu_redraw(f);
}

static void menu_pick_env(struct fwd *f, size_t i)
{
	struct fwd_menu *m = f->menu;
	struct store_env e;

	if (store_node_env_find(f->si->store, m->envs[i].name, &e) != 0 || !e.running) {
		menu_say(f, "\r\nsftpgw: environment %s is stopped\r\n", m->envs[i].name);
		return fwd__menu_redraw(f);
	}
	f->env = e;
	if (menu_load_nodes(f) != 0 || m->n_nodes == 0) {
		menu_say(f, "\r\nsftpgw: environment %s has no shell access on this gateway "
		            "(sftp, scp and rsync work)\r\n", e.name);
		return fwd__menu_redraw(f);
	}
	if (m->n_nodes == 1)
		return menu_pick_node(f, 0);
	m->node_level = true;
	fwd__menu_redraw(f);
}

static void menu_enter(struct fwd *f)
{
	struct fwd_menu *m = f->menu;
	size_t n = m->node_level ? m->n_nodes : m->n_envs;
	char *end;
	long v = strtol(m->line, &end, 10);

	if (m->len == 0 || *end != '\0' || v < 1 || (size_t)v > n) {
		if (m->len > 0)
			menu_say(f, "\r\nsftpgw: no choice %s\r\n", m->line);
		m->len = 0;
		m->line[0] = '\0';
		return fwd__menu_redraw(f);
	}
	m->len = 0;
	m->line[0] = '\0';
	if (m->node_level)
		menu_pick_node(f, (size_t)v - 1);
	else
		menu_pick_env(f, (size_t)v - 1);
}

/* One key; returns false once the menu is over (left or chosen). */
static bool menu_key(struct fwd *f, uint8_t c)
{
	struct fwd_menu *m = f->menu;

	if (c == KEY_CTRL_C || c == KEY_CTRL_D || ((c == 'q' || c == 'Q') && m->len == 0)) {
		menu_leave(f, 0);
		return false;
	}
	if ((c == 'b' || c == 'B') && m->len == 0 && m->node_level && !m->env_fixed) {
		m->node_level = false;
		fwd__menu_redraw(f);
	} else if (c == '\r' || c == '\n') {
		menu_enter(f);
	} else if ((c == KEY_BS || c == KEY_DEL) && m->len > 0) {
		m->line[--m->len] = '\0';
		chan_write(f->ch, "\b \b", 3);
	} else if (c >= '0' && c <= '9' && m->len < FWD_MENU_LINE_MAX) {
		m->line[m->len++] = (char)c;
		m->line[m->len] = '\0';
		chan_write(f->ch, &c, 1);
	}
	return f->st == FS_CHOOSE;
}

size_t fwd__menu_input(struct fwd *f, const uint8_t *data, size_t len)
{
	size_t i;

	/* Echo and redraws need room; take nothing until the client reads. */
	if (chan_out_room(f->ch) < FWD_MENU_TEXT_MAX)
		return 0;
	for (i = 0; i < len && f->st == FS_CHOOSE; i++)
		if (!menu_key(f, data[i]))
			return i + 1;
	return i;
}

static int menu_load_envs(struct fwd *f)
{
	struct fwd_menu *m = f->menu;
	struct store_node *nodes;
	int r;

	if ((r = store_user_envs(f->si->store, f->si->user_id, &m->envs, &m->n_envs)) != 0)
		return r;
	if ((m->env_nodes = calloc(m->n_envs ? m->n_envs : 1, sizeof(size_t))) == NULL)
		return -1;
	for (size_t i = 0; i < m->n_envs; i++) {
		if ((r = store_node_list(f->si->store, m->envs[i].id, &nodes, &m->env_nodes[i])) != 0)
			return r;
		free(nodes);
	}
	return 0;
}

int fwd__menu_start(struct fwd *f, bool env_chosen)
{
	int r;

	if ((f->menu = calloc(1, sizeof(*f->menu))) == NULL) {
		menu_leave(f, 1);
		return 0;
	}
	f->menu->env_fixed = env_chosen;
	f->menu->node_level = env_chosen;
	r = env_chosen ? menu_load_nodes(f) : menu_load_envs(f);
	if (r != 0) {
		menu_say(f, "sftpgw: the menu is not available\r\n");
		menu_leave(f, 1);
		return 0;
	}
	log_info("menu shown to %s", f->si->target.user);
	fwd__menu_redraw(f);
	return 0;
}
