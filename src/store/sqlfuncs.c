/* SQL helper functions registered on every connection so the report's Databricks SQL runs on
 * SQLite as written where the syntax allows: date_trunc('hour', event_time),
 * date_sub(current_date(), 7), current_date(). Timestamps are 'YYYY-MM-DD HH:MM:SS' UTC text
 * (or epoch seconds as integers); dates are 'YYYY-MM-DD'. */
#include "store/store.h"

#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Reads a timestamp argument: integer/real epoch seconds or ISO text. 0 ok, -1 NULL/invalid. */
static int arg_epoch(sqlite3_value *v, int64_t *out)
{
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: *out = sqlite3_value_int64(v); return 0;
    case SQLITE_FLOAT: *out = (int64_t)sqlite3_value_double(v); return 0;
    case SQLITE_TEXT: return time_parse_iso8601((const char *)sqlite3_value_text(v), out);
    default: return -1;
    }
}

static void result_time(sqlite3_context *ctx, int64_t t)
{
    char s[TIME_TEXT_LEN];
    time_format(t, s);
    sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
}

static void result_date(sqlite3_context *ctx, int64_t t)
{
    char s[TIME_TEXT_LEN];
    time_format(t, s);
    s[10] = '\0';
    sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
}

static void fn_date_trunc(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *unit = (const char *)sqlite3_value_text(argv[0]);
    int64_t t;
    if (!unit || arg_epoch(argv[1], &t) != 0) {
        sqlite3_result_null(ctx);
        return;
    }
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    if (!strcasecmp(unit, "second")) {
    } else if (!strcasecmp(unit, "minute")) {
        t = time_bucket_start(t, 60);
    } else if (!strcasecmp(unit, "hour")) {
        t = time_bucket_start(t, 3600);
    } else if (!strcasecmp(unit, "day")) {
        t = days * 86400;
    } else if (!strcasecmp(unit, "week")) { /* ISO weeks start on Monday; 1970-01-01 was a Thursday */
        int64_t dow = ((days % 7) + 7 + 3) % 7;
        t = (days - dow) * 86400;
    } else if (!strcasecmp(unit, "month") || !strcasecmp(unit, "quarter") ||
               !strcasecmp(unit, "year")) {
        char s[TIME_TEXT_LEN];
        time_format(t, s);
        int y = 0, m = 0;
        sscanf(s, "%d-%d", &y, &m);
        if (!strcasecmp(unit, "year")) m = 1;
        if (!strcasecmp(unit, "quarter")) m = (m - 1) / 3 * 3 + 1;
        t = time_days_from_civil(y, m, 1) * 86400;
    } else {
        sqlite3_result_error(ctx, "date_trunc: unit must be second, minute, hour, day, week, month, quarter or year", -1);
        return;
    }
    result_time(ctx, t);
}

static void shift_days(sqlite3_context *ctx, sqlite3_value **argv, int sign)
{
    int64_t t;
    if (arg_epoch(argv[0], &t) != 0 || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    int64_t days = sqlite3_value_int64(argv[1]);
    result_date(ctx, t + sign * days * 86400);
}

static void fn_date_sub(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    shift_days(ctx, argv, -1);
}

static void fn_date_add(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    shift_days(ctx, argv, 1);
}

static void fn_current_date(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    result_date(ctx, (int64_t)time(NULL));
}

static void fn_current_timestamp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    result_time(ctx, (int64_t)time(NULL));
}

static void fn_time_bucket(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int64_t t;
    int64_t width = sqlite3_value_int64(argv[1]);
    if (arg_epoch(argv[0], &t) != 0 || width <= 0) {
        sqlite3_result_null(ctx);
        return;
    }
    result_time(ctx, time_bucket_start(t, width));
}

/* The local owner's current_user() and is_member(g): a plain connection is the owner's full
 * access, a member of every group, so secure views read on it unmasked. A governed session
 * (govern/session.c) replaces both with its principal's. */
static void fn_owner_current_user(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_text(ctx, "owner", -1, SQLITE_STATIC);
}

static void fn_owner_is_member(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int(ctx, 1);
}

int store_register_functions(sqlite3 *db)
{
    const int det = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    const int nondet = SQLITE_UTF8 | SQLITE_INNOCUOUS;
    if (sqlite3_create_function(db, "date_trunc", 2, det, NULL, fn_date_trunc, NULL, NULL) ||
        sqlite3_create_function(db, "date_sub", 2, det, NULL, fn_date_sub, NULL, NULL) ||
        sqlite3_create_function(db, "date_add", 2, det, NULL, fn_date_add, NULL, NULL) ||
        sqlite3_create_function(db, "current_date", 0, nondet, NULL, fn_current_date, NULL, NULL) ||
        sqlite3_create_function(db, "current_timestamp_utc", 0, nondet, NULL,
                                fn_current_timestamp, NULL, NULL) ||
        sqlite3_create_function(db, "time_bucket", 2, det, NULL, fn_time_bucket, NULL, NULL) ||
        sqlite3_create_function(db, "current_user", 0, nondet, NULL, fn_owner_current_user, NULL, NULL) ||
        sqlite3_create_function(db, "is_member", 1, nondet, NULL, fn_owner_is_member, NULL, NULL))
        return -1;
    return 0;
}
