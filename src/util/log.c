/* log.c — one line per event on stderr, tagged with the thread's session id. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "sftpgw/log.h"

static enum log_level log_level = LOG_INFO;
static _Thread_local uint64_t log_sid;

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

uint64_t log_set_sid(uint64_t sid)
{
	uint64_t old = log_sid;

	log_sid = sid;
	return old;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (lvl > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ", tm.tm_year + 1900,
	             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
	             names[lvl]);
	if (log_sid != 0 && n > 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, "[s%llu] ", (unsigned long long)log_sid);
	if (n > 0 && (size_t)n < sizeof(line)) {
		va_start(ap, fmt);
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	/* One fputs per line: stdio locks the stream, so lines from workers never interleave. */
	fprintf(stderr, "%s\n", line);
}
