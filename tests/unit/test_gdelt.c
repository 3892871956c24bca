/* Unit tests for the GDELT source and silver flow: index lines, MD5, backoff, unzip, CAMEO
 * lookups, the bronze ledger (once only) and every silver expectation with its actions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "shared_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/config.h"
#include "refine/cameo.h"
#include "refine/gdelt_silver.h"
#include "source/gdelt.h"
#include "format/gdelt_columns.h"
#include "store/store.h"

/* A valid export row (the first row of the real 20240715000000 export). */
static const char valid_row[] =
    "1187173785\t20230716\t202307\t2023\t2023.5370\t\t\t\t\t\t\t\t\t\t\tFJI\tFIJI\tFJI\t\t\t\t\t\t\t"
    "\t1\t042\t042\t04\t1\t1.9\t5\t1\t5\t3.30578512396694\t0\t\t\t\t\t\t\t\t1\tFiji\tFJ\tFJ\t\t-18\t178"
    "\tFJ\t1\tFiji\tFJ\tFJ\t\t-18\t178\tFJ\t20240715000000\thttps://example.org/a";

/* valid_row with column `col` (0-based) replaced by value. */
static void row_with(char *out, size_t outlen, int col, const char *value)
{
    const char *p = valid_row;
    size_t n = 0;
    for (int c = 0; c < GDELT_EVENT_COLUMNS; c++) {
        const char *tab = strchr(p, '\t');
        size_t len = tab ? (size_t)(tab - p) : strlen(p);
        n += (size_t)snprintf(out + n, outlen - n, "%s%.*s", c ? "\t" : "",
                              c == col ? (int)strlen(value) : (int)len, c == col ? value : p);
        p = tab ? tab + 1 : p + len;
    }
}

static void test_index_line(void **state)
{
    (void)state;
    gdelt_index_entry e;
    char err[128];
    const char *line = "59535 76abe2743a3f95d7a269ebd10b13fb9a "
                       "http://data.gdeltproject.org/gdeltv2/20201229090000.export.CSV.zip\r";
    assert_int_equal(gdelt_parse_index_line(line, strlen(line), &e, err, sizeof err), 0);
    assert_int_equal(e.size, 59535);
    assert_string_equal(e.md5, "76abe2743a3f95d7a269ebd10b13fb9a");
    assert_string_equal(e.name, "20201229090000.export.CSV.zip");
    assert_int_equal(e.slot_time, 1609232400); /* 2020-12-29 09:00:00 UTC */
    assert_true(gdelt_is_export_name(e.name));
    assert_false(gdelt_is_export_name("20201229090000.mentions.CSV.zip"));
    assert_false(gdelt_is_export_name("20201229090000.gkg.csv.zip"));
    const char *bad[] = {
        "", "x 76abe2743a3f95d7a269ebd10b13fb9a http://h/a.export.CSV.zip",
        "12 76abe2743a3f95d7 http://h/a.export.CSV.zip",
        "12 76abe2743a3f95d7a269ebd10b13fb9a", "12 76abe2743a3f95d7a269ebd10b13fb9a ftp://h/x",
        "12 76abe2743a3f95d7a269ebd10b13fb9a http://h/a b",
        "99999999999999999999999 76abe2743a3f95d7a269ebd10b13fb9a http://h/a",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(gdelt_parse_index_line(bad[i], strlen(bad[i]), &e, err, sizeof err), -1);
}

/* Found by fuzzing (tests/fuzz/regress/fuzz_zip_csv): a line that ends in a short URL ("htt") and
 * is not NUL-terminated made the scheme check read past its end (ASan: heap-buffer-overflow). */
static void test_index_line_short_url_at_end(void **state)
{
    (void)state;
    gdelt_index_entry e;
    char err[128];
    static const char text[] = "12 76abe2743a3f95d7a269ebd10b13fb9a htt";
    size_t n = sizeof text - 1;
    char *exact = malloc(n); /* no terminator: the line is exactly n bytes */
    assert_non_null(exact);
    memcpy(exact, text, n);
    assert_int_equal(gdelt_parse_index_line(exact, n, &e, err, sizeof err), -1);
    assert_string_equal(err, "URL is not http(s)");
    memcpy(exact + n - 3, "htt", 3);
    assert_int_equal(gdelt_parse_index_line(exact, n - 1, &e, err, sizeof err), -1);
    free(exact);
}

static void test_md5_backoff(void **state)
{
    (void)state;
    char hex[33];
    gdelt_md5_hex("", 0, hex);
    assert_string_equal(hex, "d41d8cd98f00b204e9800998ecf8427e");
    gdelt_md5_hex("abc", 3, hex);
    assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
    assert_int_equal(gdelt_backoff_ms(1, 500, 4000), 500);
    assert_int_equal(gdelt_backoff_ms(2, 500, 4000), 1000);
    assert_int_equal(gdelt_backoff_ms(4, 500, 4000), 4000);
    assert_int_equal(gdelt_backoff_ms(40, 500, 4000), 4000);
}

static void test_cameo(void **state)
{
    (void)state;
    assert_string_equal(cameo_event_description("14"), "PROTEST");
    assert_string_equal(cameo_event_description("141"), "Demonstrate or rally");
    assert_string_equal(cameo_event_description("0233"), "Appeal for humanitarian aid");
    assert_string_equal(cameo_event_description_n("042xyz", 3), "Make a visit");
    assert_null(cameo_event_description("999"));
    assert_null(cameo_event_description(""));
    assert_null(cameo_event_description_n("01234", 5));
    assert_int_equal(cameo_event_count(), 310);
}

static void read_file(const char *path, buf *out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) assert_int_equal(buf_append(out, chunk, n), 0);
    fclose(f);
}

static void test_unzip(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s", shared_path("data/gdelt/20240715000000.export.CSV.zip"));
    buf zip = BUF_INIT, csv = BUF_INIT;
    read_file(path, &zip);
    char err[512], md5[33];
    gdelt_md5_hex(zip.data, zip.len, md5);
    assert_int_equal(gdelt_unzip_csv(zip.data, zip.len, 1 << 30, &csv, err, sizeof err), 0);
    assert_int_equal(csv.len, 726296);
    size_t lines = 0;
    for (size_t i = 0; i < csv.len; i++) lines += csv.data[i] == '\n';
    assert_int_equal(lines, 1766);
    /* Size cap */
    assert_int_equal(gdelt_unzip_csv(zip.data, zip.len, 1000, &csv, err, sizeof err), -1);
    assert_non_null(strstr(err, "cap"));
    /* A corrupted archive (bytes flipped in the compressed data) and a truncated one. */
    zip.data[zip.len / 2] ^= 0x55;
    zip.data[zip.len / 2 + 1] ^= 0x55;
    assert_int_equal(gdelt_unzip_csv(zip.data, zip.len, 1 << 30, &csv, err, sizeof err), -1);
    assert_int_equal(gdelt_unzip_csv(zip.data, zip.len / 3, 1 << 30, &csv, err, sizeof err), -1);
    assert_int_equal(gdelt_unzip_csv("not a zip", 9, 1 << 30, &csv, err, sizeof err), -1);
    buf_free(&zip);
    buf_free(&csv);
}

typedef struct fixture {
    char path[256];
    sqlite3 *db;
    config *cfg;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/wg-unit-gdelt-%d.db", (int)getpid());
    unlink(f->path);
    f->cfg = config_new();
    char err[512];
    if (store_open(f->path, f->cfg, 0, &f->db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->db);
    config_free(f->cfg);
    char p[300];
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    free(f);
    return 0;
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void q_text(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, outlen, "%s", t ? (const char *)t : "NULL");
    sqlite3_finalize(st);
}

static void commit_text(sqlite3 *db, const char *name, const char *text, int expect_rc)
{
    gdelt_file_meta meta = {name, name, "file", (int64_t)strlen(text), NULL, -1, NULL, 1};
    int64_t rows;
    char err[256];
    assert_int_equal(gdelt_bronze_commit_file(db, &meta, text, strlen(text), &rows, err, sizeof err),
                     expect_rc);
}

static void test_schema_matches_columns(void **state)
{
    fixture *f = *state;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT name, type FROM pragma_table_xinfo('gdelt_silver')",
                                        -1, &st, NULL), SQLITE_OK);
    static const char *types[] = {"INTEGER", "REAL", "TEXT"};
    int i = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        if (i == 0) assert_string_equal(name, "silver_id");
        if (i == 1) assert_string_equal(name, "bronze_id");
        if (i >= 2 && i < 2 + GDELT_EVENT_COLUMNS) {
            assert_string_equal(name, gdelt_event_columns[i - 2].name);
            assert_string_equal(type, types[gdelt_event_columns[i - 2].type]);
        }
        if (i == 2 + GDELT_EVENT_COLUMNS) assert_string_equal(name, "EventID");
        i++;
    }
    sqlite3_finalize(st);
    assert_int_equal(i, 2 + GDELT_EVENT_COLUMNS + 5);
    /* Every column of every gdelt table has a catalog description. */
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM pragma_table_xinfo('gdelt_silver') p WHERE NOT"
                                  " EXISTS (SELECT 1 FROM catalog_columns c WHERE"
                                  " c.table_name='gdelt_silver' AND c.column_name=p.name)"), 0);
    const char *tables[] = {"gdelt_ledger", "gdelt_bronze", "gdelt_quarantine",
                            "gdelt_silver_batches", "gdelt_quality", "gdelt_fips_countries"};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM pragma_table_info('%s') p WHERE NOT EXISTS (SELECT 1 FROM"
                 " catalog_columns c WHERE c.table_name='%s' AND c.column_name=p.name)",
                 tables[t], tables[t]);
        assert_int_equal(q_int(f->db, sql), 0);
    }
}

static void test_bronze_once(void **state)
{
    fixture *f = *state;
    buf text = BUF_INIT;
    buf_appendf(&text, "%s\r\n\n%s\n", valid_row, valid_row);
    commit_text(f->db, "a.export.CSV", text.data, 0);
    commit_text(f->db, "a.export.CSV", text.data, 1); /* already ingested: nothing written */
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM gdelt_bronze"), 2);
    assert_int_equal(q_int(f->db, "SELECT group_concat(line_number) = '1,3' FROM gdelt_bronze"), 1);
    assert_int_equal(q_int(f->db, "SELECT rows FROM gdelt_ledger WHERE name='a.export.CSV'"), 2);
    assert_int_equal(q_int(f->db, "SELECT instr(raw_line, char(13)) FROM gdelt_bronze LIMIT 1"), 0);
    /* A failure never downgrades an ingested file; a failed file can be ingested later. */
    gdelt_file_meta meta = {"a.export.CSV", "x", "live", -1, NULL, 10, "00", 2};
    assert_int_equal(gdelt_ledger_record_failure(f->db, &meta, "boom"), 0);
    assert_int_equal(q_int(f->db, "SELECT status='ingested' FROM gdelt_ledger WHERE name='a.export.CSV'"), 1);
    meta.name = "b.export.CSV";
    assert_int_equal(gdelt_ledger_record_failure(f->db, &meta, "HTTP status 500"), 0);
    assert_int_equal(gdelt_ledger_is_ingested(f->db, "b.export.CSV"), 0);
    commit_text(f->db, "b.export.CSV", valid_row, 0);
    assert_int_equal(q_int(f->db, "SELECT attempts FROM gdelt_ledger WHERE name='b.export.CSV'"), 3);
    assert_int_equal(q_int(f->db, "SELECT error IS NULL AND status='ingested' FROM gdelt_ledger"
                                  " WHERE name='b.export.CSV'"), 1);
    /* A line too long to be an event row rejects the file without writing anything. */
    size_t big = (16u << 20) + 10;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, 'x', big);
    huge[big] = '\0';
    gdelt_file_meta hm = {"huge.export.CSV", "huge", "file", (int64_t)big, NULL, -1, NULL, 1};
    int64_t rows;
    char err[256];
    assert_int_equal(gdelt_bronze_commit_file(f->db, &hm, huge, big, &rows, err, sizeof err), 2);
    assert_non_null(strstr(err, "line 1"));
    assert_int_equal(gdelt_ledger_is_ingested(f->db, "huge.export.CSV"), 0);
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM gdelt_bronze"), 3);
    free(huge);
    buf_free(&text);
}

/* One bad row per rule, plus valid rows and a duplicate. */
static void build_mixed_file(buf *text)
{
    char row[4096];
    buf_appendf(text, "%s\n", valid_row);                        /* valid */
    row_with(row, sizeof row, 0, "1187173786");
    buf_appendf(text, "%s\n", row);                              /* valid */
    buf_appendf(text, "%s\n", valid_row);                        /* duplicate id */
    buf_appendf(text, "1\t2\t3\n");                              /* column_count */
    row_with(row, sizeof row, 0, "12x");
    buf_appendf(text, "%s\n", row);                              /* id */
    char row2[4096];
    row_with(row2, sizeof row2, 1, "20231345");
    /* give it a fresh id too */
    memcpy(row2, "1187173788", 10);
    buf_appendf(text, "%s\n", row2);                             /* date */
    row_with(row, sizeof row, 26, "999");
    memcpy(row, "1187173789", 10);
    buf_appendf(text, "%s\n", row);                              /* event_code */
    row_with(row, sizeof row, GDELT_COL_ACTIONGEO_LAT, "95.5");
    memcpy(row, "1187173790", 10);
    buf_appendf(text, "%s\n", row);                              /* lat_long */
    row_with(row, sizeof row, GDELT_COL_AVGTONE, "-150");
    memcpy(row, "1187173791", 10);
    buf_appendf(text, "%s\n", row);                              /* avg_tone */
}

static void test_silver_quarantine(void **state)
{
    fixture *f = *state;
    buf text = BUF_INIT;
    build_mixed_file(&text);
    commit_text(f->db, "mixed.export.CSV", text.data, 0);
    flow_stats st;
    memset(&st, 0, sizeof st);
    char err[512] = "";
    assert_int_equal(gdelt_silver_run(f->db, f->cfg, &st, err, sizeof err), 0);
    assert_int_equal(st.read, 9);
    assert_int_equal(st.written, 2);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(st.quarantined, 6);
    char s[512];
    q_text(f->db, "SELECT group_concat(rule, ',') FROM (SELECT rule FROM gdelt_quarantine ORDER BY line_number)",
           s, sizeof s);
    assert_string_equal(s, "column_count,id,date,event_code,lat_long,avg_tone");
    q_text(f->db, "SELECT detail FROM gdelt_quarantine WHERE rule='event_code'", s, sizeof s);
    assert_non_null(strstr(s, "'999'"));
    assert_int_equal(q_int(f->db, "SELECT raw_line = (SELECT raw_line FROM gdelt_bronze b WHERE"
                                  " b.bronze_id=q.bronze_id) FROM gdelt_quarantine q WHERE rule='avg_tone'"), 1);
    q_text(f->db, "SELECT failed_rules FROM gdelt_quarantine WHERE rule='column_count'", s, sizeof s);
    assert_string_equal(s, "column_count,date,event_code,avg_tone"); /* "1" is a valid id */
    /* Typed columns and derived ones. */
    q_text(f->db, "SELECT typeof(GLOBALEVENTID)||typeof(AvgTone)||typeof(EventCode)||typeof(Actor1Code)"
                  "||'|'||event_time||'|'||time_bucket||'|'||event_description||'|'||event_root_description"
                  " FROM gdelt_silver ORDER BY silver_id LIMIT 1", s, sizeof s);
    assert_string_equal(s, "integerrealtextnull|2024-07-15 00:00:00|2024-07-15 00:00:00|Make a visit|CONSULT");
    assert_int_equal(q_int(f->db, "SELECT EventID FROM gdelt_silver ORDER BY silver_id LIMIT 1"), 1187173785);
    /* Counts per batch and the valid rate. */
    assert_int_equal(q_int(f->db, "SELECT rows_valid FROM gdelt_quality"), 3);
    assert_int_equal(q_int(f->db, "SELECT SUM(failed) FROM expectation_counts WHERE flow='gdelt_silver'"
                                  " AND rule='id'"), 1);
    /* Nothing pending: a second run adds nothing. */
    memset(&st, 0, sizeof st);
    assert_int_equal(gdelt_silver_run(f->db, f->cfg, &st, err, sizeof err), 0);
    assert_int_equal(st.read, 0);
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM gdelt_silver"), 2);
    buf_free(&text);
}

static void test_silver_actions(void **state)
{
    fixture *f = *state;
    buf text = BUF_INIT;
    build_mixed_file(&text);
    commit_text(f->db, "mixed.export.CSV", text.data, 0);
    config_set(f->cfg, "expect.gdelt_silver.event_code", "warn");
    config_set(f->cfg, "expect.gdelt_silver.avg_tone", "drop");
    config_set(f->cfg, "expect.gdelt_silver.id", "warn"); /* cannot keep an id-less row: quarantined */
    config_set(f->cfg, "gdelt.silver_batch_rows", "4");
    flow_stats st;
    memset(&st, 0, sizeof st);
    char err[512] = "";
    assert_int_equal(gdelt_silver_run(f->db, f->cfg, &st, err, sizeof err), 0);
    assert_int_equal(st.batches, 3);
    assert_int_equal(st.written, 3);  /* two valid + the unknown EventCode kept with a warning */
    assert_int_equal(st.warned, 1);
    assert_int_equal(st.dropped, 1);
    assert_int_equal(st.quarantined, 4); /* column_count, id, date, lat_long */
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM gdelt_silver WHERE EventCode='999' AND"
                                  " event_description IS NULL"), 1);
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM gdelt_silver_batches"), 3);
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM gdelt_quarantine WHERE rule='id'"), 1);

    /* fail: the batch rolls back and the checkpoint stays. */
    commit_text(f->db, "more.export.CSV", "1\t2\n", 0);
    config_set(f->cfg, "expect.gdelt_silver.column_count", "fail");
    int64_t before = q_int(f->db, "SELECT COUNT(*) FROM gdelt_quarantine");
    assert_int_equal(gdelt_silver_run(f->db, f->cfg, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "column_count"));
    assert_non_null(strstr(err, "more.export.CSV line 1"));
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM gdelt_quarantine"), before);
    config_set(f->cfg, "expect.gdelt_silver.column_count", "bogus");
    assert_int_equal(gdelt_silver_run(f->db, f->cfg, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "expect.gdelt_silver.column_count"));
    buf_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_line),
        cmocka_unit_test(test_index_line_short_url_at_end),
        cmocka_unit_test(test_md5_backoff),
        cmocka_unit_test(test_cameo),
        cmocka_unit_test(test_unzip),
        cmocka_unit_test_setup_teardown(test_schema_matches_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bronze_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silver_quarantine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silver_actions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
