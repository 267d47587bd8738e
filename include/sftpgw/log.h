/* log.h — logging to stderr, one line per event, tagged with the session id.
 *
 * Each thread has a current session id (0 = none); the worker sets it while it
 * runs a session's callbacks, so every line says which session it is about.
 */
#ifndef SFTPGW_LOG_H
#define SFTPGW_LOG_H

#include <stdint.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Sets the minimum level printed (process-wide). */
void log_set_level(enum log_level lvl);
/* Sets this thread's current session id; returns the previous one. */
uint64_t log_set_sid(uint64_t sid);
/* Prints one line: "sftpgwd[LEVEL] sid=N: message". */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
