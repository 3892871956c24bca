/* The gold flow: a stream-stream join of news events and Wikipedia edits in time buckets
 * (gold_flow.h). This file: the public API, the settings and the batch driver; the rest of the
 * flow is described in gold_int.h. */
#include "core/settings.h"
#include "correlate/gold_int.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "correlate/rerank.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double gold_threshold(const config *cfg, const embedder *emb)
{
    /* Defaults from the sweeps of `wikigdelt eval tests/data/labels.tsv` (docs/gold.md). */
    double def = embedder_is_fallback(emb) ? 0.15 : 0.40;
    return config_get_double(cfg, "correlate.threshold", def);
}

int gold_load_settings(const config *cfg, const embedder *emb, settings *s, char *err,
                         size_t errlen)
{
    s->bucket_seconds = setting_int(cfg, "pipeline.bucket_seconds");
    s->lateness = setting_int(cfg, "correlate.allowed_lateness_seconds");
    s->threshold = (float)gold_threshold(cfg, emb);
    s->top_k = (int)setting_int(cfg, "correlate.top_k");
    s->neighbours = setting_bool(cfg, "correlate.neighbour_buckets");
    s->batch_rows = setting_int(cfg, "correlate.batch_rows");
    /* A stream that stops (a source down) holds its watermark back and no bucket would ever
       close; this cap keeps memory bounded anyway: past it the oldest bucket is closed early. */
    s->max_open_buckets = setting_int(cfg, "correlate.max_open_buckets");
    s->fields_text = setting_str(cfg, "correlate.event_text_fields");
    burst_params_from_config(cfg, &s->burst);
    s->rerank = rerank_enabled(cfg, emb);
    s->candidate_threshold = (float)rerank_candidate_threshold(cfg);
    s->rerank_threshold = (float)rerank_threshold(cfg);
    s->candidate_k = rerank_candidate_k(cfg);
    if (s->rerank && (!(s->candidate_threshold >= -1.0f && s->candidate_threshold <= 1.0f) ||
                      !(s->rerank_threshold >= 0.0f && s->rerank_threshold <= 1.0f) ||
                      s->candidate_k < 1 || s->candidate_k > 1000)) {
        snprintf(err, errlen, "correlate.candidate_threshold must be -1..1,"
                              " correlate.rerank.threshold 0..1, correlate.rerank.candidates 1..1000");
        return -1;
    }
    if (s->bucket_seconds < 60 || s->bucket_seconds > 7 * 86400) {
        snprintf(err, errlen, "pipeline.bucket_seconds = %lld: must be 60..604800",
                 (long long)s->bucket_seconds);
        return -1;
    }
    if (s->lateness < 0) {
        snprintf(err, errlen, "correlate.allowed_lateness_seconds must be >= 0");
        return -1;
    }
    if (s->top_k < 1 || s->top_k > 100) {
        snprintf(err, errlen, "correlate.top_k = %d: must be 1..100", s->top_k);
        return -1;
    }
    if (!(s->threshold >= -1.0f && s->threshold <= 1.0f)) {
        snprintf(err, errlen, "correlate.threshold must be between -1 and 1");
        return -1;
    }
    if (s->batch_rows < 1) s->batch_rows = 1;
    if (s->max_open_buckets < 1) s->max_open_buckets = 1;
    return event_text_parse_fields(s->fields_text, &s->fields, err, errlen);
}

static bucket *open_bucket(run *r, int64_t start)
{
    bucket *b = bucket_set_find(&r->st, start);
    if (!b) {
        b = bucket_set_add(&r->st, start, r->pf ? prefilter_dim(r->pf) : 0);
        if (!b) snprintf(r->err, r->errlen, "out of memory");
    }
    return b;
}

/* Counts a silver row read (its id is the new *last_sid) and moves its stream's newest event
 * time: 0 with the row's time in *t, -1 when its event_time does not parse (counted as bad). */
static int take_row(run *r, const gold_silver_row *row, int64_t *last_sid, int64_t *rows,
                    int64_t *stream_read, int64_t *stream_max, int64_t *t)
{
    *last_sid = row->sid;
    (*rows)++;
    (*stream_read)++;
    if (!row->event_time || time_parse_iso8601(row->event_time, t) != 0) {
        r->stats->bad_rows++;
        return -1;
    }
    if (*stream_max == NO_TIME || *t > *stream_max) *stream_max = *t;
    return 0;
}

static int read_wiki(run *r, int64_t *last_sid, int64_t *rows)
{
    gold_silver_reader rd;
    gold_silver_row row;
    *rows = 0;
    if (gold_silver_open(r, 1, &rd)) return -1;
    int rc = 0;
    gold_read step;
    while ((step = gold_silver_next(&rd, &row)) == GOLD_READ_ROW) {
        int64_t sid = row.sid, t;
        const char *et = row.event_time, *wiki = row.wiki, *title = row.title;
        if (take_row(r, &row, last_sid, rows, &r->stats->edits_read, &r->max_wiki, &t)) continue;
        if (!row.is_content || !title || !*title) continue;
        if (!wiki) wiki = "";
        int64_t start = time_bucket_start(t, r->s.bucket_seconds);
        if (gold_is_late(r, start)) {
            char detail[600];
            snprintf(detail, sizeof detail, "%s:%.500s", wiki, title);
            if (gold_record_late(r, "wiki", sid, et, start, detail)) { rc = -1; break; }
            r->stats->late_edits++;
            continue;
        }
        bucket *b = open_bucket(r, start);
        if (!b) { rc = -1; break; }
        r->stats->content_edits++;
        b->batch_edits++;
        long i = bucket_title_find(b, wiki, title);
        if (i >= 0) {
            title_entry *te = &b->titles[i];
            te->edit_count++;
            if (sid > te->last_sid) te->last_sid = sid;
            if ((size_t)i < b->t_mark) te->dirty = 1;
        } else {
            if (bucket_title_add(b, wiki, title, 1, sid, sid, NULL) < 0) {
                snprintf(r->err, r->errlen, "out of memory");
                rc = -1;
                break;
            }
            b->batch_titles++;
            r->stats->new_titles++;
        }
        int nb = 0;
        if (burst_observe(r->bursts, wiki, title, row.user, t, sid, r->max_wiki, b->start_text,
                          &nb) != 0) {
            rc = gold_db_fail(r, "burst detection");
            break;
        }
        r->stats->bursts += nb;
    }
    if (rc == 0 && step == GOLD_READ_ERROR) rc = gold_db_fail(r, "reading wikimedia_silver");
    gold_silver_close(&rd);
    return rc;
}

static int read_gdelt(run *r, int64_t *last_sid, int64_t *rows)
{
    gold_silver_reader rd;
    gold_silver_row row;
    *rows = 0;
    if (gold_silver_open(r, 0, &rd)) return -1;
    buf text = BUF_INIT;
    int rc = 0;
    gold_read step;
    while ((step = gold_silver_next(&rd, &row)) == GOLD_READ_ROW) {
        int64_t sid = row.sid, t;
        const char *et = row.event_time;
        if (take_row(r, &row, last_sid, rows, &r->stats->events_read, &r->max_gdelt, &t)) continue;
        if (event_text_compose(&row.parts, r->s.fields, &text) != 0) {
            snprintf(r->err, r->errlen, "out of memory");
            rc = -1;
            break;
        }
        int64_t start = time_bucket_start(t, r->s.bucket_seconds);
        char bt[TIME_TEXT_LEN];
        time_format(start, bt);
        int late = gold_is_late(r, start);
        if (gold_insert_event(r, &rd, bt, text.data, late)) { rc = -1; break; }
        if (late) {
            char detail[32];
            snprintf(detail, sizeof detail, "%lld", (long long)row.event_id);
            if (gold_record_late(r, "gdelt", sid, et, start, detail)) { rc = -1; break; }
            r->stats->late_events++;
            continue;
        }
        bucket *b = open_bucket(r, start);
        if (!b) { rc = -1; break; }
        char *copy = strdup(text.data);
        if (!copy || bucket_event_add(b, sid, NULL, copy, row.codes) != 0) {
            free(copy);
            snprintf(r->err, r->errlen, "out of memory");
            rc = -1;
            break;
        }
        b->batch_events++;
    }
    if (rc == 0 && step == GOLD_READ_ERROR) rc = gold_db_fail(r, "reading gdelt_silver");
    buf_free(&text);
    gold_silver_close(&rd);
    return rc;
}

static int one_batch(run *r, int *more)
{
    int64_t late_events0 = r->stats->late_events, late_edits0 = r->stats->late_edits;
    int64_t bad0 = r->stats->bad_rows;
    for (size_t i = 0; i < r->st.n; i++) {
        bucket *b = r->st.b[i];
        b->ev_mark = b->ne;
        b->t_mark = b->nt;
        b->x_mark = b->nx;
        b->batch_events = b->batch_titles = b->batch_edits = 0;
    }
    time_format(time_now_ms() / 1000, r->now_text);
    int64_t wiki_last = r->cp_wiki, gdelt_last = r->cp_gdelt, wiki_rows = 0, gdelt_rows = 0;
    if (r->have_wiki && read_wiki(r, &wiki_last, &wiki_rows)) return -1;
    if (r->have_gdelt && read_gdelt(r, &gdelt_last, &gdelt_rows)) return -1;
    *more = wiki_rows == r->s.batch_rows || gdelt_rows == r->s.batch_rows;
    if (!wiki_rows && !gdelt_rows) return 0;
    gold_mark_live_events(r);
    /* Texts of events and titles the prefetch did not have ready (the embedder's in-memory
       cache misses): embedded here, with the write lock held. */
    size_t entries, hits, misses0, misses1;
    embedder_cache_stats(r->emb, &entries, &hits, &misses0);
    if (gold_embed_new(r, 1) || gold_prefilter_select(r) || gold_embed_new(r, 0)) return -1;
    embedder_cache_stats(r->emb, &entries, &hits, &misses1);
    r->stats->embedded_in_write += (int64_t)(misses1 - misses0);
    if (gold_join_batch(r) || gold_save_state(r)) return -1;
    r->cp_wiki = wiki_last;
    r->cp_gdelt = gdelt_last;
    if (gold_advance_watermarks(r, 0)) return -1;
    if (r->max_wiki != NO_TIME && burst_prune(r->bursts, r->max_wiki))
        return gold_db_fail(r, "burst state");
    int64_t le = r->stats->late_events - late_events0, lw = r->stats->late_edits - late_edits0;
    if (le || lw) {
        char msg[200], details[200];
        snprintf(msg, sizeof msg, "%lld late events and %lld late edits arrived after their bucket closed",
                 (long long)le, (long long)lw);
        snprintf(details, sizeof details, "{\"late_events\":%lld,\"late_edits\":%lld}",
                 (long long)le, (long long)lw);
        if (store_event(r->db, "gold", "warn", "late", msg, details)) return gold_db_fail(r, "event log");
    }
    if (r->stats->bad_rows > bad0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%lld silver rows skipped: event_time missing or not a time",
                 (long long)(r->stats->bad_rows - bad0));
        if (store_event(r->db, "gold", "warn", "bad_rows", msg, NULL)) return gold_db_fail(r, "event log");
    }
    if (gold_save_checkpoints(r)) return -1;
    r->stats->batches++;
    return 1;
}

struct gold_flow {
    run r;
    int loaded;  /* checkpoints and open-bucket state match the store */
    int build_reported; /* the static vocabulary's build time went into a step's stats */
    char err[WG_ERR_LEN];
};

/* (Re)reads checkpoints and the open buckets from the store: at open, and after a failed batch
   whose rollback left the in-memory state ahead of the store. */
static int flow_load(gold_flow *f)
{
    run *r = &f->r;
    bucket_set_free(&r->st);
    f->loaded = 0;
    if (store_checkpoint_get_int(r->db, "gold.gdelt_silver_id", 0, &r->cp_gdelt) ||
        store_checkpoint_get_int(r->db, "gold.wiki_silver_id", 0, &r->cp_wiki) ||
        gold_load_time_checkpoint(r, "gold.gdelt_max_event_time", &r->max_gdelt) ||
        gold_load_time_checkpoint(r, "gold.wiki_max_event_time", &r->max_wiki) ||
        gold_load_time_checkpoint(r, "gold.closed_before", &r->closed_before))
        return gold_db_fail(r, "reading checkpoints");
    if (gold_load_state(r)) return -1;
    f->loaded = 1;
    return 0;
}

int gold_flow_open(sqlite3 *db, const config *cfg, embedder *emb, gold_flow **out, char *err,
                   size_t errlen)
{
    gold_flow *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    run *r = &f->r;
    r->db = db;
    r->emb = emb;
    r->err = f->err;
    r->errlen = sizeof f->err;
    if (gold_load_settings(cfg, emb, &r->s, err, errlen)) {
        free(f);
        return -1;
    }
    gold_sql_tune(db);
    if (prefilter_mode_get(cfg, emb, &r->pf_mode, err, errlen) ||
        prefilter_open(db, cfg, emb, &r->pf, err, errlen)) {
        free(f);
        return -1;
    }
    r->bursts = burst_open(db, &r->s.burst);
    if (gold_prepare_all(r) || !r->bursts || flow_load(f)) {
        snprintf(err, errlen, "%s", f->err[0] ? f->err : "burst detector: cannot prepare");
        gold_flow_close(f);
        return -1;
    }
    *out = f;
    return 0;
}

void gold_flow_close(gold_flow *f)
{
    if (!f) return;
    burst_close(f->r.bursts);
    gold_finalize_all(&f->r);
    prefilter_close(f->r.pf);
    bucket_set_free(&f->r.st);
    free(f);
}

int64_t gold_flow_open_buckets(const gold_flow *f) { return (int64_t)f->r.st.n; }

int gold_flow_step(gold_flow *f, int drain, gold_stats *stats, char *err, size_t errlen)
{
    run *r = &f->r;
    sqlite3 *db = r->db;
    r->stats = stats;
    f->err[0] = 0;
    int64_t t_start = time_monotonic_ms();
    stats->threshold = r->s.threshold;
    stats->prefilter = r->pf_mode != PREFILTER_OFF;
    stats->prefilter_mode = prefilter_mode_name(r->pf_mode);
    if (r->pf && !f->build_reported) {
        stats->static_vocab_seconds = prefilter_build_seconds(r->pf);
        f->build_reported = 1;
    }
    int rc = -1;
    /* The silver tables belong to other components; they may appear after the flow opened. */
    r->have_gdelt = gold_table_exists(db, "gdelt_silver");
    r->have_wiki = gold_table_exists(db, "wikimedia_silver");
    if (!r->have_gdelt && !r->have_wiki) {
        snprintf(f->err, sizeof f->err,
                 "neither gdelt_silver nor wikimedia_silver exists: the silver flows are not"
                 " installed in this build (run `wikigdelt refine` first)");
        goto out;
    }
    if (!r->have_gdelt) log_warn("gold", "gdelt_silver does not exist: only Wikipedia edits are read");
    if (!r->have_wiki) log_warn("gold", "wikimedia_silver does not exist: only GDELT events are read");
    if (!f->loaded && flow_load(f)) goto out;
    int more = 1;
    while (more) {
        int64_t t_embed = time_monotonic_ms();
        gold_prefetch_embeddings(r);
        int64_t t_begin = time_monotonic_ms();
        stats->embed_seconds += (double)(t_begin - t_embed) / 1000.0;
        stats->prefetch_seconds += (double)(t_begin - t_embed) / 1000.0;
        if (store_begin(db) != 0) {
            gold_db_fail(r, "begin");
            goto fail;
        }
        int b = one_batch(r, &more);
        if (b <= 0) {
            store_rollback(db);
            stats->write_seconds += (double)(time_monotonic_ms() - t_begin) / 1000.0;
            if (b < 0) goto fail;
            break;
        }
        int committed = store_commit(db) == 0;
        if (!committed) {
            gold_db_fail(r, "commit");
            store_rollback(db);
        }
        stats->write_seconds += (double)(time_monotonic_ms() - t_begin) / 1000.0;
        if (!committed) goto fail;
    }
    if (drain && r->st.n) {
        time_format(time_now_ms() / 1000, r->now_text);
        if (store_begin(db) != 0) {
            gold_db_fail(r, "begin");
            goto fail;
        }
        if (gold_advance_watermarks(r, 1) || gold_save_checkpoints(r)) {
            store_rollback(db);
            goto fail;
        }
        if (store_commit(db) != 0) {
            gold_db_fail(r, "commit");
            store_rollback(db);
            goto fail;
        }
    }
    rc = 0;
    goto out;
fail:
    /* The batch was rolled back but memory moved on: reload before the next step. */
    f->loaded = 0;
out:
    if (rc) snprintf(err, errlen, "%s", f->err);
    stats->open_buckets = (int64_t)r->st.n;
    stats->total_seconds = (double)(time_monotonic_ms() - t_start) / 1000.0;
    return rc;
}

int gold_correlate_run(sqlite3 *db, const config *cfg, embedder *emb, int drain,
                       gold_stats *stats, char *err, size_t errlen)
{
    gold_flow *f;
    if (!gold_table_exists(db, "gdelt_silver") && !gold_table_exists(db, "wikimedia_silver")) {
        snprintf(err, errlen, "neither gdelt_silver nor wikimedia_silver exists: the silver flows"
                              " are not installed in this build (run `wikigdelt refine` first)");
        return -1;
    }
    if (gold_flow_open(db, cfg, emb, &f, err, errlen)) return -1;
    int rc = gold_flow_step(f, drain, stats, err, errlen);
    gold_flow_close(f);
    return rc;
}
