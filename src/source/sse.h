/* Server-Sent Events: an incremental parser for the text/event-stream format as the HTML Living
 * Standard defines it (section "Parsing an event stream" and "Interpreting an event stream").
 *
 * Bytes arrive in chunks of any size (network reads split fields, line ends and UTF-8 sequences
 * anywhere); the parser keeps only the current line and the event being built. It recognises the
 * `event`, `data` (multi-line, joined with LF), `id` and `retry` fields, comment lines (reported as
 * heartbeats), LF, CR and CRLF line ends (a CRLF split across two chunks counts once), and one
 * UTF-8 byte order mark at the very start of the stream. Unknown fields are ignored, as the
 * standard says.
 *
 * Departures that a pipeline needs: bytes are passed through undecoded (the consumer validates
 * UTF-8 and quarantines, instead of silently replacing), and a line or event larger than the
 * configured limits is not buffered: it is reported through on_error with its reason and a prefix
 * of its text, and the stream goes on. */
#ifndef WG_SSE_H
#define WG_SSE_H

#include <stddef.h>
#include <stdint.h>

typedef struct sse_event {
    const char *type;     /* "message" unless an `event` field said otherwise */
    size_t type_len;
    const char *data;     /* data lines joined with LF, without the final LF; not NUL-terminated */
    size_t data_len;
    const char *id;       /* the last event id buffer (persists across events, as specified) */
    size_t id_len;
    uint64_t end_offset;  /* stream offset just after the blank line that dispatched the event */
} sse_event;

typedef enum sse_error_kind {
    SSE_LINE_TOO_LONG = 1, /* one line over max_line: the line is skipped, its event dropped */
    SSE_EVENT_TOO_LARGE    /* data over max_event: the event is dropped */
} sse_error_kind;

typedef struct sse_callbacks {
    /* Return non-zero to stop sse_feed (it returns that value; the parser stays consistent and
     * the remaining bytes of the chunk are not consumed: see sse_feed). */
    int (*on_event)(void *ctx, const sse_event *ev);
    void (*on_comment)(void *ctx, const char *text, size_t len);   /* heartbeat; may be NULL */
    void (*on_retry)(void *ctx, int64_t retry_ms);                 /* may be NULL */
    /* A dropped line or event: reason is a short English phrase, prefix up to 4 KiB of the text,
     * id the last event id at that point, offset where the dropped event ended. May be NULL. */
    int (*on_error)(void *ctx, sse_error_kind kind, const char *reason, const char *prefix,
                    size_t prefix_len, const char *id, size_t id_len, uint64_t offset);
} sse_callbacks;

typedef struct sse_parser {
    sse_callbacks cb;
    void *ctx;
    size_t max_line, max_event;
    /* current line (only when it spans chunks or must be kept) */
    char *line; size_t line_len, line_cap;
    int line_overflow;            /* the current line went over max_line: skipping to its end */
    int after_cr;                 /* last byte seen was CR: a following LF belongs to it */
    int bom_checked;              /* the first bytes were examined for a BOM */
    unsigned char bom_have;       /* BOM bytes matched so far (0..3) */
    /* the event being built */
    char *data; size_t data_len, data_cap;
    char *type; size_t type_len, type_cap;
    char *id; size_t id_len, id_cap;          /* last event id buffer */
    int event_has_data;
    int event_dropped;            /* an error hit this event: discard it at the blank line */
    sse_error_kind dropped_kind;
    char dropped_reason[64];
    char *dropped_prefix; size_t dropped_prefix_len;
    uint64_t offset;              /* bytes consumed so far (absolute, including the BOM) */
    uint64_t events, comments, errors;
} sse_parser;

#define SSE_DEFAULT_MAX_LINE  (1u << 20)
#define SSE_DEFAULT_MAX_EVENT (4u << 20)

/* start_offset: absolute offset of the first byte that will be fed (non-zero when resuming a
 * file in the middle; a BOM is only recognised at offset 0). 0 ok, -1 out of memory. */
int sse_init(sse_parser *p, const sse_callbacks *cb, void *ctx, size_t max_line,
             size_t max_event, uint64_t start_offset);
/* Consumes the chunk. Returns 0, -1 on out of memory, or the non-zero value an on_event callback
 * returned; in that case *consumed (if not NULL) says how many bytes were used, so the caller
 * may feed the rest later. */
int sse_feed(sse_parser *p, const char *bytes, size_t len, size_t *consumed);
/* End of stream. The standard discards an unfinished event at end of file; recordings often end
 * without the final blank line, so dispatch_pending = 1 ends the line and dispatches it. */
int sse_finish(sse_parser *p, int dispatch_pending);
/* Sets the last event id buffer (a client resuming from a stored id). */
int sse_set_last_id(sse_parser *p, const char *id, size_t len);
void sse_free(sse_parser *p);

#endif
