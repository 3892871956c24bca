/* `correlate [--drain]`: run the gold flows once over what is pending in silver.
 * `eval LABELS.tsv`: precision, recall and F1 of the correlation on labelled pairs. */
#include "cli/commands.h"
#include "cli/cmd_table.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/stop.h"
#include "core/timeutil.h"
#include "correlate/eval.h"
#include "correlate/event_text.h"
#include "correlate/gold_flow.h"
#include "correlate/country_names.h"
#include "correlate/rerank.h"
#include "embed/embedder.h"
#include "observe/observe.h"
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Flow progress of gold and bursts from a step's statistics (the gold flow commits its own
 * batches; these rows and counters follow in one short transaction). */
static size_t obs_hits, obs_misses;
static void observe_gold(sqlite3 *db, const config *cfg, const embedder *emb, int64_t started_ms,
                         const gold_stats *st, const char *error)
{
    size_t entries, hits, misses;
    embedder_cache_stats(emb, &entries, &hits, &misses);
    if (hits >= obs_hits && hits - obs_hits)
        obs_count("wikigdelt_embedding_cache_hits_total", "", (double)(hits - obs_hits));
    if (misses >= obs_misses && misses - obs_misses)
        obs_count("wikigdelt_embedding_cache_misses_total", "", (double)(misses - obs_misses));
    obs_hits = hits;
    obs_misses = misses;
    if (!error && st->batches == 0) return;
    if (st->titles_embedded + st->events_embedded)
        obs_count("wikigdelt_embedding_texts_total", "", (double)(st->titles_embedded + st->events_embedded));
    if (st->embed_seconds > 0) obs_count("wikigdelt_embedding_seconds_total", "", st->embed_seconds);
    obs_count("wikigdelt_gold_pairs_total", "", (double)st->pairs_written);
    obs_count("wikigdelt_bursts_total", "", (double)st->bursts);
    if (st->late_events) obs_count("wikigdelt_flow_late_rows_total", "flow=\"gold\",stream=\"gdelt\"", (double)st->late_events);
    if (st->late_edits) obs_count("wikigdelt_flow_late_rows_total", "flow=\"gold\",stream=\"wiki\"", (double)st->late_edits);
    if (!config_get_bool(cfg, "observe.enabled", 1) || store_begin(db) != 0) return;
    obs_flow_batch(db, cfg, &(obs_batch){.flow = "gold", .start_ms = started_ms,
                   .input_rows = st->events_read + st->edits_read, .output_rows = st->pairs_written,
                   .late_rows = st->late_events + st->late_edits, .lag_seconds = -1,
                   .error = error, .latency = error ? OBS_LAT_NONE : OBS_LAT_GOLD});
    obs_flow_batch(db, cfg, &(obs_batch){.flow = "bursts", .start_ms = started_ms,
                   .input_rows = st->content_edits, .output_rows = st->bursts,
                   .lag_seconds = -1, .error = error});
    if (store_commit(db) != 0) store_rollback(db);
}

static void print_mismatch(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT events, matched, no_match, no_partner_window, late, open,"
                           " late_edits, mismatch_rate FROM gold_mismatch",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(st) == SQLITE_ROW) {
        printf("gold_events: %lld (matched %lld, no match %lld, no partner in window %lld,"
               " late %lld, open %lld); late edits %lld; mismatch rate %s\n",
               sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
               sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
               sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5),
               sqlite3_column_int64(st, 6),
               sqlite3_column_type(st, 7) == SQLITE_NULL
                   ? "n/a (no closed bucket yet)"
                   : (const char *)sqlite3_column_text(st, 7));
    }
    sqlite3_finalize(st);
}

static void print_run(const char *name, const gold_stats *st)
{
    printf("correlate (%s, threshold %.2f): gdelt read %lld (late %lld), wiki read %lld"
           " (content %lld, late %lld), new titles %lld, pairs written %lld (pruned %lld),"
           " bursts %lld, buckets closed %lld, open %lld, batches %lld, bad rows %lld\n",
           name, st->threshold, (long long)st->events_read, (long long)st->late_events,
           (long long)st->edits_read, (long long)st->content_edits, (long long)st->late_edits,
           (long long)st->new_titles, (long long)st->pairs_written, (long long)st->pairs_pruned,
           (long long)st->bursts, (long long)st->buckets_closed, (long long)st->open_buckets,
           (long long)st->batches, (long long)st->bad_rows);
    printf("time: total %.2f s, embedding %.2f s, join %.2f s\n", st->total_seconds,
           st->embed_seconds, st->join_seconds);
    printf("write transactions: %.2f s, %lld event/title texts embedded in them (embedding"
           " before them: %.2f s)\n", st->write_seconds, (long long)st->embedded_in_write,
           st->prefetch_seconds);
    if (st->prefilter)
        printf("prefilter (%s): %lld titles embedded (new titles %lld), first stage %.2f s,"
               " %lld events embedded (events read %lld)\n",
               st->prefilter_mode, (long long)st->titles_embedded, (long long)st->new_titles,
               st->prefilter_seconds, (long long)st->events_embedded,
               (long long)st->events_read);
    if (st->static_vocab_seconds > 0)
        printf("static vocabulary: built in %.2f s (once per model, kept in the store)\n",
               st->static_vocab_seconds);
    if (st->rerank_candidates)
        printf("rerank: %lld candidate pairs scored in %.2f s (event fields embedded included;"
               " %lld of them country pages below the cosine)\n",
               (long long)st->rerank_candidates, st->rerank_seconds,
               (long long)st->rerank_country_pages);
}

/* --follow: one flow handle for the life of the process, so the open buckets stay in memory
   between cycles instead of being reloaded by every one-shot run. Stops on SIGINT/SIGTERM. */
static int correlate_follow(app *a, sqlite3 *db, embedder *emb, double interval)
{
    char err[WG_ERR_LEN] = "";
    gold_flow *f;
    if (gold_flow_open(db, a->cfg, emb, &f, err, sizeof err) != 0)
        return app_runtime_error("correlate: %s", err);
    stop_install_signals();
    while (!stop_requested()) {
        gold_stats st;
        memset(&st, 0, sizeof st);
        int64_t started_ms = time_now_ms();
        int failed = gold_flow_step(f, 0, &st, err, sizeof err) != 0;
        observe_gold(db, a->cfg, emb, started_ms, &st, failed ? err : NULL);
        if (failed)
            log_error("gold", "correlate: %s (retrying in %.1f s)", err, interval);
        else if (st.batches) {
            print_run(embedder_name(emb), &st);
            fflush(stdout);
        }
        for (int64_t waited = 0; !stop_requested() && waited < (int64_t)(interval * 1000); waited += 100) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    gold_flow_close(f);
    print_mismatch(db);
    return 0;
}

typedef struct correlate_args {
    int drain, follow;
    double interval;
} correlate_args;

static int correlate_opt(cli_parser *p, int key, void *ctx)
{
    correlate_args *c = ctx;
    if (key == O_DRAIN) c->drain = 1;
    else if (key == O_FOLLOW) c->follow = 1;
    else {
        char *end;
        c->interval = strtod(p->arg, &end);
        if (!*p->arg || *end || !(c->interval > 0 && c->interval <= 86400))
            return app_usage_error("correlate: --interval takes seconds (0 < S <= 86400)");
    }
    return CLI_GO;
}

int cmd_correlate(app *a, int argc, char **argv)
{
    correlate_args args = {0, 0, config_get_double(a->cfg, "correlate.interval_seconds", 5.0)};
    int parsed = cli_parse(&cli_correlate, argc, argv, correlate_opt, &args, NULL);
    if (parsed != CLI_GO) return parsed;
    int drain = args.drain, follow = args.follow;
    double interval = args.interval;
    if (drain && follow) return app_usage_error("correlate: --drain and --follow exclude each other");
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    char err[WG_ERR_LEN] = "";
    embedder *emb;
    if (embedder_open(a->cfg, &emb, err, sizeof err) != 0)
        return app_runtime_error("correlate: embedder: %s", err);
    /* Vectors persist in the store's embedding cache: a page edited again in a later window, or
       a later run, is not embedded again. Missing cache table: the in-memory cache still works. */
    if (embedder_attach_store(emb, db) != 0)
        log_warn("gold", "embedding cache table missing: vectors are cached in memory only");
    if (follow) {
        int rc = correlate_follow(a, db, emb, interval);
        embedder_close(emb);
        return rc;
    }
    gold_stats st;
    memset(&st, 0, sizeof st);
    int64_t started_ms = time_now_ms();
    int rc = gold_correlate_run(db, a->cfg, emb, drain, &st, err, sizeof err);
    observe_gold(db, a->cfg, emb, started_ms, &st, rc != 0 ? err : NULL);
    if (rc != 0) {
        embedder_close(emb);
        return app_runtime_error("correlate: %s", err);
    }
    print_run(embedder_name(emb), &st);
    print_mismatch(db);
    embedder_close(emb);
    return 0;
}

/* ---- eval -------------------------------------------------------------------------------- */

typedef struct labelled {
    char *event;  /* text, or the composed text of an EventID */
    char *title;
    int related;
    rerank_event *rev; /* the event's fields, for the reranker (EventID form only) */
    char *wiki;        /* the wiki the title was edited in (wikimedia_silver), NULL if unknown */
} labelled;

static int all_digits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

/* Composes the text of EventID from gdelt_silver, as the gold flow would. */
static char *event_text_by_id(sqlite3 *db, const config *cfg, const char *id, char *err,
                              size_t errlen)
{
    unsigned mask;
    if (event_text_parse_fields(
            config_get_str(cfg, "correlate.event_text_fields", EVENT_TEXT_DEFAULT_FIELDS), &mask,
            err, errlen))
        return NULL;
    sqlite3_stmt *st;
    if (!db || sqlite3_prepare_v2(db,
                                  "SELECT " EVENT_TEXT_SILVER_COLUMNS " FROM gdelt_silver"
                                  " WHERE GLOBALEVENTID = ?1",
                                  -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "EventID %s needs gdelt_silver in the pipeline home (ingest and refine the GDELT export first)", id);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, strtoll(id, NULL, 10));
    char *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        event_parts p = event_parts_from_row(st, 0);
        buf b = BUF_INIT;
        if (event_text_compose(&p, mask, &b) == 0) out = buf_detach(&b);
        buf_free(&b);
    } else {
        snprintf(err, errlen, "EventID %s is not in gdelt_silver", id);
    }
    sqlite3_finalize(st);
    return out;
}

static void labels_free(labelled *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].event);
        free(v[i].title);
        free(v[i].wiki);
        if (v[i].rev) rerank_event_free(v[i].rev);
        free(v[i].rev);
    }
    free(v);
}

/* The labels name a title without its wiki; the country features need the wiki's language
   (Syrien is Syria's page on dewiki). A title's wiki is the one with most content edits of it in
   the home's wikimedia_silver (enwiki on a tie, then the first by name); none without silver
   edits of it, and then the title is English to the reranker as before. */
static const char *const wiki_of_title_sql =
    "SELECT wiki FROM wikimedia_silver WHERE title = ?1 AND is_content = 1 GROUP BY wiki"
    " ORDER BY COUNT(*) DESC, wiki = 'enwiki' DESC, wiki LIMIT 1";

static int labels_find_wikis(sqlite3 *db, labelled *v, size_t n)
{
    sqlite3_stmt *st;
    if (!db || sqlite3_prepare_v2(db, wiki_of_title_sql, -1, &st, NULL) != SQLITE_OK)
        return 0; /* no wikimedia_silver: every wiki unknown */
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        sqlite3_bind_text(st, 1, v[i].title, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            v[i].wiki = strdup((const char *)sqlite3_column_text(st, 0));
            if (!v[i].wiki) rc = -1;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* --country-names OUT: the localised-name lookup of every wiki of the home's wikimedia_silver
   (country_names_dump), for tools/rerank/fit.py, which cannot call ICU. */
static int dump_country_names(app *a, const char *out)
{
    FILE *f = fopen(out, "w");
    if (!f) return app_runtime_error("eval: cannot write %s: %s", out, strerror(errno));
    sqlite3 *db = app_db_readonly(a);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (!db || sqlite3_prepare_v2(db, "SELECT DISTINCT wiki FROM wikimedia_silver WHERE wiki IS"
                                      " NOT NULL ORDER BY wiki", -1, &st, NULL) != SQLITE_OK) {
        rc = app_runtime_error("eval: --country-names needs wikimedia_silver in the home");
    } else {
        fprintf(f, "# wiki\tlanguage\tcountry_table row\tname (wikigdelt eval --country-names)\n");
        while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
            if (country_names_dump(f, (const char *)sqlite3_column_text(st, 0)) != 0)
                rc = app_runtime_error("eval: writing %s failed", out);
    }
    sqlite3_finalize(st);
    if (db) store_close(db);
    if (fclose(f) != 0 && rc == 0) rc = app_runtime_error("eval: writing %s failed", out);
    return rc;
}

/* Reads "event<TAB>title<TAB>related" lines; '#' lines, blank lines and a header are skipped. */
static int read_labels(app *a, const char *path, labelled **out, size_t *count)
{
    FILE *f = fopen(path, "r");
    if (!f) return app_runtime_error("eval: cannot open %s: %s", path, strerror(errno));
    labelled *v = NULL;
    size_t n = 0, cap = 0, lineno = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    sqlite3 *db = NULL;
    int rc = 0;
    while ((len = getline(&line, &linecap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (len == 0 || line[0] == '#') continue;
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2 || strchr(t2 + 1, '\t')) {
            rc = app_runtime_error("eval: %s:%zu: expected 3 tab-separated columns (event, title, related)", path, lineno);
            break;
        }
        *t1 = *t2 = 0;
        const char *ev = line, *title = t1 + 1, *lab = t2 + 1;
        if (strcmp(lab, "0") != 0 && strcmp(lab, "1") != 0) {
            if (n == 0 && lineno <= 1) continue; /* header */
            rc = app_runtime_error("eval: %s:%zu: related must be 0 or 1, got '%.20s'", path, lineno, lab);
            break;
        }
        if (!*ev || !*title) {
            rc = app_runtime_error("eval: %s:%zu: empty event or title", path, lineno);
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            labelled *nv = realloc(v, cap * sizeof *nv);
            if (!nv) { rc = app_runtime_error("eval: out of memory"); break; }
            v = nv;
        }
        char err[WG_ERR_LEN] = "";
        char *text;
        rerank_event *rev = NULL;
        if (all_digits(ev)) {
            if (!db) db = app_db_readonly(a);
            text = event_text_by_id(db, a->cfg, ev, err, sizeof err);
            if (!text) { rc = app_runtime_error("eval: %s:%zu: %s", path, lineno, err); break; }
            rev = calloc(1, sizeof *rev);
            if (!rev || rerank_event_load(db, 1, strtoll(ev, NULL, 10), rev, err, sizeof err) != 0) {
                free(rev);
                free(text);
                rc = app_runtime_error("eval: %s:%zu: EventID %s: %s", path, lineno, ev,
                                       err[0] ? err : "out of memory");
                break;
            }
        } else {
            text = strdup(ev);
        }
        buf tb = BUF_INIT;
        if (!text || event_text_title(title, &tb) != 0) {
            free(text);
            if (rev) rerank_event_free(rev);
            free(rev);
            buf_free(&tb);
            rc = app_runtime_error("eval: out of memory");
            break;
        }
        v[n].event = text;
        v[n].title = buf_detach(&tb);
        v[n].related = lab[0] == '1';
        v[n].rev = rev;
        v[n].wiki = NULL;
        n++;
    }
    free(line);
    fclose(f);
    /* Only the EventID form opens the home; the text form runs without one (and without the
       reranker, which needs the events' fields). */
    if (rc == 0 && db && labels_find_wikis(db, v, n) != 0) rc = app_runtime_error("eval: out of memory");
    if (db) store_close(db);
    if (rc) {
        labels_free(v, n);
        return rc;
    }
    if (n == 0) {
        free(v);
        return app_runtime_error("eval: %s has no labelled pairs", path);
    }
    *out = v;
    *count = n;
    return 0;
}

static void print_result(const char *what, const eval_result *r)
{
    printf("%s %.2f: precision %.4f, recall %.4f, F1 %.4f (tp %zu, fp %zu, fn %zu, tn %zu)\n",
           what, r->threshold, r->precision, r->recall, r->f1, r->tp, r->fp, r->fn, r->tn);
}

/* The F1 interval at a threshold: labelled sets of a few hundred pairs move F1 by several
   points, so a figure is printed with how far it can be trusted. */
enum { EVAL_BOOTSTRAP_REPS = 2000 };
static const uint64_t eval_bootstrap_seed = 20261125;

static void print_interval(const float *scores, const int *labels, const size_t *group, size_t n,
                           size_t ngroups, double threshold)
{
    double lo, hi;
    if (!group || gold_eval_bootstrap(scores, labels, group, n, ngroups, threshold,
                                      EVAL_BOOTSTRAP_REPS, eval_bootstrap_seed, &lo, &hi) != 0)
        return;
    printf("    F1 95%% interval %.3f-%.3f (bootstrap: %d resamples of the %zu events, each"
           " with all its pairs)\n", lo, hi, EVAL_BOOTSTRAP_REPS, ngroups);
}

int cmd_eval(app *a, int argc, char **argv)
{
    const char *path = NULL, *scores_out = NULL, *names_out = NULL;
    const char *usage = "usage: wikigdelt eval [--scores OUT.tsv] LABELS.tsv | eval --country-names OUT.tsv";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--scores") && i + 1 < argc) scores_out = argv[++i];
        else if (!strcmp(argv[i], "--country-names") && i + 1 < argc) names_out = argv[++i];
        else if (argv[i][0] == '-' || path)
            return app_usage_error("%s", usage);
        else path = argv[i];
    }
    if (names_out && !path && !scores_out) return dump_country_names(a, names_out);
    if (!path || names_out) return app_usage_error("%s", usage);
    labelled *v = NULL;
    size_t n = 0;
    int rc = read_labels(a, path, &v, &n);
    if (rc) return rc;
    char err[WG_ERR_LEN] = "";
    embedder *emb;
    if (embedder_open(a->cfg, &emb, err, sizeof err) != 0) {
        labels_free(v, n);
        return app_runtime_error("eval: embedder: %s", err);
    }
    const char **texts = malloc(2 * n * sizeof *texts);
    float *vec = malloc(2 * n * EMBED_DIM * sizeof *vec);
    float *scores = malloc(n * sizeof *scores);
    float *match = NULL;
    int *labels = malloc(n * sizeof *labels);
    if (!texts || !vec || !scores || !labels) {
        rc = app_runtime_error("eval: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        texts[i] = v[i].event;
        texts[n + i] = v[i].title;
        labels[i] = v[i].related;
    }
    if (embedder_encode(emb, texts, 2 * n, vec, err, sizeof err) != 0) {
        rc = app_runtime_error("eval: embedding: %s", err);
        goto out;
    }
    size_t related = 0, with_fields = 0;
    for (size_t i = 0; i < n; i++) {
        float s = 0;
        const float *x = vec + i * EMBED_DIM, *y = vec + (n + i) * EMBED_DIM;
        for (int d = 0; d < EMBED_DIM; d++) s += x[d] * y[d];
        scores[i] = s;
        related += (size_t)labels[i];
        with_fields += v[i].rev != NULL;
    }
    /* The reranker needs each event's own fields, which only the EventID form carries. A
       pair it does not predict (below the candidate cosine) gets match score -1. */
    int reranked = rerank_enabled(a->cfg, emb) && with_fields == n;
    size_t n_injected = 0, related_injected = 0;
    double cand = rerank_candidate_threshold(a->cfg);
    if (reranked) {
        match = malloc(n * sizeof *match);
        if (!match) {
            rc = app_runtime_error("eval: out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            match[i] = -1.0f;
            /* The candidate stage of the flow: cosine, or the title is the page of one of the
               event's countries in its wiki's language (gold_flow.c). */
            int injected = scores[i] < (float)cand &&
                           rerank_country_candidate(v[i].rev, v[i].wiki, v[i].title);
            if (scores[i] < (float)cand && !injected) continue;
            n_injected += (size_t)injected;
            related_injected += (size_t)(injected && labels[i]);
            if (!v[i].rev->field_vec && v[i].rev->nfields &&
                rerank_event_embed(v[i].rev, emb, err, sizeof err) != 0) {
                rc = app_runtime_error("eval: embedding event fields: %s", err);
                goto out;
            }
            match[i] = (float)rerank_pair_score(v[i].rev, v[i].wiki, v[i].title,
                                                vec + (n + i) * EMBED_DIM, scores[i]);
        }
    }
    if (scores_out) {
        FILE *f = fopen(scores_out, "w");
        if (!f) {
            rc = app_runtime_error("eval: cannot write %s: %s", scores_out, strerror(errno));
            goto out;
        }
        fprintf(f, "cosine\trelated\tevent\ttitle\tmatch_score\twiki\n");
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "%.4f\t%d\t%s\t%s\t", scores[i], labels[i], v[i].event, v[i].title);
            if (match && match[i] >= 0) fprintf(f, "%.4f", match[i]);
            fprintf(f, "\t%s\n", v[i].wiki ? v[i].wiki : "");
        }
        fclose(f);
    }
    eval_result at, best;
    double threshold = gold_threshold(a->cfg, emb);
    gold_eval_at(scores, labels, n, threshold, &at);
    gold_eval_sweep(scores, labels, n, 0.0, 1.0, 0.01, &best);
    printf("embedder: %s\n", embedder_name(emb));
    printf("pairs: %zu (related %zu, unrelated %zu)\n", n, related, n - related);
    /* Pairs are resampled by event: an event's pairs share its text. */
    size_t *group = malloc(n * sizeof *group), ngroups = 0;
    if (group) {
        for (size_t i = 0; i < n; i++) texts[i] = v[i].event;
        ngroups = gold_eval_groups(texts, n, group);
    }
    printf("cosine only (correlate.threshold):\n");
    print_result("  configured threshold", &at);
    print_interval(scores, labels, ngroups ? group : NULL, n, ngroups, threshold);
    print_result("  best threshold", &best);
    if (reranked) {
        eval_result kept, rat, rbest;
        double rthr = rerank_threshold(a->cfg);
        float *kept_scores = malloc(n * sizeof *kept_scores);
        if (!kept_scores) {
            rc = app_runtime_error("eval: out of memory");
            free(group);
            goto out;
        }
        for (size_t i = 0; i < n; i++) kept_scores[i] = match[i] >= 0 ? 1.0f : 0.0f;
        gold_eval_at(kept_scores, labels, n, 0.5, &kept);
        free(kept_scores);
        gold_eval_at(match, labels, n, rthr, &rat);
        gold_eval_sweep(match, labels, n, 0.0, 1.0, 0.01, &rbest);
        printf("reranked (cosine >= correlate.candidate_threshold %.2f, then match score >="
               " correlate.rerank.threshold):\n", cand);
        printf("  candidate stage keeps %zu pairs, recall %.4f (%zu of %zu related; of them"
               " %zu pairs, %zu related, below the cosine as the page of one of the event's"
               " countries in the title's wiki's language)\n",
               kept.tp + kept.fp, kept.recall, kept.tp, related, n_injected, related_injected);
        print_result("  configured threshold", &rat);
        print_interval(match, labels, ngroups ? group : NULL, n, ngroups, rthr);
        print_result("  best threshold", &rbest);
    } else if (with_fields < n) {
        printf("reranked: not evaluated (the reranker needs each event's fields: give events"
               " by EventID, as in tests/data/labels_eventids.tsv)\n");
    } else {
        printf("reranked: off (correlate.rerank is false; its default is on only with the"
               " real model)\n");
    }
    free(group);
out:
    free(match);
    free(texts);
    free(vec);
    free(scores);
    free(labels);
    embedder_close(emb);
    labels_free(v, n);
    return rc;
}
