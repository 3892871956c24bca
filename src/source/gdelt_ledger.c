/* The GDELT source's writes: the file ledger and the bronze rows of a file, in one transaction
 * (gdelt.h). */
#include "source/gdelt.h"

#include "core/log.h"
#include "core/timeutil.h"
#include "observe/observe.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A GDELT event row is a few hundred bytes; anything this long is not an event row, and SQLite
 * refuses values over 1e9 bytes anyway. */
#define GDELT_MAX_LINE_BYTES (16 << 20)

store_lookup gdelt_ledger_is_ingested(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT status FROM gdelt_ledger WHERE name=?1", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), out = 0;
    if (rc == SQLITE_ROW)
        out = strcmp((const char *)sqlite3_column_text(st, 0), "ingested") == 0;
    else if (rc != SQLITE_DONE)
        out = -1;
    sqlite3_finalize(st);
    return out;
}

static void bind_meta(sqlite3_stmt *st, const gdelt_file_meta *m, const char *now)
{
    sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->mode, -1, SQLITE_STATIC);
    if (m->size >= 0) sqlite3_bind_int64(st, 4, m->size); else sqlite3_bind_null(st, 4);
    if (m->md5) sqlite3_bind_text(st, 5, m->md5, -1, SQLITE_STATIC); else sqlite3_bind_null(st, 5);
    if (m->expected_size >= 0) sqlite3_bind_int64(st, 6, m->expected_size); else sqlite3_bind_null(st, 6);
    if (m->expected_md5) sqlite3_bind_text(st, 7, m->expected_md5, -1, SQLITE_STATIC); else sqlite3_bind_null(st, 7);
    sqlite3_bind_int(st, 8, m->attempts);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
}

gdelt_commit_result gdelt_bronze_commit_file(sqlite3 *db, const gdelt_file_meta *meta, const char *csv,
                             size_t len, int64_t *rows, char *err, size_t errlen)
{
    *rows = 0;
    char now[TIME_TEXT_LEN];
    int64_t started_ms = time_now_ms();
    time_format(started_ms / 1000, now);
    if (store_begin(db) != 0) {
        store_fail(db, err, errlen, "cannot start a transaction");
        return GDELT_COMMIT_ERROR;
    }
    /* Checked again inside the transaction: another process may have ingested it meanwhile. */
    store_lookup already = gdelt_ledger_is_ingested(db, meta->name);
    if (already != STORE_NOT_FOUND) {
        store_rollback(db);
        if (already == STORE_FOUND) return GDELT_ALREADY_INGESTED;
        store_fail(db, err, errlen, "reading gdelt_ledger");
        return GDELT_COMMIT_ERROR;
    }
    sqlite3_stmt *ledger = NULL, *bronze = NULL, *done = NULL;
    int64_t file_id = -1, n = 0;
    if (sqlite3_prepare_v2(
            db,
            "INSERT INTO gdelt_ledger(name, source, mode, size, md5, expected_size, expected_md5,"
            " attempts, status, first_seen, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,"
            " 'ingesting',?9,?9) ON CONFLICT(name) DO UPDATE SET source=excluded.source,"
            " mode=excluded.mode, size=excluded.size, md5=excluded.md5,"
            " expected_size=excluded.expected_size, expected_md5=excluded.expected_md5,"
            " attempts=attempts+excluded.attempts, status='ingesting', updated_at=excluded.updated_at"
            " RETURNING file_id",
            -1, &ledger, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO gdelt_bronze(file_id, source_file, line_number,"
                           " ingested_at, raw_line) VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &bronze, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "UPDATE gdelt_ledger SET rows=?2, status='ingested', error=NULL"
                           " WHERE file_id=?1",
                           -1, &done, NULL) != SQLITE_OK)
        goto store_error;
    bind_meta(ledger, meta, now);
    if (sqlite3_step(ledger) != SQLITE_ROW) goto store_error;
    file_id = sqlite3_column_int64(ledger, 0);
    if (sqlite3_step(ledger) != SQLITE_DONE) goto store_error;

    sqlite3_bind_int64(bronze, 1, file_id);
    sqlite3_bind_text(bronze, 2, meta->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(bronze, 4, now, -1, SQLITE_STATIC);
    size_t pos = 0;
    int64_t line_no = 0;
    size_t llen;
    for (const char *line; (line = text_next_line(csv, len, &pos, &llen));) {
        line_no++;
        if (llen > 0 && line[llen - 1] == '\r') llen--;
        if (llen == 0) continue; /* blank lines carry no event (a trailing newline, typically) */
        if (llen > GDELT_MAX_LINE_BYTES) {
            snprintf(err, errlen, "line %lld is %zu bytes long, over the %d-byte limit of a row",
                     (long long)line_no, llen, GDELT_MAX_LINE_BYTES);
            sqlite3_finalize(ledger);
            sqlite3_finalize(bronze);
            sqlite3_finalize(done);
            store_rollback(db);
            return GDELT_CONTENT_REJECTED;
        }
        sqlite3_bind_int64(bronze, 3, line_no);
        sqlite3_bind_text(bronze, 5, line, (int)llen, SQLITE_STATIC);
        if (sqlite3_step(bronze) != SQLITE_DONE) goto store_error;
        sqlite3_reset(bronze);
        n++;
    }
    sqlite3_bind_int64(done, 1, file_id);
    sqlite3_bind_int64(done, 2, n);
    if (sqlite3_step(done) != SQLITE_DONE) goto store_error;
    sqlite3_finalize(ledger);
    sqlite3_finalize(bronze);
    sqlite3_finalize(done);
    {
        /* the file's slot is the source's own time: its name starts with YYYYMMDDHHMMSS */
        int64_t slot;
        char wm[TIME_TEXT_LEN] = "";
        const char *base = strrchr(meta->name, '/') ? strrchr(meta->name, '/') + 1 : meta->name;
        int has_slot = strlen(base) >= 14 && time_parse_gdelt(base, 14, &slot) == 0;
        if (has_slot) time_format(slot, wm);
        obs_flow_batch(db, NULL, &(obs_batch){.flow = "gdelt_bronze", .batch_id = meta->name,
                       .start_ms = started_ms, .input_rows = n, .output_rows = n,
                       .bytes = meta->size > 0 ? meta->size : 0, .watermark = has_slot ? wm : NULL,
                       .lag_seconds = has_slot ? (double)time_now_ms() / 1000.0 - (double)slot : -1});
    }
    if (store_commit(db) != 0) {
        store_fail(db, err, errlen, "commit of %s failed", meta->name);
        return GDELT_COMMIT_ERROR;
    }
    *rows = n;
    return GDELT_COMMITTED;

store_error:
    store_fail(db, err, errlen, "writing %s to bronze", meta->name);
    sqlite3_finalize(ledger);
    sqlite3_finalize(bronze);
    sqlite3_finalize(done);
    store_rollback(db);
    return GDELT_COMMIT_ERROR;
}

int gdelt_ledger_record_failure(sqlite3 *db, const gdelt_file_meta *meta, const char *reason)
{
    char now[TIME_TEXT_LEN];
    time_format(time_now_ms() / 1000, now);
    sqlite3_stmt *st;
    if (store_begin(db) != 0) return -1;
    if (sqlite3_prepare_v2(
            db,
            "INSERT INTO gdelt_ledger(name, source, mode, size, md5, expected_size, expected_md5,"
            " attempts, status, error, first_seen, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,"
            " 'failed',?10,?9,?9) ON CONFLICT(name) DO UPDATE SET source=excluded.source,"
            " mode=excluded.mode, size=excluded.size, md5=excluded.md5,"
            " expected_size=excluded.expected_size, expected_md5=excluded.expected_md5,"
            " attempts=attempts+excluded.attempts, status='failed', error=excluded.error,"
            " updated_at=excluded.updated_at WHERE status <> 'ingested'",
            -1, &st, NULL) != SQLITE_OK) {
        store_rollback(db);
        return -1;
    }
    bind_meta(st, meta, now);
    sqlite3_bind_text(st, 10, reason, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s failed after %d attempt(s): %s", meta->name, meta->attempts,
             reason);
    if (rc != SQLITE_DONE || store_event(db, "gdelt_source", "error", "file_failed", msg, NULL) != 0) {
        store_rollback(db);
        return -1;
    }
    return store_commit(db);
}
