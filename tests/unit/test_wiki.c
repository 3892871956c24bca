/* Unit tests for the Wikimedia source and silver flow: the wikiticker mapping field by field,
 * UTF-8 checks, time shifting, file replay into bronze with resume, and the silver flow's
 * typing, dedupe, expectations and content filters. */
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
#include "format/utf8.h"
#include "refine/wiki_silver.h"
#include "source/wiki_ingest.h"
#include "source/wiki_record.h"
#include "store/store.h"

static void test_wikiticker_mapping(void **state)
{
    (void)state;
    const char *line =
        "{\"time\":\"2015-09-12T00:47:00.496Z\",\"channel\":\"#ca.wikipedia\",\"cityName\":null,"
        "\"comment\":\"Robot inserta\",\"countryIsoCode\":null,\"countryName\":null,"
        "\"isAnonymous\":false,\"isMinor\":true,\"isNew\":false,\"isRobot\":true,"
        "\"isUnpatrolled\":false,\"metroCode\":null,\"namespace\":\"Main\",\"page\":\"Rallicula x\","
        "\"regionIsoCode\":null,\"regionName\":null,\"user\":\"PereBot\",\"delta\":17,\"added\":17,"
        "\"deleted\":0}";
    json_t *src = json_loads(line, 0, NULL);
    assert_non_null(src);
    buf out = BUF_INIT;
    char err[160];
    assert_int_equal(wiki_map_wikiticker(src, 1234, line, strlen(line), &out, err, sizeof err), 0);
    json_t *ev = json_loads(out.data, 0, NULL);
    assert_non_null(ev);
    json_t *meta = json_object_get(ev, "meta");
    assert_string_equal(json_string_value(json_object_get(meta, "dt")), "2015-09-12T00:47:00.496Z");
    assert_int_equal(json_integer_value(json_object_get(ev, "timestamp")), 1442018820);
    assert_string_equal(json_string_value(json_object_get(ev, "server_name")), "ca.wikipedia.org");
    assert_string_equal(json_string_value(json_object_get(ev, "server_url")), "https://ca.wikipedia.org");
    assert_string_equal(json_string_value(json_object_get(ev, "wiki")), "cawiki");
    assert_string_equal(json_string_value(json_object_get(ev, "title")), "Rallicula x");
    assert_string_equal(json_string_value(json_object_get(meta, "uri")),
                        "https://ca.wikipedia.org/wiki/Rallicula_x");
    assert_int_equal(json_integer_value(json_object_get(ev, "namespace")), 0);
    assert_string_equal(json_string_value(json_object_get(ev, "type")), "edit");
    assert_true(json_is_true(json_object_get(ev, "bot")));
    assert_true(json_is_true(json_object_get(ev, "minor")));
    assert_true(json_is_true(json_object_get(ev, "patrolled")));
    assert_string_equal(json_string_value(json_object_get(ev, "user")), "PereBot");
    assert_string_equal(json_string_value(json_object_get(ev, "comment")), "Robot inserta");
    assert_int_equal(json_integer_value(json_object_get(meta, "offset")), 1234);
    assert_null(json_object_get(ev, "length"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ev, "wikiticker"), "delta")), 17);
    /* meta.id: a stable name-based UUID; another offset gives another id */
    const char *id = json_string_value(json_object_get(meta, "id"));
    assert_int_equal(strlen(id), 36);
    assert_int_equal(id[14], '5');
    buf again = BUF_INIT;
    assert_int_equal(wiki_map_wikiticker(src, 1234, line, strlen(line), &again, err, sizeof err), 0);
    assert_string_equal(again.data, out.data);
    buf_reset(&again);
    assert_int_equal(wiki_map_wikiticker(src, 99, line, strlen(line), &again, err, sizeof err), 0);
    json_t *ev2 = json_loads(again.data, 0, NULL);
    assert_string_not_equal(json_string_value(json_object_get(json_object_get(ev2, "meta"), "id")), id);
    json_decref(ev2);
    json_decref(ev);
    json_decref(src);
    /* new page on another project, talk namespace, unpatrolled, localized namespace unknown */
    const char *l2 = "{\"time\":\"2015-09-12T01:00:00Z\",\"channel\":\"#en.wiktionary\",\"page\":\"Talk:x\","
                     "\"namespace\":\"Talk\",\"isNew\":true,\"isUnpatrolled\":true,\"user\":\"A\"}";
    src = json_loads(l2, 0, NULL);
    buf_reset(&out);
    assert_int_equal(wiki_map_wikiticker(src, 0, l2, strlen(l2), &out, err, sizeof err), 0);
    ev = json_loads(out.data, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(ev, "wiki")), "enwiktionary");
    assert_string_equal(json_string_value(json_object_get(ev, "type")), "new");
    assert_int_equal(json_integer_value(json_object_get(ev, "namespace")), 1);
    assert_true(json_is_false(json_object_get(ev, "patrolled")));
    json_decref(ev);
    json_decref(src);
    /* a title holding \u0000: both mappings keep the whole title, and agree byte for byte */
    const char *l3 = "{\"time\":\"2015-09-12T01:00:00Z\",\"channel\":\"#de.wikipedia\","
                     "\"page\":\"A\\u0000B\",\"namespace\":\"Main\"}";
    src = json_loadb(l3, strlen(l3), JSON_ALLOW_NUL, NULL);
    assert_non_null(src);
    json_t *obj = wiki_map_wikiticker_json(src, 5, l3, strlen(l3), err, sizeof err);
    assert_non_null(obj);
    assert_int_equal(json_string_length(json_object_get(obj, "title")), 3);
    assert_int_equal(json_string_length(json_object_get(json_object_get(obj, "meta"), "uri")),
                     strlen("https://de.wikipedia.org/wiki/") + 3);
    char *dump = json_dumps(obj, JSON_COMPACT);
    buf text = BUF_INIT;
    assert_int_equal(wiki_map_wikiticker_text(src, 5, l3, strlen(l3), &text, err, sizeof err), 0);
    assert_int_equal(text.len, strlen(dump));
    assert_memory_equal(text.data, dump, text.len);
    free(dump);
    buf_free(&text);
    json_decref(obj);
    json_decref(src);
    assert_int_equal(wiki_namespace_number("Benutzer"), -1);
    assert_int_equal(wiki_namespace_number("Category"), 14);
    /* a channel must make a host and a wiki name: no '/', no cut or foreign characters */
    static const char *const bad_channels[] = {
        "#en.wiki/pedia", "#en.wiki\\u00e9", "#.wikipedia", "#en.",
        "#en.wikipediawikipediawikipediawikipediawikipediawikipediawikipedia1"};
    for (size_t i = 0; i < sizeof bad_channels / sizeof bad_channels[0]; i++) {
        char l4[256];
        snprintf(l4, sizeof l4, "{\"time\":\"2015-09-12T01:00:00Z\",\"channel\":\"%s\",\"page\":\"A\"}",
                 bad_channels[i]);
        src = json_loads(l4, 0, NULL);
        assert_non_null(src);
        err[0] = '\0';
        assert_int_equal(wiki_map_wikiticker(src, 0, l4, strlen(l4), &out, err, sizeof err), -1);
        assert_non_null(strstr(err, "channel"));
        json_decref(src);
    }
    /* missing fields are named */
    src = json_loads("{\"time\":\"x\"}", 0, NULL);
    assert_int_equal(wiki_map_wikiticker(src, 0, "", 0, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, "time"));
    json_decref(src);
    buf_free(&out);
    buf_free(&again);
}

static void test_utf8_and_time(void **state)
{
    (void)state;
    size_t bad;
    assert_true(utf8_valid("plain ascii text here", 21, &bad));
    assert_true(utf8_valid("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80", 14, &bad));
    assert_false(utf8_valid("ab\xff", 3, &bad));
    assert_int_equal(bad, 2);
    assert_false(utf8_valid("ab\xc0\xaf", 4, &bad));        /* overlong */
    assert_false(utf8_valid("\xed\xa0\x80", 3, &bad));      /* surrogate */
    assert_false(utf8_valid("0123456789\xe2\x86", 12, &bad)); /* truncated */
    assert_int_equal(bad, 10);
    buf b = BUF_INIT;
    utf8_escape("a\xffz", 3, &b);
    assert_string_equal(b.data, "a\\xFFz");
    buf_free(&b);
    int64_t ms;
    assert_int_equal(wiki_parse_iso_ms("2015-09-12T00:46:58.771Z", &ms), 0);
    assert_int_equal(ms, 1442018818771LL);
    char iso[32];
    wiki_format_iso_ms(ms, iso);
    assert_string_equal(iso, "2015-09-12T00:46:58.771Z");
    json_t *ev = json_loads("{\"meta\":{\"dt\":\"2015-09-12T00:46:58Z\"},\"timestamp\":1442018818}", 0, NULL);
    int64_t origin;
    assert_int_equal(wiki_parse_iso_ms("2024-07-15T00:00:00Z", &origin), 0);
    assert_int_equal(wiki_event_shift_time(ev, origin - 1442018818000LL), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "meta"), "dt")),
                        "2024-07-15T00:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(ev, "timestamp")), 1721001600);
    json_decref(ev);
}

/* ------------------------------------------------------------ bronze and silver in a store */

typedef struct fixture {
    char dir[64];
    char db_path[128];
    sqlite3 *db;
    config *cfg;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wg-test-wiki.XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->db_path, sizeof f->db_path, "%s/lake.db", f->dir);
    f->cfg = config_new();
    char err[256];
    if (store_open(f->db_path, f->cfg, 0, &f->db, err, sizeof err) != 0) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->db);
    config_free(f->cfg);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void q_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    out[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static void write_file(const char *path, const char *text, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, n, fp), n);
    fclose(fp);
}

#define EV(id, dt, extra)                                                                   \
    "{\"meta\":{\"id\":\"" id "\",\"dt\":\"" dt "\",\"uri\":\"https://en.wikipedia.org/wiki/P\"," \
    "\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"offset\":5},"             \
    "\"server_name\":\"en.wikipedia.org\",\"wiki\":\"enwiki\"" extra "}"

static void test_file_replay_and_silver(void **state)
{
    fixture *f = *state;
    char path[200];
    snprintf(path, sizeof path, "%s/rec.ndjson", f->dir);
    /* good events, a duplicate meta.id, bad JSON, invalid UTF-8, a non-object, a commons edit,
     * a talk page, a bot edit, a log entry, a row without meta.id, a bad time, an oversized line */
    buf rec = BUF_INIT;
    buf_append_str(&rec, EV("a1", "2024-07-15T01:02:03Z", ",\"type\":\"edit\",\"namespace\":0,\"title\":\"P\","
                                                          "\"bot\":false,\"user\":\"U\",\"comment\":\"c\",\"length\":{\"old\":10,\"new\":12},"
                                                          "\"revision\":{\"old\":1,\"new\":2},\"minor\":false,\"patrolled\":true") "\n");
    buf_append_str(&rec, EV("a1", "2024-07-15T01:02:03Z", ",\"type\":\"edit\",\"namespace\":0,\"title\":\"P\"") "\n");
    buf_append_str(&rec, "{\"meta\": {\"id\": \"broken\n");
    buf_append_str(&rec, "{\"title\":\"\xff\xfe\"}\n");
    buf_append_str(&rec, "[1,2,3]\n");
    buf_append_str(&rec, "{\"meta\":{\"id\":\"c1\",\"dt\":\"2024-07-15T05:00:00Z\"},\"server_name\":\"commons.wikimedia.org\","
                         "\"wiki\":\"commonswiki\",\"type\":\"edit\",\"namespace\":0,\"title\":\"F\"}\n");
    buf_append_str(&rec, EV("t1", "2024-07-15T02:00:00Z", ",\"type\":\"edit\",\"namespace\":1,\"title\":\"Talk:P\"") "\n");
    buf_append_str(&rec, EV("b1", "2024-07-15T03:00:00Z", ",\"type\":\"new\",\"namespace\":0,\"title\":\"Q\",\"bot\":true") "\n");
    buf_append_str(&rec, EV("l1", "2024-07-15T03:30:00Z", ",\"type\":\"log\",\"namespace\":0,\"title\":\"P\"") "\n");
    buf_append_str(&rec, "{\"meta\":{\"dt\":\"2024-07-15T01:00:00Z\"},\"title\":\"no id\"}\n");
    buf_append_str(&rec, EV("d1", "not a time", ",\"type\":\"edit\",\"namespace\":0,\"title\":\"P\"") "\n");
    buf_append_str(&rec, "{\"big\":\"");
    for (int i = 0; i < 3000; i++) buf_append_str(&rec, "y");
    buf_append_str(&rec, "\"}\n");
    buf_append_str(&rec, EV("z1", "2024-07-15T04:00:00Z", ",\"type\":\"edit\",\"namespace\":0,\"title\":\"Z\"")); /* no final LF */
    write_file(path, rec.data, rec.len);
    buf_free(&rec);

    config_set(f->cfg, "wiki.max_event_bytes", "2000");
    config_set(f->cfg, "wiki.batch_events", "3");
    wiki_ingest_options opt;
    memset(&opt, 0, sizeof opt);
    opt.file = path;
    opt.max_events = 6; /* stop part-way, then resume where the commit left off */
    wiki_ingest_stats st;
    char err[512];
    assert_int_equal(wiki_ingest_run(f->db, f->cfg, &opt, &st, err, sizeof err), 0);
    assert_int_equal(st.events + st.quarantined, 6);
    opt.max_events = 0;
    assert_int_equal(wiki_ingest_run(f->db, f->cfg, &opt, &st, err, sizeof err), 0);
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM wikimedia_bronze"), 9);
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM wikimedia_quarantine WHERE stage='ingest'"), 4);
    char text[512];
    q_text(f->db, "SELECT group_concat(reason, ' | ') FROM (SELECT reason FROM wikimedia_quarantine ORDER BY quarantine_id)", text, sizeof text);
    assert_non_null(strstr(text, "invalid JSON at line"));
    assert_non_null(strstr(text, "invalid UTF-8 at byte 10"));
    assert_non_null(strstr(text, "JSON is not an object"));
    assert_non_null(strstr(text, "line longer than 2000 bytes"));
    /* the resume token is the end of the file; a third run adds nothing */
    assert_int_equal(wiki_ingest_run(f->db, f->cfg, &opt, &st, err, sizeof err), 0);
    assert_int_equal(st.events + st.quarantined, 0);

    flow_stats fs;
    memset(&fs, 0, sizeof fs);
    assert_int_equal(wiki_silver_run(f->db, f->cfg, &fs, err, sizeof err), 0);
    assert_int_equal(fs.read, 9);
    assert_int_equal(fs.duplicates, 1);
    assert_int_equal(fs.quarantined, 2); /* no meta.id, bad time */
    assert_int_equal(fs.written, 6);
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM wikimedia_silver"), 6);
    q_text(f->db, "SELECT event_time||'|'||time_bucket||'|'||wiki||'|'||server_name||'|'||namespace||'|'||"
                  "title||'|'||page_url||'|'||type||'|'||bot||'|'||user||'|'||comment||'|'||length_old||'|'||"
                  "length_new||'|'||revision_old||'|'||revision_new||'|'||minor||'|'||patrolled||'|'||is_content"
                  " FROM wikimedia_silver WHERE event_id='a1'", text, sizeof text);
    assert_string_equal(text, "2024-07-15 01:02:03|2024-07-15 00:00:00|enwiki|en.wikipedia.org|0|P|"
                              "https://en.wikipedia.org/wiki/P|edit|0|U|c|10|12|1|2|0|1|1");
    /* default content: namespace 0 edits and new pages on *.wikipedia.org; bots kept, flagged */
    q_text(f->db, "SELECT group_concat(event_id||'='||is_content, ',') FROM (SELECT * FROM wikimedia_silver ORDER BY silver_id)",
           text, sizeof text);
    assert_string_equal(text, "a1=1,c1=0,t1=0,b1=1,l1=0,z1=1");
    assert_int_equal(q_int(f->db, "SELECT bot FROM wikimedia_silver WHERE event_id='b1'"), 1);
    q_text(f->db, "SELECT group_concat(reason, ' | ') FROM wikimedia_quarantine WHERE stage='silver'", text, sizeof text);
    assert_non_null(strstr(text, "event_id_present"));
    assert_non_null(strstr(text, "event_time_valid"));
    assert_true(q_int(f->db, "SELECT SUM(failed) FROM expectation_counts WHERE flow='wikimedia_silver'") >= 2);
    /* running again finds nothing new */
    memset(&fs, 0, sizeof fs);
    assert_int_equal(wiki_silver_run(f->db, f->cfg, &fs, err, sizeof err), 0);
    assert_int_equal(fs.read, 0);
}

static void test_silver_filters_and_fail(void **state)
{
    fixture *f = *state;
    char path[200];
    snprintf(path, sizeof path, "%s/rec2.ndjson", f->dir);
    const char *text =
        EV("x1", "2024-07-15T01:00:00Z", ",\"type\":\"edit\",\"namespace\":0,\"title\":\"A\",\"bot\":true") "\n"
        EV("x2", "2024-07-15T01:00:00Z", ",\"type\":\"edit\",\"namespace\":4,\"title\":\"B\"") "\n"
        EV("x3", "2024-07-15T01:00:00Z", ",\"type\":\"odd\",\"namespace\":0,\"title\":\"C\"") "\n";
    write_file(path, text, strlen(text));
    config_set(f->cfg, "wiki.content_exclude_bots", "true");
    config_set(f->cfg, "wiki.content_namespaces", "0,4");
    config_set(f->cfg, "wiki.content_wikis", "enwiki,dewiki");
    config_set(f->cfg, "expect.wikimedia_silver.type_known", "fail");
    wiki_ingest_options opt;
    memset(&opt, 0, sizeof opt);
    opt.file = path;
    wiki_ingest_stats st;
    char err[512];
    assert_int_equal(wiki_ingest_run(f->db, f->cfg, &opt, &st, err, sizeof err), 0);
    flow_stats fs;
    memset(&fs, 0, sizeof fs);
    /* type 'odd' with action fail stops the flow, and the batch is rolled back */
    assert_int_equal(wiki_silver_run(f->db, f->cfg, &fs, err, sizeof err), -1);
    assert_non_null(strstr(err, "type_known"));
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM wikimedia_silver"), 0);
    config_set(f->cfg, "expect.wikimedia_silver.type_known", "drop");
    memset(&fs, 0, sizeof fs);
    assert_int_equal(wiki_silver_run(f->db, f->cfg, &fs, err, sizeof err), 0);
    assert_int_equal(fs.dropped, 1);
    char out[256];
    q_text(f->db, "SELECT group_concat(event_id||'='||is_content, ',') FROM (SELECT * FROM wikimedia_silver ORDER BY silver_id)",
           out, sizeof out);
    assert_string_equal(out, "x1=0,x2=1");
    /* a bad action word is an error that names the setting */
    config_set(f->cfg, "expect.wikimedia_silver.title_present", "explode");
    assert_int_equal(wiki_silver_run(f->db, f->cfg, &fs, err, sizeof err), -1);
    assert_non_null(strstr(err, "title_present"));
}

static void test_wikiticker_file_counts(void **state)
{
    fixture *f = *state;
    char path[4096];
    snprintf(path, sizeof path, "%s", shared_path("data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"));
    wiki_ingest_options opt;
    memset(&opt, 0, sizeof opt);
    opt.file = path;
    opt.max_events = 5000; /* resume from the middle of the gzip stream */
    wiki_ingest_stats st;
    char err[512];
    assert_int_equal(wiki_ingest_run(f->db, f->cfg, &opt, &st, err, sizeof err), 0);
    opt.max_events = 0;
    assert_int_equal(wiki_ingest_run(f->db, f->cfg, &opt, &st, err, sizeof err), 0);
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM wikimedia_bronze"), 39244);
    assert_int_equal(q_int(f->db, "SELECT COUNT(DISTINCT meta_id) FROM wikimedia_bronze"), 39244);
    flow_stats fs;
    memset(&fs, 0, sizeof fs);
    assert_int_equal(wiki_silver_run(f->db, f->cfg, &fs, err, sizeof err), 0);
    assert_int_equal(fs.written, 39244);
    /* 31,548 edits are in namespace Main, all on *.wikipedia channels */
    assert_int_equal(q_int(f->db, "SELECT SUM(is_content) FROM wikimedia_silver"), 31548);
    assert_int_equal(q_int(f->db, "SELECT COUNT(DISTINCT wiki) FROM wikimedia_silver"), 51);
    assert_int_equal(q_int(f->db, "SELECT COUNT(*) FROM wikimedia_silver WHERE event_time < '2015-09-12' OR event_time >= '2015-09-13'"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wikiticker_mapping),
        cmocka_unit_test(test_utf8_and_time),
        cmocka_unit_test_setup_teardown(test_file_replay_and_silver, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silver_filters_and_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wikiticker_file_counts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
