/* Reading recentchange recordings (SSE text, JSON lines, wikiticker), the wikiticker mapping and
 * the UTF-8 / id / time helpers shared by the ingest and the simulator. */
#include "source/wiki_record.h"

#include "core/err.h"
#include "core/timeutil.h"
#include "source/sse.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

const char *wiki_format_name(wiki_format f)
{
    switch (f) {
    case WIKI_FORMAT_SSE: return "sse";
    case WIKI_FORMAT_NDJSON: return "ndjson";
    case WIKI_FORMAT_WIKITICKER: return "wikiticker";
    }
    return "?";
}

/* ---------------------------------------------------------------- ids and times */

void wiki_uuid_from_name(const char *name, size_t len, char out[37])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_Digest(name, len, md, &mdlen, EVP_sha1(), NULL);
    md[6] = (unsigned char)((md[6] & 0x0F) | 0x50); /* version 5 (name-based, SHA-1) */
    md[8] = (unsigned char)((md[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[md[i] >> 4];
        out[o++] = hex[md[i] & 15];
    }
    out[o] = '\0';
}

int wiki_parse_iso_ms(const char *s, int64_t *ms)
{
    int64_t secs;
    if (!s || time_parse_iso8601(s, &secs) != 0) return -1;
    int64_t frac = 0;
    if (strlen(s) > 19 && s[19] == '.') {
        int scale = 100;
        for (const char *p = s + 20; *p >= '0' && *p <= '9'; p++) {
            frac += (*p - '0') * scale;
            scale /= 10;
        }
    }
    *ms = secs * 1000 + frac;
    return 0;
}

void wiki_format_iso_ms(int64_t ms, char out[32])
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - secs * 1000);
    char t[TIME_TEXT_LEN];
    time_format(secs, t);
    t[10] = 'T';
    if (frac)
        snprintf(out, 32, "%s.%03dZ", t, frac);
    else
        snprintf(out, 32, "%sZ", t);
}

int wiki_event_shift_time(json_t *event, int64_t shift_ms)
{
    json_t *meta = json_object_get(event, "meta");
    const char *dt = json_string_value(json_object_get(meta, "dt"));
    int64_t ms;
    if (!dt || wiki_parse_iso_ms(dt, &ms) != 0) return -1;
    char iso[32];
    wiki_format_iso_ms(ms + shift_ms, iso);
    json_object_set_new(meta, "dt", json_string(iso));
    json_t *ts = json_object_get(event, "timestamp");
    if (json_is_integer(ts))
        json_object_set_new(event, "timestamp",
                            json_integer(json_integer_value(ts) + shift_ms / 1000));
    return 0;
}

/* ---------------------------------------------------------------- wikiticker mapping */

static const struct { const char *name; int number; } namespaces[] = {
    {"Main", 0}, {"Talk", 1}, {"User", 2}, {"User talk", 3}, {"Wikipedia", 4}, {"Project", 4},
    {"Wikipedia talk", 5}, {"Project talk", 5}, {"File", 6}, {"Image", 6}, {"File talk", 7},
    {"MediaWiki", 8}, {"MediaWiki talk", 9}, {"Template", 10}, {"Template talk", 11},
    {"Help", 12}, {"Help talk", 13}, {"Category", 14}, {"Category talk", 15}, {"Portal", 100},
    {"Portal talk", 101}, {"Draft", 118}, {"Draft talk", 119}, {"Module", 828},
    {"Module talk", 829}, {"Special", -2}, {"Media", -2},
};

int wiki_namespace_number(const char *name)
{
    if (!name) return -1;
    for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
        if (!strcmp(name, namespaces[i].name))
            return namespaces[i].number == -2 ? -1 : namespaces[i].number;
    return -1;
}

static int bool_field(const json_t *src, const char *key)
{
    return json_is_true(json_object_get(src, key));
}

/* What both wikiticker mappings derive from a line: its time, page, server and wiki names from
 * the IRC channel ("#en.wikipedia" -> en.wikipedia.org, enwiki), and a stable meta.id made from
 * the line and its position so replays dedupe. 0 ok, -1 with err naming the bad field. */
typedef struct wikiticker_identity {
    int64_t ms;
    const char *page;
    size_t page_len; /* a JSON string may hold \u0000: lengths, never NUL ends */
    char server[160], wiki[140], uuid[37];
} wikiticker_identity;

static int channel_ok(const char *channel)
{
    if (!channel || channel[0] != '#') return 0;
    const char *dot = strchr(channel, '.');
    if (!dot || dot - channel - 1 < 1 || dot - channel - 1 > 63) return 0;
    size_t plen = strlen(dot + 1);
    if (plen < 1 || plen > 63) return 0;
    for (const char *p = channel + 1; *p; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || (c == '.' && p >= dot);
        if (!ok) return 0;
    }
    return 1;
}

static int wikiticker_identify(const json_t *src, uint64_t source_offset, const char *line,
                               size_t len, wikiticker_identity *id, char *err, size_t errlen)
{
    const char *time = json_string_value(json_object_get(src, "time"));
    const char *channel = json_string_value(json_object_get(src, "channel"));
    const json_t *page_v = json_object_get(src, "page");
    id->page = json_string_value(page_v);
    id->page_len = json_string_length(page_v);
    if (!time || wiki_parse_iso_ms(time, &id->ms) != 0) {
        snprintf(err, errlen, "wikiticker: field 'time' missing or not an ISO time");
        return -1;
    }
    /* "#en.wikipedia" -> lang "en", project "wikipedia"; both become host and wiki names, so
       only the bytes those can hold (no cut multi-byte character, no '/' in a host) */
    if (!channel_ok(channel)) {
        snprintf(err, errlen, "wikiticker: field 'channel' missing or not '#<lang>.<project>'"
                              " (letters, digits, '-', '_'; project also '.'; at most 63 each)");
        return -1;
    }
    if (!id->page) {
        snprintf(err, errlen, "wikiticker: field 'page' missing");
        return -1;
    }
    const char *dot = strchr(channel, '.');
    char lang[64], project[64];
    snprintf(lang, sizeof lang, "%.*s", (int)(dot - channel - 1), channel + 1);
    snprintf(project, sizeof project, "%s", dot + 1);
    snprintf(id->server, sizeof id->server, "%s.%s.org", lang, project);
    snprintf(id->wiki, sizeof id->wiki, "%s%s", lang, strcmp(project, "wikipedia") ? project : "wiki");
    for (char *p = id->wiki; *p; p++)
        if (*p == '-') *p = '_';

    buf name = BUF_INIT;
    buf_appendf(&name, "wikiticker:%llu:", (unsigned long long)source_offset);
    buf_append(&name, line, len);
    wiki_uuid_from_name(name.data, name.len, id->uuid);
    buf_free(&name);
    return 0;
}

/* meta.uri of the page: https://<server>/wiki/<title with spaces as underscores> */
static void page_uri(buf *uri, const wikiticker_identity *id)
{
    buf_appendf(uri, "https://%s/wiki/", id->server);
    size_t title_start = uri->len;
    buf_append(uri, id->page, id->page_len);
    for (size_t i = title_start; i < uri->len; i++)
        if (uri->data[i] == ' ') uri->data[i] = '_';
}

json_t *wiki_map_wikiticker_json(const json_t *src, uint64_t source_offset, const char *line,
                                 size_t len, char *err, size_t errlen)
{
    wikiticker_identity id;
    if (wikiticker_identify(src, source_offset, line, len, &id, err, errlen) != 0) return NULL;
    int64_t ms = id.ms;
    const char *page = id.page;
    size_t page_len = id.page_len;
    const json_t *time_v = json_object_get(src, "time"); /* validated above */
    const char *time = json_string_value(time_v);
    size_t time_len = json_string_length(time_v);
    const char *server = id.server, *wiki = id.wiki, *uuid = id.uuid;

    buf uri = BUF_INIT;
    page_uri(&uri, &id);

    const char *ns_name = json_string_value(json_object_get(src, "namespace"));
    int ns = wiki_namespace_number(ns_name);
    char server_url[200];
    snprintf(server_url, sizeof server_url, "https://%s", server);

    json_t *ev = json_object();
    json_t *meta = json_pack("{s:s#, s:s, s:s#, s:s, s:s, s:s, s:i, s:I}", "uri", uri.data,
                             (int)uri.len, "id", uuid, "dt", time, (int)time_len, "domain",
                             server, "stream", "mediawiki.recentchange", "topic", "wikiticker",
                             "partition", 0, "offset", (json_int_t)source_offset);
    buf_free(&uri);
    json_object_set_new(ev, "$schema", json_string("/mediawiki/recentchange/1.0.0"));
    json_object_set_new(ev, "meta", meta);
    json_object_set_new(ev, "type", json_string(bool_field(src, "isNew") ? "new" : "edit"));
    json_object_set_new(ev, "namespace", ns >= 0 ? json_integer(ns) : json_null());
    json_object_set_new(ev, "title", json_stringn(page, page_len));
    json_t *comment = json_object_get(src, "comment");
    json_object_set_new(ev, "comment", json_is_string(comment) ? json_copy(comment) : json_string(""));
    json_object_set_new(ev, "timestamp", json_integer((json_int_t)(ms / 1000)));
    json_t *user = json_object_get(src, "user");
    json_object_set_new(ev, "user", json_is_string(user) ? json_copy(user) : json_null());
    json_object_set_new(ev, "bot", json_boolean(bool_field(src, "isRobot")));
    json_object_set_new(ev, "minor", json_boolean(bool_field(src, "isMinor")));
    json_object_set_new(ev, "patrolled", json_boolean(!bool_field(src, "isUnpatrolled")));
    json_object_set_new(ev, "server_url", json_string(server_url));
    json_object_set_new(ev, "server_name", json_string(server));
    json_object_set_new(ev, "server_script_path", json_string("/w"));
    json_object_set_new(ev, "wiki", json_string(wiki));
    /* the source's fields that recentchange has no place for, kept for provenance */
    json_t *extra = json_object();
    static const char *const kept[] = {"added", "deleted", "delta", "isAnonymous", "namespace",
                                       "cityName", "countryIsoCode", "countryName",
                                       "regionIsoCode", "regionName", "metroCode"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        json_t *v = json_object_get(src, kept[i]);
        if (v && !json_is_null(v)) json_object_set(extra, kept[i], v);
    }
    json_object_set_new(ev, "wikiticker", extra);
    return ev;
}

/* ---- the same mapping written straight to text (the replay's hot path) */

/* A string as jansson's compact dump writes it (no JSON_ENSURE_ASCII, no JSON_ESCAPE_SLASH):
 * quote, backslash and control characters escaped, everything else as is. */
static void put_string(buf *o, const char *s, size_t n)
{
    buf_append(o, "\"", 1);
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '"' && c != '\\' && c >= 0x20) continue;
        buf_append(o, s + from, i - from);
        from = i + 1;
        switch (c) {
        case '"': buf_append(o, "\\\"", 2); break;
        case '\\': buf_append(o, "\\\\", 2); break;
        case '\b': buf_append(o, "\\b", 2); break;
        case '\f': buf_append(o, "\\f", 2); break;
        case '\n': buf_append(o, "\\n", 2); break;
        case '\r': buf_append(o, "\\r", 2); break;
        case '\t': buf_append(o, "\\t", 2); break;
        default: buf_appendf(o, "\\u%04X", c); break;
        }
    }
    buf_append(o, s + from, n - from);
    buf_append(o, "\"", 1);
}

static void put_cstr(buf *o, const char *s) { put_string(o, s, strlen(s)); }

/* "key": with the separator before it */
static void put_key(buf *o, const char *key, int first)
{
    if (!first) buf_append(o, ",", 1);
    put_cstr(o, key);
    buf_append(o, ":", 1);
}

static void put_int(buf *o, long long v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%lld", v);
    buf_append(o, num, (size_t)n);
}

/* Any value copied from the source: jansson's own serialiser, so the text is the same. */
static int put_value(buf *o, const json_t *v)
{
    size_t need = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!need || buf_reserve(o, need + 1) != 0) return -1;
    json_dumpb(v, o->data + o->len, need, JSON_COMPACT | JSON_ENCODE_ANY);
    o->len += need;
    o->data[o->len] = '\0';
    return 0;
}

/* wiki_map_wikiticker's text without building the event as a jansson object: byte for byte
 * what json_dumpb(wiki_map_wikiticker_json(...), JSON_COMPACT) gives (same keys in the same
 * order; tests/unit/test_wiki.c compares the two on the whole wikiticker day). Appends to out. */
int wiki_map_wikiticker_text(const json_t *src, uint64_t source_offset, const char *line,
                             size_t len, buf *out, char *err, size_t errlen)
{
    wikiticker_identity id;
    if (wikiticker_identify(src, source_offset, line, len, &id, err, errlen) != 0) return -1;
    int64_t ms = id.ms;
    const char *page = id.page;
    size_t page_len = id.page_len;
    const char *time = json_string_value(json_object_get(src, "time")); /* validated above */
    const char *server = id.server, *wiki = id.wiki, *uuid = id.uuid;

    buf uri = BUF_INIT;
    page_uri(&uri, &id);
    int ns = wiki_namespace_number(json_string_value(json_object_get(src, "namespace")));

    size_t start = out->len;
    buf_append_str(out, "{\"$schema\":\"/mediawiki/recentchange/1.0.0\",\"meta\":{");
    put_key(out, "uri", 1);
    put_string(out, uri.data, uri.len);
    buf_free(&uri);
    put_key(out, "id", 0);
    put_cstr(out, uuid);
    put_key(out, "dt", 0);
    put_string(out, time, json_string_length(json_object_get(src, "time")));
    put_key(out, "domain", 0);
    put_cstr(out, server);
    buf_append_str(out, ",\"stream\":\"mediawiki.recentchange\",\"topic\":\"wikiticker\","
                        "\"partition\":0,\"offset\":");
    put_int(out, (long long)source_offset);
    buf_append_str(out, "},\"type\":");
    put_cstr(out, bool_field(src, "isNew") ? "new" : "edit");
    put_key(out, "namespace", 0);
    if (ns >= 0) put_int(out, ns);
    else buf_append_str(out, "null");
    put_key(out, "title", 0);
    put_string(out, page, page_len);
    put_key(out, "comment", 0);
    const json_t *comment = json_object_get(src, "comment");
    if (json_is_string(comment))
        put_string(out, json_string_value(comment), json_string_length(comment));
    else
        buf_append_str(out, "\"\"");
    put_key(out, "timestamp", 0);
    put_int(out, (long long)(ms / 1000));
    put_key(out, "user", 0);
    const json_t *user = json_object_get(src, "user");
    if (json_is_string(user)) put_string(out, json_string_value(user), json_string_length(user));
    else buf_append_str(out, "null");
    put_key(out, "bot", 0);
    buf_append_str(out, bool_field(src, "isRobot") ? "true" : "false");
    put_key(out, "minor", 0);
    buf_append_str(out, bool_field(src, "isMinor") ? "true" : "false");
    put_key(out, "patrolled", 0);
    buf_append_str(out, bool_field(src, "isUnpatrolled") ? "false" : "true");
    put_key(out, "server_url", 0);
    char server_url[200];
    snprintf(server_url, sizeof server_url, "https://%s", server);
    put_cstr(out, server_url);
    put_key(out, "server_name", 0);
    put_cstr(out, server);
    buf_append_str(out, ",\"server_script_path\":\"/w\",\"wiki\":");
    put_cstr(out, wiki);
    buf_append_str(out, ",\"wikiticker\":{");
    static const char *const kept[] = {"added", "deleted", "delta", "isAnonymous", "namespace",
                                       "cityName", "countryIsoCode", "countryName",
                                       "regionIsoCode", "regionName", "metroCode"};
    int first = 1;
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        const json_t *v = json_object_get(src, kept[i]);
        if (!v || json_is_null(v)) continue;
        put_key(out, kept[i], first);
        first = 0;
        if (put_value(out, v) != 0) {
            out->len = start;
            snprintf(err, errlen, "wikiticker: cannot serialise the mapped event");
            return -1;
        }
    }
    buf_append_str(out, "}}");
    out->data[out->len] = '\0';
    return 0;
}

int wiki_map_wikiticker(const json_t *src, uint64_t source_offset, const char *line, size_t len,
                        buf *out, char *err, size_t errlen)
{
    json_t *ev = wiki_map_wikiticker_json(src, source_offset, line, len, err, errlen);
    if (!ev) return -1;
    size_t need = json_dumpb(ev, NULL, 0, JSON_COMPACT);
    int rc = -1;
    if (need && buf_reserve(out, need + 1) == 0) {
        json_dumpb(ev, out->data + out->len, need, JSON_COMPACT);
        out->len += need;
        out->data[out->len] = '\0';
        rc = 0;
    } else {
        snprintf(err, errlen, "wikiticker: cannot serialise the mapped event");
    }
    json_decref(ev);
    return rc;
}

/* ---------------------------------------------------------------- reading recordings */

typedef struct reader {
    wiki_record_fn fn;
    void *ctx;
    wiki_format format;
    size_t max_event;
    buf line;           /* a line spanning chunks */
    int line_overflow;
    uint64_t line_start;
    buf mapped;
} reader;

static int emit_error(reader *r, const char *reason, const char *text, size_t n, uint64_t end)
{
    wiki_record rec;
    memset(&rec, 0, sizeof rec);
    rec.data = text;
    rec.len = n < 4096 ? n : 4096;
    rec.end_offset = end;
    rec.error = reason;
    return r->fn(r->ctx, &rec);
}

static int handle_json_line(reader *r, const char *s, size_t n, uint64_t start, uint64_t end)
{
    if (n && s[n - 1] == '\r') n--;
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
    if (k == n) return 0; /* blank lines carry nothing */
    wiki_record rec;
    memset(&rec, 0, sizeof rec);
    rec.end_offset = end;
    if (r->format == WIKI_FORMAT_WIKITICKER) {
        json_t *src = json_loadb(s, n, 0, NULL);
        if (src) {
            /* mapped straight to text (no jansson object for the event); the consumer scans it
             * like any recorded event */
            char err[WG_ERR_LEN];
            r->mapped.len = 0;
            int mapped = wiki_map_wikiticker_text(src, start, s, n, &r->mapped, err, sizeof err);
            json_decref(src);
            if (mapped != 0) return emit_error(r, err, s, n, end);
            rec.data = r->mapped.data;
            rec.len = r->mapped.len;
            return r->fn(r->ctx, &rec);
        }
        /* not JSON: handed on as it is, the consumer quarantines it with the parse error */
    }
    rec.data = s;
    rec.len = n;
    return r->fn(r->ctx, &rec);
}

static int sse_on_event(void *ctx, const sse_event *ev)
{
    reader *r = ctx;
    wiki_record rec;
    memset(&rec, 0, sizeof rec);
    rec.data = ev->data;
    rec.len = ev->data_len;
    rec.sse_id = ev->id_len ? ev->id : NULL;
    rec.sse_id_len = ev->id_len;
    rec.end_offset = ev->end_offset;
    return r->fn(r->ctx, &rec);
}

static int sse_on_error(void *ctx, sse_error_kind kind, const char *reason, const char *prefix,
                        size_t prefix_len, const char *id, size_t id_len, uint64_t offset)
{
    (void)kind;
    reader *r = ctx;
    wiki_record rec;
    memset(&rec, 0, sizeof rec);
    rec.data = prefix;
    rec.len = prefix_len;
    rec.sse_id = id_len ? id : NULL;
    rec.sse_id_len = id_len;
    rec.end_offset = offset;
    rec.error = reason;
    return r->fn(r->ctx, &rec);
}

/* Keeps at most 4 KiB of an oversized line: enough to identify it in the quarantine. */
static void keep_prefix(buf *line, const char *s, size_t n)
{
    if (line->len >= 4096) return;
    size_t room = 4096 - line->len;
    buf_append(line, s, n < room ? n : room);
}

static wiki_format detect_format(const char *s, size_t n)
{
    if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF) {
        s += 3;
        n -= 3;
    }
    while (n && (*s == '\n' || *s == '\r')) s++, n--;
    static const char *const sse_starts[] = {"event:", "id:", "data:", "retry:", ":"};
    for (size_t i = 0; i < sizeof sse_starts / sizeof sse_starts[0]; i++) {
        size_t l = strlen(sse_starts[i]);
        if (n >= l && memcmp(s, sse_starts[i], l) == 0) return WIKI_FORMAT_SSE;
    }
    const char *nl = memchr(s, '\n', n);
    size_t line_len = nl ? (size_t)(nl - s) : n;
    json_t *first = json_loadb(s, line_len, 0, NULL);
    wiki_format f = WIKI_FORMAT_NDJSON;
    if (first && json_object_get(first, "channel") && json_object_get(first, "page") &&
        !json_object_get(first, "meta"))
        f = WIKI_FORMAT_WIKITICKER;
    json_decref(first);
    return f;
}

int wiki_recording_read(const char *path, uint64_t start_offset, size_t max_event,
                        wiki_record_fn fn, void *ctx, wiki_format *format_out, char *err,
                        size_t errlen)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        snprintf(err, errlen, "cannot open recording %s", path);
        return -1;
    }
    gzbuffer(gz, 1 << 18);
    enum { CHUNK = 1 << 18 };
    char *chunk = malloc(CHUNK);
    reader r;
    memset(&r, 0, sizeof r);
    r.fn = fn;
    r.ctx = ctx;
    r.max_event = max_event ? max_event : SSE_DEFAULT_MAX_EVENT;
    int rc = 0;
    if (!chunk) {
        gzclose(gz);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* the format is decided by the head of the file, wherever reading resumes */
    int head = gzread(gz, chunk, 65536);
    if (head < 0) {
        snprintf(err, errlen, "cannot read recording %s", path);
        rc = -1;
        goto done;
    }
    r.format = detect_format(chunk, (size_t)head);
    if (format_out) *format_out = r.format;
    if (gzrewind(gz) != 0 || (start_offset && gzseek(gz, (z_off_t)start_offset, SEEK_SET) < 0)) {
        snprintf(err, errlen, "cannot seek to offset %llu in %s", (unsigned long long)start_offset,
                 path);
        rc = -1;
        goto done;
    }
    sse_parser sp;
    int use_sse = r.format == WIKI_FORMAT_SSE;
    if (use_sse) {
        sse_callbacks cb = {sse_on_event, NULL, NULL, sse_on_error};
        if (sse_init(&sp, &cb, &r, r.max_event, r.max_event, start_offset) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            goto done;
        }
    }
    uint64_t offset = start_offset;
    r.line_start = offset;
    for (;;) {
        int n = gzread(gz, chunk, CHUNK);
        if (n < 0) {
            int zerr;
            snprintf(err, errlen, "%s: read error at offset %llu: %s", path,
                     (unsigned long long)offset, gzerror(gz, &zerr));
            rc = -1;
            break;
        }
        if (n == 0) break;
        if (use_sse) {
            rc = sse_feed(&sp, chunk, (size_t)n, NULL);
            offset += (size_t)n;
            if (rc) break;
            continue;
        }
        size_t i = 0;
        while (i < (size_t)n) {
            const char *nl = memchr(chunk + i, '\n', (size_t)n - i);
            size_t j = nl ? (size_t)(nl - chunk) : (size_t)n;
            if (!nl) { /* keep the partial line, within the limit */
                if (!r.line_overflow && r.line.len + (j - i) > r.max_event) {
                    r.line_overflow = 1;
                    keep_prefix(&r.line, chunk + i, j - i);
                } else if (!r.line_overflow) {
                    buf_append(&r.line, chunk + i, j - i);
                }
                i = j;
                break;
            }
            uint64_t end = offset + j + 1;
            if (r.line_overflow || r.line.len + (j - i) > r.max_event) {
                char reason[64];
                snprintf(reason, sizeof reason, "line longer than %zu bytes", r.max_event);
                if (!r.line_overflow) keep_prefix(&r.line, chunk + i, j - i);
                rc = emit_error(&r, reason, r.line.data, r.line.len, end);
                r.line_overflow = 0;
                r.line.len = 0;
            } else if (r.line.len) {
                buf_append(&r.line, chunk + i, j - i);
                rc = handle_json_line(&r, r.line.data, r.line.len, r.line_start, end);
                r.line.len = 0;
            } else {
                rc = handle_json_line(&r, chunk + i, j - i, r.line_start, end);
            }
            r.line_start = end;
            i = j + 1;
            if (rc) break;
        }
        offset += (size_t)n;
        if (rc) break;
    }
    if (rc == 0) {
        if (use_sse) {
            rc = sse_finish(&sp, 1);
        } else if (r.line_overflow) {
            char reason[64];
            snprintf(reason, sizeof reason, "line longer than %zu bytes", r.max_event);
            rc = emit_error(&r, reason, r.line.data, r.line.len, offset);
        } else if (r.line.len) { /* last line without a newline */
            rc = handle_json_line(&r, r.line.data, r.line.len, r.line_start, offset);
        }
    }
    if (use_sse) sse_free(&sp);
done:
    buf_free(&r.line);
    buf_free(&r.mapped);
    free(chunk);
    gzclose(gz);
    return rc;
}
