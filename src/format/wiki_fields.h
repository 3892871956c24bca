/* The fields of a recentchange event that bronze and silver use, extracted once per event.
 *
 * Two ways to fill them, with the same result:
 *  - wiki_fields_scan: a validating single-pass scanner over the JSON text that builds no DOM.
 *    It is deliberately partial: it accepts only documents it is sure jansson would accept with
 *    the same values (a JSON object, strict RFC 8259 grammar, integers of at most 18 digits,
 *    reals without exponent, no \u0000 or surrogate escapes, no escaped or repeated keys among
 *    the wanted ones, nesting up to 64). For anything else it answers "use jansson", so every
 *    error message, every odd document and every rejection still comes from jansson.
 *  - wiki_fields_from_json: from a jansson object (the fallback, and the wikiticker mapping).
 * tests/unit/test_wiki_fields.c compares both on every recording in ../shared/data and on
 * mutated and malformed inputs.
 *
 * This is why it exists: jansson's DOM (a hash table and an allocation per value) was about 45%
 * of the CPU of a replay, for ~20 of the ~40 values of an event. */
#ifndef WG_WIKI_FIELDS_H
#define WG_WIKI_FIELDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef enum wiki_field_id {
    WF_META_ID, WF_META_DT, WF_META_TOPIC, WF_META_PARTITION, WF_META_OFFSET, WF_META_URI,
    WF_TITLE, WF_TYPE, WF_WIKI, WF_SERVER_NAME, WF_SERVER_URL, WF_TITLE_URL, WF_USER, WF_COMMENT,
    WF_NAMESPACE, WF_TIMESTAMP, WF_BOT, WF_MINOR, WF_PATROLLED,
    WF_LENGTH_OLD, WF_LENGTH_NEW, WF_REVISION_OLD, WF_REVISION_NEW,
    WF_COUNT
} wiki_field_id;

/* What a field holds, as jansson would type it. */
typedef enum wiki_value_kind {
    WV_ABSENT = 0, /* no such key (or its parent is not an object) */
    WV_NULL, WV_FALSE, WV_TRUE,
    WV_INT,        /* i */
    WV_STR,        /* s: NUL-terminated (a \u0000 inside ends it, as json_string_value's C string) */
    WV_OTHER       /* a real, an object or an array */
} wiki_value_kind;

typedef struct wiki_value {
    wiki_value_kind kind;
    int64_t i;
    const char *s;
} wiki_value;

typedef struct wiki_fields {
    wiki_value v[WF_COUNT];
    char *scratch;   /* decoded strings of the scanner (owned) */
    size_t scratch_cap;
} wiki_fields;

/* 1: the fields are filled (strings live in f until the next call or wiki_fields_free);
 * 0: not decided here, parse with jansson; -1: out of memory. The text must be valid UTF-8
 * (utf8_valid, format/utf8.h) - the scanner relies on it. */
int wiki_fields_scan(wiki_fields *f, const char *json, size_t len);
/* From a parsed event object (strings borrowed from it). */
void wiki_fields_from_json(wiki_fields *f, const json_t *event);
void wiki_fields_free(wiki_fields *f);

/* Typed accessors with jansson's semantics. */
static inline const char *wiki_field_str(const wiki_fields *f, wiki_field_id id)
{
    return f->v[id].kind == WV_STR ? f->v[id].s : NULL;
}
static inline int wiki_field_is_int(const wiki_fields *f, wiki_field_id id)
{
    return f->v[id].kind == WV_INT;
}

#endif
