/* Wikimedia silver flow: wikimedia_bronze -> wikimedia_silver, deduped by meta.id, with
 * expectations (expect.wikimedia_silver.<rule>) and the content filters that set is_content.
 *
 * Settings (defaults beside the code):
 *   wiki.silver_batch         bronze rows per transaction (5000)
 *   wiki.wal_autocheckpoint   WAL pages between automatic checkpoints on this connection (10000)
 *   wiki.content_servers      comma list of server_name globs counted as content ("*.wikipedia.org")
 *   wiki.content_wikis        comma list of wiki globs, e.g. "enwiki,dewiki" ("" = any)
 *   wiki.content_namespaces   comma list of namespace numbers ("0"; "*" = any)
 *   wiki.content_types        comma list of change types ("edit,new")
 *   wiki.content_exclude_bots bot changes never count as content (false: bots are kept, flagged
 *                             by the bot column, and the consumer decides)
 *   pipeline.bucket_seconds   width of time_bucket (14400) */
#include "refine/wiki_silver.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/settings.h"
#include "core/timeutil.h"
#include "observe/observe.h"
#include "refine/expect.h"
#include "format/wiki_fields.h"
#include "format/utf8.h"
#include "store/store.h"

#include <fnmatch.h>
#include <stdint.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLOW "wikimedia_silver"
#define MAX_LIST 64

typedef struct word_list {
    char *storage;
    const char *items[MAX_LIST];
    int count;
    int any;       /* empty or "*": everything matches */
} word_list;

static void list_parse(word_list *l, const char *text)
{
    memset(l, 0, sizeof *l);
    l->storage = strdup(text ? text : "");
    if (!l->storage) {
        l->any = 1;
        return;
    }
    char *save = NULL;
    for (char *tok = strtok_r(l->storage, ",", &save); tok && l->count < MAX_LIST;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') tok++;
        char *end = tok + strlen(tok);
        while (end > tok && end[-1] == ' ') *--end = '\0';
        if (!*tok) continue;
        if (!strcmp(tok, "*")) l->any = 1;
        l->items[l->count++] = tok;
    }
    if (l->count == 0) l->any = 1;
}

static int list_match_glob(const word_list *l, const char *s)
{
    if (l->any) return 1;
    if (!s) return 0;
    for (int i = 0; i < l->count; i++)
        if (fnmatch(l->items[i], s, 0) == 0) return 1;
    return 0;
}

typedef struct content_filter {
    word_list servers, wikis, namespaces, types;
    int exclude_bots;
} content_filter;

static void filter_init(content_filter *f, const config *cfg)
{
    list_parse(&f->servers, setting_str(cfg, "wiki.content_servers"));
    list_parse(&f->wikis, setting_str(cfg, "wiki.content_wikis"));
    list_parse(&f->namespaces, setting_str(cfg, "wiki.content_namespaces"));
    list_parse(&f->types, setting_str(cfg, "wiki.content_types"));
    f->exclude_bots = setting_bool(cfg, "wiki.content_exclude_bots");
}

static void filter_free(content_filter *f)
{
    free(f->servers.storage);
    free(f->wikis.storage);
    free(f->namespaces.storage);
    free(f->types.storage);
}

static int filter_is_content(const content_filter *f, const char *server, const char *wiki,
                             int has_ns, int64_t ns, const char *type, int bot)
{
    if (f->exclude_bots && bot) return 0;
    if (!list_match_glob(&f->servers, server) || !list_match_glob(&f->wikis, wiki)) return 0;
    if (!f->namespaces.any) {
        if (!has_ns) return 0;
        char num[24];
        snprintf(num, sizeof num, "%lld", (long long)ns);
        if (!list_match_glob(&f->namespaces, num)) return 0;
    }
    return list_match_glob(&f->types, type);
}

enum { R_EVENT_ID, R_EVENT_TIME, R_TITLE, R_TYPE, R_WIKI, R_NAMESPACE, R_LENGTHS, R_COUNT };

typedef struct silver_ctx {
    sqlite3 *db;
    sqlite3_stmt *select, *insert, *quarantine;
    expect_set rules;
    int rule[R_COUNT];
    content_filter filter;
    int64_t bucket_seconds;
    wiki_fields own;    /* fields of rows this flow parses itself (refine from bronze) */
} silver_ctx;

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    /* static: the strings belong to the event, which outlives the statement's step */
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

static void bind_int_or_null(sqlite3_stmt *st, int i, const wiki_fields *f, wiki_field_id id)
{
    if (f->v[id].kind == WV_INT) sqlite3_bind_int64(st, i, f->v[id].i);
    else sqlite3_bind_null(st, i);
}

static void bind_bool_or_null(sqlite3_stmt *st, int i, const wiki_fields *f, wiki_field_id id)
{
    const wiki_value *v = &f->v[id];
    if (v->kind == WV_TRUE || v->kind == WV_FALSE) sqlite3_bind_int(st, i, v->kind == WV_TRUE);
    else if (v->kind == WV_INT) sqlite3_bind_int(st, i, v->i != 0);
    else sqlite3_bind_null(st, i);
}

/* length.old / length.new: absent, null or a non-negative integer */
static int length_ok(const wiki_value *v)
{
    return v->kind == WV_ABSENT || v->kind == WV_NULL || (v->kind == WV_INT && v->i >= 0);
}

static int quarantine_row(silver_ctx *c, int64_t bronze_id, const char *reason, const char *raw,
                          int raw_len)
{
    sqlite3_stmt *st = c->quarantine;
    sqlite3_bind_int64(st, 1, bronze_id);
    sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, raw, raw_len, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, raw_len);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int valid_type(const char *t)
{
    return t && (!strcmp(t, "edit") || !strcmp(t, "new") || !strcmp(t, "log") ||
                 !strcmp(t, "categorize"));
}

/* One bronze row. Returns 0, 1 when an expectation with action fail stopped the flow, -1 on a
 * store error. fields: the row's fields when the caller has them (the ingest), else NULL. */
static int process_row(silver_ctx *c, int64_t bronze_id, const wiki_fields *fields,
                       const char *raw, int raw_len, flow_stats *stats, char *err, size_t errlen)
{
    json_t *ev = NULL;  /* the jansson fallback's DOM: fields borrow its strings */
    if (!fields) {
        size_t bad;
        int scanned = utf8_valid(raw, (size_t)raw_len, &bad)
                          ? wiki_fields_scan(&c->own, raw, (size_t)raw_len)
                          : 0;
        if (scanned < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (!scanned) {
            json_error_t jerr;
            ev = json_loadb(raw, (size_t)raw_len, JSON_ALLOW_NUL, &jerr);
            if (!json_is_object(ev)) {
                /* bronze only holds JSON objects; reaching this means the row was edited by hand */
                json_decref(ev);
                stats->quarantined++;
                return quarantine_row(c, bronze_id, "bronze row is not a JSON object", raw, raw_len);
            }
            wiki_fields_from_json(&c->own, ev);
        }
        fields = &c->own;
    }
    const wiki_fields *f = fields;
    const char *event_id = wiki_field_str(f, WF_META_ID);
    const char *dt = wiki_field_str(f, WF_META_DT);
    const char *title = wiki_field_str(f, WF_TITLE);
    const char *type = wiki_field_str(f, WF_TYPE);
    const char *wiki = wiki_field_str(f, WF_WIKI);
    const char *server = wiki_field_str(f, WF_SERVER_NAME);
    int has_ns = wiki_field_is_int(f, WF_NAMESPACE);

    int64_t epoch = 0;
    int have_time = dt && time_parse_iso8601(dt, &epoch) == 0;
    if (!have_time && !dt && wiki_field_is_int(f, WF_TIMESTAMP)) {
        epoch = f->v[WF_TIMESTAMP].i;
        have_time = 1;
    }

    expect_row_begin(&c->rules);
    expect_record(&c->rules, c->rule[R_EVENT_ID], event_id && *event_id);
    expect_record(&c->rules, c->rule[R_EVENT_TIME], have_time);
    expect_record(&c->rules, c->rule[R_TITLE], title && *title);
    expect_record(&c->rules, c->rule[R_TYPE], valid_type(type));
    expect_record(&c->rules, c->rule[R_WIKI], wiki && *wiki && server && *server);
    expect_record(&c->rules, c->rule[R_NAMESPACE], has_ns);
    expect_record(&c->rules, c->rule[R_LENGTHS],
                  length_ok(&f->v[WF_LENGTH_OLD]) && length_ok(&f->v[WF_LENGTH_NEW]));
    expect_action action = expect_row_action(&c->rules);
    int rc = 0;
    if (action == EXPECT_FAIL) {
        snprintf(err, errlen, "expectation %s failed on wikimedia_bronze row %lld (action fail)",
                 expect_row_rule_name(&c->rules), (long long)bronze_id);
        rc = 1;
    } else if (action == EXPECT_DROP) {
        stats->dropped++;
    } else if (action == EXPECT_QUARANTINE || !event_id || !*event_id) {
        /* a row without meta.id cannot be deduped, so it is never kept, whatever the action */
        char reason[128];
        snprintf(reason, sizeof reason, "%s",
                 action == EXPECT_QUARANTINE ? expect_row_rule_name(&c->rules)
                                             : "event_id_present (no meta.id: cannot dedupe)");
        stats->quarantined++;
        rc = quarantine_row(c, bronze_id, reason, raw, raw_len);
    } else {
        if (action == EXPECT_WARN) stats->warned++;
        sqlite3_stmt *st = c->insert;
        char when[TIME_TEXT_LEN], bucket[TIME_TEXT_LEN];
        sqlite3_bind_int64(st, 1, bronze_id);
        sqlite3_bind_text(st, 2, event_id, -1, SQLITE_STATIC);
        if (have_time) {
            time_format(epoch, when);
            time_format(time_bucket_start(epoch, c->bucket_seconds), bucket);
            sqlite3_bind_text(st, 3, when, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, bucket, -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_null(st, 3);
            sqlite3_bind_null(st, 4);
        }
        bind_text_or_null(st, 5, wiki);
        bind_text_or_null(st, 6, server);
        bind_int_or_null(st, 7, f, WF_NAMESPACE);
        bind_text_or_null(st, 8, title);
        const char *uri = wiki_field_str(f, WF_META_URI);
        if (!uri) uri = wiki_field_str(f, WF_TITLE_URL);
        buf url = BUF_INIT;
        if (!uri && title) {
            const char *base = wiki_field_str(f, WF_SERVER_URL);
            if (base) {
                buf_appendf(&url, "%s/wiki/", base);
                size_t from = url.len;
                buf_append_str(&url, title);
                for (size_t i = from; i < url.len; i++)
                    if (url.data[i] == ' ') url.data[i] = '_';
                uri = url.data;
            }
        }
        bind_text_or_null(st, 9, uri);
        bind_text_or_null(st, 10, type);
        bind_bool_or_null(st, 11, f, WF_BOT);
        bind_text_or_null(st, 12, wiki_field_str(f, WF_USER));
        bind_text_or_null(st, 13, wiki_field_str(f, WF_COMMENT));
        bind_int_or_null(st, 14, f, WF_LENGTH_OLD);
        bind_int_or_null(st, 15, f, WF_LENGTH_NEW);
        bind_int_or_null(st, 16, f, WF_REVISION_OLD);
        bind_int_or_null(st, 17, f, WF_REVISION_NEW);
        bind_bool_or_null(st, 18, f, WF_MINOR);
        bind_bool_or_null(st, 19, f, WF_PATROLLED);
        sqlite3_bind_int(st, 20,
                         filter_is_content(&c->filter, server, wiki, has_ns,
                                           has_ns ? f->v[WF_NAMESPACE].i : 0, type,
                                           f->v[WF_BOT].kind == WV_TRUE));
        int step = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        buf_free(&url);
        if (step != SQLITE_DONE) {
            store_fail(c->db, err, errlen, "inserting into wikimedia_silver");
            rc = -1;
        } else if (sqlite3_changes(c->db) == 0) {
            stats->duplicates++;
        } else {
            stats->written++;
        }
    }
    if (rc == -1 && !err[0]) store_fail(c->db, err, errlen, "store error");
    json_decref(ev);
    return rc;
}

struct wiki_silver_writer {
    silver_ctx c;
    int64_t first, last;   /* bronze ids seen since the last flush; first = -1 when none */
    const config *cfg;
    int64_t rows, started_ms; /* rows since the last flush and when the first came (observe) */
};

int wiki_silver_writer_open(sqlite3 *db, const config *cfg, wiki_silver_writer **out, char *err,
                            size_t errlen)
{
    wiki_silver_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    silver_ctx *c = &w->c;
    c->db = db;
    w->first = -1;
    w->cfg = cfg;
    c->bucket_seconds = setting_int(cfg, "pipeline.bucket_seconds");
    if (c->bucket_seconds <= 0) c->bucket_seconds = 14400;
    expect_set_init(&c->rules, FLOW);
    static const struct { const char *name; expect_action def; } rules[R_COUNT] = {
        {"event_id_present", EXPECT_QUARANTINE}, {"event_time_valid", EXPECT_QUARANTINE},
        {"title_present", EXPECT_WARN},          {"type_known", EXPECT_WARN},
        {"wiki_present", EXPECT_WARN},           {"namespace_integer", EXPECT_WARN},
        {"lengths_non_negative", EXPECT_WARN},
    };
    filter_init(&c->filter, cfg);
    for (int i = 0; i < R_COUNT; i++) {
        c->rule[i] = expect_add_rule(&c->rules, rules[i].name, rules[i].def, cfg);
        if (c->rule[i] < 0) {
            snprintf(err, errlen, "bad setting expect.%s.%s (see the log)", FLOW, rules[i].name);
            wiki_silver_writer_close(w);
            return -1;
        }
    }
    /* a bigger page cache keeps the event_id index's pages in memory during replays; fewer
     * checkpoints during a backfill (see wiki_ingest.c) */
    store_tune_bulk(db, setting_int(cfg, "wiki.cache_mb"),
                    setting_int(cfg, "wiki.wal_autocheckpoint"));
    const store_stmt_def stmts[] = {
        {&c->select,
         "SELECT bronze_id, raw FROM wikimedia_bronze WHERE bronze_id > ?1"
         " ORDER BY bronze_id LIMIT ?2"},
        {&c->insert,
         "INSERT INTO wikimedia_silver(bronze_id, event_id, event_time, time_bucket,"
         " wiki, server_name, namespace, title, page_url, type, bot, user, comment,"
         " length_old, length_new, revision_old, revision_new, minor, patrolled,"
         " is_content) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
         "?15,?16,?17,?18,?19,?20) ON CONFLICT(event_id) DO NOTHING"},
        {&c->quarantine,
         "INSERT INTO wikimedia_quarantine(stage, bronze_id, reason, raw,"
         " raw_bytes, received_at) VALUES ('silver', ?1, ?2, ?3, ?4,"
         " strftime('%Y-%m-%d %H:%M:%f','now'))"},
    };
    if (store_prepare_list(db, stmts, sizeof stmts / sizeof stmts[0], err, errlen) != 0) {
        wiki_silver_writer_close(w);
        return -1;
    }
    *out = w;
    return 0;
}

void wiki_silver_writer_close(wiki_silver_writer *w)
{
    if (!w) return;
    sqlite3_finalize(w->c.select);
    sqlite3_finalize(w->c.insert);
    sqlite3_finalize(w->c.quarantine);
    filter_free(&w->c.filter);
    wiki_fields_free(&w->c.own);
    free(w);
}

wiki_row_result wiki_silver_writer_add(wiki_silver_writer *w, int64_t bronze_id, const wiki_fields *fields,
                           const char *raw, size_t raw_len, flow_stats *stats, char *err,
                           size_t errlen)
{
    if (w->first < 0) w->first = bronze_id, w->rows = 0, w->started_ms = time_now_ms();
    w->last = bronze_id;
    w->rows++;
    stats->read++;
    return process_row(&w->c, bronze_id, fields, raw, (int)raw_len, stats, err, errlen);
}

wiki_row_result wiki_silver_writer_pending(wiki_silver_writer *w, int64_t limit, int64_t *rows,
                               flow_stats *stats, char *err, size_t errlen)
{
    silver_ctx *c = &w->c;
    int64_t mark;
    *rows = 0;
    if (store_checkpoint_get_int(c->db, FLOW, 0, &mark) != 0) {
        store_fail(c->db, err, errlen, "reading checkpoint %s", FLOW);
        return -1;
    }
    if (w->first >= 0 && w->last > mark) mark = w->last;
    sqlite3_bind_int64(c->select, 1, mark);
    sqlite3_bind_int64(c->select, 2, limit > 0 ? limit : INT64_MAX);
    int step, rc = 0;
    while ((step = sqlite3_step(c->select)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(c->select, 0);
        const char *raw = (const char *)sqlite3_column_text(c->select, 1);
        int raw_len = sqlite3_column_bytes(c->select, 1);
        (*rows)++;
        rc = wiki_silver_writer_add(w, id, NULL, raw ? raw : "", (size_t)raw_len, stats, err,
                                    errlen);
        if (rc != 0) break;
    }
    sqlite3_reset(c->select);
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW) {
        store_fail(c->db, err, errlen, "reading wikimedia_bronze");
        rc = -1;
    }
    return rc;
}

int wiki_silver_writer_flush(wiki_silver_writer *w, char *err, size_t errlen)
{
    if (w->first < 0) return 0;
    char batch_id[64];
    snprintf(batch_id, sizeof batch_id, "bronze:%lld-%lld", (long long)w->first,
             (long long)w->last);
    if (expect_flush(&w->c.rules, w->c.db, batch_id) != 0 ||
        store_checkpoint_set_int(w->c.db, FLOW, w->last) != 0) {
        store_fail(w->c.db, err, errlen, "writing batch %s", batch_id);
        return -1;
    }
    obs_flow_batch(w->c.db, w->cfg, &(obs_batch){.flow = FLOW, .batch_id = batch_id,
                   .start_ms = w->started_ms, .input_rows = w->rows, .output_rows = -1,
                   .lag_seconds = -1, .latency = OBS_LAT_WIKI_SILVER});
    w->first = -1;
    return 0;
}

void wiki_silver_writer_rollback(wiki_silver_writer *w)
{
    /* the counts of a rolled-back batch must not be written with the next one */
    for (int i = 0; i < w->c.rules.count; i++) w->c.rules.rules[i].checked = w->c.rules.rules[i].failed = 0;
    w->first = -1;
}

int wiki_silver_run(sqlite3 *db, const config *cfg, flow_stats *stats, char *err, size_t errlen)
{
    err[0] = '\0';
    int64_t batch = setting_int(cfg, "wiki.silver_batch");
    if (batch < 1) batch = 1;
    wiki_silver_writer *w;
    if (wiki_silver_writer_open(db, cfg, &w, err, errlen) != 0) return -1;
    int rc = 0;
    for (;;) {
        if (store_begin(db) != 0) {
            store_fail(db, err, errlen, "cannot begin");
            rc = -1;
            break;
        }
        int64_t rows = 0;
        rc = wiki_silver_writer_pending(w, batch, &rows, stats, err, errlen);
        if (rc == 0 && rows > 0 && wiki_silver_writer_flush(w, err, errlen) != 0) rc = -1;
        if (rc != 0 || rows == 0) {
            store_rollback(db);
            wiki_silver_writer_rollback(w);
            if (rc == 1) {
                store_event(db, FLOW, "error", "expectation_failed", err, NULL);
                rc = -1;
            }
            break;
        }
        if (store_commit(db) != 0) {
            store_fail(db, err, errlen, "commit");
            rc = -1;
            break;
        }
        stats->batches++;
        if (rows < batch) break;
    }
    wiki_silver_writer_close(w);
    return rc;
}
