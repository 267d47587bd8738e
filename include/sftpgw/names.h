/* names.h — user, environment and node names, and login targets.
 *
 * Names are [a-z0-9][a-z0-9._-]{0,63} (users, environments) and
 * [a-z0-9][a-z0-9_-]{0,31} (nodes). '+' never occurs in a name, so a login
 * name "USER+ENV+NODE" splits unambiguously.
 */
#ifndef SFTPGW_NAMES_H
#define SFTPGW_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define NAME_MAX_LEN 64  /* user and environment names */
#define NODE_MAX_LEN 32  /* node names */

/* True when s is a valid user or environment name. */
bool name_valid(const char *s);
/* True when s is a valid node name. */
bool name_node_valid(const char *s);
/* Why s is not a valid user/env name (static text), or NULL when it is. */
const char *name_why_invalid(const char *s);

/* The user name a key comment implies: the part before the last '@'
 * ("acme-staging--app@laptop" -> "acme-staging--app"); whole comment when it has
 * no '@'. Returns 0, SGW_ENOTFOUND for an empty/blank comment, SGW_EBADNAME when
 * the result is not a valid name. out holds NAME_MAX_LEN + 1 bytes. */
int name_from_comment(const char *comment, char *out, size_t outsz);

struct login_target {
	char user[NAME_MAX_LEN + 1];
	char env[NAME_MAX_LEN + 1];  /* "" when not named */
	char node[NODE_MAX_LEN + 1]; /* "" when not named */
};
/* Splits "USER", "USER+ENV" or "USER+ENV+NODE"; SGW_EBADNAME on anything else. */
int login_target_parse(const char *login, struct login_target *t);

#endif
