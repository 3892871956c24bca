/* Wikimedia recentchange recordings: reading the three recording formats as one sequence of
 * events, the wikiticker-to-recentchange mapping, and the small helpers both the ingest and the
 * simulator need (name-based ids, shifting event times; UTF-8 checks are format/utf8.h).
 *
 * Formats (chosen by content, so a renamed file still works; .gz is decompressed on the fly):
 *  - raw SSE text (`*.events`): `event:` / `id:` / `data:` lines; each event's data is the JSON.
 *    Detected by a first line that starts with `event:`, `id:`, `data:`, `retry:` or `:`.
 *  - JSON lines (`*.ndjson`): one recentchange event per line.
 *  - wikiticker (`wikiticker-*.json.gz`): JSON lines of Druid's tutorial data, mapped field by
 *    field onto recentchange events (see wiki_map_wikiticker). Detected by a first object that has
 *    `channel` and `page` and no `meta`.
 *
 * Offsets are byte offsets in the (decompressed) recording; an event's end_offset is where the
 * next one starts, so a file ingest resumes exactly there. */
#ifndef WG_WIKI_RECORD_H
#define WG_WIKI_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef enum wiki_format { WIKI_FORMAT_SSE = 1, WIKI_FORMAT_NDJSON, WIKI_FORMAT_WIKITICKER } wiki_format;

const char *wiki_format_name(wiki_format f);

typedef struct wiki_record {
    const char *data;       /* event JSON text as found (not validated, not NUL-terminated) */
    size_t len;
    const char *sse_id;     /* SSE id of the event (raw SSE recordings), else NULL */
    size_t sse_id_len;
    uint64_t end_offset;    /* where the next record starts */
    json_t *parsed;         /* the event as JSON when the reader built it (wikiticker), borrowed;
                               else NULL */
    const char *error;      /* non-NULL: a line or event the reader could not take (too large,
                               unmappable); data is then a prefix of its text */
} wiki_record;

/* Returns non-zero to stop reading (wiki_recording_read then returns that value). */
typedef int (*wiki_record_fn)(void *ctx, const wiki_record *rec);

/* Reads the recording from start_offset to its end. max_event bounds one line or event (bytes).
 * Returns 0 at the end, the callback's non-zero value, or -1 with err set (cannot open/read). */
int wiki_recording_read(const char *path, uint64_t start_offset, size_t max_event,
                        wiki_record_fn fn, void *ctx, wiki_format *format_out, char *err,
                        size_t errlen);

/* The wikiticker mapping (one source line -> one recentchange event as JSON text):
 *   time        -> meta.dt (as given) and timestamp (epoch seconds)
 *   channel     -> server_name / meta.domain ("#en.wikipedia" -> "en.wikipedia.org"),
 *                  server_url ("https://" + server_name), wiki ("enwiki"; other projects
 *                  "<lang><project>", e.g. "enwiktionary"; '-' becomes '_')
 *   page        -> title; meta.uri = server_url + "/wiki/" + title with spaces as '_'
 *   namespace   -> namespace number for "Main" (0) and the English canonical names (Talk 1,
 *                  User 2, ..., Category 14, Portal 100, Draft 118, Module 828); localized names
 *                  the mapping cannot know give null
 *   isNew       -> type "new", else "edit"
 *   isRobot     -> bot;  isMinor -> minor;  isUnpatrolled -> patrolled = !isUnpatrolled
 *   user, comment -> user, comment
 *   (source offset) -> meta.id = name-based UUID of "wikiticker:<offset>:<line>" (stable across
 *                  replays), meta.offset = offset, meta.topic = "wikiticker", meta.partition = 0
 *   added, deleted, delta, isAnonymous, the namespace name and the geo fields have no
 *   recentchange counterpart (there are no page lengths or revision ids in the source); they are
 *   kept under a "wikiticker" object. length and revision are absent.
 * Returns 0, or -1 with err naming the missing/invalid field. */
int wiki_map_wikiticker(const json_t *src, uint64_t source_offset, const char *line, size_t len,
                        buf *out, char *err, size_t errlen);
/* The same mapping, returning the event object (new reference) instead of its text. */
json_t *wiki_map_wikiticker_json(const json_t *src, uint64_t source_offset, const char *line,
                                 size_t len, char *err, size_t errlen);
/* The same mapping appended to out as text, without building the event as a jansson object:
 * byte for byte json_dumpb(wiki_map_wikiticker_json(...), JSON_COMPACT). The replay uses it. */
int wiki_map_wikiticker_text(const json_t *src, uint64_t source_offset, const char *line,
                             size_t len, buf *out, char *err, size_t errlen);
int wiki_namespace_number(const char *name); /* -1 when unknown */


/* Name-based UUID (SHA-1, version 5 layout) of the bytes: stable ids for mapped events. */
void wiki_uuid_from_name(const char *name, size_t len, char out[37]);

/* ISO 8601 with optional fraction to epoch milliseconds; 0 ok, -1 malformed. */
int wiki_parse_iso_ms(const char *s, int64_t *ms);
/* "YYYY-MM-DDTHH:MM:SSZ", or with ".mmm" when ms is not a whole second. */
void wiki_format_iso_ms(int64_t ms, char out[32]);
/* Moves an event's times by shift_ms: meta.dt and timestamp. 0 ok, -1 no parsable meta.dt. */
int wiki_event_shift_time(json_t *event, int64_t shift_ms);

#endif
