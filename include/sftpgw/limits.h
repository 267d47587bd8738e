/* limits.h — connection and session counts shared by all workers.
 *
 * Unauthenticated connections are counted in total and per source address,
 * so a flood from one address cannot lock out users from others; sessions are
 * counted in total and per user. The maxima are read from the config on each
 * call, so SIGHUP changes apply to new connections. Thread-safe.
 */
#ifndef SFTPGW_LIMITS_H
#define SFTPGW_LIMITS_H

#include <stdbool.h>

#include "sftpgw/config.h"

#define LIMITS_SLOTS 8192  /* distinct addresses / users tracked at once */
#define LIMITS_KEY 64      /* longest address or user name tracked */

/* Uses cfg's max_unauth* and max_sessions* from now on (cfg must outlive use). */
void limits_init(const struct sgw_config *cfg);
/* Takes an unauthenticated slot for addr; false when a limit is reached. */
bool limits_unauth_take(const char *addr);
void limits_unauth_drop(const char *addr);
/* Takes a session slot for user; false when the user or the daemon is full. */
bool limits_sess_take(const char *user);
void limits_sess_drop(const char *user);

#endif
