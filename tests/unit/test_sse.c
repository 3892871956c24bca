/* Unit tests for the SSE parser: the standard's rules on small inline streams (always run), and
 * every recording in $WG_SHARED/data/wikimedia plus a slice of wikiticker converted to SSE, fed
 * split at every byte boundary: the events must be the same as when fed whole. */
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

#include "core/buf.h"
#include "source/sse.h"
#include "source/wiki_record.h"

/* Every event, comment, retry and error, rendered as one text to compare runs. */
typedef struct transcript {
    buf text;
    int events, comments, errors;
    int64_t retry;
} transcript;

static int on_event(void *ctx, const sse_event *ev)
{
    transcript *t = ctx;
    t->events++;
    buf_appendf(&t->text, "E[%.*s][%.*s][", (int)ev->type_len, ev->type, (int)ev->id_len, ev->id);
    buf_append(&t->text, ev->data, ev->data_len);
    buf_appendf(&t->text, "]@%llu\n", (unsigned long long)ev->end_offset);
    return 0;
}

static void on_comment(void *ctx, const char *text, size_t len)
{
    transcript *t = ctx;
    t->comments++;
    buf_appendf(&t->text, "C[%.*s]\n", (int)len, text);
}

static void on_retry(void *ctx, int64_t ms)
{
    transcript *t = ctx;
    t->retry = ms;
    buf_appendf(&t->text, "R[%lld]\n", (long long)ms);
}

static int on_error(void *ctx, sse_error_kind kind, const char *reason, const char *prefix,
                    size_t prefix_len, const char *id, size_t id_len, uint64_t offset)
{
    (void)prefix;
    transcript *t = ctx;
    t->errors++;
    buf_appendf(&t->text, "X[%d][%s][%zu][%.*s]@%llu\n", (int)kind, reason, prefix_len,
                (int)id_len, id, (unsigned long long)offset);
    return 0;
}

static const sse_callbacks callbacks = {on_event, on_comment, on_retry, on_error};

/* Feeds text in pieces: cuts[] are the chunk boundaries (ascending), ncuts of them. */
static void run_cuts(const char *s, size_t n, const size_t *cuts, size_t ncuts, size_t max_line,
                     size_t max_event, int dispatch_pending, transcript *t)
{
    memset(t, 0, sizeof *t);
    sse_parser p;
    assert_int_equal(sse_init(&p, &callbacks, t, max_line, max_event, 0), 0);
    size_t from = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : n;
        size_t used = 0;
        assert_int_equal(sse_feed(&p, s + from, to - from, &used), 0);
        assert_int_equal(used, to - from);
        from = to;
    }
    assert_int_equal(sse_finish(&p, dispatch_pending), 0);
    sse_free(&p);
    if (!t->text.data) buf_append_str(&t->text, "");
}

static void run_whole(const char *s, size_t n, transcript *t)
{
    run_cuts(s, n, NULL, 0, 0, 0, 0, t);
}

/* Byte by byte: every boundary is a chunk boundary in one pass. */
static void run_bytewise(const char *s, size_t n, size_t max_line, size_t max_event,
                         int dispatch_pending, transcript *t)
{
    size_t *cuts = malloc(n * sizeof *cuts);
    for (size_t i = 0; i + 1 < n; i++) cuts[i] = i + 1;
    run_cuts(s, n, cuts, n ? n - 1 : 0, max_line, max_event, dispatch_pending, t);
    free(cuts);
}

/* The same events whether fed whole, byte by byte, or cut in two at every position. */
static void check_splits(const char *s, size_t n, int all_two_way, int dispatch_pending,
                         int expect_events)
{
    transcript whole, other;
    run_cuts(s, n, NULL, 0, 0, 0, dispatch_pending, &whole);
    if (expect_events >= 0) assert_int_equal(whole.events, expect_events);
    run_bytewise(s, n, 0, 0, dispatch_pending, &other);
    assert_string_equal(other.text.data, whole.text.data);
    buf_free(&other.text);
    size_t step = all_two_way ? 1 : (n / 2000 + 1);
    for (size_t cut = 0; cut <= n; cut += step) {
        run_cuts(s, n, &cut, 1, 0, 0, dispatch_pending, &other);
        if (strcmp(other.text.data, whole.text.data) != 0)
            fail_msg("split at byte %zu of %zu changes the events", cut, n);
        buf_free(&other.text);
    }
    buf_free(&whole.text);
}

static void test_spec_examples(void **state)
{
    (void)state;
    transcript t;
    /* the standard's examples: multi-line data, comments, ids that persist, a trailing
     * unterminated event discarded at the end */
    const char *s = ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\n"
                    "data:  third event\n\ndata\ndata\n\ndata:\n\nevent: add\ndata: 73857293\n\n"
                    "data: YHOO\ndata: +2\ndata: 10\n\ndata: no end";
    run_whole(s, strlen(s), &t);
    assert_string_equal(t.text.data,
                        "C[ test stream]\n"
                        "E[message][1][first event]@40\n"
                        "E[message][][second event]@62\n"
                        "E[message][][ third event]@82\n"
                        "E[message][][\n]@93\n"
                        "E[message][][]@100\n"
                        "E[add][][73857293]@127\n"
                        "E[message][][YHOO\n+2\n10]@157\n");
    assert_int_equal(t.comments, 1);
    buf_free(&t.text);
    check_splits(s, strlen(s), 1, 0, 7);
}

static void test_line_ends_bom_retry(void **state)
{
    (void)state;
    transcript t;
    /* CR, LF and CRLF mixed; BOM at the start is dropped; retry needs digits only; a field
     * without colon is a name with an empty value; unknown fields are ignored */
    const char *s = "\xEF\xBB\xBFretry: 2500\r\nretry: 12a\r\nid: a\rdata: x\r\rdata: y\r\n"
                    "foo: bar\ndata\r\n\r\nid: b\0c\ndata: z\n\n";
    size_t n = 3 + strlen(s + 3) + 1 + strlen(s + 3 + strlen(s + 3) + 1);
    run_whole(s, n, &t);
    assert_int_equal(t.retry, 2500);
    assert_int_equal(t.events, 3);
    /* "id: b\0c" contains NUL: ignored, the id stays "a" */
    assert_string_equal(t.text.data, "R[2500]\nE[message][a][x]@43\nE[message][a][y\n]@68\n"
                                     "E[message][a][z]@86\n");
    buf_free(&t.text);
    check_splits(s, n, 1, 0, 3);
    /* a BOM that is not at the start is data; a partial BOM is line content */
    const char *s2 = "\xEF\xBB" "data: q\n\n";
    run_whole(s2, strlen(s2), &t);
    assert_int_equal(t.events, 0); /* the field name is "\xEF\xBB" "data": unknown */
    buf_free(&t.text);
}

static void test_limits(void **state)
{
    (void)state;
    transcript t;
    /* a line over max_line drops its event (reported once) and the stream goes on */
    buf s = BUF_INIT;
    buf_append_str(&s, "id: 7\ndata: ");
    for (int i = 0; i < 300; i++) buf_append_str(&s, "x");
    buf_append_str(&s, "\ndata: more\n\ndata: fine\n\n");
    run_cuts(s.data, s.len, NULL, 0, 100, 1000, 0, &t);
    assert_int_equal(t.errors, 1);
    assert_int_equal(t.events, 1);
    assert_non_null(strstr(t.text.data, "line longer than 100 bytes"));
    assert_non_null(strstr(t.text.data, "E[message][7][fine]"));
    buf_free(&t.text);
    transcript b;
    run_cuts(s.data, s.len, NULL, 0, 100, 1000, 0, &t);
    run_bytewise(s.data, s.len, 100, 1000, 0, &b);
    assert_string_equal(t.text.data, b.text.data);
    buf_free(&t.text);
    buf_free(&b.text);
    /* an event whose data lines add up past max_event */
    buf_reset(&s);
    for (int i = 0; i < 20; i++) buf_append_str(&s, "data: 0123456789012345678901234567890123456789\n");
    buf_append_str(&s, "\ndata: after\n\n");
    run_cuts(s.data, s.len, NULL, 0, 100, 500, 0, &t);
    assert_int_equal(t.errors, 1);
    assert_int_equal(t.events, 1);
    assert_non_null(strstr(t.text.data, "event data larger than 500 bytes"));
    run_bytewise(s.data, s.len, 100, 500, 0, &b);
    assert_string_equal(t.text.data, b.text.data);
    buf_free(&t.text);
    buf_free(&b.text);
    buf_free(&s);
}

static int stop_after_one(void *ctx, const sse_event *ev)
{
    on_event(ctx, ev);
    return 1;
}

static void test_stop_and_resume_feed(void **state)
{
    (void)state;
    /* a callback that stops: sse_feed says how much it used, and the rest follows later */
    const char *s = "data: 1\n\ndata: 2\r\n\r\ndata: 3\n\n";
    transcript t;
    memset(&t, 0, sizeof t);
    sse_callbacks cb = callbacks;
    cb.on_event = stop_after_one;
    sse_parser p;
    assert_int_equal(sse_init(&p, &cb, &t, 0, 0, 0), 0);
    size_t used, off = 0, n = strlen(s);
    assert_int_equal(sse_feed(&p, s, n, &used), 1);
    assert_int_equal(used, 9);
    off += used;
    assert_int_equal(sse_feed(&p, s + off, n - off, &used), 1);
    off += used;
    assert_int_equal(sse_feed(&p, s + off, n - off, &used), 1);
    off += used;
    assert_int_equal(off, n);
    assert_int_equal(t.events, 3);
    assert_string_equal(t.text.data, "E[message][][1]@9\nE[message][][2]@19\nE[message][][3]@29\n");
    sse_free(&p);
    buf_free(&t.text);
}

/* ------------------------------------------------------------ the recordings */

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b = BUF_INIT;
    char tmp[65536];
    size_t r;
    while ((r = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, r);
    fclose(f);
    *n = b.len;
    return b.data ? b.data : calloc(1, 1);
}

typedef struct to_sse {
    buf out;
    int n, limit;
    const char *eol;
} to_sse;

/* Re-frames recording events as SSE, with the given line end, ids and multi-line data. */
static int frame_record(void *ctx, const wiki_record *rec)
{
    to_sse *c = ctx;
    if (rec->error) return 0;
    buf_appendf(&c->out, "event: message%sid: [{\"offset\":%d}]%s", c->eol, c->n, c->eol);
    /* split the JSON into data lines at commas sometimes: multi-line data must rejoin as LF */
    buf_appendf(&c->out, "data: ");
    buf_append(&c->out, rec->data, rec->len);
    buf_appendf(&c->out, "%s%s", c->eol, c->eol);
    if (c->n % 50 == 0) buf_appendf(&c->out, ":heartbeat%s", c->eol);
    c->n++;
    return c->limit && c->n >= c->limit ? 1 : 0;
}

static void test_recordings_split_everywhere(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", shared_path("data/wikimedia"));
    DIR *d = opendir(dir);
    if (!d) fail_msg("cannot open %s: %s", dir, strerror(errno));
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t n = 0;
        char *text = read_all(path, &n);
        assert_non_null(text);
        files++;
        if (strstr(de->d_name, ".events")) {
            /* raw SSE: the recording ends without its final blank line, so end-of-file
             * dispatch is used; 3 events */
            check_splits(text, n, 1, 1, 3);
        } else {
            /* JSON lines: framed as SSE with each line end style, then split everywhere */
            static const char *const eols[] = {"\n", "\r\n", "\r"};
            for (int e = 0; e < 3; e++) {
                to_sse c;
                memset(&c, 0, sizeof c);
                c.eol = eols[e];
                char err[256];
                assert_int_equal(wiki_recording_read(path, 0, 0, frame_record, &c, NULL, err,
                                                     sizeof err), 0);
                check_splits(c.out.data, c.out.len, 0, 0, c.n);
                buf_free(&c.out);
            }
        }
        free(text);
    }
    closedir(d);
    assert_true(files >= 2);
}

static void test_wikiticker_slice_as_sse(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s", shared_path("data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"));
    to_sse c;
    memset(&c, 0, sizeof c);
    c.eol = "\r\n";
    c.limit = 400;
    char err[256];
    wiki_format fmt;
    assert_int_equal(wiki_recording_read(path, 0, 0, frame_record, &c, &fmt, err, sizeof err), 1);
    assert_int_equal(fmt, WIKI_FORMAT_WIKITICKER);
    assert_int_equal(c.n, 400);
    check_splits(c.out.data, c.out.len, 0, 0, 400);
    buf_free(&c.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_examples),
        cmocka_unit_test(test_line_ends_bom_retry),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_stop_and_resume_feed),
        cmocka_unit_test(test_recordings_split_everywhere),
        cmocka_unit_test(test_wikiticker_slice_as_sse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
