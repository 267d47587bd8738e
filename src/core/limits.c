/* limits.c — connection and session counts shared by all workers.
 *
 * Unauthenticated connections are counted in total and per source address,
 * so a flood from one address cannot starve users from others. Sessions are
 * counted in total and per user. Small fixed tables under one mutex: the
 * critical sections are a hash and a compare.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <uv.h>

#include "sftpgw/limits.h"

struct limits_slot {
	char key[LIMITS_KEY];
	int count;
};

struct limits_table {
	struct limits_slot slot[LIMITS_SLOTS];
};

static uv_mutex_t limits_lock;
static uv_once_t limits_once = UV_ONCE_INIT;
static struct limits_table unauth_tab, sess_tab;
static int unauth_total, sess_total;
static const struct sgw_config *limits_cfg;

void limits_init(const struct sgw_config *cfg)
{
	limits_cfg = cfg;
}

static void limits_lock_init(void)
{
	uv_mutex_init(&limits_lock);
}

static uint32_t limits_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* Slot for key (existing, or the first free one on its probe path). Linear
 * probing; a slot whose count fell to 0 stays keyed so chains stay intact,
 * and is reused by the same key. */
static struct limits_slot *limits_find(struct limits_table *t, const char *key, bool create)
{
	uint32_t h = limits_hash(key);
	struct limits_slot *free_slot = NULL;

	for (uint32_t i = 0; i < LIMITS_SLOTS; i++) {
		struct limits_slot *sl = &t->slot[(h + i) % LIMITS_SLOTS];
		if (sl->key[0] == '\0') {
			if (!create)
				return NULL;
			if (free_slot == NULL)
				free_slot = sl;
			break;
		}
		if (strcmp(sl->key, key) == 0)
			return sl;
		if (sl->count == 0 && free_slot == NULL)
			free_slot = sl;
	}
	if (free_slot != NULL && strcmp(free_slot->key, key) != 0) {
		snprintf(free_slot->key, sizeof(free_slot->key), "%s", key);
		free_slot->count = 0;
	}
	return free_slot;
}

static bool limits_take(struct limits_table *t, int *total, const char *key, int max_total,
                        int max_key)
{
	struct limits_slot *sl;
	bool ok = false;

	uv_once(&limits_once, limits_lock_init);
	uv_mutex_lock(&limits_lock);
	if (*total < max_total && (sl = limits_find(t, key, true)) != NULL && sl->count < max_key) {
		sl->count++;
		(*total)++;
		ok = true;
	}
	uv_mutex_unlock(&limits_lock);
	return ok;
}

static void limits_drop(struct limits_table *t, int *total, const char *key)
{
	struct limits_slot *sl;

	uv_once(&limits_once, limits_lock_init);
	uv_mutex_lock(&limits_lock);
	if ((sl = limits_find(t, key, false)) != NULL && sl->count > 0) {
		sl->count--;
		(*total)--;
	}
	uv_mutex_unlock(&limits_lock);
}

bool limits_unauth_take(const char *addr)
{
	return limits_take(&unauth_tab, &unauth_total, addr, limits_cfg->max_unauth,
	                   limits_cfg->max_unauth_per_source);
}

void limits_unauth_drop(const char *addr)
{
	limits_drop(&unauth_tab, &unauth_total, addr);
}

bool limits_sess_take(const char *user)
{
	return limits_take(&sess_tab, &sess_total, user, limits_cfg->max_sessions,
	                   limits_cfg->max_sessions_per_user);
}

void limits_sess_drop(const char *user)
{
	limits_drop(&sess_tab, &sess_total, user);
}
