/* The reranker's event loader: an event's texts and GDELT codes from gdelt_silver, by silver id
 * (the gold flow) or by GLOBALEVENTID (eval), with one prepared statement for a batch. */
#include "correlate/rerank.h"

#include "correlate/event_text.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

struct rerank_loader {
    sqlite3 *db;
    sqlite3_stmt *st;
};

rerank_loader *rerank_loader_open(sqlite3 *db, int by_event_id, char *err, size_t errlen)
{
    rerank_loader *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    l->db = db;
    const char *sql = by_event_id
                          ? "SELECT " EVENT_TEXT_SILVER_COLUMNS ", SQLDATE, DATEADDED, Actor1CountryCode, Actor2CountryCode,"
                            " Actor1Type1Code, Actor1Type2Code, Actor1Type3Code, Actor2Type1Code,"
                            " Actor2Type2Code, Actor2Type3Code, ActionGeo_Type,"
                            " ActionGeo_CountryCode, EventRootCode FROM gdelt_silver WHERE GLOBALEVENTID = ?1"
                          : "SELECT " EVENT_TEXT_SILVER_COLUMNS ", SQLDATE, DATEADDED, Actor1CountryCode, Actor2CountryCode,"
                            " Actor1Type1Code, Actor1Type2Code, Actor1Type3Code, Actor2Type1Code,"
                            " Actor2Type2Code, Actor2Type3Code, ActionGeo_Type,"
                            " ActionGeo_CountryCode, EventRootCode FROM gdelt_silver WHERE silver_id = ?1";
    if (sqlite3_prepare_v2(db, sql, -1, &l->st, NULL) != SQLITE_OK) {
        store_fail(db, err, errlen, "reading gdelt_silver");
        free(l);
        return NULL;
    }
    return l;
}

int rerank_loader_get(rerank_loader *l, int64_t id, rerank_event *ev, char *err, size_t errlen)
{
    sqlite3_stmt *st = l->st;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return 1;
    }
    if (rc != SQLITE_ROW) {
        store_fail(l->db, err, errlen, "reading gdelt_silver");
        sqlite3_reset(st);
        return -1;
    }
#define COL(i) ((const char *)sqlite3_column_text(st, (i)))
    rerank_coded coded = {.actor_country = {COL(7), COL(8)},
                          .actor_type = {{COL(9), COL(10), COL(11)}, {COL(12), COL(13), COL(14)}},
                          .geo_type = sqlite3_column_int(st, 15),
                          .geo_country = COL(16),
                          .event_root = COL(17)};
    event_parts p = event_parts_from_row(st, 0);
    rc = rerank_event_set(ev, p.description, p.actor1, p.actor2, p.geo, p.url, sqlite3_column_int64(st, 5),
                          sqlite3_column_int64(st, 6), &coded);
#undef COL
    sqlite3_reset(st);
    if (rc) snprintf(err, errlen, "out of memory");
    return rc;
}

void rerank_loader_close(rerank_loader *l)
{
    if (!l) return;
    sqlite3_finalize(l->st);
    free(l);
}

int rerank_event_load(sqlite3 *db, int by_event_id, int64_t id, rerank_event *ev, char *err,
                      size_t errlen)
{
    rerank_loader *l = rerank_loader_open(db, by_event_id, err, errlen);
    if (!l) return -1;
    int rc = rerank_loader_get(l, id, ev, err, errlen);
    rerank_loader_close(l);
    return rc;
}
