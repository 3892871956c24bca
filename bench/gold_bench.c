/* Gold benchmarks (figures only, no pass/fail):
 *  1. join: one full 4-hour bucket at real volume, N_EVENTS event vectors against N_TITLES
 *     title vectors, blocked sgemm top-k with threshold (simjoin_topk), as the gold flow runs it.
 *     Vectors are real embeddings (the labelled event texts, the wikiticker titles) inflated to
 *     volume with fresh copies: each copy is its original plus small noise, renormalised.
 *  2. flow: gold_correlate_run end to end over stand-in silver rows (the wikiticker day's content
 *     edits and the labelled events, inflated with fresh ids into one bucket): events/s, the
 *     time spent embedding and joining, and peak memory.
 * Usage: gold_bench [join|flow|all] [--events N] [--titles N] [--edits N] [--set key=value]...
 * Needs WG_SHARED for the recordings. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include "core/config.h"
#include "core/timeutil.h"
#include "correlate/gold_flow.h"
#include "correlate/simjoin.h"
#include "embed/embedder.h"
#include "store/store.h"
#include "../tests/unit/gold_silver_fixture.h"

typedef struct strs {
    char **v;
    size_t n, cap;
} strs;

static void strs_push(strs *s, const char *x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = strdup(x);
}

/* Distinct main-namespace titles of the wikiticker day, and (optionally) every content edit. */
static int read_wikiticker(const char *shared, strs *titles, strs *edit_titles, strs *edit_users,
                           strs *edit_wikis, strs *edit_times)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz", shared);
    gzFile f = gzopen(path, "rb");
    if (!f) return -1;
    char line[65536];
    json_t *seen = json_object();
    while (gzgets(f, line, sizeof line)) {
        json_t *o = json_loads(line, 0, NULL);
        if (!o) continue;
        const char *ns = json_string_value(json_object_get(o, "namespace"));
        const char *page = json_string_value(json_object_get(o, "page"));
        int robot = json_is_true(json_object_get(o, "isRobot"));
        if (ns && page && !strcmp(ns, "Main") && !robot) {
            if (!json_object_get(seen, page)) {
                json_object_set_new(seen, page, json_true());
                strs_push(titles, page);
            }
            if (edit_titles) {
                const char *ch = json_string_value(json_object_get(o, "channel"));
                const char *user = json_string_value(json_object_get(o, "user"));
                const char *t = json_string_value(json_object_get(o, "time"));
                char wiki[64] = "enwiki";
                if (ch && ch[0] == '#') {
                    size_t l = strcspn(ch + 1, ".");
                    snprintf(wiki, sizeof wiki, "%.*swiki", (int)(l < 40 ? l : 40), ch + 1);
                }
                strs_push(edit_titles, page);
                strs_push(edit_users, user ? user : "?");
                strs_push(edit_wikis, wiki);
                strs_push(edit_times, t ? t : "2015-09-12T00:00:00Z");
            }
        }
        json_decref(o);
    }
    json_decref(seen);
    gzclose(f);
    return 0;
}

static int read_label_events(const char *labels, strs *events)
{
    FILE *f = fopen(labels, "r");
    if (!f) return -1;
    char line[8192];
    json_t *seen = json_object();
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        if (!json_object_get(seen, line)) {
            json_object_set_new(seen, line, json_true());
            strs_push(events, line);
        }
    }
    json_decref(seen);
    fclose(f);
    return 0;
}

static unsigned rng = 12345;
static float gauss(void)
{
    double u1, u2;
    rng = rng * 1103515245u + 12345u;
    u1 = ((rng >> 8) + 1.0) / 16777218.0;
    rng = rng * 1103515245u + 12345u;
    u2 = ((rng >> 8) + 1.0) / 16777218.0;
    return (float)(sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
}

/* n vectors: the m originals, then copies of them plus noise (sigma per component), unit length. */
static float *inflate_vectors(const float *orig, size_t m, size_t n, float sigma)
{
    float *v = malloc(n * EMBED_DIM * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const float *o = orig + (i % m) * EMBED_DIM;
        float *x = v + i * EMBED_DIM;
        double norm = 0;
        for (int d = 0; d < EMBED_DIM; d++) {
            x[d] = o[d] + (i >= m ? sigma * gauss() : 0.0f);
            norm += (double)x[d] * x[d];
        }
        for (int d = 0; d < EMBED_DIM; d++) x[d] /= (float)sqrt(norm);
    }
    return v;
}

static float *embed_all(embedder *e, strs *s)
{
    float *v = malloc(s->n * EMBED_DIM * sizeof *v);
    char err[256];
    if (embedder_encode(e, (const char *const *)s->v, s->n, v, err, sizeof err) != 0) {
        fprintf(stderr, "embed: %s\n", err);
        exit(1);
    }
    return v;
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static void bench_join(config *cfg, embedder *emb, const char *shared, const char *labels,
                       size_t n_events, size_t n_titles)
{
    strs titles = {0}, events = {0};
    if (read_wikiticker(shared, &titles, NULL, NULL, NULL, NULL) || read_label_events(labels, &events)) {
        fprintf(stderr, "gold_bench: cannot read the recordings / labels\n");
        exit(1);
    }
    int64_t t0 = time_monotonic_ms();
    float *tv = embed_all(emb, &titles), *ev = embed_all(emb, &events);
    double embed_s = (time_monotonic_ms() - t0) / 1000.0;
    float *A = inflate_vectors(ev, events.n, n_events, 0.02f);
    float *B = inflate_vectors(tv, titles.n, n_titles, 0.02f);
    float thr = (float)gold_threshold(cfg, emb);
    int k = (int)config_get_int(cfg, "correlate.top_k", 5);
    simjoin_hits h = {0};
    t0 = time_monotonic_ms();
    simjoin_topk(A, n_events, B, n_titles, EMBED_DIM, thr, k, NULL, &h);
    double s = (time_monotonic_ms() - t0) / 1000.0;
    printf("join: %zu events x %zu titles (from %zu real event texts, %zu real titles; %s; embedding them took %.2f s)\n",
           n_events, n_titles, events.n, titles.n, embedder_name(emb), embed_s);
    printf("join: %.2f s for the full bucket, %.1f GFLOP/s, %.0f pairs scored/s, threshold %.2f, top-%d: %zu pairs kept\n",
           s, 2.0 * n_events * n_titles * EMBED_DIM / s / 1e9, (double)n_events * n_titles / s, thr, k, h.n);
    printf("join: peak RSS %ld MB\n", peak_rss_mb());
    simjoin_hits_free(&h);
    free(A);
    free(B);
    free(tv);
    free(ev);
}

static void bench_flow(config *cfg, embedder *emb, const char *shared, const char *labels,
                       size_t n_events, size_t n_edits)
{
    strs titles = {0}, events = {0}, et = {0}, eu = {0}, ew = {0}, etime = {0};
    if (read_wikiticker(shared, &titles, &et, &eu, &ew, &etime) || read_label_events(labels, &events)) {
        fprintf(stderr, "gold_bench: cannot read the recordings / labels\n");
        exit(1);
    }
    char dir[] = "/tmp/wg-gold-bench.XXXXXX";
    if (!mkdtemp(dir)) exit(1);
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/lake.db", dir);
    sqlite3 *db;
    if (store_open(path, cfg, 0, &db, err, sizeof err) || gold_fixture_create(db)) {
        fprintf(stderr, "gold_bench: %s\n", err);
        exit(1);
    }
    /* One 4-hour bucket: the edits keep their time of day modulo 4 h; copies past the real ones
       are fresh events (new ids) of the same pages, so their titles repeat as they do live. */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; i < n_edits; i++) {
        size_t j = i % et.n;
        char id[32], t[TIME_TEXT_LEN];
        snprintf(id, sizeof id, "b%zu", i);
        int64_t ts;
        time_parse_iso8601(etime.v[j], &ts);
        time_format(1721001600 + (ts % 14400), t);
        gold_fixture_edit(db, id, t, ew.v[j], et.v[j], eu.v[j], 1);
    }
    for (size_t i = 0; i < n_events; i++) {
        char t[TIME_TEXT_LEN];
        time_format(1721001600 + (int64_t)(i * 14399 / (n_events ? n_events : 1)), t);
        /* The labelled texts are already composed: they go in as the description alone. */
        gold_fixture_event(db, (int64_t)(1000000 + i), t, "010", events.v[i % events.n], NULL, NULL,
                           NULL, 0, 0, NULL);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    config_set(cfg, "correlate.event_text_fields", "description");
    gold_stats st;
    memset(&st, 0, sizeof st);
    int64_t t0 = time_monotonic_ms();
    if (gold_correlate_run(db, cfg, emb, 1, &st, err, sizeof err) != 0) {
        fprintf(stderr, "gold_bench: %s\n", err);
        exit(1);
    }
    double s = (time_monotonic_ms() - t0) / 1000.0;
    printf("flow: %zu events, %zu content edits (%lld distinct titles) in one bucket, %s\n", n_events,
           n_edits, (long long)st.new_titles, embedder_name(emb));
    printf("flow: %.2f s total (embedding %.2f s, join %.2f s, the rest is SQLite writes),"
           " %.0f events/s, %.0f silver rows/s; %lld pairs; peak RSS %ld MB\n",
           s, st.embed_seconds, st.join_seconds, n_events / s, (n_events + n_edits) / s,
           (long long)st.pairs_written, peak_rss_mb());
    store_close(db);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "gold_bench: could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
    const char *what = "all";
    size_t n_events = 20000, n_titles = 100000, n_edits = 0;
    config *cfg = config_new();
    char err[256];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--events") && i + 1 < argc) n_events = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--titles") && i + 1 < argc) n_titles = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--edits") && i + 1 < argc) n_edits = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
            if (config_set_pair(cfg, argv[++i], err, sizeof err)) { fprintf(stderr, "%s\n", err); return 2; }
        } else if (argv[i][0] != '-') what = argv[i];
        else { fprintf(stderr, "usage: gold_bench [join|flow|all] [--events N] [--titles N] [--edits N] [--set k=v]\n"); return 2; }
    }
    const char *shared = getenv("WG_SHARED");
    const char *labels = getenv("WG_LABELS");
    if (!shared || !*shared || !labels) {
        fprintf(stderr, "gold_bench: set WG_SHARED and WG_LABELS\n");
        return 2;
    }
    embedder *emb;
    if (embedder_open(cfg, &emb, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    if (!strcmp(what, "join") || !strcmp(what, "all")) bench_join(cfg, emb, shared, labels, n_events, n_titles);
    if (!strcmp(what, "flow") || !strcmp(what, "all"))
        bench_flow(cfg, emb, shared, labels, n_events, n_edits ? n_edits : 5 * n_events);
    embedder_close(emb);
    config_free(cfg);
    return 0;
}
