/* config.h — daemon configuration: defaults, file, then command-line flags. */
#ifndef SFTPGW_CONFIG_H
#define SFTPGW_CONFIG_H

#include <stdbool.h>

#define CONFIG_MAX_LISTEN 16

struct sgw_config {
	char *db_path;                 /* db */
	char *state_dir;               /* state_dir: host keys etc.; default: the db's directory */
	char *listen[CONFIG_MAX_LISTEN]; /* listen (repeatable): "ADDR:PORT", "[V6]:PORT" */
	int n_listen;
	int workers;                   /* workers: 0 = number of cores */
	int max_auth_tries;            /* max_auth_tries: failed auth attempts per connection */
	int login_grace_time;          /* login_grace_time: seconds to authenticate */
	int max_unauth;                /* max_unauthenticated: in total */
	int max_unauth_per_source;     /* max_unauthenticated_per_source: per client address */
	int max_sessions;              /* max_sessions: authenticated sessions in total */
	int max_sessions_per_user;     /* max_sessions_per_user */
	int shutdown_timeout;          /* shutdown_timeout: seconds sessions get on SIGTERM */
	int log_level;                 /* log_level: error|warn|info|debug */
	bool cert_disconnect_expired;  /* cert_disconnect_expired */
	int cert_max_ttl;              /* cert_max_ttl: seconds, cap for `cert issue` */
	int cert_skew;                 /* cert_clock_skew: seconds allowed either side */
	int node_connect_timeout;      /* node_connect_timeout: seconds */
	char *ready_file;              /* ready_file: written with "ADDR PORT" lines once listening */
};

/* Fills every field with its default. */
void config_defaults(struct sgw_config *c);
/* Reads "key = value" lines (# comments); unknown keys and bad values are
 * errors naming file and line, written to err (errsz bytes). */
int config_load(struct sgw_config *c, const char *path, char *err, size_t errsz);
/* Applies one setting by its file key (also used for command-line flags). */
int config_set(struct sgw_config *c, const char *key, const char *value, char *err, size_t errsz);
/* The state directory: state_dir or the db's directory. Caller frees. */
char *config_state_dir(const struct sgw_config *c);
void config_free(struct sgw_config *c);

/* Default paths. */
#define CONFIG_DEFAULT_FILE SYSCONFDIR "/sftpgw/sftpgw.conf"
#define CONFIG_DEFAULT_DB "/var/lib/sftpgw/sftpgw.db"

#endif
