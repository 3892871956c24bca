/* Incremental text/event-stream parser (HTML Living Standard, "event stream interpretation").
 * Lines are processed straight from the caller's chunk when they end inside it; only a line that
 * spans chunks is copied, so a large replay is parsed with one pass over the bytes. */
#include "source/sse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSE_PREFIX_MAX 4096

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap : 256;
    while (n < need) n *= 2;
    char *p = realloc(*buf, n);
    if (!p) return -1;
    *buf = p;
    *cap = n;
    return 0;
}

static int set_bytes(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (grow(buf, cap, n + 1) != 0) return -1;
    if (n) memcpy(*buf, s, n);
    (*buf)[n] = '\0';
    *len = n;
    return 0;
}

int sse_init(sse_parser *p, const sse_callbacks *cb, void *ctx, size_t max_line,
             size_t max_event, uint64_t start_offset)
{
    memset(p, 0, sizeof *p);
    p->cb = *cb;
    p->ctx = ctx;
    p->max_line = max_line ? max_line : SSE_DEFAULT_MAX_LINE;
    p->max_event = max_event ? max_event : SSE_DEFAULT_MAX_EVENT;
    p->offset = start_offset;
    p->bom_checked = start_offset != 0;
    return set_bytes(&p->type, &p->type_len, &p->type_cap, "", 0) == 0 &&
                   set_bytes(&p->id, &p->id_len, &p->id_cap, "", 0) == 0
               ? 0
               : -1;
}

void sse_free(sse_parser *p)
{
    free(p->line);
    free(p->data);
    free(p->type);
    free(p->id);
    free(p->dropped_prefix);
    memset(p, 0, sizeof *p);
}

int sse_set_last_id(sse_parser *p, const char *id, size_t len)
{
    return set_bytes(&p->id, &p->id_len, &p->id_cap, id, len);
}

/* Marks the event being built as dropped (first reason wins) and keeps a prefix of the text. */
static void drop_event(sse_parser *p, sse_error_kind kind, const char *reason, const char *text,
                       size_t len)
{
    if (p->event_dropped) return;
    p->event_dropped = 1;
    p->dropped_kind = kind;
    snprintf(p->dropped_reason, sizeof p->dropped_reason, "%s", reason);
    size_t n = len < SSE_PREFIX_MAX ? len : SSE_PREFIX_MAX;
    char *copy = malloc(n + 1);
    if (copy) {
        memcpy(copy, text, n);
        copy[n] = '\0';
    }
    free(p->dropped_prefix);
    p->dropped_prefix = copy;
    p->dropped_prefix_len = copy ? n : 0;
}

static void reset_event(sse_parser *p)
{
    p->data_len = 0;
    p->event_has_data = 0;
    p->type_len = 0;
    if (p->type) p->type[0] = '\0';
    p->event_dropped = 0;
    free(p->dropped_prefix);
    p->dropped_prefix = NULL;
    p->dropped_prefix_len = 0;
}

static int dispatch(sse_parser *p, uint64_t end_offset)
{
    int rc = 0;
    if (p->event_dropped) {
        p->errors++;
        if (p->cb.on_error)
            rc = p->cb.on_error(p->ctx, p->dropped_kind, p->dropped_reason,
                                p->dropped_prefix ? p->dropped_prefix : "", p->dropped_prefix_len,
                                p->id, p->id_len, end_offset);
        reset_event(p);
        return rc;
    }
    if (!p->event_has_data) { /* the standard: no data, no event (type is reset too) */
        reset_event(p);
        return 0;
    }
    sse_event ev;
    ev.type = p->type_len ? p->type : "message";
    ev.type_len = p->type_len ? p->type_len : 7;
    ev.data = p->data;
    ev.data_len = p->data_len ? p->data_len - 1 : 0; /* the last LF is not part of the data */
    ev.id = p->id;
    ev.id_len = p->id_len;
    ev.end_offset = end_offset;
    p->events++;
    if (p->cb.on_event) rc = p->cb.on_event(p->ctx, &ev);
    reset_event(p);
    return rc;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0 || n > 18) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* One complete line (without its terminator); end_offset is just past the terminator. */
static int process_line(sse_parser *p, const char *s, size_t n, uint64_t end_offset)
{
    if (n == 0) return dispatch(p, end_offset);
    if (s[0] == ':') {
        p->comments++;
        if (p->cb.on_comment) p->cb.on_comment(p->ctx, s + 1, n - 1);
        return 0;
    }
    const char *colon = memchr(s, ':', n);
    size_t flen = colon ? (size_t)(colon - s) : n;
    const char *v = colon ? colon + 1 : s + n;
    size_t vlen = colon ? n - flen - 1 : 0;
    if (colon && vlen && v[0] == ' ') {
        v++;
        vlen--;
    }
    if (flen == 4 && memcmp(s, "data", 4) == 0) {
        if (p->event_dropped) return 0;
        if (p->data_len + vlen + 1 > p->max_event) {
            char reason[64];
            snprintf(reason, sizeof reason, "event data larger than %zu bytes", p->max_event);
            /* the prefix shows the start of the event, which is what identifies it */
            if (p->data_len)
                drop_event(p, SSE_EVENT_TOO_LARGE, reason, p->data, p->data_len);
            else
                drop_event(p, SSE_EVENT_TOO_LARGE, reason, v, vlen);
            p->data_len = 0;
            return 0;
        }
        if (grow(&p->data, &p->data_cap, p->data_len + vlen + 2) != 0) return -1;
        memcpy(p->data + p->data_len, v, vlen);
        p->data_len += vlen;
        p->data[p->data_len++] = '\n';
        p->data[p->data_len] = '\0';
        p->event_has_data = 1;
    } else if (flen == 5 && memcmp(s, "event", 5) == 0) {
        if (set_bytes(&p->type, &p->type_len, &p->type_cap, v, vlen) != 0) return -1;
    } else if (flen == 2 && memcmp(s, "id", 2) == 0) {
        if (!memchr(v, '\0', vlen) && set_bytes(&p->id, &p->id_len, &p->id_cap, v, vlen) != 0)
            return -1;
    } else if (flen == 5 && memcmp(s, "retry", 5) == 0) {
        if (all_digits(v, vlen) && p->cb.on_retry) {
            int64_t ms = 0;
            for (size_t i = 0; i < vlen; i++) ms = ms * 10 + (v[i] - '0');
            p->cb.on_retry(p->ctx, ms);
        }
    }
    /* any other field name is ignored, as the standard says */
    return 0;
}

/* Appends part of a line that spans chunks, enforcing max_line. */
static int keep_line_part(sse_parser *p, const char *s, size_t n)
{
    if (p->line_overflow) return 0;
    if (p->line_len + n > p->max_line) {
        char reason[64];
        snprintf(reason, sizeof reason, "line longer than %zu bytes", p->max_line);
        /* the reported prefix is the line's first max_line bytes however it was chunked */
        size_t fill = p->max_line - p->line_len;
        if (grow(&p->line, &p->line_cap, p->max_line + 1) != 0) return -1;
        memcpy(p->line + p->line_len, s, fill);
        drop_event(p, SSE_LINE_TOO_LONG, reason, p->line, p->max_line);
        p->line_overflow = 1;
        p->line_len = 0;
        return 0;
    }
    if (grow(&p->line, &p->line_cap, p->line_len + n + 1) != 0) return -1;
    memcpy(p->line + p->line_len, s, n);
    p->line_len += n;
    return 0;
}

static const unsigned char utf8_bom[3] = {0xEF, 0xBB, 0xBF};

int sse_feed(sse_parser *p, const char *bytes, size_t len, size_t *consumed)
{
    size_t i = 0;
    int rc = 0;
    /* A BOM may itself be split across chunks; partial matches are held in bom_have. */
    while (!p->bom_checked && i < len) {
        if ((unsigned char)bytes[i] == utf8_bom[p->bom_have]) {
            p->bom_have++;
            i++;
            if (p->bom_have == 3) p->bom_checked = 1;
        } else {
            p->bom_checked = 1;
            /* not a BOM after all: the bytes matched so far are line content */
            if (p->bom_have && keep_line_part(p, (const char *)utf8_bom, p->bom_have) != 0)
                return -1;
        }
    }
    while (i < len) {
        if (p->after_cr) {
            p->after_cr = 0;
            if (bytes[i] == '\n') {
                i++;
                continue;
            }
        }
        size_t j = i;
        while (j < len && bytes[j] != '\n' && bytes[j] != '\r') j++;
        if (j == len) { /* the line continues in the next chunk */
            if (keep_line_part(p, bytes + i, len - i) != 0) {
                rc = -1;
                break;
            }
            i = len;
            break;
        }
        uint64_t end = p->offset + (j + 1);
        p->after_cr = bytes[j] == '\r';
        if (p->line_overflow) {
            p->line_overflow = 0;
            p->line_len = 0;
        } else if (p->line_len) {
            if (keep_line_part(p, bytes + i, j - i) != 0) {
                rc = -1;
                break;
            }
            if (!p->line_overflow) {
                size_t n = p->line_len;
                p->line_len = 0;
                rc = process_line(p, p->line, n, end);
            } else {
                p->line_overflow = 0;
                p->line_len = 0;
            }
        } else if (j - i > p->max_line) {
            char reason[64];
            snprintf(reason, sizeof reason, "line longer than %zu bytes", p->max_line);
            drop_event(p, SSE_LINE_TOO_LONG, reason, bytes + i, p->max_line);
        } else {
            rc = process_line(p, bytes + i, j - i, end);
        }
        i = j + 1;
        if (rc != 0) break;
    }
    p->offset += i;
    if (consumed) *consumed = i;
    return rc;
}

int sse_finish(sse_parser *p, int dispatch_pending)
{
    int rc = 0;
    if (dispatch_pending) {
        if (p->line_len && !p->line_overflow) {
            size_t n = p->line_len;
            p->line_len = 0;
            rc = process_line(p, p->line, n, p->offset);
        }
        if (rc == 0 && (p->event_has_data || p->event_dropped)) rc = dispatch(p, p->offset);
    }
    p->line_len = 0;
    p->line_overflow = 0;
    p->after_cr = 0;
    reset_event(p);
    return rc;
}
