/* Logging: one line per message on stderr, with UTC time, level and component.
 * The level threshold comes from WIKIGDELT_LOG (debug|info|warn|error), default info.
 * log.format = json writes one JSON object per line instead ({"ts", "level", "component",
 * "flow", "batch", "msg"}; flow and batch when a flow set its context). When stderr is a
 * regular file (the children of `run` log to HOME/logs/NAME.log), it is rotated by size:
 * over log.max_bytes (default 50 MiB; 0 = never) it becomes NAME.log.1 (older ones shift up
 * to log.keep, default 3) and a new file is opened. */
#ifndef WG_LOG_H
#define WG_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* From the settings: format "text" or "json", rotation size in bytes (<= 0 off), files kept. */
void log_configure(const char *format, long long max_bytes, int keep);
/* The flow and batch the calling thread works on, for JSON lines (NULL clears). */
void log_set_context(const char *flow, const char *batch);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(comp, ...) log_msg(LOG_DEBUG, comp, __VA_ARGS__)
#define log_info(comp, ...)  log_msg(LOG_INFO, comp, __VA_ARGS__)
#define log_warn(comp, ...)  log_msg(LOG_WARN, comp, __VA_ARGS__)
#define log_error(comp, ...) log_msg(LOG_ERROR, comp, __VA_ARGS__)

#endif
