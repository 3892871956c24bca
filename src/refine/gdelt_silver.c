/* The GDELT silver flow: gdelt_bronze rows past the checkpoint are split into their 61 columns,
 * checked by the expectations, typed and written to gdelt_silver (or gdelt_quarantine), with
 * the batch's counts and the new checkpoint in the same transaction.
 *
 * The hot path does no heap allocation: fields are (pointer, length) views into the text SQLite
 * returns for the bronze row, bound with SQLITE_STATIC and consumed before the next step. */
#include "refine/gdelt_silver.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/settings.h"
#include "core/timeutil.h"
#include "refine/cameo.h"
#include "observe/observe.h"
#include "refine/expect.h"
#include "format/gdelt_columns.h"
#include "store/store.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECKPOINT_NAME "gdelt_silver"

typedef struct field {
    const char *p;
    size_t n;
} field;

/* Rule indexes in the expect_set, in evaluation order (the first failing rule of the strongest
 * action decides the row's fate). */
enum { RULE_COLUMN_COUNT, RULE_ID, RULE_DATE, RULE_EVENT_CODE, RULE_LAT_LONG, RULE_AVG_TONE, RULE_N };
static const char *const rule_names[RULE_N] = {"column_count", "id", "date", "event_code",
                                               "lat_long", "avg_tone"};

/* Splits a tab-separated line into at most max fields; returns the number of fields the line
 * really has (which may exceed max). */
static int split_tabs(const char *s, size_t len, field *out, int max)
{
    int n = 0;
    const char *end = s + len;
    for (;;) {
        const char *tab = memchr(s, '\t', (size_t)(end - s));
        const char *stop = tab ? tab : end;
        if (n < max) {
            out[n].p = s;
            out[n].n = (size_t)(stop - s);
        }
        n++;
        if (!tab) break;
        s = tab + 1;
    }
    return n;
}

/* Strict integer: optional sign, 1..18 digits, nothing else. */
static int parse_int(const field *f, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (f->n == 0) return -1;
    if (f->p[0] == '-' || f->p[0] == '+') {
        neg = f->p[0] == '-';
        i = 1;
    }
    if (i == f->n || f->n - i > 18) return -1;
    int64_t v = 0;
    for (; i < f->n; i++) {
        unsigned d = (unsigned)(f->p[i] - '0');
        if (d > 9) return -1;
        v = v * 10 + (int64_t)d;
    }
    *out = neg ? -v : v;
    return 0;
}

static const double powers_of_ten[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                                       1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
                                       1e20, 1e21, 1e22};

/* Finite decimal number covering the whole field. GDELT's numbers are plain decimals with at
 * most 15 significant digits; for those, mantissa / 10^k is one correctly rounded IEEE division
 * of two exact values, i.e. the same double strtod returns, at a fraction of its cost. Anything
 * else (exponents, long mantissas) goes through strtod. */
static int parse_real(const field *f, double *out)
{
    if (f->n == 0 || f->n > 64) return -1;
    {
        size_t i = 0;
        int neg = 0;
        if (f->p[0] == '-' || f->p[0] == '+') {
            neg = f->p[0] == '-';
            i = 1;
        }
        uint64_t mantissa = 0;
        int digits = 0, frac_digits = 0, seen_dot = 0, any_digit = 0, simple = i < f->n;
        for (; i < f->n; i++) {
            char c = f->p[i];
            if (c >= '0' && c <= '9') {
                any_digit = 1;
                if (mantissa == 0 && c == '0' && !seen_dot) continue; /* leading zeros */
                mantissa = mantissa * 10 + (uint64_t)(c - '0');
                if (mantissa) digits++;
                frac_digits += seen_dot;
            } else if (c == '.' && !seen_dot) {
                seen_dot = 1;
            } else {
                simple = 0;
                break;
            }
        }
        if (simple && any_digit && digits <= 15 && frac_digits <= 22) {
            double v = (double)mantissa / powers_of_ten[frac_digits];
            *out = neg ? -v : v;
            return 0;
        }
    }
    char tmp[65];
    memcpy(tmp, f->p, f->n);
    tmp[f->n] = '\0';
    char *end;
    double v = strtod(tmp, &end);
    if (end != tmp + f->n || !isfinite(v)) return -1;
    /* strtod also takes hex floats and "infinity"; GDELT numbers are plain decimals. */
    for (size_t i = 0; i < f->n; i++) {
        char c = tmp[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
            return -1;
    }
    *out = v;
    return 0;
}

static const field empty_field = {"", 0};

static const field *col(const field *fields, int nfields, int i)
{
    return i < nfields && i < GDELT_EVENT_COLUMNS ? &fields[i] : &empty_field;
}

/* A latitude/longitude pair is fine when both are empty or both are numbers in range. */
static int check_lat_long(const field *lat, const field *lon, const char *which, char *detail,
                          size_t dlen)
{
    if (lat->n == 0 && lon->n == 0) return 1;
    double a, b;
    if (parse_real(lat, &a) != 0 || parse_real(lon, &b) != 0 || a < -90 || a > 90 || b < -180 ||
        b > 180) {
        snprintf(detail, dlen, "%s lat/long '%.*s','%.*s' out of range or not a number", which,
                 (int)(lat->n > 32 ? 32 : lat->n), lat->p, (int)(lon->n > 32 ? 32 : lon->n),
                 lon->p);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ checking one row */

/* What checking a bronze row found. Filled by check_row (no store access, so it can run on the
 * helper thread); applied to the expectations and the store in bronze order by the main thread. */
typedef struct checked_row {
    int64_t bronze_id, line_number;
    size_t raw_off, raw_len, source_off; /* into the chunk's arena */
    field fields[GDELT_EVENT_COLUMNS];
    int nfields;
    int ok[RULE_N];
    int added_ok;
    int64_t added;
    const char *event_desc, *root_desc;
    char detail[200];       /* what failed first (only when a rule failed) */
} checked_row;

static void check_row(checked_row *row, const char *raw)
{
    const field *fields = row->fields;
    int nfields = row->nfields = split_tabs(raw, row->raw_len, row->fields, GDELT_EVENT_COLUMNS);
    char *detail = row->detail;
    size_t dlen = sizeof row->detail;
    detail[0] = '\0';
    int *ok = row->ok;

    ok[RULE_COLUMN_COUNT] = nfields == GDELT_EVENT_COLUMNS;
    if (!ok[RULE_COLUMN_COUNT])
        snprintf(detail, dlen, "%d columns, expected %d", nfields, GDELT_EVENT_COLUMNS);

    int64_t event_id = 0;
    const field *fi = col(fields, nfields, GDELT_COL_GLOBALEVENTID);
    ok[RULE_ID] = parse_int(fi, &event_id) == 0 && event_id > 0;
    if (!ok[RULE_ID] && !detail[0])
        snprintf(detail, dlen, "GLOBALEVENTID '%.*s' is not a positive integer",
                 (int)(fi->n > 32 ? 32 : fi->n), fi->p);

    int64_t sql_day;
    const field *fd = col(fields, nfields, GDELT_COL_SQLDATE);
    const field *fa = col(fields, nfields, GDELT_COL_DATEADDED);
    row->added_ok = fa->n == 14 && time_parse_gdelt(fa->p, 14, &row->added) == 0;
    ok[RULE_DATE] = fd->n == 8 && time_parse_gdelt(fd->p, 8, &sql_day) == 0 && row->added_ok;
    if (!ok[RULE_DATE] && !detail[0])
        snprintf(detail, dlen, "SQLDATE '%.*s' / DATEADDED '%.*s' not a valid date",
                 (int)(fd->n > 16 ? 16 : fd->n), fd->p, (int)(fa->n > 16 ? 16 : fa->n), fa->p);

    const field *fc = col(fields, nfields, GDELT_COL_EVENTCODE);
    row->event_desc = cameo_event_description_n(fc->p, fc->n);
    ok[RULE_EVENT_CODE] = row->event_desc != NULL;
    if (!ok[RULE_EVENT_CODE] && !detail[0])
        snprintf(detail, dlen, "EventCode '%.*s' is not in the CAMEO codebook",
                 (int)(fc->n > 16 ? 16 : fc->n), fc->p);
    const field *fr = col(fields, nfields, GDELT_COL_EVENTROOTCODE);
    row->root_desc = cameo_event_description_n(fr->p, fr->n);

    char lat_detail[160] = "";
    ok[RULE_LAT_LONG] =
        check_lat_long(col(fields, nfields, GDELT_COL_ACTOR1GEO_LAT),
                       col(fields, nfields, GDELT_COL_ACTOR1GEO_LONG), "Actor1Geo", lat_detail,
                       sizeof lat_detail) &&
        check_lat_long(col(fields, nfields, GDELT_COL_ACTOR2GEO_LAT),
                       col(fields, nfields, GDELT_COL_ACTOR2GEO_LONG), "Actor2Geo", lat_detail,
                       sizeof lat_detail) &&
        check_lat_long(col(fields, nfields, GDELT_COL_ACTIONGEO_LAT),
                       col(fields, nfields, GDELT_COL_ACTIONGEO_LONG), "ActionGeo", lat_detail,
                       sizeof lat_detail);
    if (!ok[RULE_LAT_LONG] && !detail[0]) snprintf(detail, dlen, "%s", lat_detail);

    double tone;
    const field *ft = col(fields, nfields, GDELT_COL_AVGTONE);
    ok[RULE_AVG_TONE] = parse_real(ft, &tone) == 0 && tone >= -100 && tone <= 100;
    if (!ok[RULE_AVG_TONE] && !detail[0])
        snprintf(detail, dlen, "AvgTone '%.*s' is not a number in [-100, 100]",
                 (int)(ft->n > 32 ? 32 : ft->n), ft->p);
}

/* ------------------------------------------------------------------ chunks */

/* Bronze rows are read in chunks; while the main thread writes chunk n to silver, a helper thread
 * checks chunk n+1 (splitting, parsing, CAMEO lookups), so the two halves of the work overlap on
 * a machine with a spare core. */
#define CHUNK_ROWS 2048

typedef struct chunk {
    buf arena;          /* raw lines and source file names, NUL-separated */
    checked_row *rows;  /* CHUNK_ROWS */
    int count;
    pthread_t thread;
    int running;
} chunk;

static void *check_chunk(void *arg)
{
    chunk *c = arg;
    for (int i = 0; i < c->count; i++) check_row(&c->rows[i], c->arena.data + c->rows[i].raw_off);
    return NULL;
}

static void start_check(chunk *c)
{
    c->running = pthread_create(&c->thread, NULL, check_chunk, c) == 0;
    if (!c->running) check_chunk(c); /* no thread: check inline */
}

static void finish_check(chunk *c)
{
    if (c->running) pthread_join(c->thread, NULL);
    c->running = 0;
}

/* ------------------------------------------------------------------ statements */

/* Silver rows are inserted ROWS_PER_INSERT at a time with one multi-row INSERT: it runs the
 * statement machinery (and the AUTOINCREMENT bookkeeping) once per group instead of per row. */
#define ROWS_PER_INSERT 16
#define SILVER_PARAMS (1 + GDELT_EVENT_COLUMNS + 4) /* bronze_id, 61 columns, 4 derived */

typedef struct pending_row {
    const checked_row *row; /* fields point into the chunk's arena, alive until the flush */
    char event_time[TIME_TEXT_LEN], time_bucket[TIME_TEXT_LEN];
} pending_row;

typedef struct silver_statements {
    sqlite3_stmt *read, *quarantine, *batch;
    sqlite3_stmt *insert[ROWS_PER_INSERT + 1]; /* insert[m] writes m rows; prepared on demand */
    pending_row pending[ROWS_PER_INSERT];
    int pending_count;
} silver_statements;

static void finalize_all(silver_statements *s)
{
    sqlite3_finalize(s->read);
    sqlite3_finalize(s->quarantine);
    sqlite3_finalize(s->batch);
    for (int m = 0; m <= ROWS_PER_INSERT; m++) sqlite3_finalize(s->insert[m]);
    memset(s, 0, sizeof *s);
}

static int prepare_insert(sqlite3 *db, silver_statements *s, int m)
{
    buf sql = BUF_INIT;
    buf_append_str(&sql, "INSERT INTO gdelt_silver(bronze_id");
    for (int i = 0; i < GDELT_EVENT_COLUMNS; i++)
        buf_appendf(&sql, ", %s", gdelt_event_columns[i].name);
    buf_append_str(&sql, ", event_time, time_bucket, event_description, event_root_description)"
                         " VALUES ");
    for (int r = 0; r < m; r++) {
        buf_append_str(&sql, r ? ", (?" : "(?");
        for (int i = 1; i < SILVER_PARAMS; i++) buf_append_str(&sql, ", ?");
        buf_append_str(&sql, ")");
    }
    buf_append_str(&sql, " ON CONFLICT(GLOBALEVENTID) DO NOTHING");
    int rc = sql.data ? sqlite3_prepare_v2(db, sql.data, (int)sql.len, &s->insert[m], NULL) : SQLITE_NOMEM;
    buf_free(&sql);
    return rc == SQLITE_OK ? 0 : -1;
}

static int prepare_all(sqlite3 *db, silver_statements *s, char *err, size_t errlen)
{
    const store_stmt_def stmts[] = {
        {&s->read,
         "SELECT bronze_id, source_file, line_number, raw_line FROM gdelt_bronze"
         " WHERE bronze_id > ?1 ORDER BY bronze_id LIMIT ?2"},
        {&s->quarantine,
         "INSERT INTO gdelt_quarantine(bronze_id, source_file, line_number, rule,"
         " failed_rules, detail, batch_id, quarantined_at, raw_line)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
        {&s->batch,
         "INSERT INTO gdelt_silver_batches(batch_id, finished_at,"
         " first_bronze_id, last_bronze_id, rows_read, rows_valid, rows_written,"
         " rows_warned, rows_dropped, rows_quarantined, rows_duplicate)"
         " VALUES (?1, strftime('%Y-%m-%d %H:%M:%S','now'), ?2, ?3, ?4, ?5, ?6,"
         " ?7, ?8, ?9, ?10)"},
    };
    if (store_prepare_list(db, stmts, sizeof stmts / sizeof stmts[0], err, errlen) != 0) {
        finalize_all(s);
        return -1;
    }
    return 0;
}

/* Binds one GDELT column by its declared type; empty or unparsable values become NULL (the
 * expectations decide beforehand whether such a row may enter silver at all). */
static void bind_column(sqlite3_stmt *st, int param, gdelt_column_type type, const field *f)
{
    if (f->n == 0) {
        sqlite3_bind_null(st, param);
        return;
    }
    int64_t iv;
    double dv;
    switch (type) {
    case GDELT_COL_INTEGER:
        if (parse_int(f, &iv) == 0) sqlite3_bind_int64(st, param, iv);
        else sqlite3_bind_null(st, param);
        break;
    case GDELT_COL_REAL:
        if (parse_real(f, &dv) == 0) sqlite3_bind_double(st, param, dv);
        else sqlite3_bind_null(st, param);
        break;
    default:
        sqlite3_bind_text(st, param, f->p, (int)f->n, SQLITE_STATIC);
    }
}

typedef struct batch_counts {
    int64_t read, valid, written, warned, dropped, quarantined, duplicates;
} batch_counts;

/* Writes the pending rows with one INSERT; rows whose GLOBALEVENTID is already in silver are
 * skipped by the conflict clause and counted as duplicates. 0 ok, -1 store error. */
static int flush_pending(sqlite3 *db, silver_statements *s, batch_counts *bc)
{
    int m = s->pending_count;
    if (m == 0) return 0;
    s->pending_count = 0;
    if (!s->insert[m] && prepare_insert(db, s, m) != 0) return -1;
    sqlite3_stmt *ins = s->insert[m];
    for (int r = 0; r < m; r++) {
        const pending_row *pr = &s->pending[r];
        const checked_row *row = pr->row;
        int base = r * SILVER_PARAMS + 1;
        sqlite3_bind_int64(ins, base, row->bronze_id);
        for (int c = 0; c < GDELT_EVENT_COLUMNS; c++)
            bind_column(ins, base + 1 + c, gdelt_event_columns[c].type,
                        col(row->fields, row->nfields, c));
        int p = base + 1 + GDELT_EVENT_COLUMNS;
        if (row->added_ok) {
            sqlite3_bind_text(ins, p, pr->event_time, TIME_TEXT_LEN - 1, SQLITE_STATIC);
            sqlite3_bind_text(ins, p + 1, pr->time_bucket, TIME_TEXT_LEN - 1, SQLITE_STATIC);
        } else {
            sqlite3_bind_null(ins, p);
            sqlite3_bind_null(ins, p + 1);
        }
        if (row->event_desc) sqlite3_bind_text(ins, p + 2, row->event_desc, -1, SQLITE_STATIC);
        else sqlite3_bind_null(ins, p + 2);
        if (row->root_desc) sqlite3_bind_text(ins, p + 3, row->root_desc, -1, SQLITE_STATIC);
        else sqlite3_bind_null(ins, p + 3);
    }
    int rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (rc != SQLITE_DONE) return -1;
    int inserted = sqlite3_changes(db);
    bc->written += inserted;
    bc->duplicates += m - inserted;
    return 0;
}

/* ------------------------------------------------------------------ the flow */

typedef struct silver_run {
    sqlite3 *db;
    expect_set rules;
    silver_statements s;
    int64_t bucket_seconds;
    char now[TIME_TEXT_LEN];
    int64_t cached_added;
    char cached_time[TIME_TEXT_LEN], cached_bucket[TIME_TEXT_LEN];
    char batch_id[64];
    const config *cfg;
} silver_run;

/* Reads up to `limit` bronze rows after `after` into the chunk (copying them: the statement's
 * text is only valid until its next step). Returns the row count, or -1 on a read error. */
static int read_chunk(silver_run *run, chunk *c, int64_t after, int limit)
{
    sqlite3_stmt *rd = run->s.read;
    sqlite3_reset(rd);
    sqlite3_bind_int64(rd, 1, after);
    sqlite3_bind_int64(rd, 2, limit);
    buf_reset(&c->arena);
    c->count = 0;
    int step;
    while ((step = sqlite3_step(rd)) == SQLITE_ROW) {
        checked_row *row = &c->rows[c->count];
        row->bronze_id = sqlite3_column_int64(rd, 0);
        row->line_number = sqlite3_column_int64(rd, 2);
        const char *source = (const char *)sqlite3_column_text(rd, 1);
        const char *raw = (const char *)sqlite3_column_text(rd, 3);
        row->raw_len = raw ? (size_t)sqlite3_column_bytes(rd, 3) : 0;
        row->source_off = c->arena.len;
        if (buf_append_str(&c->arena, source ? source : "") != 0 ||
            buf_append(&c->arena, "", 1) != 0)
            return -1;
        row->raw_off = c->arena.len;
        if (buf_append(&c->arena, raw ? raw : "", row->raw_len) != 0 ||
            buf_append(&c->arena, "", 1) != 0)
            return -1;
        c->count++;
    }
    sqlite3_reset(rd);
    return step == SQLITE_DONE ? c->count : -1;
}

/* Applies a checked chunk in bronze order: expectations, quarantine, silver inserts. 0 ok,
 * -1 with err set (a fail action or a store error). */
static int apply_chunk(silver_run *run, chunk *c, batch_counts *bc, char *err, size_t errlen)
{
    silver_statements *s = &run->s;
    for (int i = 0; i < c->count; i++) {
        checked_row *row = &c->rows[i];
        const char *source_file = c->arena.data + row->source_off;
        const char *raw = c->arena.data + row->raw_off;
        if (!run->batch_id[0])
            snprintf(run->batch_id, sizeof run->batch_id, "gdelt_silver:%lld",
                     (long long)row->bronze_id);
        bc->read++;
        expect_row_begin(&run->rules);
        char failed_rules[128] = "";
        int all_ok = 1;
        for (int r = 0; r < RULE_N; r++) {
            expect_record(&run->rules, r, row->ok[r]);
            if (!row->ok[r]) {
                all_ok = 0;
                size_t used = strlen(failed_rules);
                snprintf(failed_rules + used, sizeof failed_rules - used, "%s%s",
                         used ? "," : "", rule_names[r]);
            }
        }
        if (all_ok) bc->valid++;
        expect_action action = expect_row_action(&run->rules);
        const char *rule_name = expect_row_rule_name(&run->rules);
        /* A row without a usable id cannot enter silver (GLOBALEVENTID is NOT NULL UNIQUE):
         * a warn on the id rule still keeps the row, in the quarantine. */
        if (action == EXPECT_WARN && !row->ok[RULE_ID]) {
            action = EXPECT_QUARANTINE;
            rule_name = rule_names[RULE_ID];
        }
        if (action == EXPECT_FAIL) {
            snprintf(err, errlen,
                     "expectation %s (action fail) broken by bronze row %lld (%s line %lld): %s;"
                     " batch rolled back",
                     rule_name, (long long)row->bronze_id, source_file,
                     (long long)row->line_number, row->detail);
            return -1;
        }
        if (action == EXPECT_DROP) {
            bc->dropped++;
            continue;
        }
        if (action == EXPECT_QUARANTINE) {
            sqlite3_stmt *q = s->quarantine;
            sqlite3_bind_int64(q, 1, row->bronze_id);
            sqlite3_bind_text(q, 2, source_file, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 3, row->line_number);
            sqlite3_bind_text(q, 4, rule_name, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 5, failed_rules, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 6, row->detail, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 7, run->batch_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 8, run->now, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 9, raw, (int)row->raw_len, SQLITE_STATIC);
            int qrc = sqlite3_step(q);
            sqlite3_reset(q);
            if (qrc != SQLITE_DONE) {
                store_fail(run->db, err, errlen, "writing gdelt_quarantine");
                return -1;
            }
            bc->quarantined++;
            continue;
        }
        if (action == EXPECT_WARN) bc->warned++;
        pending_row *pr = &s->pending[s->pending_count];
        pr->row = row;
        if (row->added_ok) {
            /* Rows of one export share DATEADDED: format it once per distinct value. */
            if (row->added != run->cached_added) {
                time_format(row->added, run->cached_time);
                time_format(time_bucket_start(row->added, run->bucket_seconds), run->cached_bucket);
                run->cached_added = row->added;
            }
            memcpy(pr->event_time, run->cached_time, TIME_TEXT_LEN);
            memcpy(pr->time_bucket, run->cached_bucket, TIME_TEXT_LEN);
        }
        if (++s->pending_count == ROWS_PER_INSERT && flush_pending(run->db, s, bc) != 0) {
            store_fail(run->db, err, errlen, "writing gdelt_silver (rows up to bronze %lld)",
                     (long long)row->bronze_id);
            return -1;
        }
    }
    /* The pending rows point into this chunk, which is about to be reused. */
    if (flush_pending(run->db, s, bc) != 0) {
        store_fail(run->db, err, errlen, "writing gdelt_silver");
        return -1;
    }
    return 0;
}

/* One batch: bronze rows after the checkpoint, up to batch_rows, in one transaction. Returns
 * rows read (0 = nothing pending), or -1 with err set (the transaction is rolled back). */
static int64_t run_batch(silver_run *run, chunk chunks[2], int64_t batch_rows, flow_stats *stats,
                         char *err, size_t errlen)
{
    sqlite3 *db = run->db;
    int64_t started_ms = time_now_ms();
    if (store_begin(db) != 0) {
        store_fail(db, err, errlen, "cannot start a transaction");
        return -1;
    }
    int64_t checkpoint;
    if (store_checkpoint_get_int(db, CHECKPOINT_NAME, 0, &checkpoint) != 0) {
        store_fail(db, err, errlen, "reading checkpoint");
        store_rollback(db);
        return -1;
    }
    batch_counts bc;
    memset(&bc, 0, sizeof bc);
    run->batch_id[0] = '\0';
    int64_t remaining = batch_rows, last_id = checkpoint, first_id = -1;
    int cur = 0, failed = 0;
    int n = read_chunk(run, &chunks[cur], last_id, (int)(remaining < CHUNK_ROWS ? remaining : CHUNK_ROWS));
    if (n > 0) {
        first_id = chunks[cur].rows[0].bronze_id;
        last_id = chunks[cur].rows[n - 1].bronze_id;
        remaining -= n;
        start_check(&chunks[cur]);
    }
    while (n > 0) {
        chunk *c = &chunks[cur], *next = &chunks[1 - cur];
        int m = 0;
        /* Read the next chunk while the helper checks this one. */
        if (n == CHUNK_ROWS && remaining > 0) {
            m = read_chunk(run, next, last_id, (int)(remaining < CHUNK_ROWS ? remaining : CHUNK_ROWS));
            if (m < 0) {
                finish_check(c);
                store_fail(db, err, errlen, "reading gdelt_bronze");
                failed = 1;
                break;
            }
        }
        finish_check(c);
        if (m > 0) {
            last_id = next->rows[m - 1].bronze_id;
            remaining -= m;
            start_check(next);
        }
        if (apply_chunk(run, c, &bc, err, errlen) != 0) {
            finish_check(next);
            failed = 1;
            break;
        }
        cur = 1 - cur;
        n = m;
    }
    if (n < 0) {
        store_fail(db, err, errlen, "reading gdelt_bronze");
        failed = 1;
    }
    if (failed) {
        run->s.pending_count = 0;
        store_rollback(db);
        return -1;
    }
    if (bc.read == 0) {
        store_rollback(db);
        return 0;
    }
    sqlite3_stmt *b = run->s.batch;
    sqlite3_bind_text(b, 1, run->batch_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(b, 2, first_id);
    sqlite3_bind_int64(b, 3, last_id);
    sqlite3_bind_int64(b, 4, bc.read);
    sqlite3_bind_int64(b, 5, bc.valid);
    sqlite3_bind_int64(b, 6, bc.written);
    sqlite3_bind_int64(b, 7, bc.warned);
    sqlite3_bind_int64(b, 8, bc.dropped);
    sqlite3_bind_int64(b, 9, bc.quarantined);
    sqlite3_bind_int64(b, 10, bc.duplicates);
    int brc = sqlite3_step(b);
    sqlite3_reset(b);
    if (brc != SQLITE_DONE || expect_flush(&run->rules, db, run->batch_id) != 0 ||
        store_checkpoint_set_int(db, CHECKPOINT_NAME, last_id) != 0) {
        store_fail(db, err, errlen, "recording gdelt silver batch %s", run->batch_id);
        store_rollback(db);
        return -1;
    }
    obs_flow_batch(db, run->cfg, &(obs_batch){.flow = "gdelt_silver", .batch_id = run->batch_id,
                   .start_ms = started_ms, .input_rows = bc.read, .output_rows = bc.written,
                   .lag_seconds = -1, .latency = OBS_LAT_GDELT_SILVER});
    if (store_commit(db) != 0) {
        store_fail(db, err, errlen, "commit of gdelt silver batch %s failed", run->batch_id);
        return -1;
    }
    stats->read += bc.read;
    stats->written += bc.written;
    stats->warned += bc.warned;
    stats->dropped += bc.dropped;
    stats->quarantined += bc.quarantined;
    stats->duplicates += bc.duplicates;
    stats->batches++;
    log_debug("gdelt_silver", "batch %s: read %lld, written %lld, quarantined %lld",
              run->batch_id, (long long)bc.read, (long long)bc.written,
              (long long)bc.quarantined);
    return bc.read;
}

int gdelt_silver_run(sqlite3 *db, const config *cfg, flow_stats *stats, char *err, size_t errlen)
{
    silver_run *run = calloc(1, sizeof *run);
    chunk *chunks = calloc(2, sizeof *chunks);
    checked_row *rows = calloc(2 * CHUNK_ROWS, sizeof *rows);
    if (!run || !chunks || !rows) {
        free(run);
        free(chunks);
        free(rows);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    chunks[0].rows = rows;
    chunks[1].rows = rows + CHUNK_ROWS;
    int rc = 0;
    run->db = db;
    run->cfg = cfg;
    expect_set_init(&run->rules, "gdelt_silver");
    for (int r = 0; r < RULE_N && rc == 0; r++)
        if (expect_add_rule(&run->rules, rule_names[r], EXPECT_QUARANTINE, cfg) != r) {
            snprintf(err, errlen, "bad expectation setting expect.gdelt_silver.%s (use warn, drop,"
                     " quarantine or fail)", rule_names[r]);
            rc = -1;
        }
    int64_t batch_rows = setting_int(cfg, "gdelt.silver_batch_rows");
    if (batch_rows < 1) batch_rows = 1;
    run->bucket_seconds = setting_int(cfg, "pipeline.bucket_seconds");
    if (run->bucket_seconds < 1) run->bucket_seconds = 14400;
    time_format(time_now_ms() / 1000, run->now);
    run->cached_added = INT64_MIN;
    if (rc == 0 && prepare_all(db, &run->s, err, errlen) != 0) rc = -1;
    if (rc == 0) {
        /* Bulk writes: checkpoint the WAL every ~64 MiB instead of every 4 MiB (each checkpoint
         * syncs); this connection-level setting is restored when the run ends. */
        int saved_autocheckpoint = store_set_wal_autocheckpoint(db, 16384);
        for (;;) {
            int64_t n = run_batch(run, chunks, batch_rows, stats, err, errlen);
            if (n < 0) rc = -1;
            if (n < batch_rows) break;
        }
        store_set_wal_autocheckpoint(db, saved_autocheckpoint);
        finalize_all(&run->s);
    }
    buf_free(&chunks[0].arena);
    buf_free(&chunks[1].arena);
    free(rows);
    free(chunks);
    free(run);
    return rc;
}
