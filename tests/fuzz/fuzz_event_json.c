/* The recentchange event mapping: the single-pass field scanner (source/wiki_fields.c) against
 * jansson, and the wikiticker mapping (source/wiki_record.c). Oracles: whenever the scanner
 * decides, jansson parses an object with exactly the same fields; the scanner never accepts
 * what jansson rejects; the text mapping of a wikiticker line is byte for byte the dump of the
 * object mapping. */
#include "fuzz_util.h"
#include "core/buf.h"
#include "format/utf8.h"
#include "format/wiki_fields.h"
#include "source/wiki_record.h"

static void same_fields(const wiki_fields *a, const wiki_fields *b)
{
    for (int i = 0; i < WF_COUNT; i++) {
        const wiki_value *x = &a->v[i], *y = &b->v[i];
        FUZZ_CHECK(x->kind == y->kind, "field %d kind %d vs %d", i, x->kind, y->kind);
        FUZZ_CHECK(x->kind != WV_INT || x->i == y->i, "field %d int", i);
        FUZZ_CHECK(x->kind != WV_STR || strcmp(x->s, y->s) == 0, "field %d string", i);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t bad;
    json_error_t jerr;
    json_t *ev = json_loadb(text, size, JSON_ALLOW_NUL, &jerr);
    if (utf8_valid(text, size, &bad)) {
        wiki_fields scan = {0}, ref = {0};
        int rc = wiki_fields_scan(&scan, text, size);
        FUZZ_CHECK(rc == 0 || rc == 1, "scan returned %d", rc);
        if (rc == 1) {
            FUZZ_CHECK(json_is_object(ev), "scanner accepted what jansson rejects: %s", jerr.text);
            wiki_fields_from_json(&ref, ev);
            same_fields(&scan, &ref);
        }
        wiki_fields_free(&scan);
        wiki_fields_free(&ref);
    }
    if (json_is_object(ev)) {
        char err[256];
        buf a = {0}, b = {0};
        json_t *obj = wiki_map_wikiticker_json(ev, 7, text, size, err, sizeof err);
        int rc = wiki_map_wikiticker_text(ev, 7, text, size, &b, err, sizeof err);
        FUZZ_CHECK((obj != NULL) == (rc == 0), "json and text mappings disagree on success");
        if (obj) {
            char *dump = json_dumps(obj, JSON_COMPACT);
            FUZZ_CHECK(dump && strlen(dump) == b.len && memcmp(dump, b.data, b.len) == 0,
                       "text mapping differs from the object mapping");
            free(dump);
            json_decref(obj);
            /* the mapped event goes through the scanner too */
            int rc2 = wiki_map_wikiticker(ev, 7, text, size, &a, err, sizeof err);
            FUZZ_CHECK(rc2 == 0, "mapping failed the second time");
        }
        buf_free(&a);
        buf_free(&b);
    }
    json_decref(ev);
    return 0;
}
