/* Field extraction for recentchange events: a validating scanner that builds no DOM, and the
 * same extraction from a jansson object. See wiki_fields.h for the contract: the scanner either
 * gives exactly what jansson would, or declines (returns 0) and the caller uses jansson. */
#include "format/wiki_fields.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64
#define MAX_INT_DIGITS 18   /* always fits int64_t: jansson's strtoll cannot overflow */
#define MAX_REAL_CHARS 40   /* a real this short, without exponent, cannot overflow strtod */

/* Any reason to hand the document to jansson: malformed, unusual, or ambiguous. */
#define DECLINE (-1)

typedef struct scanner {
    const unsigned char *p, *end;
    char *out;      /* next free byte of the scratch buffer */
} scanner;

static void skip_ws(scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A string at '"'. When dst is non-NULL it is decoded into the scratch buffer and *dst points
 * to it. Declines on control characters, bad escapes, \u0000 and any surrogate escape (jansson
 * has its own rules and messages for those). The input is valid UTF-8 by contract. */
static int scan_string(scanner *s, const char **dst)
{
    s->p++; /* opening quote */
    char *o = dst ? s->out : NULL;
    for (;;) {
        const unsigned char *run = s->p;
        while (s->p < s->end && *s->p != '"' && *s->p != '\\' && *s->p >= 0x20) s->p++;
        if (o) {
            memcpy(o, run, (size_t)(s->p - run));
            o += s->p - run;
        }
        if (s->p >= s->end || *s->p < 0x20) return DECLINE;
        if (*s->p == '"') break;
        /* backslash */
        if (s->end - s->p < 2) return DECLINE;
        unsigned char e = s->p[1];
        s->p += 2;
        char c;
        switch (e) {
        case '"': c = '"'; break;
        case '\\': c = '\\'; break;
        case '/': c = '/'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'u': {
            if (s->end - s->p < 4) return DECLINE;
            int cp = 0;
            for (int i = 0; i < 4; i++) {
                int h = hexval(s->p[i]);
                if (h < 0) return DECLINE;
                cp = cp * 16 + h;
            }
            s->p += 4;
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return DECLINE;
            if (o) {
                if (cp < 0x80) {
                    *o++ = (char)cp;
                } else if (cp < 0x800) {
                    *o++ = (char)(0xC0 | (cp >> 6));
                    *o++ = (char)(0x80 | (cp & 0x3F));
                } else {
                    *o++ = (char)(0xE0 | (cp >> 12));
                    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                    *o++ = (char)(0x80 | (cp & 0x3F));
                }
            }
            continue;
        }
        default:
            return DECLINE;
        }
        if (o) *o++ = c;
    }
    s->p++; /* closing quote */
    if (o) {
        *o++ = '\0';
        *dst = s->out;
        s->out = o;
    }
    return 0;
}

/* A number (RFC 8259 grammar, which is also jansson's). */
static int scan_number(scanner *s, wiki_value *v)
{
    const unsigned char *start = s->p;
    int neg = 0;
    if (*s->p == '-') {
        neg = 1;
        s->p++;
    }
    if (s->p >= s->end) return DECLINE;
    const unsigned char *digits = s->p;
    if (*s->p == '0') {
        s->p++;
        if (s->p < s->end && *s->p >= '0' && *s->p <= '9') return DECLINE; /* leading zero */
    } else if (*s->p >= '1' && *s->p <= '9') {
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') s->p++;
    } else {
        return DECLINE;
    }
    size_t ndigits = (size_t)(s->p - digits);
    int real = 0;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (s->p >= s->end || *s->p < '0' || *s->p > '9') return DECLINE;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') s->p++;
        real = 1;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) return DECLINE; /* overflow rules */
    if (real) {
        if (s->p - start > MAX_REAL_CHARS) return DECLINE;
        if (v) v->kind = WV_OTHER;
        return 0;
    }
    if (ndigits > MAX_INT_DIGITS) return DECLINE;
    if (v) {
        int64_t n = 0;
        for (const unsigned char *d = digits; d < s->p; d++) n = n * 10 + (*d - '0');
        v->kind = WV_INT;
        v->i = neg ? -n : n;
    }
    return 0;
}

static int scan_literal(scanner *s, const char *word, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0) return DECLINE;
    s->p += n;
    return 0;
}

static int skip_value(scanner *s, int depth);

/* Key table of an object whose members are wanted. field >= 0: a leaf; sub != NULL: an object
 * whose own members are wanted (its value, when not an object, leaves them absent). */
typedef struct key_spec {
    const char *name;
    unsigned char len;
    signed char field;
    const struct key_spec *sub;
} key_spec;

#define LEAF(n, f) {n, sizeof n - 1, f, NULL}
static const key_spec meta_keys[] = {
    LEAF("id", WF_META_ID), LEAF("dt", WF_META_DT), LEAF("topic", WF_META_TOPIC),
    LEAF("partition", WF_META_PARTITION), LEAF("offset", WF_META_OFFSET),
    LEAF("uri", WF_META_URI), {NULL, 0, -1, NULL}};
static const key_spec length_keys[] = {
    LEAF("old", WF_LENGTH_OLD), LEAF("new", WF_LENGTH_NEW), {NULL, 0, -1, NULL}};
static const key_spec revision_keys[] = {
    LEAF("old", WF_REVISION_OLD), LEAF("new", WF_REVISION_NEW), {NULL, 0, -1, NULL}};
static const key_spec top_keys[] = {
    {"meta", 4, -1, meta_keys}, LEAF("title", WF_TITLE), LEAF("type", WF_TYPE),
    LEAF("namespace", WF_NAMESPACE), LEAF("wiki", WF_WIKI), LEAF("server_name", WF_SERVER_NAME),
    LEAF("user", WF_USER), LEAF("comment", WF_COMMENT), LEAF("bot", WF_BOT),
    LEAF("minor", WF_MINOR), LEAF("patrolled", WF_PATROLLED), LEAF("timestamp", WF_TIMESTAMP),
    {"length", 6, -1, length_keys}, {"revision", 8, -1, revision_keys},
    LEAF("server_url", WF_SERVER_URL), LEAF("title_url", WF_TITLE_URL), {NULL, 0, -1, NULL}};

/* A value into v (NULL: only validated). */
static int scan_value(scanner *s, wiki_value *v, int depth)
{
    if (s->p >= s->end) return DECLINE;
    switch (*s->p) {
    case '"':
        if (v) {
            v->kind = WV_STR;
            return scan_string(s, &v->s);
        }
        return scan_string(s, NULL);
    case 't':
        if (v) v->kind = WV_TRUE;
        return scan_literal(s, "true", 4);
    case 'f':
        if (v) v->kind = WV_FALSE;
        return scan_literal(s, "false", 5);
    case 'n':
        if (v) v->kind = WV_NULL;
        return scan_literal(s, "null", 4);
    case '{':
    case '[':
        if (v) v->kind = WV_OTHER;
        return skip_value(s, depth);
    default:
        return scan_number(s, v);
    }
}

/* Past an opening bracket, or after a member or element: 1 when the container closes here
 * (consumed), 0 when another item follows (a ',' after one is consumed), DECLINE otherwise. */
static int container_next(scanner *s, unsigned char close, int after_item)
{
    skip_ws(s);
    if (s->p >= s->end) return after_item ? DECLINE : 0;
    if (*s->p == close) {
        s->p++;
        return 1;
    }
    if (!after_item) return 0;
    if (*s->p != ',') return DECLINE;
    s->p++;
    skip_ws(s);
    return 0;
}

/* An object at '{'. With keys, wanted members go to f; a wanted key seen twice declines
 * (jansson keeps the last one; not worth imitating). */
static int scan_object(scanner *s, const key_spec *keys, wiki_fields *f, int depth)
{
    if (depth > MAX_DEPTH) return DECLINE;
    s->p++;
    int next = container_next(s, '}', 0);
    if (next != 0) return next == 1 ? 0 : DECLINE;
    uint32_t seen = 0;
    for (;;) {
        if (s->p >= s->end || *s->p != '"') return DECLINE;
        const unsigned char *key = s->p + 1;
        if (scan_string(s, NULL) != 0) return DECLINE;
        size_t klen = (size_t)(s->p - 1 - key);
        const key_spec *match = NULL;
        if (keys) {
            if (memchr(key, '\\', klen)) return DECLINE; /* escaped key: jansson decides */
            for (int i = 0; keys[i].name; i++)
                if (keys[i].len == klen && memcmp(keys[i].name, key, klen) == 0) {
                    if (seen & (1u << i)) return DECLINE;
                    seen |= 1u << i;
                    match = &keys[i];
                    break;
                }
        }
        skip_ws(s);
        if (s->p >= s->end || *s->p != ':') return DECLINE;
        s->p++;
        skip_ws(s);
        int rc;
        if (!match)
            rc = scan_value(s, NULL, depth + 1);
        else if (match->sub)
            rc = (s->p < s->end && *s->p == '{') ? scan_object(s, match->sub, f, depth + 1)
                                                 : scan_value(s, NULL, depth + 1);
        else
            rc = scan_value(s, &f->v[match->field], depth + 1);
        if (rc != 0) return DECLINE;
        next = container_next(s, '}', 1);
        if (next != 0) return next == 1 ? 0 : DECLINE;
    }
}

static int scan_array(scanner *s, int depth)
{
    if (depth > MAX_DEPTH) return DECLINE;
    s->p++;
    int next = container_next(s, ']', 0);
    if (next != 0) return next == 1 ? 0 : DECLINE;
    for (;;) {
        if (scan_value(s, NULL, depth + 1) != 0) return DECLINE;
        next = container_next(s, ']', 1);
        if (next != 0) return next == 1 ? 0 : DECLINE;
    }
}

static int skip_value(scanner *s, int depth)
{
    if (*s->p == '{') return scan_object(s, NULL, NULL, depth);
    return scan_array(s, depth);
}

int wiki_fields_scan(wiki_fields *f, const char *json, size_t len)
{
    if (f->scratch_cap < len + 1) {
        char *n = realloc(f->scratch, len + 1);
        if (!n) return -1;
        f->scratch = n;
        f->scratch_cap = len + 1;
    }
    memset(f->v, 0, sizeof f->v);
    scanner s = {(const unsigned char *)json, (const unsigned char *)json + len, f->scratch};
    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{') return 0; /* arrays, scalars, garbage: jansson's call */
    if (scan_object(&s, top_keys, f, 1) != 0) return 0;
    skip_ws(&s);
    return s.p == s.end ? 1 : 0;
}

static void classify(wiki_value *v, const json_t *j)
{
    memset(v, 0, sizeof *v);
    if (!j) return;
    switch (json_typeof(j)) {
    case JSON_NULL: v->kind = WV_NULL; break;
    case JSON_TRUE: v->kind = WV_TRUE; break;
    case JSON_FALSE: v->kind = WV_FALSE; break;
    case JSON_INTEGER:
        v->kind = WV_INT;
        v->i = json_integer_value(j);
        break;
    case JSON_STRING:
        v->kind = WV_STR;
        v->s = json_string_value(j);
        break;
    default: v->kind = WV_OTHER; break;
    }
}

static void from_object(wiki_fields *f, const json_t *obj, const key_spec *keys)
{
    for (int i = 0; keys[i].name; i++) {
        const json_t *m = json_is_object(obj) ? json_object_get(obj, keys[i].name) : NULL;
        if (keys[i].sub) from_object(f, m, keys[i].sub);
        else classify(&f->v[keys[i].field], m);
    }
}

void wiki_fields_from_json(wiki_fields *f, const json_t *event)
{
    memset(f->v, 0, sizeof f->v);
    from_object(f, event, top_keys);
}

void wiki_fields_free(wiki_fields *f)
{
    free(f->scratch);
    f->scratch = NULL;
    f->scratch_cap = 0;
}
