/* The field scanner (source/wiki_fields.c) against jansson: on every event of every recording in
 * $WG_SHARED/data and on mutated and malformed texts, whenever the scanner decides, jansson
 * parses the same text into an object with exactly the same fields; whenever jansson rejects a
 * text (or it is not an object), the scanner declines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "shared_data.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "format/utf8.h"
#include "format/wiki_fields.h"
#include "source/wiki_record.h"

typedef struct tally {
    long scanned, declined, rejected;
} tally;

static void assert_same_fields(const wiki_fields *a, const wiki_fields *b, const char *text)
{
    for (int i = 0; i < WF_COUNT; i++) {
        const wiki_value *x = &a->v[i], *y = &b->v[i];
        if (x->kind != y->kind || (x->kind == WV_INT && x->i != y->i) ||
            (x->kind == WV_STR && strcmp(x->s, y->s) != 0)) {
            print_error("field %d differs (kind %d vs %d) on: %.300s\n", i, x->kind, y->kind, text);
            fail();
        }
    }
}

/* One text, checked both ways. Texts that are not valid UTF-8 are not given to the scanner (the
 * ingest quarantines them before). */
static void check_text(const char *text, size_t len, tally *t)
{
    size_t bad;
    if (!utf8_valid(text, len, &bad)) return;
    wiki_fields scan = {0}, ref = {0};
    int rc = wiki_fields_scan(&scan, text, len);
    assert_true(rc == 0 || rc == 1);
    json_error_t jerr;
    json_t *ev = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
    if (!json_is_object(ev)) {
        if (rc == 1) {
            print_error("scanner accepted what jansson rejects (%s): %.300s\n",
                        ev ? "not an object" : jerr.text, text);
            fail();
        }
        t->rejected++;
    } else if (rc == 1) {
        wiki_fields_from_json(&ref, ev);
        assert_same_fields(&scan, &ref, text);
        t->scanned++;
    } else {
        t->declined++;
    }
    json_decref(ev);
    wiki_fields_free(&scan);
    wiki_fields_free(&ref);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Mutations of one event: truncations, deleted, replaced and inserted bytes (with the characters
 * JSON cares about), duplicated spans. */
static void mutate_and_check(const char *text, size_t len, int rounds, tally *t)
{
    static const char specials[] = "{}[]\":,\\ntfu0123456789-+.eE \t\r\n\x01\x7f";
    static const char *inserts[] = {"\\u0000", "\\ud83d", "\\ud83d\\ude00", "\\u00e9", "\\/",
                                    "\\x", "1e5", "-0", "01", "1.", ".5", "99999999999999999999",
                                    "true", "nul", "\"meta\":{}", "\"title\":1,", "\"bot\":2,",
                                    "[[[]]]", ",", "\xc3\xa9", "\"\\u0074itle\":\"x\","};
    char *m = malloc(len + 64);
    assert_non_null(m);
    size_t step = len / 40 + 1;
    for (size_t cut = 0; cut < len; cut += step) check_text(text, cut, t);
    for (int r = 0; r < rounds; r++) {
        size_t pos = len ? rnd() % len : 0, n = len;
        memcpy(m, text, len);
        switch (rnd() % 4) {
        case 0: /* delete a byte */
            if (len) {
                memmove(m + pos, m + pos + 1, len - pos - 1);
                n = len - 1;
            }
            break;
        case 1: /* replace a byte */
            if (len) m[pos] = specials[rnd() % (sizeof specials - 1)];
            break;
        case 2: { /* insert a snippet */
            const char *ins = inserts[rnd() % (sizeof inserts / sizeof *inserts)];
            size_t il = strlen(ins);
            memmove(m + pos + il, m + pos, len - pos);
            memcpy(m + pos, ins, il);
            n = len + il;
            break;
        }
        default: { /* duplicate a short span (repeats keys) */
            size_t span = 1 + rnd() % 40;
            if (pos + span > len) span = len - pos;
            if (span > 60) span = 60;
            memmove(m + pos + span, m + pos, len - pos);
            n = len + span;
            break;
        }
        }
        check_text(m, n, t);
    }
    free(m);
}

static void test_handwritten(void **state)
{
    (void)state;
    static const char *cases[] = {
        "{}", " {} ", "{\"meta\":{\"id\":\"a\",\"dt\":\"2020-01-01T00:00:00Z\"}}", "[]", "[{}]",
        "\"x\"", "1", "null", "", "   ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
        "{\"a\":1}x", "{\"a\":1} {}", "\xef\xbb\xbf{}", "{\"title\":\"a\",\"title\":\"b\"}",
        "{\"meta\":1,\"meta\":{\"id\":\"x\"}}", "{\"meta\":{\"id\":\"x\",\"id\":\"y\"}}",
        "{\"meta\":\"str\",\"length\":[1],\"revision\":null}", "{\"ti\\u0074le\":\"x\"}",
        "{\"title\":\"a\\u0000b\"}", "{\"title\":\"\\ud83d\\ude00\"}", "{\"title\":\"\\ud83d\"}",
        "{\"title\":\"\\ude00\"}", "{\"title\":\"\\u00e9\\u20ac\\n\\t\\\"\\\\\\/\\b\\f\\r\"}",
        "{\"title\":\"\\q\"}", "{\"title\":\"\\u12\"}", "{\"title\":\"a\x01\"}",
        "{\"namespace\":0}", "{\"namespace\":-0}", "{\"namespace\":01}", "{\"namespace\":1.5}",
        "{\"namespace\":1e2}", "{\"namespace\":-}", "{\"namespace\":.5}", "{\"namespace\":1.}",
        "{\"namespace\":999999999999999999}", "{\"namespace\":9999999999999999999}",
        "{\"namespace\":-999999999999999999}", "{\"namespace\":99999999999999999999999}",
        "{\"bot\":true,\"minor\":false,\"patrolled\":null}", "{\"bot\":tru}", "{\"bot\":truex}",
        "{\"bot\":1,\"minor\":0}", "{\"length\":{\"old\":-1,\"new\":null}}",
        "{\"length\":{\"old\":{},\"new\":[]},\"revision\":{\"old\":1,\"new\":2}}",
        "{\"a\":[1,2,[3,{\"b\":[]}]],\"c\":{\"d\":{\"e\":{}}}}", "{\"a\":[1,]}", "{\"a\":[,1]}",
        "{\"a\":\"\\u0000\"}", "{\"a\\u0000\":1}", "{\"\":1}", "{\t\r\n}",
        "{\"a\" : 1 , \"b\" :\n2}", "{\"a\":1.0000000000000000000000000000000000000000000001}",
    };
    tally t = {0};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        check_text(cases[i], strlen(cases[i]), &t);
    }
    check_text("{\"a\":1\0}", 8, &t);          /* a literal NUL byte */
    check_text("{\"a\":\"x\0y\"}", 12, &t);
    /* deep nesting: declined by the scanner, jansson decides */
    char deep[3000];
    size_t n = 0;
    deep[n++] = '{';
    memcpy(deep + n, "\"a\":", 4);
    n += 4;
    for (int i = 0; i < 1000; i++) deep[n++] = '[';
    for (int i = 0; i < 1000; i++) deep[n++] = ']';
    deep[n++] = '}';
    check_text(deep, n, &t);
    /* a few must be decided by the scanner */
    wiki_fields f = {0};
    const char *ok = "{\"meta\":{\"id\":\"x\",\"partition\":3},\"title\":\"caf\\u00e9 \\\"q\\\"\","
                     "\"namespace\":-2,\"bot\":true,\"length\":{\"new\":7}}";
    assert_int_equal(wiki_fields_scan(&f, ok, strlen(ok)), 1);
    assert_string_equal(wiki_field_str(&f, WF_META_ID), "x");
    assert_int_equal(f.v[WF_META_PARTITION].i, 3);
    assert_string_equal(wiki_field_str(&f, WF_TITLE), "caf\xc3\xa9 \"q\"");
    assert_int_equal(f.v[WF_NAMESPACE].i, -2);
    assert_int_equal(f.v[WF_BOT].kind, WV_TRUE);
    assert_int_equal(f.v[WF_LENGTH_NEW].i, 7);
    assert_int_equal(f.v[WF_LENGTH_OLD].kind, WV_ABSENT);
    assert_int_equal(f.v[WF_USER].kind, WV_ABSENT);
    wiki_fields_free(&f);
    assert_true(t.scanned > 10 && t.rejected > 10 && t.declined > 5);
}

typedef struct file_check {
    tally t;
    int mutate_every;   /* mutate every Nth event (0: never) */
    int rounds;
    long n;
} file_check;

static int on_record(void *ctx, const wiki_record *rec)
{
    file_check *fc = ctx;
    if (rec->error) return 0;
    char *text = rec->parsed ? json_dumps(rec->parsed, JSON_COMPACT) : NULL;
    const char *data = text ? text : rec->data;
    size_t len = text ? strlen(text) : rec->len;
    check_text(data, len, &fc->t);
    if (fc->mutate_every && fc->n % fc->mutate_every == 0)
        mutate_and_check(data, len, fc->rounds, &fc->t);
    fc->n++;
    free(text);
    return 0;
}

static void check_recording(const char *path, int mutate_every, int rounds)
{
    file_check fc = {{0}, mutate_every, rounds, 0};
    char err[256];
    assert_int_equal(wiki_recording_read(path, 0, 1 << 20, on_record, &fc, NULL, err, sizeof err), 0);
    /* every real event is decided by the scanner: the fast path is the common path */
    print_message("%s: %ld events, scanned %ld, declined %ld, rejected %ld\n", path, fc.n,
                  fc.t.scanned, fc.t.declined, fc.t.rejected);
    assert_true(fc.n > 0);
}

static void test_recordings(void **state)
{
    (void)state;
    static const char *dirs[] = {"data/wikimedia", "data/wikiticker"};
    for (int d = 0; d < 2; d++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", shared_path(dirs[d]));
        DIR *dh = opendir(dir);
        if (!dh) fail_msg("cannot open %s: %s", dir, strerror(errno));
        struct dirent *de;
        while ((de = readdir(dh))) {
            const char *n = de->d_name;
            size_t l = strlen(n);
            int wiki = (l > 7 && !strcmp(n + l - 7, ".ndjson")) || (l > 7 && !strcmp(n + l - 7, ".events")) ||
                       (l > 8 && !strcmp(n + l - 8, ".json.gz"));
            if (!wiki) continue;
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir, n);
            /* the real recentchange events are all mutated; the 39k wikiticker events are all
             * compared, every 400th mutated */
            if (d == 0) check_recording(path, 1, 150);
            else check_recording(path, 400, 150);
        }
        closedir(dh);
    }
}

static void test_every_real_event_is_scanned(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s", shared_path("data/wikimedia/recentchange_enwiki_20230729T0751Z.ndjson"));
    file_check fc = {{0}, 0, 0, 0};
    char err[256];
    if (wiki_recording_read(path, 0, 1 << 20, on_record, &fc, NULL, err, sizeof err) != 0)
        fail_msg("%s: %s", path, err);
    assert_int_equal(fc.t.scanned, fc.n);
}

/* The wikiticker mapping written straight to text equals jansson's dump of the mapped object. */
static void check_mapping(const char *line, size_t len, uint64_t offset, long *compared)
{
    json_t *src = json_loadb(line, len, 0, NULL);
    if (!src) return;
    buf a = BUF_INIT, b = BUF_INIT;
    char ea[160] = "", eb[160] = "";
    int ra = wiki_map_wikiticker(src, offset, line, len, &a, ea, sizeof ea);
    int rb = wiki_map_wikiticker_text(src, offset, line, len, &b, eb, sizeof eb);
    if (ra != rb || (ra == 0 && (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)) ||
        (ra != 0 && strcmp(ea, eb) != 0)) {
        print_error("mapping differs on: %.300s\n jansson: %.400s\n text:    %.400s\n", line,
                    ra == 0 ? a.data : ea, rb == 0 ? b.data : eb);
        fail();
    }
    (*compared)++;
    buf_free(&a);
    buf_free(&b);
    json_decref(src);
}

static void test_wikiticker_text_mapping(void **state)
{
    (void)state;
    long compared = 0;
    static const char *lines[] = {
        "{\"time\":\"2015-09-12T00:47:00.496Z\",\"channel\":\"#ca.wikipedia\",\"page\":\"Rallicula x\","
        "\"namespace\":\"Main\",\"isRobot\":true,\"user\":\"PereBot\",\"delta\":17,\"added\":17}",
        "{\"time\":\"2015-09-12T01:00:00Z\",\"channel\":\"#en.wiktionary\",\"page\":\"a\\\"b\\\\c\\/d\","
        "\"comment\":\"tab\\there\\u0001\\u001f\\n\\r\\b\\f \\u00e9\\u20ac \\ud83d\\ude00\",\"user\":5,"
        "\"isNew\":true,\"isUnpatrolled\":true,\"namespace\":\"Benutzer\",\"metroCode\":1.5,"
        "\"cityName\":{\"a\":[1,2.25,null,\"x\\u0002\"]},\"regionName\":null,\"isAnonymous\":false,"
        "\"countryName\":1e300,\"deleted\":-3}",
        "{\"time\":\"2015-09-12T01:00:00Z\",\"channel\":\"#zh-min-nan.wikipedia\",\"page\":\"\","
        "\"comment\":null,\"namespace\":\"Talk\"}",
        "{\"time\":\"bad\",\"channel\":\"#en.wikipedia\",\"page\":\"x\"}",
        "{\"time\":\"2015-09-12T01:00:00Z\",\"channel\":\"en.wikipedia\",\"page\":\"x\"}",
        "{\"time\":\"2015-09-12T01:00:00Z\",\"channel\":\"#en.wikipedia\"}",
        "{\"time\":\"2015-09-12T01:00:00Z\",\"channel\":\"#en.wikipedia\",\"page\":7}",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        check_mapping(lines[i], strlen(lines[i]), i * 1000, &compared);
    assert_int_equal(compared, sizeof lines / sizeof *lines);
    char path[4096];
    snprintf(path, sizeof path, "%s", shared_path("data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"));
    gzFile gz = gzopen(path, "rb");
    if (!gz) fail_msg("cannot open %s", path);
    static char line[1 << 16];
    uint64_t offset = 0;
    long before = compared;
    while (gzgets(gz, line, sizeof line)) {
        size_t n = strlen(line);
        size_t content = n;
        while (content && (line[content - 1] == '\n' || line[content - 1] == '\r')) content--;
        check_mapping(line, content, offset, &compared);
        offset += n;
    }
    gzclose(gz);
    print_message("wikiticker day: %ld lines mapped both ways, identical\n", compared - before);
    assert_true(compared - before > 39000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handwritten),
        cmocka_unit_test(test_recordings),
        cmocka_unit_test(test_every_real_event_is_scanned),
        cmocka_unit_test(test_wikiticker_text_mapping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
