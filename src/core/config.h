/* Configuration: flat `key = value` settings from a file (# comments), overridden by
 * `--set key=value` on the command line. Every setting is declared in the table of
 * core/settings.c (type, default, range, description), which validates them at start and which
 * `wikigdelt config list` prints; read them with core/settings.h's setting_*(), which take the default from there. */
#ifndef WG_CONFIG_H
#define WG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h" /* WG_ERR_LEN: every caller of these takes an error buffer */

typedef struct config config;

config *config_new(void);
void config_free(config *cfg);
/* Reads FILE; on a malformed line writes "FILE:LINE: reason" into err and returns -1. */
int config_load_file(config *cfg, const char *path, char *err, size_t errlen);
/* "key=value"; returns -1 (with err) if there is no '=' or the key is empty. */
int config_set_pair(config *cfg, const char *pair, char *err, size_t errlen);
/* Set by the program itself (origin "command"). */
int config_set(config *cfg, const char *key, const char *value);

/* The settings held, in the order first set, and where each value came from: "file" (a
 * --config file or HOME/wikigdelt.conf), "--set", or "command"; NULL when KEY is not set. */
size_t config_count(const config *cfg);
const char *config_key(const config *cfg, size_t i);
const char *config_value(const config *cfg, size_t i);
const char *config_origin(const config *cfg, const char *key);

const char *config_get_str(const config *cfg, const char *key, const char *def);
/* Numeric getters: a value that does not parse is reported once (log warn) and def is used. */
int64_t config_get_int(const config *cfg, const char *key, int64_t def);
double config_get_double(const config *cfg, const char *key, double def);
int config_get_bool(const config *cfg, const char *key, int def);

#endif
