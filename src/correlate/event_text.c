/* Composition of event and title texts for embedding (see event_text.h). */
#include "correlate/event_text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} field_names[] = {
    {"description", EVENT_TEXT_DESCRIPTION}, {"actor1", EVENT_TEXT_ACTOR1},
    {"actor2", EVENT_TEXT_ACTOR2},           {"geo", EVENT_TEXT_GEO},
    {"url", EVENT_TEXT_URL},
};

int event_text_parse_fields(const char *spec, unsigned *mask, char *err, size_t errlen)
{
    *mask = 0;
    const char *p = spec ? spec : "";
    while (*p) {
        while (*p == ',' || *p == ' ') p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ') e++;
        size_t n = (size_t)(e - p);
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
            if (strlen(field_names[i].name) == n && !strncmp(field_names[i].name, p, n))
                bit = field_names[i].bit;
        if (!bit) {
            snprintf(err, errlen,
                     "correlate.event_text_fields: unknown field '%.*s' (known: description, "
                     "actor1, actor2, geo, url)",
                     (int)(n > 40 ? 40 : n), p);
            return -1;
        }
        *mask |= bit;
        p = e;
    }
    if (!*mask) {
        snprintf(err, errlen, "correlate.event_text_fields is empty");
        return -1;
    }
    return 0;
}

int event_text_blank(const char *s)
{
    if (!s) return 1;
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

/* GDELT actor names are upper case ("UNITED STATES"); the model is uncased, but the stored text is
 * read by people, so names are written in title case. Non-ASCII bytes are kept as they are. */
static int append_name(buf *out, const char *s)
{
    int start = 1;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char w = (char)c;
        if (c < 0x80 && isalpha(c)) {
            w = (char)(start ? toupper(c) : tolower(c));
            start = 0;
        } else {
            start = !(c >= 0x80 || isalnum(c) || c == '\'');
        }
        if (buf_append(out, &w, 1) != 0) return -1;
    }
    return 0;
}

/* CAMEO descriptions of the generic codes end in ", not specified below", which says nothing
 * about the event. */
static int append_description(buf *out, const char *s)
{
    size_t n = strlen(s);
    static const char tail[] = ", not specified below";
    size_t tn = sizeof tail - 1;
    if (n > tn && !strcasecmp(s + n - tn, tail)) n -= tn;
    return buf_append(out, s, n);
}

static int sep(buf *out)
{
    return out->len ? buf_append_str(out, ". ") : 0;
}

int event_text_compose(const event_parts *p, unsigned mask, buf *out)
{
    buf_reset(out);
    if (!out->data && buf_reserve(out, 64) != 0) return -1;
    out->data[0] = 0;
    if ((mask & EVENT_TEXT_DESCRIPTION) && !event_text_blank(p->description))
        if (sep(out) || append_description(out, p->description)) return -1;
    if ((mask & EVENT_TEXT_ACTOR1) && !event_text_blank(p->actor1))
        if (sep(out) || append_name(out, p->actor1)) return -1;
    if ((mask & EVENT_TEXT_ACTOR2) && !event_text_blank(p->actor2) &&
        !((mask & EVENT_TEXT_ACTOR1) && p->actor1 && !strcasecmp(p->actor1, p->actor2)))
        if (sep(out) || append_name(out, p->actor2)) return -1;
    if ((mask & EVENT_TEXT_GEO) && !event_text_blank(p->geo))
        if (sep(out) || buf_append_str(out, p->geo)) return -1;
    if ((mask & EVENT_TEXT_URL) && !event_text_blank(p->url)) {
        size_t before = out->len;
        if (sep(out)) return -1;
        size_t mark = out->len;
        if (event_text_url_words(p->url, out) != 0) return -1;
        if (out->len == mark) { /* no words: undo the separator */
            out->len = before;
            out->data[before] = 0;
        }
    }
    return 0;
}

/* Path segments that say where a page lives, not what it is about. */
static int is_boilerplate(const char *w, size_t n)
{
    static const char *const words[] = {"news", "article", "articles", "story", "stories",
                                        "index", "amp", "html", "htm", "php", "aspx", "shtml",
                                        "cms", "www", "content", "post", "posts", "en", "id",
                                        "syndicated", "view", "node", "details", "detail",
                                        "breaking"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == n && !strncasecmp(words[i], w, n)) return 1;
    return 0;
}

/* A token is a word if it has a letter, is longer than one character and is not an id: long
   and mixed with digits, or a piece of a hex hash / UUID (cbd6, 5f74). */
static int is_word(const char *w, size_t n)
{
    size_t letters = 0, digits = 0, hex = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (isalpha(c) || c >= 0x80) letters++;
        else if (isdigit(c)) digits++;
        if (isxdigit(c)) hex++;
    }
    if (!letters || n < 2) return 0;
    if (digits && n >= 6) return 0;
    if (digits && hex == n) return 0;
    return !is_boilerplate(w, n);
}

/* Counts the word tokens of one path segment and, when emit, appends them to out. */
static size_t segment_words(const char *s, size_t n, buf *out, int emit, int *oom)
{
    /* Drop a file extension. */
    for (size_t i = n; i > 0; i--) {
        if (s[i - 1] == '.') {
            if (n - i <= 5) n = i - 1;
            break;
        }
    }
    size_t count = 0, i = 0;
    while (i < n) {
        while (i < n && !(isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)) i++;
        size_t st = i;
        while (i < n && (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)) i++;
        if (i > st && is_word(s + st, i - st)) {
            count++;
            if (emit) {
                if (out->len && out->data[out->len - 1] != ' ' && buf_append(out, " ", 1) != 0)
                    *oom = 1;
                for (size_t k = st; k < i; k++) {
                    char c = (char)tolower((unsigned char)s[k]);
                    if (buf_append(out, &c, 1) != 0) *oom = 1;
                }
            }
        }
    }
    return count;
}

int event_text_url_words(const char *url, buf *out)
{
    if (!url) return 0;
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    p = strchr(p, '/'); /* skip the host */
    if (!p) return 0;
    size_t plen = strcspn(p, "?#");
    int oom = 0;
    /* The headline slug is the segment with the most words; when no segment has three, the
       words of all segments are used (short section names still say something). */
    const char *best = NULL;
    size_t best_len = 0, best_words = 0;
    for (const char *s = p; s < p + plen;) {
        while (s < p + plen && *s == '/') s++;
        const char *e = s;
        while (e < p + plen && *e != '/') e++;
        if (e > s) {
            size_t w = segment_words(s, (size_t)(e - s), out, 0, &oom);
            if (w >= best_words && w > 0) {
                best = s;
                best_len = (size_t)(e - s);
                best_words = w;
            }
        }
        s = e;
    }
    if (best && best_words >= 3) {
        segment_words(best, best_len, out, 1, &oom);
    } else {
        for (const char *s = p; s < p + plen;) {
            while (s < p + plen && *s == '/') s++;
            const char *e = s;
            while (e < p + plen && *e != '/') e++;
            if (e > s) segment_words(s, (size_t)(e - s), out, 1, &oom);
            s = e;
        }
    }
    if (!out->data && buf_reserve(out, 1) != 0) return -1;
    return oom ? -1 : 0;
}

int event_text_title(const char *title, buf *out)
{
    buf_reset(out);
    if (buf_append_str(out, title ? title : "") != 0) return -1;
    for (size_t i = 0; i < out->len; i++)
        if (out->data[i] == '_') out->data[i] = ' ';
    return 0;
}

event_parts event_parts_from_row(sqlite3_stmt *st, int first)
{
    event_parts p;
    p.description = (const char *)sqlite3_column_text(st, first);
    p.actor1 = (const char *)sqlite3_column_text(st, first + 1);
    p.actor2 = (const char *)sqlite3_column_text(st, first + 2);
    p.geo = (const char *)sqlite3_column_text(st, first + 3);
    p.url = (const char *)sqlite3_column_text(st, first + 4);
    return p;
}
