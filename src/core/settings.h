/* Every setting in one table (settings.c): name, type, default, range and description. The
 * process validates its configuration against it at start (an unknown key or a bad value is a
 * usage error naming the key) and `wikigdelt config list` prints it.
 *
 * Adding a setting is one line in the table in settings.c, e.g.
 *   S("serve.port", INT, "8080", 0, 65535, NULL, "HTTP port of `serve` (0: any free port)"),
 * Types: INT and DBL take the inclusive range [min, max]; BOOL takes 1/0, true/false, yes/no,
 * on/off; ENUM takes one of the '|'-separated choices; STR any text. A default of NULL means
 * the code decides at run time (the description says how). A name ending in ".*" declares a
 * family of keys (expect.gdelt_silver.*). The code reads a value with setting_int(cfg, key) and
 * friends below, which take the default from the table, so it is written once
 * (tests/integration/test_config.sh fails on a call that writes a default of its own);
 * config_get_*(cfg, key, def) is left for the settings whose default the code decides at run
 * time (the table's default is NULL: cores, the embedder in use, "unset"). */
#ifndef WG_SETTINGS_H
#define WG_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

typedef enum { SETTING_INT, SETTING_DBL, SETTING_BOOL, SETTING_ENUM, SETTING_STR } setting_type;

typedef struct setting {
    const char *name;
    setting_type type;
    const char *def;     /* as text; NULL: decided by the code (see desc) */
    double min, max;     /* INT, DBL: inclusive range */
    const char *choices; /* ENUM: "a|b|c" */
    const char *desc;
} setting;

/* The table, n entries. */
const setting *settings_table(size_t *n);
/* The entry declaring KEY (exact name, else a ".*" family), or NULL. */
const setting *settings_find(const char *key);
/* 0 when VALUE is valid for S; else -1 with "KEY = 'VALUE': reason" in err. */
int settings_check(const setting *s, const char *key, const char *value, char *err, size_t errlen);
/* Checks every key set in CFG: 0, or -1 with the first unknown key or bad value in err (FILE,
 * when not NULL, names the settings file for the values that came from it). */
int settings_validate(const config *cfg, const char *file, char *err, size_t errlen);
const char *settings_type_name(setting_type t);

/* The value of a declared KEY, or the table's default when it is not set (validated at start,
 * so it parses). A KEY missing from the table, or without a default, is a programming error:
 * the process aborts naming it. */
int64_t setting_int(const config *cfg, const char *key);
double setting_double(const config *cfg, const char *key);
int setting_bool(const config *cfg, const char *key);
const char *setting_str(const config *cfg, const char *key);

#endif
