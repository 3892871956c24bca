/* `correlate [--drain]`: run the gold flows once over what is pending in silver. */
#include "cli/commands.h"
#include "cli/cmd_table.h"
#include "core/settings.h"

#include "core/log.h"
#include "core/stop.h"
#include "core/timeutil.h"
#include "correlate/gold_flow.h"
#include "embed/embedder.h"
#include "observe/observe.h"
#include "store/store.h"

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
    if (!setting_bool(cfg, "observe.enabled") || store_begin(db) != 0) return;
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
    correlate_args args = {0, 0, setting_double(a->cfg, "correlate.interval_seconds")};
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
