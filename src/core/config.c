/* Configuration store: a small array of key/value strings; lookups are rare (at start of a
 * command), so a linear scan is the simplest correct thing. Later settings win. */
#include "core/config.h"

#include "core/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct config {
    char **keys;
    char **values;
    const char **origins;
    size_t n, cap;
};

config *config_new(void) { return calloc(1, sizeof(config)); }

void config_free(config *cfg)
{
    if (!cfg) return;
    for (size_t i = 0; i < cfg->n; i++) {
        free(cfg->keys[i]);
        free(cfg->values[i]);
    }
    free(cfg->keys);
    free(cfg->values);
    free(cfg->origins);
    free(cfg);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

static int set_from(config *cfg, const char *key, const char *value, const char *origin)
{
    for (size_t i = 0; i < cfg->n; i++) {
        if (strcmp(cfg->keys[i], key) == 0) {
            char *v = strdup(value);
            if (!v) return -1;
            free(cfg->values[i]);
            cfg->values[i] = v;
            cfg->origins[i] = origin;
            return 0;
        }
    }
    if (cfg->n == cfg->cap) {
        size_t cap = cfg->cap ? cfg->cap * 2 : 16;
        char **k = realloc(cfg->keys, cap * sizeof *k);
        if (!k) return -1;
        cfg->keys = k;
        char **v = realloc(cfg->values, cap * sizeof *v);
        if (!v) return -1;
        cfg->values = v;
        const char **o = realloc(cfg->origins, cap * sizeof *o);
        if (!o) return -1;
        cfg->origins = o;
        cfg->cap = cap;
    }
    cfg->origins[cfg->n] = origin;
    cfg->keys[cfg->n] = strdup(key);
    cfg->values[cfg->n] = strdup(value);
    if (!cfg->keys[cfg->n] || !cfg->values[cfg->n]) return -1;
    cfg->n++;
    return 0;
}

int config_set(config *cfg, const char *key, const char *value)
{
    return set_from(cfg, key, value, "command");
}

size_t config_count(const config *cfg) { return cfg ? cfg->n : 0; }
const char *config_key(const config *cfg, size_t i) { return cfg->keys[i]; }
const char *config_value(const config *cfg, size_t i) { return cfg->values[i]; }

const char *config_origin(const config *cfg, const char *key)
{
    if (cfg)
        for (size_t i = 0; i < cfg->n; i++)
            if (strcmp(cfg->keys[i], key) == 0) return cfg->origins[i];
    return NULL;
}

static int set_line(config *cfg, char *line, char *err, size_t errlen, const char *where,
                    const char *origin)
{
    char *eq = strchr(line, '=');
    if (!eq) {
        snprintf(err, errlen, "%s: expected key = value", where);
        return -1;
    }
    *eq = '\0';
    char *key = trim(line), *value = trim(eq + 1);
    if (!*key) {
        snprintf(err, errlen, "%s: empty key before '='", where);
        return -1;
    }
    if (set_from(cfg, key, value, origin) != 0) {
        snprintf(err, errlen, "%s: out of memory", where);
        return -1;
    }
    return 0;
}

int config_set_pair(config *cfg, const char *pair, char *err, size_t errlen)
{
    char *copy = strdup(pair);
    if (!copy) return -1;
    char where[128];
    snprintf(where, sizeof where, "--set '%.80s'", pair);
    int rc = set_line(cfg, copy, err, errlen, where, "--set");
    free(copy);
    return rc;
}

int config_load_file(config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open config file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        char where[600];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if (set_line(cfg, s, err, errlen, where, "file") != 0) {
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

const char *config_get_str(const config *cfg, const char *key, const char *def)
{
    if (cfg)
        for (size_t i = cfg->n; i-- > 0;)
            if (strcmp(cfg->keys[i], key) == 0) return cfg->values[i];
    return def;
}

/* Parses the setting key as an integer (integer = 1, into *ix) or a number (into *dx); 1 when it
 * is set and whole, 0 (warned when set but malformed) when the caller's default stands. */
static int get_number(const config *cfg, const char *key, int integer, long long *ix, double *dx)
{
    const char *v = config_get_str(cfg, key, NULL);
    if (!v) return 0;
    char *end;
    errno = 0;
    long long i = 0;
    double d = 0;
    if (integer)
        i = strtoll(v, &end, 10);
    else
        d = strtod(v, &end);
    if (errno || end == v || *end) {
        char def[64];
        if (integer)
            snprintf(def, sizeof def, "%lld", *ix);
        else
            snprintf(def, sizeof def, "%g", *dx);
        log_warn("config", "setting %s = '%s' is not %s; using %s", key, v,
                 integer ? "an integer" : "a number", def);
        return 0;
    }
    if (integer)
        *ix = i;
    else
        *dx = d;
    return 1;
}

int64_t config_get_int(const config *cfg, const char *key, int64_t def)
{
    long long x = def;
    get_number(cfg, key, 1, &x, NULL);
    return x;
}

double config_get_double(const config *cfg, const char *key, double def)
{
    double x = def;
    get_number(cfg, key, 0, NULL, &x);
    return x;
}

int config_get_bool(const config *cfg, const char *key, int def)
{
    const char *v = config_get_str(cfg, key, NULL);
    if (!v) return def;
    if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
        return 1;
    if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off"))
        return 0;
    log_warn("config", "setting %s = '%s' is not a boolean; using %d", key, v, def);
    return def;
}
