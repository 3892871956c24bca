/* `eval LABELS.tsv`: precision, recall and F1 of the correlation on labelled pairs. */
#include "cli/commands.h"
#include "cli/cmd_table.h"
#include "core/settings.h"

#include "core/buf.h"
#include "correlate/eval.h"
#include "correlate/event_text.h"
#include "correlate/gold_flow.h"
#include "correlate/country_names.h"
#include "correlate/rerank.h"
#include "embed/embedder.h"
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct labelled {
    char *event;  /* text, or the composed text of an EventID */
    char *title;
    int related;
    rerank_event *rev; /* the event's fields, for the reranker (EventID form only) */
    char *wiki;        /* the wiki the title was edited in (wikimedia_silver), NULL if unknown */
    char *story;       /* the story (story form), the resampling group; NULL: the event */
} labelled;

/* Which part of a story-form file eval reads (tests/data/README.md, "Story sets"). */
enum eval_part { PART_ALL, PART_DEV, PART_HELDOUT };

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
            setting_str(cfg, "correlate.event_text_fields"), &mask,
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
        free(v[i].story);
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

/* Reads "event<TAB>title<TAB>related" lines, or the story form "story<TAB>EventID<TAB>title<TAB>
   label<TAB>kind<TAB>note" (label 1, 0 or ?; ? is skipped; part picks the stories); '#' lines,
   blank lines and a header are skipped. */
static int read_labels(app *a, const char *path, enum eval_part part, labelled **out,
                       size_t *count)
{
    FILE *f = fopen(path, "r");
    if (!f) return app_runtime_error("eval: cannot open %s: %s", path, strerror(errno));
    labelled *v = NULL;
    size_t n = 0, cap = 0, lineno = 0, story_lines = 0, plain_lines = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    sqlite3 *db = NULL;
    int rc = 0;
    while ((len = getline(&line, &linecap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (len == 0 || line[0] == '#') continue;
        char *col[7];
        int ncol = 0;
        for (char *p = line; ncol < 7;) {
            col[ncol++] = p;
            char *t = strchr(p, '\t');
            if (!t) break;
            *t = 0;
            p = t + 1;
        }
        const char *story = NULL, *ev, *title, *lab;
        if (ncol == 3) {
            ev = col[0], title = col[1], lab = col[2];
        } else if (ncol == 6) {
            story = col[0], ev = col[1], title = col[2], lab = col[3];
        } else {
            rc = app_runtime_error("eval: %s:%zu: expected 3 tab-separated columns (event, title,"
                                   " related) or 6 (story, EventID, title, label, kind, note), got %d",
                                   path, lineno, ncol);
            break;
        }
        if (story) {
            if (!*story || !all_digits(ev)) {
                rc = app_runtime_error("eval: %s:%zu: the story form needs a story id and an"
                                       " EventID (digits), got '%.20s'", path, lineno, ev);
                break;
            }
            if (!strcmp(lab, "?")) continue; /* a reader's doubt: not scored */
        }
        if (strcmp(lab, "0") != 0 && strcmp(lab, "1") != 0) {
            if (n == 0 && lineno <= 1 && !story) continue; /* header */
            rc = app_runtime_error("eval: %s:%zu: related must be 0 or 1%s, got '%.20s'", path, lineno,
                                   story ? " (or ?)" : "", lab);
            break;
        }
        if (!*ev || !*title) {
            rc = app_runtime_error("eval: %s:%zu: empty event or title", path, lineno);
            break;
        }
        story_lines += story != NULL;
        plain_lines += story == NULL;
        if (story_lines && plain_lines) {
            rc = app_runtime_error("eval: %s:%zu: the 3-column and the story form are mixed", path,
                                   lineno);
            break;
        }
        if (part != PART_ALL && !story) {
            rc = app_runtime_error("eval: %s:%zu: --part needs the story form (story, EventID,"
                                   " title, label, kind, note)", path, lineno);
            break;
        }
        if (part != PART_ALL && gold_eval_story_heldout(story) != (part == PART_HELDOUT)) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            labelled *nv = realloc(v, cap * sizeof *nv);
            if (!nv) { rc = app_runtime_error("eval: out of memory"); break; }
            v = nv;
        }
        char err[512] = "";
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
        v[n].story = story ? strdup(story) : NULL;
        if (story && !v[n].story) {
            rc = app_runtime_error("eval: out of memory");
            n++;
            break;
        }
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
        return app_runtime_error("eval: %s has no labelled pairs%s", path,
                                 part == PART_DEV       ? " in the dev part"
                                 : part == PART_HELDOUT ? " in the held-out part"
                                                        : "");
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

static const char *eval_group_word = "events";

static void print_interval(const float *scores, const int *labels, const size_t *group, size_t n,
                           size_t ngroups, double threshold)
{
    double lo, hi;
    if (!group || gold_eval_bootstrap(scores, labels, group, n, ngroups, threshold,
                                      EVAL_BOOTSTRAP_REPS, eval_bootstrap_seed, &lo, &hi) != 0)
        return;
    printf("    F1 95%% interval %.3f-%.3f (bootstrap: %d resamples of the %zu %s, each"
           " with all its pairs)\n", lo, hi, EVAL_BOOTSTRAP_REPS, ngroups, eval_group_word);
}

int cmd_eval(app *a, int argc, char **argv)
{
    const char *path = NULL, *scores_out = NULL, *names_out = NULL;
    enum eval_part part = PART_ALL;
    cli_parser p;
    cli_begin(&p, &cli_eval, argc, argv);
    for (int o; (o = cli_next(&p)) != CLI_END;) {
        switch (o) {
        case CLI_EXIT: return p.status;
        case O_SCORES: scores_out = p.arg; break;
        case O_COUNTRY_NAMES: names_out = p.arg; break;
        case O_PART:
            if (!strcmp(p.arg, "dev")) part = PART_DEV;
            else if (!strcmp(p.arg, "heldout")) part = PART_HELDOUT;
            else if (!strcmp(p.arg, "all")) part = PART_ALL;
            else return cli_usage_error(&p, "--part must be dev, heldout or all, got '%s'", p.arg);
            break;
        case CLI_ARG:
            if (path) return cli_unexpected(&p, p.arg);
            path = p.arg;
            break;
        }
    }
    if (names_out && !path && !scores_out) return dump_country_names(a, names_out);
    if (!path || names_out)
        return cli_usage_error(&p, "give one LABELS.tsv, or --country-names OUT.tsv alone");
    labelled *v = NULL;
    size_t n = 0;
    int rc = read_labels(a, path, part, &v, &n);
    if (rc) return rc;
    char err[1024] = "";
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
                                                vec + i * EMBED_DIM, vec + (n + i) * EMBED_DIM,
                                                scores[i]);
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
    /* Pairs are resampled by event (an event's pairs share its text), or by story in the story
       form (a story's events share its subject). */
    size_t *group = malloc(n * sizeof *group), ngroups = 0;
    int by_story = n && v[0].story;
    if (group) {
        for (size_t i = 0; i < n; i++) texts[i] = by_story ? v[i].story : v[i].event;
        ngroups = gold_eval_groups(texts, n, group);
    }
    eval_group_word = by_story ? "stories" : "events";
    /* First the decision the gold flow applies with these settings (gold_join.c): with the
       reranker, match score >= correlate.rerank.threshold among the candidates; without it,
       cosine >= correlate.threshold. Diagnostics follow. */
    if (reranked) {
        eval_result dep;
        double rthr = rerank_threshold(a->cfg);
        gold_eval_at(match, labels, n, rthr, &dep);
        print_result("deployed (reranker: match score >= correlate.rerank.threshold)", &dep);
        print_interval(match, labels, ngroups ? group : NULL, n, ngroups, rthr);
    } else if (rerank_enabled(a->cfg, emb)) {
        printf("deployed (reranker): not measured: the reranker needs each event's fields; give"
               " events by EventID\n");
    } else {
        print_result("deployed (cosine >= correlate.threshold, reranker off)", &at);
        print_interval(scores, labels, ngroups ? group : NULL, n, ngroups, threshold);
    }
    printf("embedder: %s\n", embedder_name(emb));
    printf("pairs: %zu (related %zu, unrelated %zu)\n", n, related, n - related);
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
