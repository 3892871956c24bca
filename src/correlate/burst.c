/* Edit-burst detection on wikimedia_silver (see burst.h). */
#include "correlate/burst.h"

#include "core/buf.h"
#include "core/settings.h"
#include "core/timeutil.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* Distinct editors are kept as a newline-joined list; past this many the count stops growing,
 * which cannot change the outcome since min_editors is small. */
#define MAX_EDITORS_KEPT 64

struct burst_detector {
    sqlite3 *db;
    burst_params p;
    sqlite3_stmt *get, *put, *ins_burst, *upd_burst, *prune;
};

void burst_params_from_config(const config *cfg, burst_params *p)
{
    p->min_edits = setting_int(cfg, "correlate.burst.min_edits");
    p->min_editors = setting_int(cfg, "correlate.burst.min_editors");
    p->max_gap_seconds = setting_int(cfg, "correlate.burst.max_gap_seconds");
    p->recent_seconds = setting_int(cfg, "correlate.burst.recent_seconds");
}

burst_detector *burst_open(sqlite3 *db, const burst_params *p)
{
    burst_detector *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->db = db;
    d->p = *p;
    const store_stmt_def stmts[] = {
        {&d->get,
         "SELECT run_start, last_edit, edits, editors, first_silver_id, burst_id"
         " FROM gold_page_activity WHERE wiki = ?1 AND title = ?2"},
        {&d->put,
         "INSERT OR REPLACE INTO gold_page_activity(wiki, title, run_start,"
         " last_edit, edits, editors, first_silver_id, burst_id)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
        {&d->ins_burst,
         "INSERT INTO breaking_news_bursts(wiki, title, time_bucket, burst_start,"
         " last_edit, edit_count, editor_count, detected_at, first_silver_id,"
         " last_silver_id, breaking_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
         " ?8, ?9, ?10, ?11) ON CONFLICT(wiki, title, burst_start) DO UPDATE SET"
         " last_edit = excluded.last_edit, edit_count = excluded.edit_count,"
         " breaking_until = excluded.breaking_until,"
         " editor_count = excluded.editor_count,"
         " last_silver_id = excluded.last_silver_id RETURNING id"},
        {&d->upd_burst,
         "UPDATE breaking_news_bursts SET last_edit = ?2, edit_count = ?3,"
         " editor_count = ?4, last_silver_id = MAX(last_silver_id, ?5),"
         " breaking_until = ?6 WHERE id = ?1"},
        {&d->prune,
         "DELETE FROM gold_page_activity WHERE last_edit < ?1"},
    };
    if (store_prepare_list(db, stmts, sizeof stmts / sizeof stmts[0], NULL, 0) != 0) {
        burst_close(d);
        return NULL;
    }
    return d;
}

void burst_close(burst_detector *d)
{
    if (!d) return;
    sqlite3_stmt **stmts[] = {&d->get, &d->put, &d->ins_burst, &d->upd_burst, &d->prune};
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) sqlite3_finalize(*stmts[i]);
    free(d);
}

/* Number of lines in a newline-joined list, and whether `who` is one of them. */
static int64_t editors_count(const char *list, const char *who, int *present)
{
    int64_t n = 0;
    size_t wl = strlen(who);
    *present = 0;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        n++;
        if (len == wl && !memcmp(p, who, wl)) *present = 1;
        p += len;
        if (*p == '\n') p++;
    }
    return n;
}

int burst_observe(burst_detector *d, const char *wiki, const char *title, const char *user,
                  int64_t t, int64_t silver_id, int64_t stream_now, const char *bucket_text,
                  int *new_burst)
{
    *new_burst = 0;
    const char *who = (user && *user) ? user : "?";
    if (strchr(who, '\n')) who = "?"; /* the list is newline-joined */
    int64_t run_start = t, last = t, edits = 1, first_sid = silver_id, burst_id = 0;
    int has_burst = 0;
    buf editors = BUF_INIT;
    int rc = -1;

    sqlite3_reset(d->get);
    sqlite3_bind_text(d->get, 1, wiki, -1, SQLITE_STATIC);
    sqlite3_bind_text(d->get, 2, title, -1, SQLITE_STATIC);
    int step = sqlite3_step(d->get);
    if (step == SQLITE_ROW) {
        int64_t rs = sqlite3_column_int64(d->get, 0), le = sqlite3_column_int64(d->get, 1);
        const char *ed = (const char *)sqlite3_column_text(d->get, 3);
        /* Replays can be out of order: an edit inside the run (or within a gap of it) joins
           it; one after a gap starts a new run; one long before the run is history. */
        if (t > le + d->p.max_gap_seconds) {
            /* new run: defaults above */
        } else if (t < rs - d->p.max_gap_seconds) {
            sqlite3_reset(d->get);
            return 0;
        } else {
            run_start = t < rs ? t : rs;
            last = t > le ? t : le;
            edits = sqlite3_column_int64(d->get, 2) + 1;
            first_sid = sqlite3_column_int64(d->get, 4);
            if (sqlite3_column_type(d->get, 5) != SQLITE_NULL) {
                burst_id = sqlite3_column_int64(d->get, 5);
                has_burst = 1;
            }
            if (buf_append_str(&editors, ed ? ed : "") != 0) goto out;
        }
    } else if (step != SQLITE_DONE) {
        goto out;
    }
    sqlite3_reset(d->get);

    int present = 0;
    int64_t n_editors = editors_count(editors.data ? editors.data : "", who, &present);
    if (!present && n_editors < MAX_EDITORS_KEPT) {
        if ((editors.len && buf_append(&editors, "\n", 1) != 0) || buf_append_str(&editors, who) != 0)
            goto out;
        n_editors++;
    }

    if (edits >= d->p.min_edits && n_editors >= d->p.min_editors &&
        stream_now - last <= d->p.recent_seconds) {
        char start_text[TIME_TEXT_LEN], last_text[TIME_TEXT_LEN], now_text[TIME_TEXT_LEN];
        char until_text[TIME_TEXT_LEN];
        time_format(last + d->p.recent_seconds, until_text);
        time_format(run_start, start_text);
        time_format(last, last_text);
        time_format(stream_now, now_text);
        if (has_burst) {
            sqlite3_reset(d->upd_burst);
            sqlite3_bind_int64(d->upd_burst, 1, burst_id);
            sqlite3_bind_text(d->upd_burst, 2, last_text, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(d->upd_burst, 3, edits);
            sqlite3_bind_int64(d->upd_burst, 4, n_editors);
            sqlite3_bind_int64(d->upd_burst, 5, silver_id);
            sqlite3_bind_text(d->upd_burst, 6, until_text, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(d->upd_burst) != SQLITE_DONE) goto out;
            sqlite3_reset(d->upd_burst);
        } else {
            sqlite3_reset(d->ins_burst);
            sqlite3_bind_text(d->ins_burst, 1, wiki, -1, SQLITE_STATIC);
            sqlite3_bind_text(d->ins_burst, 2, title, -1, SQLITE_STATIC);
            sqlite3_bind_text(d->ins_burst, 3, bucket_text, -1, SQLITE_STATIC);
            sqlite3_bind_text(d->ins_burst, 4, start_text, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(d->ins_burst, 5, last_text, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(d->ins_burst, 6, edits);
            sqlite3_bind_int64(d->ins_burst, 7, n_editors);
            sqlite3_bind_text(d->ins_burst, 8, now_text, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(d->ins_burst, 9, first_sid);
            sqlite3_bind_int64(d->ins_burst, 10, silver_id);
            sqlite3_bind_text(d->ins_burst, 11, until_text, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(d->ins_burst) != SQLITE_ROW) goto out;
            burst_id = sqlite3_column_int64(d->ins_burst, 0);
            has_burst = 1;
            *new_burst = 1;
            sqlite3_reset(d->ins_burst);
        }
    }

    sqlite3_reset(d->put);
    sqlite3_bind_text(d->put, 1, wiki, -1, SQLITE_STATIC);
    sqlite3_bind_text(d->put, 2, title, -1, SQLITE_STATIC);
    sqlite3_bind_int64(d->put, 3, run_start);
    sqlite3_bind_int64(d->put, 4, last);
    sqlite3_bind_int64(d->put, 5, edits);
    sqlite3_bind_text(d->put, 6, editors.data ? editors.data : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(d->put, 7, first_sid);
    if (has_burst) sqlite3_bind_int64(d->put, 8, burst_id);
    else sqlite3_bind_null(d->put, 8);
    if (sqlite3_step(d->put) != SQLITE_DONE) goto out;
    rc = 0;
out:
    sqlite3_reset(d->get);
    sqlite3_reset(d->put);
    sqlite3_reset(d->ins_burst);
    sqlite3_reset(d->upd_burst);
    buf_free(&editors);
    return rc;
}

int burst_prune(burst_detector *d, int64_t stream_now)
{
    int64_t keep = d->p.max_gap_seconds > d->p.recent_seconds ? d->p.max_gap_seconds
                                                                 : d->p.recent_seconds;
    sqlite3_reset(d->prune);
    sqlite3_bind_int64(d->prune, 1, stream_now - keep);
    int rc = sqlite3_step(d->prune) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(d->prune);
    return rc;
}
