/* The Delta export sink (see export.h): reads a table's rows past its high-water mark, writes
 * them as Parquet files per event date, commits them to the Delta log with a txn action, then
 * records the batch in export_state. */
#include "export/export.h"
#include "core/settings.h"
#include "export/export_int.h"

#include "core/buf.h"
#include "core/dirs.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "export/delta.h"
#include "export/parquet.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PARTITION_COLUMN "event_date"
#define MAX_PARTITIONS 512

/* Silver tables are append-only: a row is final once committed. Gold rows of an event change
 * (ranks, best title) until the event's window closes, so gold is exported per closed event. */
static const table_spec specs[] = {
    {"gdelt_silver", UNIT_KEY, "silver_id", "event_time"},
    {"wikimedia_silver", UNIT_KEY, "silver_id", "event_time"},
    {"gold_events", UNIT_CLOSED_EVENT, "gdelt_silver_id", "event_time"},
    {"correlated_gold_events", UNIT_CLOSED_EVENT, "gdelt_silver_id", "event_time"},
};

const table_spec *export_spec_find(const char *table)
{
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (!strcmp(specs[i].table, table)) return &specs[i];
    return NULL;
}

const char *const export_tables[] = {"gdelt_silver", "wikimedia_silver", "gold_events",
                                     "correlated_gold_events", NULL};

static int is_time_column(const char *name)
{
    size_t n = strlen(name);
    return !strcmp(name, "time_bucket") || (n > 5 && !strcmp(name + n - 5, "_time")) ||
           (n > 3 && !strcmp(name + n - 3, "_at")) || (n > 12 && !strcmp(name + n - 12, "_time_bucket"));
}

/* The table's columns and their Parquet / Delta types, from the declared SQLite types. */
int export_table_columns(sqlite3 *db, const char *table, column_info *cols, int *ncols, char *err,
                         size_t errlen)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT name, type, hidden FROM pragma_table_xinfo('%s')", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_fail(db, err, errlen, "%s: cannot read columns", table);
        return -1;
    }
    int n = 0, rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int hidden = sqlite3_column_int(st, 2);
        if (hidden == 1) continue;
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        if (!name || n == MAX_COLUMNS) {
            snprintf(err, errlen, "%s: too many columns", table);
            rc = -1;
            break;
        }
        column_info *c = &cols[n];
        snprintf(c->name, sizeof c->name, "%s", name);
        if (type && !strncasecmp(type, "INT", 3)) {
            c->type = PQ_INT64;
            c->delta_type = "long";
        } else if (type && (!strcasecmp(type, "REAL") || !strcasecmp(type, "DOUBLE"))) {
            c->type = PQ_DOUBLE;
            c->delta_type = "double";
        } else if (type && !strcasecmp(type, "TEXT") && is_time_column(name)) {
            c->type = PQ_TIMESTAMP_MICROS;
            c->delta_type = "timestamp";
        } else if (type && !strcasecmp(type, "TEXT")) {
            c->type = PQ_STRING;
            c->delta_type = "string";
        } else {
            continue;  /* BLOBs (embeddings) stay in the lakehouse */
        }
        n++;
    }
    sqlite3_finalize(st);
    if (rc == 0 && n == 0) {
        snprintf(err, errlen, "no table %s", table);
        rc = -1;
    }
    *ncols = n;
    return rc;
}

static json_t *delta_schema(const column_info *cols, int n)
{
    json_t *fields = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(fields, json_pack("{s:s,s:s,s:b,s:{}}", "name", cols[i].name, "type",
                                                cols[i].delta_type, "nullable", 1, "metadata"));
    json_array_append_new(fields, json_pack("{s:s,s:s,s:b,s:{}}", "name", PARTITION_COLUMN, "type",
                                            "date", "nullable", 1, "metadata"));
    json_t *schema = json_pack("{s:s,s:o}", "type", "struct", "fields", fields);
    char *s = json_dumps(schema, JSON_COMPACT);
    json_decref(schema);
    json_t *out = json_string(s ? s : "");
    free(s);
    return out;
}

/* ---- one Parquet file per partition of a batch ---- */
typedef struct col_stats {
    int has;
    int64_t imin, imax;
    double dmin, dmax;
    int64_t nulls;
} col_stats;

typedef struct part_file {
    char date[16];            /* "" = NULL partition */
    char rel[256];            /* path relative to the table */
    pq_writer *w;
    int64_t rows;
    col_stats *stats;
} part_file;

typedef struct batch {
    const char *dir;
    const char *table;
    const column_info *cols;
    int ncols;
    int date_col;
    pq_node *nodes;
    pq_options opt;
    part_file parts[MAX_PARTITIONS];
    int nparts;
    char *err;
    size_t errlen;
} batch;

static part_file *partition_for(batch *b, const char *date)
{
    for (int i = 0; i < b->nparts; i++)
        if (!strcmp(b->parts[i].date, date)) return &b->parts[i];
    if (b->nparts == MAX_PARTITIONS) {
        snprintf(b->err, b->errlen, "%s: more than %d dates in one batch (lower export.delta.batch_rows)",
                 b->table, MAX_PARTITIONS);
        return NULL;
    }
    part_file *p = &b->parts[b->nparts];
    memset(p, 0, sizeof *p);
    snprintf(p->date, sizeof p->date, "%s", date);
    char id[37], dirpath[4500], full[4800];
    delta_uuid(id);
    const char *pdir = *date ? date : "__HIVE_DEFAULT_PARTITION__";
    const char *ext = b->opt.codec == PQ_ZSTD ? ".zstd" : b->opt.codec == PQ_SNAPPY ? ".snappy" : "";
    snprintf(p->rel, sizeof p->rel, PARTITION_COLUMN "=%s/part-00000-%s.c000%s.parquet", pdir, id, ext);
    snprintf(dirpath, sizeof dirpath, "%s/" PARTITION_COLUMN "=%s", b->dir, pdir);
    if (mkdir(b->dir, 0755) != 0 && errno != EEXIST) {
        snprintf(b->err, b->errlen, "cannot create %s: %s", b->dir, strerror(errno));
        return NULL;
    }
    if (mkdir(dirpath, 0755) != 0 && errno != EEXIST) {
        snprintf(b->err, b->errlen, "cannot create %s: %s", dirpath, strerror(errno));
        return NULL;
    }
    snprintf(full, sizeof full, "%s/%s", b->dir, p->rel);
    p->w = pq_open(full, b->nodes, (size_t)b->ncols, &b->opt, b->err, b->errlen);
    p->stats = calloc((size_t)b->ncols, sizeof *p->stats);
    if (!p->w || !p->stats) {
        if (p->w) pq_abort(p->w);
        free(p->stats);
        return NULL;
    }
    b->nparts++;
    return p;
}

static void format_micros(int64_t us, char *out, size_t n)
{
    time_t s = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    int ms = (int)((us - (int64_t)s * 1000000) / 1000);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

/* Appends the current row of st to its partition's file. */
static int write_row(batch *b, sqlite3_stmt *st, const char *key_text)
{
    char date[16] = "";
    const unsigned char *dt = sqlite3_column_text(st, b->date_col);
    int64_t us;
    if (dt && pq_parse_timestamp((const char *)dt, strlen((const char *)dt), &us) == 0)
        snprintf(date, sizeof date, "%.10s", (const char *)dt);
    part_file *p = partition_for(b, date);
    if (!p) return -1;
    for (int c = 0; c < b->ncols; c++) {
        const column_info *ci = &b->cols[c];
        int t = sqlite3_column_type(st, c);
        col_stats *cs = &p->stats[c];
        if (t == SQLITE_NULL) {
            cs->nulls++;
            if (pq_put_flat(p->w, c, NULL) != 0) goto pq_failed;
            continue;
        }
        pq_value v = {0};
        switch (ci->type) {
        case PQ_INT64:
            if (t != SQLITE_INTEGER) goto bad_value;
            v.i = sqlite3_column_int64(st, c);
            break;
        case PQ_DOUBLE:
            if (t != SQLITE_FLOAT && t != SQLITE_INTEGER) goto bad_value;
            v.d = sqlite3_column_double(st, c);
            break;
        case PQ_TIMESTAMP_MICROS: {
            const char *s = (const char *)sqlite3_column_text(st, c);
            if (!s || pq_parse_timestamp(s, strlen(s), &v.i) != 0) goto bad_value;
            break;
        }
        default:
            v.s = (const char *)sqlite3_column_text(st, c);
            v.len = (size_t)sqlite3_column_bytes(st, c);
            break;
        }
        if (ci->type == PQ_INT64 || ci->type == PQ_TIMESTAMP_MICROS) {
            if (!cs->has || v.i < cs->imin) cs->imin = v.i;
            if (!cs->has || v.i > cs->imax) cs->imax = v.i;
            cs->has = 1;
        } else if (ci->type == PQ_DOUBLE && v.d == v.d) {
            if (!cs->has || v.d < cs->dmin) cs->dmin = v.d;
            if (!cs->has || v.d > cs->dmax) cs->dmax = v.d;
            cs->has = 1;
        }
        if (pq_put_flat(p->w, c, &v) != 0) goto pq_failed;
    }
    p->rows++;
    if (pq_end_row(p->w) != 0) goto pq_failed;
    return 0;
bad_value:
    snprintf(b->err, b->errlen, "%s row %s: a value does not fit its column type", b->table, key_text);
    for (int c = 0; c < b->ncols; c++) {
        /* name the offending column precisely */
        int t = sqlite3_column_type(st, c);
        const column_info *ci = &b->cols[c];
        int ok = t == SQLITE_NULL || (ci->type == PQ_INT64 && t == SQLITE_INTEGER) ||
                 (ci->type == PQ_DOUBLE && (t == SQLITE_FLOAT || t == SQLITE_INTEGER)) ||
                 ci->type == PQ_STRING;
        if (ci->type == PQ_TIMESTAMP_MICROS && t != SQLITE_NULL) {
            const char *s = (const char *)sqlite3_column_text(st, c);
            ok = s && pq_parse_timestamp(s, strlen(s), &us) == 0;
        }
        if (!ok) {
            const char *s = (const char *)sqlite3_column_text(st, c);
            snprintf(b->err, b->errlen, "%s row %s: column %s holds '%.60s', not a %s", b->table,
                     key_text, ci->name, s ? s : "", ci->delta_type);
            break;
        }
    }
    return -1;
pq_failed:
    snprintf(b->err, b->errlen, "%s: %s", p->rel, pq_error(p->w));
    return -1;
}

static void batch_abort(batch *b)
{
    for (int i = 0; i < b->nparts; i++) {
        if (b->parts[i].w) {
            char full[4800];
            snprintf(full, sizeof full, "%s/%s", b->dir, b->parts[i].rel);
            pq_abort(b->parts[i].w);
            unlink(full);
        }
        free(b->parts[i].stats);
    }
    b->nparts = 0;
}

/* Closes the files and appends their add actions to actions. */
static int batch_finish(batch *b, json_t *actions, export_stats *stats)
{
    int64_t now_ms = (int64_t)time(NULL) * 1000;
    for (int i = 0; i < b->nparts; i++) {
        part_file *p = &b->parts[i];
        int64_t size = 0;
        pq_writer *w = p->w;
        p->w = NULL;
        if (pq_close(w, &size, b->err, b->errlen) != 0) return -1;
        json_t *mins = json_object(), *maxs = json_object(), *nulls = json_object();
        for (int c = 0; c < b->ncols; c++) {
            const column_info *ci = &b->cols[c];
            const col_stats *cs = &p->stats[c];
            json_object_set_new(nulls, ci->name, json_integer(cs->nulls));
            if (!cs->has) continue;
            if (ci->type == PQ_INT64) {
                json_object_set_new(mins, ci->name, json_integer(cs->imin));
                json_object_set_new(maxs, ci->name, json_integer(cs->imax));
            } else if (ci->type == PQ_DOUBLE) {
                json_object_set_new(mins, ci->name, json_real(cs->dmin));
                json_object_set_new(maxs, ci->name, json_real(cs->dmax));
            } else if (ci->type == PQ_TIMESTAMP_MICROS) {
                char t[96];
                format_micros(cs->imin, t, sizeof t);
                json_object_set_new(mins, ci->name, json_string(t));
                /* max rounded up to the millisecond so it still bounds the value */
                format_micros(cs->imax + 999, t, sizeof t);
                json_object_set_new(maxs, ci->name, json_string(t));
            }
        }
        json_t *st = json_pack("{s:I,s:o,s:o,s:o}", "numRecords", (json_int_t)p->rows, "minValues",
                               mins, "maxValues", maxs, "nullCount", nulls);
        char *stats_text = json_dumps(st, JSON_COMPACT);
        json_decref(st);
        json_t *pv = json_object();
        json_object_set_new(pv, PARTITION_COLUMN, *p->date ? json_string(p->date) : json_null());
        json_array_append_new(actions,
                              json_pack("{s:{s:s,s:o,s:I,s:I,s:b,s:s}}", "add", "path", p->rel,
                                        "partitionValues", pv, "size", (json_int_t)size,
                                        "modificationTime", (json_int_t)now_ms, "dataChange", 1,
                                        "stats", stats_text ? stats_text : "{}"));
        free(stats_text);
        stats->files++;
        stats->bytes += size;
        stats->rows += p->rows;
    }
    return 0;
}

/* ---- state ---- */
int export_state_load(sqlite3 *db, const char *target, const char *table, export_state *s)
{
    memset(s, 0, sizeof *s);
    s->delta_version = -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT seq, mark, delta_version FROM export_state"
                               " WHERE target = ?1 AND table_name = ?2", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, table, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->seq = sqlite3_column_int64(st, 0);
        snprintf(s->mark, sizeof s->mark, "%s", (const char *)sqlite3_column_text(st, 1));
        s->delta_version = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int export_state_save(sqlite3 *db, const char *target, const char *table, const export_state *s,
                      int64_t rows)
{
    return store_run(db,
                     "INSERT INTO export_state (target, table_name, seq, mark, delta_version,"
                     " rows, updated_at) VALUES (?1,?2,?3,?4,?5,?6,"
                     " strftime('%Y-%m-%d %H:%M:%S','now'))"
                     " ON CONFLICT (target, table_name) DO UPDATE SET seq = excluded.seq,"
                     " mark = excluded.mark, delta_version = excluded.delta_version,"
                     " rows = export_state.rows + excluded.rows, updated_at = excluded.updated_at",
                     "ttitii", target, table, (int64_t)s->seq, s->mark, (int64_t)s->delta_version,
                     rows);
}

/* ---- the batch query ---- */
/* UNIT_KEY marks are the last key; UNIT_CLOSED_EVENT marks are "closed_at|gdelt_silver_id". */
void export_split_mark(const char *mark, char *closed, size_t n, int64_t *id)
{
    const char *bar = strrchr(mark, '|');
    *id = bar ? strtoll(bar + 1, NULL, 10) : 0;
    snprintf(closed, n, "%.*s", bar ? (int)(bar - mark) : 0, mark);
}

/* Finds the batch's upper mark: the key (or closed event) batch_rows past the current mark.
 * Returns 1 when there is nothing new. */
int export_next_mark(sqlite3 *db, const table_spec *sp, const char *mark, int64_t limit, char *next,
                     size_t n, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    char sql[512];
    if (sp->kind == UNIT_KEY)
        snprintf(sql, sizeof sql, "SELECT MAX(k) FROM (SELECT %s AS k FROM %s WHERE %s > ?1"
                 " ORDER BY %s LIMIT ?2)", sp->key, sp->table, sp->key, sp->key);
    else
        snprintf(sql, sizeof sql, "SELECT closed_at, gdelt_silver_id FROM gold_events"
                 " WHERE closed_at IS NOT NULL AND (closed_at, gdelt_silver_id) > (?1, ?3)"
                 " ORDER BY closed_at, gdelt_silver_id LIMIT 1 OFFSET ?2 - 1");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_fail(db, err, errlen, "reading %s", sp->table);
        return -1;
    }
    int rc;
    if (sp->kind == UNIT_KEY) {
        sqlite3_bind_int64(st, 1, strtoll(mark, NULL, 10));
        sqlite3_bind_int64(st, 2, limit);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
            snprintf(next, n, "%lld", (long long)sqlite3_column_int64(st, 0));
            rc = 0;
        } else {
            rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 1 : -1;
        }
    } else {
        char closed[128];
        int64_t id;
        export_split_mark(mark, closed, sizeof closed, &id);
        /* At most `limit` events; fewer pending: the last of them. */
        sqlite3_bind_text(st, 1, closed, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, limit);
        sqlite3_bind_int64(st, 3, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            sqlite3_finalize(st);
            if (sqlite3_prepare_v2(db, "SELECT closed_at, gdelt_silver_id FROM gold_events"
                                       " WHERE closed_at IS NOT NULL AND (closed_at, gdelt_silver_id) > (?1, ?2)"
                                       " ORDER BY closed_at DESC, gdelt_silver_id DESC LIMIT 1",
                                   -1, &st, NULL) != SQLITE_OK) {
                store_fail(db, err, errlen, "reading %s", sp->table);
                return -1;
            }
            sqlite3_bind_text(st, 1, closed, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, id);
            rc = sqlite3_step(st);
        }
        if (rc == SQLITE_ROW) {
            snprintf(next, n, "%s|%lld", (const char *)sqlite3_column_text(st, 0),
                     (long long)sqlite3_column_int64(st, 1));
            rc = 0;
        } else {
            rc = rc == SQLITE_DONE ? 1 : -1;
        }
    }
    if (rc < 0) store_fail(db, err, errlen, "reading %s", sp->table);
    sqlite3_finalize(st);
    return rc;
}

int export_prepare_rows(sqlite3 *db, const table_spec *sp, const column_info *cols, int ncols,
                        const char *from, const char *to, sqlite3_stmt **out, char *err, size_t errlen)
{
    buf sql = BUF_INIT;
    buf_append_str(&sql, "SELECT ");
    for (int i = 0; i < ncols; i++) buf_appendf(&sql, "%st.\"%s\"", i ? ", " : "", cols[i].name);
    if (sp->kind == UNIT_KEY) {
        buf_appendf(&sql, ", t.%s FROM %s t WHERE t.%s > ?1 AND t.%s <= ?2 ORDER BY t.%s", sp->key,
                    sp->table, sp->key, sp->key, sp->key);
    } else {
        buf_appendf(&sql, ", t.gdelt_silver_id FROM %s t JOIN gold_events e USING (gdelt_silver_id)"
                    " WHERE e.closed_at IS NOT NULL AND (e.closed_at, e.gdelt_silver_id) > (?1, ?2)"
                    " AND (e.closed_at, e.gdelt_silver_id) <= (?3, ?4)"
                    " ORDER BY e.closed_at, e.gdelt_silver_id%s",
                    sp->table, strcmp(sp->table, "gold_events") ? ", t.rowid" : "");
    }
    int rc = sqlite3_prepare_v2(db, sql.data, -1, out, NULL);
    buf_free(&sql);
    if (rc != SQLITE_OK) {
        store_fail(db, err, errlen, "reading %s", sp->table);
        return -1;
    }
    if (sp->kind == UNIT_KEY) {
        sqlite3_bind_int64(*out, 1, strtoll(from, NULL, 10));
        sqlite3_bind_int64(*out, 2, strtoll(to, NULL, 10));
    } else {
        char c1[128], c2[128];
        int64_t i1, i2;
        export_split_mark(from, c1, sizeof c1, &i1);
        export_split_mark(to, c2, sizeof c2, &i2);
        sqlite3_bind_text(*out, 1, c1, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(*out, 2, i1);
        sqlite3_bind_text(*out, 3, c2, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(*out, 4, i2);
    }
    return 0;
}

/* The batch at which the test hook fires (WIKIGDELT_EXPORT_FAULT_SEQ, default the first). */
int64_t export_fault_seq(void)
{
    const char *s = getenv("WIKIGDELT_EXPORT_FAULT_SEQ");
    return s ? strtoll(s, NULL, 10) : 1;
}

static pq_codec codec_setting(const config *cfg)
{
    const char *c = setting_str(cfg, "export.delta.compression");
    if (!strcmp(c, "zstd")) return PQ_ZSTD;
    if (!strcmp(c, "none")) return PQ_UNCOMPRESSED;
    return PQ_SNAPPY;
}

int export_delta_table(sqlite3 *db, const config *cfg, const char *table, const char *dir,
                       export_stats *stats, char *err, size_t errlen)
{
    const table_spec *sp = export_spec_find(table);
    if (!sp) {
        snprintf(err, errlen, "%s cannot be exported (exportable: gdelt_silver, wikimedia_silver,"
                 " gold_events, correlated_gold_events)", table);
        return -1;
    }
    int64_t t0 = time_monotonic_ms();
    column_info cols[MAX_COLUMNS];
    int ncols = 0;
    if (export_table_columns(db, table, cols, &ncols, err, errlen) != 0) return -1;
    int date_col = -1;
    for (int i = 0; i < ncols; i++)
        if (!strcmp(cols[i].name, sp->date_column)) date_col = i;
    if (date_col < 0) {
        snprintf(err, errlen, "%s has no %s column", table, sp->date_column);
        return -1;
    }
    /* One exporter per Delta table at a time: an advisory lock beside the log. */
    char logdir[4200], lockpath[4300];
    snprintf(logdir, sizeof logdir, "%s/_delta_log", dir);
    if (make_dirs(logdir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", logdir, strerror(errno));
        return -1;
    }
    snprintf(lockpath, sizeof lockpath, "%s/.wikigdelt-export.lock", logdir);
    int lockfd = open(lockpath, O_RDWR | O_CREAT, 0644);
    if (lockfd < 0 || flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errlen, "%s is being exported by another process (lock %s)", dir, lockpath);
        if (lockfd >= 0) close(lockfd);
        return -1;
    }
    char app_id[160];
    snprintf(app_id, sizeof app_id, "wikigdelt-%s", table);
    char target[4096];
    if (!realpath(dir, target)) snprintf(target, sizeof target, "%s", dir);

    int rc = 0;
    export_state s;
    delta_log log;
    memset(&log, 0, sizeof log);
    if (export_state_load(db, target, table, &s) != 0) {
        store_fail(db, err, errlen, "reading export_state");
        rc = -1;
    }
    if (!rc) rc = delta_log_load(dir, app_id, &log, err, errlen);
    if (!rc && s.mark[0] == 0) snprintf(s.mark, sizeof s.mark, "%s", sp->kind == UNIT_KEY ? "0" : "|0");
    if (!rc && log.txn_version > s.seq) {
        /* The commit landed but the process stopped before recording it: take its mark. */
        json_t *m = json_object_get(json_object_get(log.txn_commit_info, "wikigdelt"), "mark");
        if (!json_is_string(m)) {
            snprintf(err, errlen, "%s: txn version %lld of %s has no wikigdelt mark in its commitInfo",
                     dir, (long long)log.txn_version, app_id);
            rc = -1;
        } else {
            s.seq = log.txn_version;
            snprintf(s.mark, sizeof s.mark, "%s", json_string_value(m));
            s.delta_version = log.version;
            if (export_state_save(db, target, table, &s, 0) != 0) {
                store_fail(db, err, errlen, "writing export_state");
                rc = -1;
            }
            stats->recovered++;
            log_warn("export", "%s: commit %lld was in the Delta log but not recorded; recovered its mark %s",
                     table, (long long)log.txn_version, s.mark);
        }
    } else if (!rc && (log.txn_version < 0 ? 0 : log.txn_version) < s.seq) {
        snprintf(err, errlen, "%s: the Delta log's last %s txn is %lld but %lld were committed;"
                 " the table was changed or replaced outside wikigdelt (export to a new directory)",
                 dir, app_id, (long long)log.txn_version, (long long)s.seq);
        rc = -1;
    }
    pq_node nodes[MAX_COLUMNS];
    for (int i = 0; i < ncols; i++) nodes[i] = (pq_node){cols[i].name, 0, cols[i].type, PQ_OPTIONAL, 0};
    int64_t batch_rows = setting_int(cfg, "export.delta.batch_rows");
    int64_t ckpt_every = setting_int(cfg, "export.delta.checkpoint_interval");
    if (batch_rows < 1) batch_rows = 1;
    batch *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    while (!rc) {
        char next[160];
        int r = export_next_mark(db, sp, s.mark, batch_rows, next, sizeof next, err, errlen);
        if (r == 1) break;
        if (r < 0) {
            rc = -1;
            break;
        }
        memset(b, 0, sizeof *b);
        b->dir = dir;
        b->table = table;
        b->cols = cols;
        b->ncols = ncols;
        b->date_col = date_col;
        b->nodes = nodes;
        pq_options_default(&b->opt);
        b->opt.codec = codec_setting(cfg);
        b->opt.row_group_rows = setting_int(cfg, "export.delta.row_group_rows");
        b->opt.created_by = "wikigdelt";
        b->err = err;
        b->errlen = errlen;
        sqlite3_stmt *st = NULL;
        if (export_prepare_rows(db, sp, cols, ncols, s.mark, next, &st, err, errlen) != 0) {
            rc = -1;
            break;
        }
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(st, ncols);
            if (write_row(b, st, key ? key : "?") != 0) {
                rc = -1;
                break;
            }
        }
        if (!rc && step != SQLITE_DONE) {
            store_fail(db, err, errlen, "reading %s", table);
            rc = -1;
        }
        sqlite3_finalize(st);
        json_t *actions = json_array();
        int64_t rows_before = stats->rows;
        if (!rc && batch_finish(b, actions, stats) != 0) rc = -1;
        if (rc) {
            batch_abort(b);
            json_decref(actions);
            break;
        }
        for (int i = 0; i < b->nparts; i++) free(b->parts[i].stats);
        b->nparts = 0;
        int64_t now_ms = (int64_t)time(NULL) * 1000;
        json_t *head = json_array();
        json_array_append_new(head, json_pack("{s:{s:I,s:s,s:{s:s,s:s},s:b,s:s,s:{s:s,s:s,s:I,s:I}}}",
            "commitInfo", "timestamp", (json_int_t)now_ms, "operation", "WRITE",
            "operationParameters", "mode", "Append", "partitionBy", "[\"" PARTITION_COLUMN "\"]",
            "isBlindAppend", 1, "engineInfo", "wikigdelt",
            "wikigdelt", "table", table, "mark", next, "seq", (json_int_t)(s.seq + 1),
            "rows", (json_int_t)(stats->rows - rows_before)));
        json_array_append_new(head, json_pack("{s:{s:s,s:I,s:I}}", "txn", "appId", app_id, "version",
                                              (json_int_t)(s.seq + 1), "lastUpdated", (json_int_t)now_ms));
        if (log.version < 0) {
            char id[37];
            delta_uuid(id);
            json_array_append_new(head, json_pack("{s:{s:i,s:i}}", "protocol", "minReaderVersion", 1,
                                                  "minWriterVersion", 2));
            json_array_append_new(head, json_pack("{s:{s:s,s:s,s:{s:s,s:{}},s:o,s:[s],s:{},s:I}}",
                "metaData", "id", id, "name", table, "format", "provider", "parquet", "options",
                "schemaString", delta_schema(cols, ncols), "partitionColumns", PARTITION_COLUMN,
                "configuration", "createdTime", (json_int_t)now_ms));
        }
        json_array_extend(head, actions);
        json_decref(actions);
        /* Test hook: stop the process at either side of the commit, as a crash would. */
        const char *fault = getenv("WIKIGDELT_EXPORT_FAULT");
        if (fault && !strcmp(fault, "before_commit") && s.seq + 1 >= export_fault_seq()) _exit(3);
        int c = delta_log_commit(&log, head, err, errlen);
        if (c == 0 && fault && !strcmp(fault, "after_commit") && s.seq + 1 >= export_fault_seq()) _exit(3);
        json_decref(head);
        if (c == 1) {
            snprintf(err, errlen, "%s: version %lld was created by another writer; run the export again",
                     dir, (long long)log.version + 1);
            rc = -1;
            break;
        }
        if (c < 0) {
            rc = -1;
            break;
        }
        s.seq++;
        snprintf(s.mark, sizeof s.mark, "%s", next);
        s.delta_version = log.version;
        if (export_state_save(db, target, table, &s, stats->rows - rows_before) != 0) {
            /* The commit is in the log; the next run recovers the mark from it. */
            store_fail(db, err, errlen, "writing export_state (the Delta commit %lld stands and is recovered"
                       " on the next run)", (long long)log.version);
            rc = -1;
            break;
        }
        stats->commits++;
        char msg[256];
        snprintf(msg, sizeof msg, "%s: Delta version %lld, %lld rows, up to %s", table,
                 (long long)log.version, (long long)(stats->rows - rows_before), next);
        store_event(db, "export", "info", "delta_commit", msg, NULL);
        if (ckpt_every > 0 && log.version > 0 && log.version % ckpt_every == 0 &&
            delta_log_checkpoint(&log, err, errlen) != 0) {
            /* A missing checkpoint only slows readers down: warn and go on. */
            log_warn("export", "%s: checkpoint at version %lld failed: %s", table,
                     (long long)log.version, err);
            err[0] = 0;
        }
    }
    free(b);
    delta_log_free(&log);
    flock(lockfd, LOCK_UN);
    close(lockfd);
    stats->seconds += (double)(time_monotonic_ms() - t0) / 1000.0;
    return rc;
}
