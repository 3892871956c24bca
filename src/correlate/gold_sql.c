/* All of the gold flow's SQL (gold_int.h): its statements, the one silver reader, loading and
 * saving the open buckets' state, pairs, late rows, closing buckets and checkpoints. */
#include "correlate/gold_int.h"

#include "core/buf.h"
#include "core/timeutil.h"
#include "correlate/prefilter.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gold_db_fail(run *r, const char *what)
{
    return store_fail(r->db, r->err, r->errlen, "%s", what);
}

int gold_prepare(run *r, sqlite3_stmt **st, const char *sql)
{
    if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK) return gold_db_fail(r, "prepare");
    return 0;
}

int gold_step_done(run *r, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return gold_db_fail(r, what);
    return 0;
}

/* Every statement the batch keeps prepared: one list for preparing and finalizing. */
#define GOLD_STATEMENT_COUNT 15

static size_t gold_statements(run *r, store_stmt_def out[GOLD_STATEMENT_COUNT])
{
    const store_stmt_def list[] = {
        {&r->ins_event,
         "INSERT INTO gold_events(gdelt_silver_id, EventID, event_time, time_bucket,"
         " EventCode, event_description, AvgTone, GoldsteinScale, ActionGeo_FullName,"
         " ActionGeo_CountryCode, ActionGeo_Lat, ActionGeo_Long, event_text,"
         " text_fields, status) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
         "?14,?15) ON CONFLICT(gdelt_silver_id) DO NOTHING"},
        {&r->ins_late,
         "INSERT INTO gold_late(stream, silver_id, event_time, time_bucket,"
         " closed_before, detail, recorded_at) VALUES (?1,?2,?3,?4,?5,?6,?7)"
         " ON CONFLICT(stream, silver_id) DO NOTHING"},
        {&r->ins_pair,
         "INSERT INTO correlated_gold_events(EventID, event_time, time_bucket, wiki,"
         " title, title_time_bucket, edit_count, cosine_sim, rank, EventCode, AvgTone,"
         " ActionGeo_Lat, ActionGeo_Long, ActionGeo_CountryCode, gdelt_silver_id,"
         " wiki_silver_id, wiki_last_silver_id, emitted_at, match_score)"
         " SELECT EventID, event_time, time_bucket, ?2, ?3, ?4, ?5, ?6, ?7, EventCode,"
         " AvgTone, ActionGeo_Lat, ActionGeo_Long, ActionGeo_CountryCode,"
         " gdelt_silver_id, ?8, ?9, ?10, ?11 FROM gold_events WHERE gdelt_silver_id = ?1"
         " ON CONFLICT DO NOTHING"},
        {&r->rank_pairs,
         "UPDATE correlated_gold_events AS c SET rank = 1 + (SELECT COUNT(*) FROM"
         " correlated_gold_events d WHERE d.gdelt_silver_id = ?1 AND (d.match_score >"
         " c.match_score OR (d.match_score = c.match_score AND d.id < c.id)))"
         " WHERE c.gdelt_silver_id = ?1"},
        {&r->prune_pairs,
         "DELETE FROM correlated_gold_events WHERE gdelt_silver_id = ?1 AND rank > ?2"},
        {&r->best_event,
         "UPDATE gold_events SET best_wiki = b.wiki, best_title = b.title,"
         " best_cosine_sim = b.cosine_sim, match_count = b.n FROM (SELECT wiki, title,"
         " cosine_sim, (SELECT COUNT(*) FROM correlated_gold_events WHERE"
         " gdelt_silver_id = ?1) AS n FROM correlated_gold_events WHERE"
         " gdelt_silver_id = ?1 AND rank = 1) AS b WHERE gdelt_silver_id = ?1"},
        {&r->set_best_event,
         "UPDATE gold_events SET best_wiki = ?2, best_title = ?3, best_cosine_sim = ?4,"
         " match_count = ?5 WHERE gdelt_silver_id = ?1"},
        {&r->event_floor,
         "SELECT COUNT(*), MIN(match_score) FROM correlated_gold_events"
         " WHERE gdelt_silver_id = ?1"},
        {&r->upd_title_pairs,
         "UPDATE correlated_gold_events SET edit_count = ?4, wiki_last_silver_id = ?5"
         " WHERE title_time_bucket = ?1 AND wiki = ?2 AND title = ?3"},
        {&r->ins_open_event,
         "INSERT OR REPLACE INTO gold_open_events(gdelt_silver_id, time_bucket, vector)"
         " VALUES (?1, ?2, ?3)"},
        {&r->ins_open_title,
         "INSERT OR REPLACE INTO gold_open_titles(time_bucket, wiki, title, edit_count,"
         " first_silver_id, last_silver_id, vector) VALUES (?1,?2,?3,?4,?5,?6,?7)"},
        {&r->upd_open_title,
         "UPDATE gold_open_titles SET edit_count = ?4, last_silver_id = ?5"
         " WHERE time_bucket = ?1 AND wiki = ?2 AND title = ?3"},
        {&r->upd_open_title_vec,
         "UPDATE gold_open_titles SET vector = ?4"
         " WHERE time_bucket = ?1 AND wiki = ?2 AND title = ?3"},
        {&r->bucket_upsert,
         "INSERT INTO gold_buckets(time_bucket, status, events, titles, edits,"
         " opened_at) VALUES (?1, 'open', ?2, ?3, ?4, ?5) ON CONFLICT(time_bucket)"
         " DO UPDATE SET events = events + ?2, titles = titles + ?3,"
         " edits = edits + ?4"},
        {&r->bucket_late,
         "INSERT INTO gold_buckets(time_bucket, status, late_events, late_edits,"
         " opened_at, closed_at) VALUES (?1, 'closed', ?2, ?3, ?4, ?4)"
         " ON CONFLICT(time_bucket) DO UPDATE SET late_events = late_events + ?2,"
         " late_edits = late_edits + ?3"},
    };
    _Static_assert(sizeof list / sizeof list[0] == GOLD_STATEMENT_COUNT, "GOLD_STATEMENT_COUNT");
    memcpy(out, list, sizeof list);
    return GOLD_STATEMENT_COUNT;
}

void gold_finalize_all(run *r)
{
    store_stmt_def list[GOLD_STATEMENT_COUNT];
    store_finalize_list(list, gold_statements(r, list));
}

int gold_prepare_all(run *r)
{
    store_stmt_def list[GOLD_STATEMENT_COUNT];
    return store_prepare_list(r->db, list, gold_statements(r, list), r->err, r->errlen);
}

/* The join writes and rereads its state pages within a batch; a page cache that holds a batch's
   working set (64 MB) keeps that off the file system. Per connection only. */
void gold_sql_tune(sqlite3 *db)
{
    sqlite3_exec(db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
}

int gold_table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

int gold_load_state(run *r)
{
    sqlite3_stmt *bq = NULL, *eq = NULL, *tq = NULL, *fq = NULL;
    buf text = BUF_INIT;
    int rc = -1;
    if (gold_prepare(r, &bq, "SELECT time_bucket FROM gold_buckets WHERE status = 'open'") ||
        /* The events' country codes (the candidate stage's country pages) come from silver;
           without gdelt_silver (only edits are read) there are none. */
        gold_prepare(r, &eq, gold_table_exists(r->db, "gdelt_silver")
                            ? "SELECT o.gdelt_silver_id, o.vector, g.event_text, s.Actor1CountryCode,"
                              " s.Actor2CountryCode, s.ActionGeo_CountryCode FROM gold_open_events o"
                              " LEFT JOIN gold_events g ON g.gdelt_silver_id = o.gdelt_silver_id"
                              " LEFT JOIN gdelt_silver s ON s.silver_id = o.gdelt_silver_id"
                              " WHERE o.time_bucket = ?1 ORDER BY o.gdelt_silver_id"
                            : "SELECT o.gdelt_silver_id, o.vector, g.event_text, NULL, NULL, NULL"
                              " FROM gold_open_events o"
                              " LEFT JOIN gold_events g ON g.gdelt_silver_id = o.gdelt_silver_id"
                              " WHERE o.time_bucket = ?1 ORDER BY o.gdelt_silver_id") ||
        gold_prepare(r, &tq, "SELECT wiki, title, edit_count, first_silver_id, last_silver_id, vector"
                        " FROM gold_open_titles WHERE time_bucket = ?1 ORDER BY id") ||
        gold_prepare(r, &fq, "SELECT gdelt_silver_id, COUNT(*), MIN(match_score) FROM"
                        " correlated_gold_events WHERE time_bucket = ?1 GROUP BY 1"))
        goto out;
    while (sqlite3_step(bq) == SQLITE_ROW) {
        const char *bt = (const char *)sqlite3_column_text(bq, 0);
        int64_t start;
        if (!bt || time_parse_iso8601(bt, &start) != 0) continue;
        bucket *b = bucket_set_add(&r->st, start, r->pf ? prefilter_dim(r->pf) : 0);
        if (!b) goto oom;
        sqlite3_bind_text(eq, 1, b->start_text, -1, SQLITE_STATIC);
        size_t waiting = 0;
        while (sqlite3_step(eq) == SQLITE_ROW) {
            const char *codes[3] = {(const char *)sqlite3_column_text(eq, 3),
                                    (const char *)sqlite3_column_text(eq, 4),
                                    (const char *)sqlite3_column_text(eq, 5)};
            const void *v = sqlite3_column_blob(eq, 1);
            int bytes = sqlite3_column_bytes(eq, 1);
            if (bytes == 0) { /* a lazy event not embedded yet: it waits with its text */
                const char *t = (const char *)sqlite3_column_text(eq, 2);
                char *copy = strdup(t ? t : "");
                if (!copy || bucket_event_add(b, sqlite3_column_int64(eq, 0), NULL, copy, codes) != 0) {
                    free(copy);
                    goto oom;
                }
                waiting++;
                continue;
            }
            if (bytes != EMBED_DIM * (int)sizeof(float)) continue;
            if (bucket_event_add(b, sqlite3_column_int64(eq, 0), v, NULL, codes) != 0) goto oom;
        }
        sqlite3_reset(eq);
        if (waiting && waiting < b->ne) {
            /* Never written by this flow (a window goes live whole, in one transaction). */
            snprintf(r->err, r->errlen, "gold_open_events: window %s has %zu of %zu events"
                     " without a vector", b->start_text, waiting, b->ne);
            goto out;
        }
        b->ev_live = b->ne > 0 && !waiting;
        sqlite3_bind_text(tq, 1, b->start_text, -1, SQLITE_STATIC);
        while (sqlite3_step(tq) == SQLITE_ROW) {
            const char *wiki = (const char *)sqlite3_column_text(tq, 0);
            const char *title = (const char *)sqlite3_column_text(tq, 1);
            int bytes = sqlite3_column_bytes(tq, 5);
            /* No bytes: a title the cascade has not selected yet. */
            if (bytes != EMBED_DIM * (int)sizeof(float) && bytes != 0) continue;
            long ti = bucket_title_add(b, wiki ? wiki : "", title ? title : "",
                                sqlite3_column_int64(tq, 2), sqlite3_column_int64(tq, 3),
                                sqlite3_column_int64(tq, 4),
                                bytes ? sqlite3_column_blob(tq, 5) : NULL);
            if (ti < 0) goto oom;
            if (r->pf) { /* static vectors are not stored: recomputing them is cheaper */
                if (event_text_title(b->titles[ti].title, &text) != 0) goto oom;
                prefilter_embed(r->pf, text.data, b->t_svec + (size_t)ti * b->sdim);
            }
        }
        sqlite3_reset(tq);
        /* Each event's pair count and k-th best similarity, so new titles only add pairs that
           enter its top-k. Events are sorted by silver id: binary search. */
        sqlite3_bind_text(fq, 1, b->start_text, -1, SQLITE_STATIC);
        while (sqlite3_step(fq) == SQLITE_ROW) {
            int64_t sid = sqlite3_column_int64(fq, 0);
            size_t lo = 0, hi = b->ne;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (b->ev_sid[mid] < sid) lo = mid + 1;
                else hi = mid;
            }
            if (lo < b->ne && b->ev_sid[lo] == sid) {
                b->ev_pairs[lo] = sqlite3_column_int(fq, 1);
                if (b->ev_pairs[lo] >= r->s.top_k)
                    b->ev_floor[lo] = (float)sqlite3_column_double(fq, 2);
            }
        }
        sqlite3_reset(fq);
    }
    rc = 0;
    goto out;
oom:
    snprintf(r->err, r->errlen, "out of memory loading the open buckets");
out:
    buf_free(&text);
    sqlite3_finalize(bq);
    sqlite3_finalize(eq);
    sqlite3_finalize(tq);
    sqlite3_finalize(fq);
    return rc;
}

int gold_record_late(run *r, const char *stream, int64_t sid, const char *event_time,
                       int64_t bucket_start, const char *detail)
{
    char bt[TIME_TEXT_LEN], cb[TIME_TEXT_LEN];
    time_format(bucket_start, bt);
    time_format(r->closed_before, cb);
    sqlite3_bind_text(r->ins_late, 1, stream, -1, SQLITE_STATIC);
    sqlite3_bind_int64(r->ins_late, 2, sid);
    sqlite3_bind_text(r->ins_late, 3, event_time, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(r->ins_late, 4, bt, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(r->ins_late, 5, cb, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(r->ins_late, 6, detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(r->ins_late, 7, r->now_text, -1, SQLITE_STATIC);
    if (gold_step_done(r, r->ins_late, "gold_late insert")) return -1;
    int is_gdelt = !strcmp(stream, "gdelt");
    sqlite3_bind_text(r->bucket_late, 1, bt, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(r->bucket_late, 2, is_gdelt);
    sqlite3_bind_int(r->bucket_late, 3, !is_gdelt);
    sqlite3_bind_text(r->bucket_late, 4, r->now_text, -1, SQLITE_STATIC);
    return gold_step_done(r, r->bucket_late, "gold_buckets late");
}

static void bind_text_or_null(sqlite3_stmt *st, int i, sqlite3_stmt *src, int col)
{
    if (sqlite3_column_type(src, col) == SQLITE_NULL) sqlite3_bind_null(st, i);
    else sqlite3_bind_value(st, i, sqlite3_column_value(src, col));
}

int gold_insert_pair(run *r, const pending_pair *pp, int rank)
{
    const title_entry *te = &pp->tb->titles[pp->t];
    sqlite3_stmt *st = r->ins_pair;
    sqlite3_bind_int64(st, 1, pp->eb->ev_sid[pp->ev]);
    sqlite3_bind_text(st, 2, te->wiki, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, te->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, pp->tb->start_text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, te->edit_count);
    sqlite3_bind_double(st, 6, gold_stored_sim(pp->sim));
    sqlite3_bind_int(st, 7, rank);
    sqlite3_bind_int64(st, 8, te->first_sid);
    sqlite3_bind_int64(st, 9, te->last_sid);
    sqlite3_bind_text(st, 10, r->now_text, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 11, gold_stored_sim(pp->score));
    if (gold_step_done(r, st, "correlated_gold_events insert")) return -1;
    r->stats->pairs_written += sqlite3_changes(r->db);
    return 0;
}

int gold_refresh_event(run *r, bucket *b, uint32_t ev, int reranked)
{
    int64_t sid = b->ev_sid[ev];
    if (reranked) {
        sqlite3_bind_int64(r->rank_pairs, 1, sid);
        if (gold_step_done(r, r->rank_pairs, "ranking pairs")) return -1;
        sqlite3_bind_int64(r->prune_pairs, 1, sid);
        sqlite3_bind_int(r->prune_pairs, 2, r->s.top_k);
        if (gold_step_done(r, r->prune_pairs, "pruning pairs")) return -1;
        r->stats->pairs_pruned += sqlite3_changes(r->db);
    }
    sqlite3_bind_int64(r->best_event, 1, sid);
    if (gold_step_done(r, r->best_event, "gold_events best match")) return -1;
    sqlite3_bind_int64(r->event_floor, 1, sid);
    int rc = sqlite3_step(r->event_floor);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(r->event_floor);
        return gold_db_fail(r, "event pairs");
    }
    b->ev_pairs[ev] = sqlite3_column_int(r->event_floor, 0);
    b->ev_floor[ev] = b->ev_pairs[ev] >= r->s.top_k
                          ? (float)sqlite3_column_double(r->event_floor, 1)
                          : -2.0f;
    sqlite3_reset(r->event_floor);
    return 0;
}

/* A new event's pairs were all inserted from one ranked list: its best match and floor are
   known without asking the store. */
int gold_set_best(run *r, bucket *b, uint32_t ev, const pending_pair *best, size_t count)
{
    const title_entry *te = &best->tb->titles[best->t];
    sqlite3_stmt *st = r->set_best_event;
    sqlite3_bind_int64(st, 1, b->ev_sid[ev]);
    sqlite3_bind_text(st, 2, te->wiki, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, te->title, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, gold_stored_sim(best->sim));
    sqlite3_bind_int64(st, 5, (int64_t)count);
    if (gold_step_done(r, st, "gold_events best match")) return -1;
    b->ev_pairs[ev] = (int)count;
    b->ev_floor[ev] = (int)count >= r->s.top_k ? (float)gold_stored_sim(best[count - 1].score) : -2.0f;
    return 0;
}

/* Persists this batch's changes to the open buckets' state. */
int gold_save_state(run *r)
{
    for (size_t bi = 0; bi < r->st.n; bi++) {
        bucket *b = r->st.b[bi];
        /* New events, and the waiting ones of a window that went live now (replaced). */
        size_t from = b->ev_jmark < b->ev_mark ? b->ev_jmark : b->ev_mark;
        for (size_t i = from; i < b->ne; i++) {
            sqlite3_bind_int64(r->ins_open_event, 1, b->ev_sid[i]);
            sqlite3_bind_text(r->ins_open_event, 2, b->start_text, -1, SQLITE_STATIC);
            if (b->ev_live)
                sqlite3_bind_blob(r->ins_open_event, 3, b->ev_vec + i * EMBED_DIM,
                                  EMBED_DIM * sizeof(float), SQLITE_STATIC);
            else
                sqlite3_bind_zeroblob(r->ins_open_event, 3, 0); /* waiting: not embedded */
            if (gold_step_done(r, r->ins_open_event, "gold_open_events")) return -1;
        }
        for (size_t i = 0; i < b->nt; i++) {
            title_entry *te = &b->titles[i];
            if (i >= b->t_mark) {
                sqlite3_stmt *st = r->ins_open_title;
                sqlite3_bind_text(st, 1, b->start_text, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, te->wiki, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 3, te->title, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 4, te->edit_count);
                sqlite3_bind_int64(st, 5, te->first_sid);
                sqlite3_bind_int64(st, 6, te->last_sid);
                if (te->xrow >= 0)
                    sqlite3_bind_blob(st, 7, b->x_vec + (size_t)te->xrow * EMBED_DIM,
                                      EMBED_DIM * sizeof(float), SQLITE_STATIC);
                else
                    sqlite3_bind_zeroblob(st, 7, 0); /* not selected by the prefilter yet */
                if (gold_step_done(r, st, "gold_open_titles")) return -1;
                continue;
            }
            if (te->xrow >= (long)b->x_mark) { /* an older title the prefilter selected now */
                sqlite3_stmt *st = r->upd_open_title_vec;
                sqlite3_bind_text(st, 1, b->start_text, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, te->wiki, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 3, te->title, -1, SQLITE_STATIC);
                sqlite3_bind_blob(st, 4, b->x_vec + (size_t)te->xrow * EMBED_DIM,
                                  EMBED_DIM * sizeof(float), SQLITE_STATIC);
                if (gold_step_done(r, st, "gold_open_titles vector")) return -1;
            }
            if (te->dirty) {
                sqlite3_stmt *sts[2] = {r->upd_open_title, r->upd_title_pairs};
                for (int k = 0; k < 2; k++) {
                    sqlite3_bind_text(sts[k], 1, b->start_text, -1, SQLITE_STATIC);
                    sqlite3_bind_text(sts[k], 2, te->wiki, -1, SQLITE_STATIC);
                    sqlite3_bind_text(sts[k], 3, te->title, -1, SQLITE_STATIC);
                    sqlite3_bind_int64(sts[k], 4, te->edit_count);
                    sqlite3_bind_int64(sts[k], 5, te->last_sid);
                    if (gold_step_done(r, sts[k], "title edit counts")) return -1;
                }
                te->dirty = 0;
            }
        }
        if (b->batch_events || b->batch_titles || b->batch_edits) {
            sqlite3_bind_text(r->bucket_upsert, 1, b->start_text, -1, SQLITE_STATIC);
            sqlite3_bind_int64(r->bucket_upsert, 2, b->batch_events);
            sqlite3_bind_int64(r->bucket_upsert, 3, b->batch_titles);
            sqlite3_bind_int64(r->bucket_upsert, 4, b->batch_edits);
            sqlite3_bind_text(r->bucket_upsert, 5, r->now_text, -1, SQLITE_STATIC);
            if (gold_step_done(r, r->bucket_upsert, "gold_buckets")) return -1;
        }
    }
    return 0;
}

int gold_close_bucket(run *r, bucket *b)
{
    char sql[1024];
    char prev[TIME_TEXT_LEN], next[TIME_TEXT_LEN];
    time_format(b->start - r->s.bucket_seconds, prev);
    time_format(b->start + r->s.bucket_seconds, next);
    snprintf(sql, sizeof sql,
             "UPDATE gold_events SET closed_at = ?5, status = CASE WHEN match_count > 0 THEN"
             " 'matched' WHEN EXISTS (SELECT 1 FROM gold_buckets WHERE titles > 0 AND"
             " time_bucket IN (?1%s)) THEN 'no_match' ELSE 'no_partner_window' END"
             " WHERE time_bucket = ?1 AND status = 'open'",
             r->s.neighbours ? ", ?2, ?3" : "");
    sqlite3_stmt *st;
    if (gold_prepare(r, &st, sql)) return -1;
    sqlite3_bind_text(st, 1, b->start_text, -1, SQLITE_STATIC);
    if (r->s.neighbours) {
        sqlite3_bind_text(st, 2, prev, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, next, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(st, 5, r->now_text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return gold_db_fail(r, "closing a bucket");
    const char *more[] = {"DELETE FROM gold_open_events WHERE time_bucket = ?1",
                          "DELETE FROM gold_open_titles WHERE time_bucket = ?1",
                          "UPDATE gold_buckets SET status = 'closed', closed_at = ?2"
                          " WHERE time_bucket = ?1"};
    for (size_t i = 0; i < 3; i++) {
        if (gold_prepare(r, &st, more[i])) return -1;
        sqlite3_bind_text(st, 1, b->start_text, -1, SQLITE_STATIC);
        if (i == 2) sqlite3_bind_text(st, 2, r->now_text, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) return gold_db_fail(r, "closing a bucket");
    }
    char msg[256], details[256];
    snprintf(msg, sizeof msg, "bucket %s closed: %zu events, %zu distinct titles", b->start_text,
             b->ne, b->nt);
    snprintf(details, sizeof details, "{\"time_bucket\":\"%s\",\"events\":%zu,\"titles\":%zu}",
             b->start_text, b->ne, b->nt);
    if (store_event(r->db, "gold", "info", "bucket_closed", msg, details) != 0)
        return gold_db_fail(r, "event log");
    r->stats->buckets_closed++;
    return 0;
}

int gold_save_checkpoints(run *r)
{
    if (store_checkpoint_set_int(r->db, "gold.gdelt_silver_id", r->cp_gdelt) ||
        store_checkpoint_set_int(r->db, "gold.wiki_silver_id", r->cp_wiki))
        return gold_db_fail(r, "checkpoint");
    /* Watermark state: max event time per stream and the closed frontier, as time texts. */
    struct { const char *name; int64_t v; } marks[] = {
        {"gold.gdelt_max_event_time", r->max_gdelt},
        {"gold.wiki_max_event_time", r->max_wiki},
        {"gold.gdelt_watermark", r->max_gdelt == NO_TIME ? NO_TIME : r->max_gdelt - r->s.lateness},
        {"gold.wiki_watermark", r->max_wiki == NO_TIME ? NO_TIME : r->max_wiki - r->s.lateness},
        {"gold.closed_before", r->closed_before},
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        if (marks[i].v == NO_TIME) continue;
        char t[TIME_TEXT_LEN];
        time_format(marks[i].v, t);
        if (store_checkpoint_set(r->db, marks[i].name, t)) return gold_db_fail(r, "checkpoint");
    }
    return 0;
}

int gold_load_time_checkpoint(run *r, const char *name, int64_t *out)
{
    char v[64];
    int rc = store_checkpoint_get(r->db, name, v, sizeof v);
    if (rc < 0) return gold_db_fail(r, "checkpoint");
    *out = NO_TIME;
    if (rc == 1 && time_parse_iso8601(v, out) != 0) *out = NO_TIME;
    return 0;
}

/* ---- the silver reader ------------------------------------------------------------------- */

/* The one query per side that both the batch (gold_flow.c) and the prefetch (gold_embed.c) read
   silver with: the same rows past the same checkpoint, in the same order and limit. */
static const char *const silver_queries[2] = {
    "SELECT silver_id, EventID, event_time, EventCode, event_description, AvgTone,"
    " GoldsteinScale, ActionGeo_FullName, ActionGeo_CountryCode, ActionGeo_Lat, ActionGeo_Long,"
    " Actor1CountryCode, Actor2CountryCode, " EVENT_TEXT_SILVER_COLUMNS
    " FROM gdelt_silver WHERE silver_id > ?1 ORDER BY silver_id LIMIT ?2",
    "SELECT silver_id, event_time, wiki, title, user, is_content"
    " FROM wikimedia_silver WHERE silver_id > ?1 ORDER BY silver_id LIMIT ?2"};

int gold_silver_open(run *r, int titles, gold_silver_reader *rd)
{
    rd->titles = titles;
    rd->q = NULL;
    if (sqlite3_prepare_v2(r->db, silver_queries[titles], -1, &rd->q, NULL) != SQLITE_OK)
        return gold_db_fail(r, titles ? "reading wikimedia_silver" : "reading gdelt_silver");
    sqlite3_bind_int64(rd->q, 1, titles ? r->cp_wiki : r->cp_gdelt);
    sqlite3_bind_int64(rd->q, 2, r->s.batch_rows);
    return 0;
}

gold_read gold_silver_next(gold_silver_reader *rd, gold_silver_row *row)
{
    int step = sqlite3_step(rd->q);
    if (step == SQLITE_DONE) return GOLD_READ_END;
    if (step != SQLITE_ROW) return GOLD_READ_ERROR;
    sqlite3_stmt *q = rd->q;
#define COL(i) ((const char *)sqlite3_column_text(q, (i)))
    memset(row, 0, sizeof *row);
    row->sid = sqlite3_column_int64(q, 0);
    if (rd->titles) {
        row->event_time = COL(1);
        row->wiki = COL(2);
        row->title = COL(3);
        row->user = COL(4);
        row->is_content = sqlite3_column_int(q, 5);
    } else {
        row->event_id = sqlite3_column_int64(q, 1);
        row->event_time = COL(2);
        row->parts = event_parts_from_row(q, 13);
        row->codes[0] = COL(11);
        row->codes[1] = COL(12);
        row->codes[2] = COL(8);
    }
#undef COL
    return GOLD_READ_ROW;
}

void gold_silver_close(gold_silver_reader *rd)
{
    sqlite3_finalize(rd->q);
    rd->q = NULL;
}

/* The event's gold_events row, its columns straight from the reader's current gdelt_silver row. */
int gold_insert_event(run *r, const gold_silver_reader *rd, const char *bucket_text,
                      const char *text, int late)
{
    sqlite3_stmt *ins = r->ins_event, *q = rd->q;
    sqlite3_bind_int64(ins, 1, sqlite3_column_int64(q, 0));
    bind_text_or_null(ins, 2, q, 1);
    sqlite3_bind_text(ins, 3, (const char *)sqlite3_column_text(q, 2), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 4, bucket_text, -1, SQLITE_TRANSIENT);
    for (int c = 3; c <= 10; c++) bind_text_or_null(ins, c + 2, q, c);
    sqlite3_bind_text(ins, 13, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 14, r->s.fields_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 15, late ? "late" : "open", -1, SQLITE_STATIC);
    return gold_step_done(r, ins, "gold_events insert");
}
