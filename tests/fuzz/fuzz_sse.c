/* The SSE parser (source/sse.c). Oracle: the events, comments and errors of a stream do not
 * depend on how it is cut into chunks - the input fed whole, and fed in chunks whose sizes come
 * from the first byte, give the same sequence; and the parser's counters agree with what the
 * callbacks saw. */
#include "fuzz_util.h"
#include "source/sse.h"

typedef struct trace {
    char *text;
    size_t len, cap;
    uint64_t events;
} trace;

static void put(trace *t, const char *tag, const char *s, size_t n)
{
    size_t need = t->len + strlen(tag) + n + 24;
    if (need > t->cap) {
        t->cap = need * 2;
        t->text = realloc(t->text, t->cap);
        if (!t->text) abort();
    }
    t->len += (size_t)snprintf(t->text + t->len, t->cap - t->len, "%s%zu:", tag, n);
    memcpy(t->text + t->len, s, n);
    t->len += n;
}

static int on_event(void *ctx, const sse_event *ev)
{
    trace *t = ctx;
    put(t, "T", ev->type, ev->type_len);
    put(t, "D", ev->data, ev->data_len);
    put(t, "I", ev->id, ev->id_len);
    char off[32];
    int n = snprintf(off, sizeof off, "%llu", (unsigned long long)ev->end_offset);
    put(t, "O", off, (size_t)n);
    t->events++;
    return 0;
}
static void on_comment(void *ctx, const char *text, size_t len) { put(ctx, "C", text, len); }
static void on_retry(void *ctx, int64_t ms)
{
    char s[32];
    int n = snprintf(s, sizeof s, "%lld", (long long)ms);
    put(ctx, "R", s, (size_t)n);
}
static int on_error(void *ctx, sse_error_kind kind, const char *reason, const char *prefix,
                    size_t prefix_len, const char *id, size_t id_len, uint64_t offset)
{
    (void)prefix; (void)prefix_len; (void)offset;
    char k[8];
    snprintf(k, sizeof k, "E%d", (int)kind);
    put(ctx, k, reason, strlen(reason));
    put(ctx, "I", id, id_len);
    return 0;
}

static void run(const uint8_t *data, size_t size, size_t step, trace *t, int dispatch)
{
    sse_callbacks cb = {on_event, on_comment, on_retry, on_error};
    sse_parser p;
    /* small limits so that the fuzzer reaches the oversize paths */
    if (sse_init(&p, &cb, t, 64, 256, 0) != 0) abort();
    for (size_t off = 0; off < size;) {
        size_t n = step && size - off > step ? step : size - off;
        size_t used = 0;
        FUZZ_CHECK(sse_feed(&p, (const char *)data + off, n, &used) == 0, "feed failed");
        off += n;
    }
    FUZZ_CHECK(sse_finish(&p, dispatch) == 0, "finish failed");
    FUZZ_CHECK(p.events == t->events, "events counter %llu, callbacks %llu",
               (unsigned long long)p.events, (unsigned long long)t->events);
    sse_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t step = (size_t)(data[0] % 17) + 1;
    int dispatch = data[0] >> 7;
    data++, size--;
    trace whole = {0}, cut = {0};
    run(data, size, 0, &whole, dispatch);
    run(data, size, step, &cut, dispatch);
    FUZZ_CHECK(whole.len == cut.len && (!whole.len || memcmp(whole.text, cut.text, whole.len) == 0),
               "chunks of %zu change the result", step);
    free(whole.text);
    free(cut.text);
    return 0;
}
