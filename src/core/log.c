/* Logging to stderr; thread-safe because each message is formatted into one buffer and written
 * with a single fputs under the stdio lock. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static int g_level = -1;

static const char *level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level) { g_level = (int)level; }

enum log_level log_get_level(void)
{
    if (g_level < 0) {
        const char *env = getenv("WIKIGDELT_LOG");
        g_level = LOG_INFO;
        if (env) {
            for (int i = 0; i < 4; i++)
                if (strcmp(env, level_names[i]) == 0) g_level = i;
        }
    }
    return (enum log_level)g_level;
}

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
{
    if ((int)level < (int)log_get_level()) return;
    char line[2048];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %-5s %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)(tv.tv_usec / 1000), level_names[level],
                     component ? component : "-");
    if (n < 0) return;
    va_list ap;
    va_start(ap, fmt);
    if ((size_t)n < sizeof line) vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    if (len + 1 >= sizeof line) len = sizeof line - 2;
    line[len] = '\n';
    line[len + 1] = '\0';
    fputs(line, stderr);
}
