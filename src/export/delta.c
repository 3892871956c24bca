/* Delta Lake log reading and writing (see delta.h). */
#include "export/delta.h"

#include "export/parquet.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void delta_uuid(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* getrandom on Linux does not fail for 16 bytes once the pool is ready; keep going */
        for (size_t i = 0; i < sizeof b; i++) b[i] = (unsigned char)(rand() & 0xff);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

static int is_version_file(const char *name, int64_t *v)
{
    /* 20 digits + ".json" */
    if (strlen(name) != 25 || strcmp(name + 20, ".json") != 0) return 0;
    int64_t x = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9') return 0;
        x = x * 10 + (name[i] - '0');
    }
    *v = x;
    return 1;
}

static void version_path(const delta_log *log, int64_t v, const char *suffix, char *out, size_t n)
{
    snprintf(out, n, "%s/_delta_log/%020lld%s", log->dir, (long long)v, suffix);
}

/* Calls fn for each action of version v, in order; stops early when fn returns non-zero. */
typedef int (*action_fn)(json_t *action, void *ctx);
static int each_action(const delta_log *log, int64_t v, action_fn fn, void *ctx, char *err,
                       size_t errlen)
{
    char path[4300];
    version_path(log, v, ".json", path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0, lineno = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (n == 0) continue;
        json_error_t je;
        json_t *a = json_loadb(line, (size_t)n, 0, &je);
        if (!a || !json_is_object(a)) {
            snprintf(err, errlen, "%s:%d: not a JSON action: %s", path, lineno, a ? "not an object" : je.text);
            json_decref(a);
            rc = -1;
            break;
        }
        rc = fn(a, ctx);
        json_decref(a);
    }
    free(line);
    fclose(f);
    return rc < 0 ? -1 : rc;
}

typedef struct scan_ctx {
    const char *app_id;
    json_t *commit_info;
    int64_t txn_version;
    int found;
} scan_ctx;

static int scan_txn(json_t *a, void *p)
{
    scan_ctx *c = p;
    json_t *ci = json_object_get(a, "commitInfo");
    if (ci) {
        json_decref(c->commit_info);
        c->commit_info = json_incref(ci);
    }
    json_t *t = json_object_get(a, "txn");
    if (t && json_is_string(json_object_get(t, "appId")) &&
        strcmp(json_string_value(json_object_get(t, "appId")), c->app_id) == 0) {
        c->txn_version = json_integer_value(json_object_get(t, "version"));
        c->found = 1;
    }
    return 0;
}

void delta_log_free(delta_log *log)
{
    json_decref(log->txn_commit_info);
    json_decref(log->metadata);
    json_decref(log->protocol);
    log->txn_commit_info = log->metadata = log->protocol = NULL;
}

int delta_log_load(const char *dir, const char *app_id, delta_log *log, char *err, size_t errlen)
{
    memset(log, 0, sizeof *log);
    snprintf(log->dir, sizeof log->dir, "%s", dir);
    log->version = -1;
    log->txn_version = -1;
    char logdir[4200];
    snprintf(logdir, sizeof logdir, "%s/_delta_log", dir);
    DIR *d = opendir(logdir);
    if (!d) {
        if (errno == ENOENT) return 0;
        snprintf(err, errlen, "cannot open %s: %s", logdir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int64_t v;
    while ((e = readdir(d)))
        if (is_version_file(e->d_name, &v) && v > log->version) log->version = v;
    closedir(d);
    /* The app's last transaction: newest version first, stop at the first one that has it. */
    for (int64_t k = log->version; k >= 0 && app_id; k--) {
        scan_ctx c = {app_id, NULL, -1, 0};
        if (each_action(log, k, scan_txn, &c, err, errlen) != 0) {
            json_decref(c.commit_info);
            return -1;
        }
        if (c.found) {
            log->txn_version = c.txn_version;
            log->txn_commit_info = c.commit_info;
            break;
        }
        json_decref(c.commit_info);
    }
    return 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return 0;
    return -1;
}

int delta_log_commit(delta_log *log, json_t *actions, char *err, size_t errlen)
{
    char logdir[4200], tmp[4400], path[4300];
    snprintf(logdir, sizeof logdir, "%s/_delta_log", log->dir);
    if (make_dir(log->dir) != 0 || make_dir(logdir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", logdir, strerror(errno));
        return -1;
    }
    int64_t next = log->version + 1;
    char id[37];
    delta_uuid(id);
    snprintf(tmp, sizeof tmp, "%s/.%020lld.json.%s.tmp", logdir, (long long)next, id);
    version_path(log, next, ".json", path, sizeof path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    size_t i;
    json_t *a;
    int bad = 0;
    json_array_foreach(actions, i, a) {
        char *s = json_dumps(a, JSON_COMPACT);
        if (!s || fputs(s, f) < 0 || fputc('\n', f) == EOF) bad = 1;
        free(s);
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) bad = 1;
    if (fclose(f) != 0) bad = 1;
    if (bad) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    /* link(2) fails with EEXIST when another writer made this version: mutual exclusion. */
    int rc = link(tmp, path);
    int saved = errno;
    unlink(tmp);
    if (rc != 0) {
        if (saved == EEXIST) return 1;
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(saved));
        return -1;
    }
    int dfd = open(logdir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    log->version = next;
    return 0;
}

/* ---- checkpoints ---- */
typedef struct replay {
    json_t *adds;       /* path -> add action */
    json_t *txns;       /* appId -> txn action */
    json_t *metadata, *protocol;
} replay;

static int replay_action(json_t *a, void *p)
{
    replay *r = p;
    json_t *x;
    if ((x = json_object_get(a, "add")) && json_is_string(json_object_get(x, "path")))
        json_object_set(r->adds, json_string_value(json_object_get(x, "path")), x);
    if ((x = json_object_get(a, "remove")) && json_is_string(json_object_get(x, "path")))
        json_object_del(r->adds, json_string_value(json_object_get(x, "path")));
    if ((x = json_object_get(a, "txn")) && json_is_string(json_object_get(x, "appId")))
        json_object_set(r->txns, json_string_value(json_object_get(x, "appId")), x);
    if ((x = json_object_get(a, "metaData"))) {
        json_decref(r->metadata);
        r->metadata = json_incref(x);
    }
    if ((x = json_object_get(a, "protocol"))) {
        json_decref(r->protocol);
        r->protocol = json_incref(x);
    }
    return 0;
}

/* An optional map<string,string> of the schema: its group, the repeated key_value, key, value. */
#define STRING_MAP(name)                                                                         \
    {name, 1, 0, PQ_OPTIONAL, PQ_GROUP_MAP}, {"key_value", 2, 0, PQ_REPEATED, 0},                 \
        {"key", 0, PQ_STRING, PQ_REQUIRED, 0}, {"value", 0, PQ_STRING, PQ_OPTIONAL, 0}
/* The checkpoint schema of the Delta protocol (the actions a reader needs). */
static const pq_node checkpoint_schema[] = {
    {"txn", 3, 0, PQ_OPTIONAL, 0},
    {"appId", 0, PQ_STRING, PQ_OPTIONAL, 0},
    {"version", 0, PQ_INT64, PQ_OPTIONAL, 0},
    {"lastUpdated", 0, PQ_INT64, PQ_OPTIONAL, 0},
    {"add", 6, 0, PQ_OPTIONAL, 0},
    {"path", 0, PQ_STRING, PQ_OPTIONAL, 0},
    STRING_MAP("partitionValues"),
    {"size", 0, PQ_INT64, PQ_OPTIONAL, 0},
    {"modificationTime", 0, PQ_INT64, PQ_OPTIONAL, 0},
    {"dataChange", 0, PQ_BOOLEAN, PQ_OPTIONAL, 0},
    {"stats", 0, PQ_STRING, PQ_OPTIONAL, 0},
    {"remove", 3, 0, PQ_OPTIONAL, 0},
    {"path", 0, PQ_STRING, PQ_OPTIONAL, 0},
    {"deletionTimestamp", 0, PQ_INT64, PQ_OPTIONAL, 0},
    {"dataChange", 0, PQ_BOOLEAN, PQ_OPTIONAL, 0},
    {"metaData", 8, 0, PQ_OPTIONAL, 0},
    {"id", 0, PQ_STRING, PQ_OPTIONAL, 0},
    {"name", 0, PQ_STRING, PQ_OPTIONAL, 0},
    {"description", 0, PQ_STRING, PQ_OPTIONAL, 0},
    {"format", 2, 0, PQ_OPTIONAL, 0},
    {"provider", 0, PQ_STRING, PQ_OPTIONAL, 0},
    STRING_MAP("options"),
    {"schemaString", 0, PQ_STRING, PQ_OPTIONAL, 0},
    {"partitionColumns", 1, 0, PQ_OPTIONAL, PQ_GROUP_LIST},
    {"list", 1, 0, PQ_REPEATED, 0},
    {"element", 0, PQ_STRING, PQ_OPTIONAL, 0},
    STRING_MAP("configuration"),
    {"createdTime", 0, PQ_INT64, PQ_OPTIONAL, 0},
    {"protocol", 2, 0, PQ_OPTIONAL, 0},
    {"minReaderVersion", 0, PQ_INT32, PQ_OPTIONAL, 0},
    {"minWriterVersion", 0, PQ_INT32, PQ_OPTIONAL, 0},
};
/* Leaf columns, in order. */
enum {
    C_TXN_APP, C_TXN_VER, C_TXN_UPD,
    C_ADD_PATH, C_ADD_PVK, C_ADD_PVV, C_ADD_SIZE, C_ADD_MTIME, C_ADD_CHANGE, C_ADD_STATS,
    C_RM_PATH, C_RM_TS, C_RM_CHANGE,
    C_MD_ID, C_MD_NAME, C_MD_DESC, C_MD_PROVIDER, C_MD_OPTK, C_MD_OPTV, C_MD_SCHEMA, C_MD_PCOL,
    C_MD_CONFK, C_MD_CONFV, C_MD_CREATED,
    C_PR_READER, C_PR_WRITER,
    C_COUNT
};

typedef struct ckpt_row {
    pq_writer *w;
    int rc;
} ckpt_row;

/* A leaf at depth `def` present with a value (def = its max) or absent (def lower). */
static void put(ckpt_row *r, int col, int rep, int def, const pq_value *v)
{
    if (!r->rc) r->rc = pq_put(r->w, col, rep, def, v);
}

/* An optional leaf under a parent at definition level parent_def: present with v, absent when
 * v is NULL. */
static void put_opt(ckpt_row *r, int col, int parent_def, const pq_value *v)
{
    put(r, col, 0, v ? parent_def + 1 : parent_def, v);
}

static void put_str(ckpt_row *r, int col, int parent_def, json_t *s)
{
    pq_value v = {.s = json_string_value(s), .len = json_string_length(s)};
    put_opt(r, col, parent_def, json_is_string(s) ? &v : NULL);
}

static void put_int(ckpt_row *r, int col, int parent_def, json_t *x)
{
    pq_value v = {.i = json_integer_value(x)};
    put_opt(r, col, parent_def, json_is_integer(x) ? &v : NULL);
}

static void put_bool(ckpt_row *r, int col, int parent_def, json_t *x)
{
    pq_value v = {.i = json_is_true(x)};
    put_opt(r, col, parent_def, json_is_boolean(x) ? &v : NULL);
}

/* A map<string,string> whose group sits at definition level parent_def + 1 when present. */
static void put_map(ckpt_row *r, int kcol, int vcol, int parent_def, json_t *obj)
{
    if (!json_is_object(obj)) {
        put(r, kcol, 0, parent_def, NULL);
        put(r, vcol, 0, parent_def, NULL);
        return;
    }
    if (json_object_size(obj) == 0) {
        put(r, kcol, 0, parent_def + 1, NULL);
        put(r, vcol, 0, parent_def + 1, NULL);
        return;
    }
    const char *k;
    json_t *val;
    int first = 1;
    json_object_foreach(obj, k, val) {
        pq_value kv = {.s = k, .len = strlen(k)};
        put(r, kcol, first ? 0 : 1, parent_def + 2, &kv);
        if (json_is_string(val)) {
            pq_value vv = {.s = json_string_value(val), .len = json_string_length(val)};
            put(r, vcol, first ? 0 : 1, parent_def + 3, &vv);
        } else {
            put(r, vcol, first ? 0 : 1, parent_def + 2, NULL);
        }
        first = 0;
    }
}

static void put_list(ckpt_row *r, int col, int parent_def, json_t *arr)
{
    if (!json_is_array(arr)) {
        put(r, col, 0, parent_def, NULL);
        return;
    }
    if (json_array_size(arr) == 0) {
        put(r, col, 0, parent_def + 1, NULL);
        return;
    }
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) {
        if (json_is_string(x)) {
            pq_value v = {.s = json_string_value(x), .len = json_string_length(x)};
            put(r, col, i ? 1 : 0, parent_def + 3, &v);
        } else {
            put(r, col, i ? 1 : 0, parent_def + 2, NULL);
        }
    }
}

static void null_range(ckpt_row *r, int from, int to)
{
    for (int c = from; c <= to; c++) put(r, c, 0, 0, NULL);
}

static int checkpoint_row(ckpt_row *r, const char *kind, json_t *a)
{
    int is_txn = !strcmp(kind, "txn"), is_add = !strcmp(kind, "add"), is_md = !strcmp(kind, "metaData"),
        is_pr = !strcmp(kind, "protocol");
    if (is_txn) {
        put_str(r, C_TXN_APP, 1, json_object_get(a, "appId"));
        put_int(r, C_TXN_VER, 1, json_object_get(a, "version"));
        put_int(r, C_TXN_UPD, 1, json_object_get(a, "lastUpdated"));
    } else {
        null_range(r, C_TXN_APP, C_TXN_UPD);
    }
    if (is_add) {
        put_str(r, C_ADD_PATH, 1, json_object_get(a, "path"));
        put_map(r, C_ADD_PVK, C_ADD_PVV, 1, json_object_get(a, "partitionValues"));
        put_int(r, C_ADD_SIZE, 1, json_object_get(a, "size"));
        put_int(r, C_ADD_MTIME, 1, json_object_get(a, "modificationTime"));
        put_bool(r, C_ADD_CHANGE, 1, json_false());   /* checkpoints carry dataChange = false */
        put_str(r, C_ADD_STATS, 1, json_object_get(a, "stats"));
    } else {
        null_range(r, C_ADD_PATH, C_ADD_STATS);
    }
    null_range(r, C_RM_PATH, C_RM_CHANGE);
    if (is_md) {
        put_str(r, C_MD_ID, 1, json_object_get(a, "id"));
        put_str(r, C_MD_NAME, 1, json_object_get(a, "name"));
        put_str(r, C_MD_DESC, 1, json_object_get(a, "description"));
        json_t *fmt = json_object_get(a, "format");
        if (json_is_object(fmt)) {
            put_str(r, C_MD_PROVIDER, 2, json_object_get(fmt, "provider"));
            put_map(r, C_MD_OPTK, C_MD_OPTV, 2, json_object_get(fmt, "options"));
        } else {
            put(r, C_MD_PROVIDER, 0, 1, NULL);
            put(r, C_MD_OPTK, 0, 1, NULL);
            put(r, C_MD_OPTV, 0, 1, NULL);
        }
        put_str(r, C_MD_SCHEMA, 1, json_object_get(a, "schemaString"));
        put_list(r, C_MD_PCOL, 1, json_object_get(a, "partitionColumns"));
        put_map(r, C_MD_CONFK, C_MD_CONFV, 1, json_object_get(a, "configuration"));
        put_int(r, C_MD_CREATED, 1, json_object_get(a, "createdTime"));
    } else {
        null_range(r, C_MD_ID, C_MD_CREATED);
    }
    if (is_pr) {
        put_int(r, C_PR_READER, 1, json_object_get(a, "minReaderVersion"));
        put_int(r, C_PR_WRITER, 1, json_object_get(a, "minWriterVersion"));
    } else {
        null_range(r, C_PR_READER, C_PR_WRITER);
    }
    if (!r->rc) r->rc = pq_end_row(r->w);
    return r->rc;
}

int delta_log_checkpoint(delta_log *log, char *err, size_t errlen)
{
    replay rp = {json_object(), json_object(), NULL, NULL};
    int rc = 0;
    for (int64_t v = 0; v <= log->version && rc == 0; v++)
        rc = each_action(log, v, replay_action, &rp, err, errlen);
    if (rc == 0 && (!rp.metadata || !rp.protocol)) {
        snprintf(err, errlen, "%s: the log has no metaData or protocol action", log->dir);
        rc = -1;
    }
    char path[4300], tmp[4400];
    version_path(log, log->version, ".checkpoint.parquet", path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int64_t rows = 0;
    if (rc == 0) {
        pq_options opt;
        pq_options_default(&opt);
        pq_writer *w = pq_open(tmp, checkpoint_schema,
                               sizeof checkpoint_schema / sizeof checkpoint_schema[0], &opt, err, errlen);
        if (!w) rc = -1;
        if (w && pq_num_columns(w) != C_COUNT) {
            snprintf(err, errlen, "checkpoint schema has %d columns, expected %d", pq_num_columns(w), C_COUNT);
            pq_abort(w);
            w = NULL;
            rc = -1;
        }
        if (w) {
            ckpt_row r = {w, 0};
            checkpoint_row(&r, "protocol", rp.protocol);
            checkpoint_row(&r, "metaData", rp.metadata);
            rows = 2;
            const char *k;
            json_t *a;
            json_object_foreach(rp.txns, k, a) {
                checkpoint_row(&r, "txn", a);
                rows++;
            }
            json_object_foreach(rp.adds, k, a) {
                checkpoint_row(&r, "add", a);
                rows++;
            }
            if (r.rc) {
                snprintf(err, errlen, "checkpoint %s: %s", path, pq_error(w));
                pq_abort(w);
                rc = -1;
            } else {
                rc = pq_close(w, NULL, err, errlen);
            }
        }
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc != 0) unlink(tmp);
    if (rc == 0) {
        char last[4300], lasttmp[4400];
        snprintf(last, sizeof last, "%s/_delta_log/_last_checkpoint", log->dir);
        snprintf(lasttmp, sizeof lasttmp, "%s.tmp", last);
        FILE *f = fopen(lasttmp, "w");
        if (!f || fprintf(f, "{\"version\":%lld,\"size\":%lld}\n", (long long)log->version,
                          (long long)rows) < 0 || fclose(f) != 0 || rename(lasttmp, last) != 0) {
            snprintf(err, errlen, "cannot write %s: %s", last, strerror(errno));
            rc = -1;
        }
    }
    json_decref(rp.adds);
    json_decref(rp.txns);
    json_decref(rp.metadata);
    json_decref(rp.protocol);
    return rc;
}
