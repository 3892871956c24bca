/* Test-only helper for the gold tests: the silver tables gold reads, and rows in them. The
 * tables are the real ones: store_open migrates every component, and a table a test dropped is
 * created again from the SQL the real migrations produce (read from a fresh in-memory store), so
 * the fixture cannot drift from the refine components' schemas. */
#ifndef WG_GOLD_SILVER_FIXTURE_H
#define WG_GOLD_SILVER_FIXTURE_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

/* Creates gdelt_silver and wikimedia_silver in db where absent. 0 ok, -1 on failure. */
static inline int gold_fixture_create(sqlite3 *db)
{
    static const char *const tables[] = {"gdelt_silver", "wikimedia_silver"};
    sqlite3 *ref = NULL;
    char err[512];
    int rc = 0;
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                               -1, &st, NULL) != SQLITE_OK)
            return -1;
        sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
        int present = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        if (present) continue;
        if (!ref && store_open(":memory:", NULL, 0, &ref, err, sizeof err) != 0) return -1;
        if (sqlite3_prepare_v2(ref, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                               -1, &st, NULL) != SQLITE_OK) {
            rc = -1;
            break;
        }
        sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_ROW &&
                     sqlite3_exec(db, (const char *)sqlite3_column_text(st, 0), NULL, NULL, NULL) ==
                         SQLITE_OK
                 ? 0
                 : -1;
        sqlite3_finalize(st);
    }
    if (ref) store_close(ref);
    return rc;
}

static inline int gold_fixture_event(sqlite3 *db, int64_t id, const char *event_time,
                                     const char *code, const char *description,
                                     const char *actor1, const char *actor2, const char *geo,
                                     double lat, double lon, const char *url)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO gdelt_silver(GLOBALEVENTID, EventCode, event_description,"
                           " Actor1Name, Actor2Name, ActionGeo_FullName, ActionGeo_CountryCode,"
                           " ActionGeo_Lat, ActionGeo_Long, AvgTone, GoldsteinScale, SOURCEURL,"
                           " event_time, time_bucket) VALUES (?1,?2,?3,?4,?5,?6,'XX',?7,?8,-1.5,"
                           " 2.0,?9,?10, time_bucket(?10, 14400))",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, actor1, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, actor2, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, geo, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 7, lat);
    sqlite3_bind_double(st, 8, lon);
    sqlite3_bind_text(st, 9, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, event_time, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static inline int gold_fixture_edit(sqlite3 *db, const char *event_id, const char *event_time,
                                    const char *wiki, const char *title, const char *user,
                                    int is_content)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO wikimedia_silver(event_id, event_time, time_bucket, wiki,"
                           " namespace, title, type, bot, user, is_content) VALUES (?1, ?2,"
                           " time_bucket(?2, 14400), ?3, 0, ?4, 'edit', 0, ?5, ?6)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, event_time, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, wiki, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, user, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, is_content);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

#endif
