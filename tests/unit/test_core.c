/* Unit tests for core and store: time arithmetic, configuration, expectations, checkpoints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/filehash.h"
#include "core/timeutil.h"
#include "refine/expect.h"
#include "store/store.h"

static void test_time_roundtrip(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(time_parse_gdelt("20240715000000", 14, &t), 0);
    assert_int_equal(t, 1721001600);
    char s[TIME_TEXT_LEN];
    time_format(t, s);
    assert_string_equal(s, "2024-07-15 00:00:00");
    assert_int_equal(time_parse_iso8601("2022-12-11T04:27:02Z", &t), 0);
    time_format(t, s);
    assert_string_equal(s, "2022-12-11 04:27:02");
    assert_int_equal(time_parse_iso8601("2022-12-11T06:27:02+02:00", &t), 0);
    time_format(t, s);
    assert_string_equal(s, "2022-12-11 04:27:02");
    assert_int_equal(time_parse_iso8601("2015-09-12T00:46:58.771Z", &t), 0);
    time_format(t, s);
    assert_string_equal(s, "2015-09-12 00:46:58");
    /* Leap day and its absence */
    assert_int_equal(time_parse_gdelt("20240229", 8, &t), 0);
    assert_int_equal(time_parse_gdelt("20230229", 8, &t), -1);
    assert_int_equal(time_parse_gdelt("2024071500000", 13, &t), -1);
    assert_int_equal(time_parse_gdelt("2024071500000x", 14, &t), -1);
    assert_int_equal(time_parse_iso8601("2024-13-01T00:00:00Z", &t), -1);
    assert_int_equal(time_parse_iso8601("2024-01-01T00:00:00Zjunk", &t), -1);
    time_format(-1, s);
    assert_string_equal(s, "1969-12-31 23:59:59");
}

static void test_bucket(void **state)
{
    (void)state;
    assert_int_equal(time_bucket_start(1721001600 + 3 * 3600 + 59 * 60, 14400), 1721001600);
    assert_int_equal(time_bucket_start(1721001600 + 4 * 3600, 14400), 1721001600 + 14400);
    assert_int_equal(time_bucket_start(-1, 14400), -14400);
}

static void test_config(void **state)
{
    (void)state;
    config *c = config_new();
    char err[256];
    assert_int_equal(config_set_pair(c, "a.b = 42", err, sizeof err), 0);
    assert_int_equal(config_get_int(c, "a.b", 1), 42);
    assert_int_equal(config_get_int(c, "missing", 7), 7);
    assert_int_equal(config_set_pair(c, "novalue", err, sizeof err), -1);
    assert_non_null(strstr(err, "expected key = value"));
    config_set(c, "x", "abc");
    assert_int_equal(config_get_int(c, "x", 5), 5); /* not a number: default */
    assert_true(config_get_double(c, "x", 2.5) == 2.5);
    config_set(c, "n", "12x");
    assert_int_equal(config_get_int(c, "n", 5), 5); /* trailing garbage: default */
    config_set(c, "n", "-12");
    assert_int_equal(config_get_int(c, "n", 5), -12);
    config_set(c, "d", "0.25");
    assert_true(config_get_double(c, "d", 1) == 0.25);
    assert_int_equal(config_get_int(c, "d", 3), 3); /* a number, not an integer */
    config_set(c, "flag", "yes");
    assert_true(config_get_bool(c, "flag", 0));
    char path[] = "/tmp/wg-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\n\nk = v\nbroken line\n", f);
    fclose(f);
    assert_int_equal(config_load_file(c, path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":4:"));
    assert_string_equal(config_get_str(c, "k", ""), "v");
    unlink(path);
    config_free(c);
}

static void test_buf(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    for (int i = 0; i < 1000; i++) buf_appendf(&b, "%d,", i);
    assert_int_equal(b.len, strlen(b.data));
    assert_memory_equal(b.data, "0,1,2,", 6);
    buf_free(&b);
    /* Reserving room in a new buffer gives an empty string, not uninitialised bytes (the URL-slug
       composer reserves and returns such a buffer when a URL has no words). */
    assert_int_equal(buf_reserve(&b, 1), 0);
    assert_string_equal(b.data, "");
    char *s = buf_detach(&b);
    assert_string_equal(s, "");
    free(s);
    /* buf_copy_out hands out a buffered response in pieces no larger than asked */
    buf_append_str(&b, "abcdefg");
    char piece[4];
    size_t pos = 0;
    assert_int_equal(buf_copy_out(&b, &pos, piece, 4), 4);
    assert_memory_equal(piece, "abcd", 4);
    assert_int_equal(buf_copy_out(&b, &pos, piece, 4), 3);
    assert_memory_equal(piece, "efg", 3);
    assert_int_equal(pos, 7);
    assert_int_equal(buf_copy_out(&b, &pos, piece, 4), 0);
    buf_free(&b);
}

static void test_file_sha256(void **state)
{
    (void)state;
    char path[64], hex[65];
    long long size = -1;
    snprintf(path, sizeof path, "/tmp/wg-unit-sha-%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("abc", f);
    fclose(f);
    assert_int_equal(file_sha256(path, hex, &size), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(size, 3);
    unlink(path);
    assert_int_equal(file_sha256(path, hex, NULL), -1); /* gone: cannot be opened */
}

static sqlite3 *open_temp_store(char *path, size_t len)
{
    snprintf(path, len, "/tmp/wg-unit-%d.db", (int)getpid());
    unlink(path);
    sqlite3 *db;
    char err[512];
    assert_int_equal(store_open(path, NULL, 0, &db, err, sizeof err), 0);
    return db;
}

static void remove_db(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static void test_checkpoints_and_expectations(void **state)
{
    (void)state;
    char path[256];
    sqlite3 *db = open_temp_store(path, sizeof path);
    int64_t v = 0;
    assert_int_equal(store_checkpoint_get_int(db, "f", -1, &v), 0);
    assert_int_equal(v, -1);
    /* A rolled-back transaction leaves the checkpoint as it was. */
    assert_int_equal(store_begin(db), 0);
    assert_int_equal(store_checkpoint_set_int(db, "f", 10), 0);
    store_rollback(db);
    assert_int_equal(store_checkpoint_get_int(db, "f", -1, &v), 0);
    assert_int_equal(v, -1);
    assert_int_equal(store_begin(db), 0);
    assert_int_equal(store_checkpoint_set_int(db, "f", 10), 0);
    assert_int_equal(store_commit(db), 0);
    assert_int_equal(store_checkpoint_get_int(db, "f", -1, &v), 0);
    assert_int_equal(v, 10);

    config *c = config_new();
    config_set(c, "expect.t.bad_lat", "quarantine");
    expect_set set;
    expect_set_init(&set, "t");
    int r_lat = expect_add_rule(&set, "bad_lat", EXPECT_DROP, c);
    int r_tone = expect_add_rule(&set, "bad_tone", EXPECT_WARN, c);
    config_set(c, "expect.t.oops", "explode");
    assert_int_equal(expect_add_rule(&set, "oops", EXPECT_WARN, c), -1);
    expect_row_begin(&set);
    expect_record(&set, r_lat, 1);
    expect_record(&set, r_tone, 0);
    assert_int_equal(expect_row_action(&set), EXPECT_WARN);
    expect_row_begin(&set);
    expect_record(&set, r_tone, 0);
    expect_record(&set, r_lat, 0);
    assert_int_equal(expect_row_action(&set), EXPECT_QUARANTINE);
    assert_string_equal(expect_row_rule_name(&set), "bad_lat");
    assert_int_equal(store_begin(db), 0);
    assert_int_equal(expect_flush(&set, db, "b1"), 0);
    assert_int_equal(store_commit(db), 0);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT rule, action, checked, failed FROM expectation_counts ORDER BY rule", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "bad_lat");
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "quarantine");
    assert_int_equal(sqlite3_column_int(st, 2), 2);
    assert_int_equal(sqlite3_column_int(st, 3), 1);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 3), 2);
    sqlite3_finalize(st);
    config_free(c);
    store_close(db);
    remove_db(path);
}

/* store_prepare_list prepares a module's statements or, at the first bad one, names it in the
 * error and leaves no statement prepared; store_fail says what failed and SQLite's reason,
 * store_fail_at also where in the SQL, store_errtext the same words for a log or HTTP body. */
static void test_store_prepare_list(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(store_exec(db, "CREATE TABLE t (a)", NULL, 0), 0);
    sqlite3_stmt *a = NULL, *b = NULL, *c = NULL;
    const store_stmt_def good[] = {{&a, "SELECT a FROM t"}, {&b, "INSERT INTO t VALUES (?1)"}};
    char err[WG_ERR_LEN] = "";
    assert_int_equal(store_prepare_list(db, good, 2, err, sizeof err), 0);
    assert_non_null(a);
    assert_non_null(b);
    store_finalize_list(good, 2);
    assert_null(a);
    assert_null(b);
    const store_stmt_def bad[] = {{&a, "SELECT a FROM t"},
                                  {&b, "SELECT nothing_here FROM t WHERE a IN (1, 2, 3, 4, 5, 6, 7, 8, 9)"},
                                  {&c, "SELECT 1"}};
    assert_int_equal(store_prepare_list(db, bad, 3, err, sizeof err), -1);
    assert_null(a);
    assert_null(b);
    assert_null(c);
    assert_string_equal(err, "preparing \"SELECT nothing_here FROM t WHERE a IN (1, 2, 3, 4, 5, 6, 7, ...\":"
                             " no such column: nothing_here");
    assert_int_equal(store_fail(db, err, sizeof err, "reading %s", "t"), -1);
    assert_string_equal(err, "reading t: no such column: nothing_here");
    /* store_fail_at adds where in the SQL SQLite stopped; store_errtext words it the same */
    sqlite3_stmt *d = NULL;
    assert_int_not_equal(sqlite3_prepare_v2(db, "SELECT a, nope FROM t", -1, &d, NULL), SQLITE_OK);
    assert_int_equal(store_fail_at(db, err, sizeof err, "sql"), -1);
    assert_string_equal(err, "sql: no such column: nope (at character 11)");
    char text[WG_ERR_LEN];
    assert_ptr_equal(store_errtext(db, text, sizeof text, "reading %s", "t"), text);
    assert_string_equal(text, "reading t: no such column: nope");
    char small[12];
    assert_int_equal(store_fail_at(db, small, sizeof small, "reading %s", "t"), -1);
    assert_string_equal(small, "reading t: ");
    assert_string_equal(store_errtext(NULL, text, sizeof text, "opening"), "opening: no database");
    sqlite3_close(db);
}

/* text_next_line: every line once, CR kept, a last line without '\n' included, no phantom
 * empty line after a final '\n'. */
/* store_run binds texts, NULLs and 64-bit integers in order and runs the statement to its end;
 * a statement that returns rows, a failing one or an unknown type letter is an error. */
static void test_store_run(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(store_exec(db, "CREATE TABLE t (a TEXT, b INTEGER, c TEXT UNIQUE)", NULL, 0), 0);
    assert_int_equal(store_run(db, "INSERT INTO t VALUES (?1, ?2, ?3)", "tit", "x",
                               (int64_t)5000000000LL, NULL), 0);
    assert_int_equal(store_run(db, "INSERT INTO t VALUES (?1, ?2, ?3)", "tit", "y", (int64_t)-1, "u"), 0);
    assert_int_equal(store_run(db, "INSERT INTO t VALUES (?1, ?2, ?3)", "tit", "z", (int64_t)0, "u"), -1);
    assert_string_equal(store_errmsg(db), "UNIQUE constraint failed: t.c");
    assert_int_equal(store_run(db, "INSERT INTO t VALUES (?1, 0, NULL)", "f", 1.0), -1);
    assert_int_equal(store_run(db, "SELECT a FROM t", ""), -1);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), sum(b), count(c), group_concat(a, '') FROM t",
                                        -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2);
    assert_true(sqlite3_column_int64(st, 1) == 4999999999LL);
    assert_int_equal(sqlite3_column_int(st, 2), 1);
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "xy");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_text_next_line(void **state)
{
    (void)state;
    const char *text = "a\r\n\nlast";
    size_t pos = 0, len = 0, n = 0;
    const char *want[] = {"a\r", "", "last"};
    for (const char *line; (line = text_next_line(text, strlen(text), &pos, &len)); n++) {
        assert_true(n < 3);
        assert_int_equal(len, strlen(want[n]));
        assert_memory_equal(line, want[n], len);
    }
    assert_int_equal(n, 3);
    pos = 0, n = 0;
    while (text_next_line("x\n", 2, &pos, &len)) n++;
    assert_int_equal(n, 1);
    pos = 0;
    assert_null(text_next_line("", 0, &pos, &len));
}

/* err_prefix names where a callee's error happened, cutting the message's end (never the
 * prefix) to fit, and always leaves a terminated string. */
static void test_err_prefix(void **state)
{
    (void)state;
    char err[WG_ERR_LEN] = "no such table: x";
    err_prefix(err, sizeof err, "lake.db");
    assert_string_equal(err, "lake.db: no such table: x");
    char small[12] = "abcdefghij";
    err_prefix(small, sizeof small, "pre");
    assert_string_equal(small, "pre: abcdef");
    char tiny[4] = "ab";
    err_prefix(tiny, sizeof tiny, "longer");
    assert_string_equal(tiny, "lon");
    char full[WG_ERR_LEN];
    memset(full, 'x', sizeof full - 1);
    full[sizeof full - 1] = 0;
    err_prefix(full, sizeof full, "p");
    assert_int_equal(strlen(full), sizeof full - 1);
    assert_memory_equal(full, "p: xxx", 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_prefix),
        cmocka_unit_test(test_text_next_line),
        cmocka_unit_test(test_store_prepare_list),
        cmocka_unit_test(test_store_run),
        cmocka_unit_test(test_time_roundtrip),
        cmocka_unit_test(test_bucket),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_file_sha256),
        cmocka_unit_test(test_checkpoints_and_expectations),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
