/* Test-only helper for the gold tests: creates gdelt_silver and wikimedia_silver in a test
 * database by SQL that mirrors the data contract (briefs/common.md), and inserts rows into them.
 * The real tables belong to the silver components; this exists so gold can be tested on its own. */
#ifndef WG_GOLD_SILVER_FIXTURE_H
#define WG_GOLD_SILVER_FIXTURE_H

#include <sqlite3.h>
#include <stdint.h>

static const char gold_fixture_silver_ddl[] =
    "CREATE TABLE IF NOT EXISTS gdelt_silver ("
    " silver_id INTEGER PRIMARY KEY AUTOINCREMENT, bronze_id INTEGER,"
    " GLOBALEVENTID INTEGER NOT NULL UNIQUE, SQLDATE INTEGER, MonthYear INTEGER, Year INTEGER,"
    " FractionDate REAL,"
    " Actor1Code TEXT, Actor1Name TEXT, Actor1CountryCode TEXT, Actor1KnownGroupCode TEXT,"
    " Actor1EthnicCode TEXT, Actor1Religion1Code TEXT, Actor1Religion2Code TEXT,"
    " Actor1Type1Code TEXT, Actor1Type2Code TEXT, Actor1Type3Code TEXT,"
    " Actor2Code TEXT, Actor2Name TEXT, Actor2CountryCode TEXT, Actor2KnownGroupCode TEXT,"
    " Actor2EthnicCode TEXT, Actor2Religion1Code TEXT, Actor2Religion2Code TEXT,"
    " Actor2Type1Code TEXT, Actor2Type2Code TEXT, Actor2Type3Code TEXT,"
    " IsRootEvent INTEGER, EventCode TEXT, EventBaseCode TEXT, EventRootCode TEXT,"
    " QuadClass INTEGER, GoldsteinScale REAL, NumMentions INTEGER, NumSources INTEGER,"
    " NumArticles INTEGER, AvgTone REAL,"
    " Actor1Geo_Type INTEGER, Actor1Geo_FullName TEXT, Actor1Geo_CountryCode TEXT,"
    " Actor1Geo_ADM1Code TEXT, Actor1Geo_ADM2Code TEXT, Actor1Geo_Lat REAL, Actor1Geo_Long REAL,"
    " Actor1Geo_FeatureID TEXT,"
    " Actor2Geo_Type INTEGER, Actor2Geo_FullName TEXT, Actor2Geo_CountryCode TEXT,"
    " Actor2Geo_ADM1Code TEXT, Actor2Geo_ADM2Code TEXT, Actor2Geo_Lat REAL, Actor2Geo_Long REAL,"
    " Actor2Geo_FeatureID TEXT,"
    " ActionGeo_Type INTEGER, ActionGeo_FullName TEXT, ActionGeo_CountryCode TEXT,"
    " ActionGeo_ADM1Code TEXT, ActionGeo_ADM2Code TEXT, ActionGeo_Lat REAL, ActionGeo_Long REAL,"
    " ActionGeo_FeatureID TEXT,"
    " DATEADDED INTEGER, SOURCEURL TEXT,"
    " EventID INTEGER GENERATED ALWAYS AS (GLOBALEVENTID) VIRTUAL,"
    " event_time TEXT, time_bucket TEXT, event_description TEXT, event_root_description TEXT);"
    "CREATE TABLE IF NOT EXISTS wikimedia_silver ("
    " silver_id INTEGER PRIMARY KEY AUTOINCREMENT, bronze_id INTEGER,"
    " event_id TEXT NOT NULL UNIQUE, event_time TEXT, time_bucket TEXT, wiki TEXT,"
    " server_name TEXT, namespace INTEGER, title TEXT, page_url TEXT, type TEXT, bot INTEGER,"
    " user TEXT, comment TEXT, length_old INTEGER, length_new INTEGER, revision_old INTEGER,"
    " revision_new INTEGER, minor INTEGER, patrolled INTEGER, is_content INTEGER NOT NULL);";

static inline int gold_fixture_create(sqlite3 *db)
{
    return sqlite3_exec(db, gold_fixture_silver_ddl, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
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
