/* Logging to stderr; thread-safe because each message is formatted into one buffer and written
 * with a single fputs under the stdio lock. */
#include "core/log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int g_level = -1;

static const char *level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level) { g_level = (int)level; }

static int g_json;
static long long g_max_bytes = 50LL * 1024 * 1024;
static int g_keep = 3;
static unsigned g_since_check;
static pthread_mutex_t g_rotate_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char t_flow[64], t_batch[128];

void log_configure(const char *format, long long max_bytes, int keep)
{
    g_json = format && !strcmp(format, "json");
    g_max_bytes = max_bytes;
    g_keep = keep < 1 ? 1 : keep > 20 ? 20 : keep;
}

void log_set_context(const char *flow, const char *batch)
{
    snprintf(t_flow, sizeof t_flow, "%s", flow ? flow : "");
    snprintf(t_batch, sizeof t_batch, "%s", batch ? batch : "");
}

/* JSON string body (no quotes) of s into out. */
static size_t json_escape(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') out[n++] = '\\', out[n++] = (char)c;
        else if (c == '\n') out[n++] = '\\', out[n++] = 'n';
        else if (c < 0x20) n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
        else out[n++] = (char)c;
    }
    out[n] = '\0';
    return n;
}

/* Size rotation of stderr when it is a regular file: NAME -> NAME.1 -> ... -> NAME.keep. */
static void maybe_rotate(void)
{
    if (g_max_bytes <= 0 || (g_since_check++ % 64) != 0) return;
    struct stat sb;
    if (fstat(2, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < g_max_bytes) return;
    pthread_mutex_lock(&g_rotate_lock);
    char path[4096];
    ssize_t n = readlink("/proc/self/fd/2", path, sizeof path - 1);
    if (n > 0 && n < (ssize_t)sizeof path - 8) {
        path[n] = '\0';
        struct stat now;
        /* another process may have rotated it already: only the file we still write is moved */
        if (stat(path, &now) == 0 && now.st_ino == sb.st_ino) {
            char from[4200], to[4200];
            for (int i = g_keep - 1; i >= 1; i--) {
                snprintf(from, sizeof from, "%s.%d", path, i);
                snprintf(to, sizeof to, "%s.%d", path, i + 1);
                rename(from, to);
            }
            snprintf(to, sizeof to, "%s.1", path);
            rename(path, to);
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            fflush(stderr);
            struct stat out;
            if (fstat(1, &out) == 0 && out.st_ino == sb.st_ino) dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
    }
    pthread_mutex_unlock(&g_rotate_lock);
}

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
    if (g_json) {
        char msg[1024], esc[1600], comp[160], flow[160], batch[300];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        json_escape(msg, esc, sizeof esc);
        json_escape(component ? component : "-", comp, sizeof comp);
        json_escape(t_flow, flow, sizeof flow);
        json_escape(t_batch, batch, sizeof batch);
        int n = snprintf(line, sizeof line,
                         "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\",\"level\":\"%s\","
                         "\"component\":\"%s\"",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec, (int)(tv.tv_usec / 1000), level_names[level], comp);
        if (n > 0 && flow[0] && (size_t)n < sizeof line)
            n += snprintf(line + n, sizeof line - (size_t)n, ",\"flow\":\"%s\"", flow);
        if (n > 0 && batch[0] && (size_t)n < sizeof line)
            n += snprintf(line + n, sizeof line - (size_t)n, ",\"batch\":\"%s\"", batch);
        if (n > 0 && (size_t)n < sizeof line)
            snprintf(line + n, sizeof line - (size_t)n, ",\"msg\":\"%s\"}\n", esc);
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n') {
            /* cut: close the object so each line stays valid JSON */
            snprintf(line + sizeof line - 8, 8, "\"}\n");
        }
        fputs(line, stderr);
        maybe_rotate();
        return;
    }
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
    maybe_rotate();
}
