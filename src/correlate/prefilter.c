/* The cascade's first stage: settings, the stored vocabulary table, static text vectors
 * (prefilter.h). */
#include "correlate/prefilter.h"

#include "core/filehash.h"
#include "core/log.h"
#include "core/settings.h"
#include "core/timeutil.h"
#include "embed/static_vocab.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Ids per text for the static vector: titles and event texts are short; past this the mean
   hardly moves. */
#define MAX_IDS 128

struct prefilter {
    embedder *emb;
    float *table;  /* vocab x dim, fp32 rows (unit length) */
    int vocab, dim;
    enum static_vocab_weight weights;
    float threshold;
    int top_n;
    double build_seconds;
};

int prefilter_dim(const prefilter *p) { return p->dim; }
float prefilter_threshold(const prefilter *p) { return p->threshold; }
int prefilter_top_n(const prefilter *p) { return p->top_n; }
double prefilter_build_seconds(const prefilter *p) { return p->build_seconds; }

void prefilter_close(prefilter *p)
{
    if (!p) return;
    free(p->table);
    free(p);
}

void prefilter_embed(prefilter *p, const char *text, float *out)
{
    int32_t ids[MAX_IDS];
    int n = embedder_tokenize(p->emb, text ? text : "", ids, MAX_IDS);
    if (n < 0) n = 0;
    static_vocab_text(p->table, p->vocab, p->dim, p->weights, ids, n, out);
}

/* Reads the stored table whose key (or, cheaper, whose file identity: path, size, mtime) matches.
   Returns 1 when found, 0 when not, -1 on a store error. */
static int load_table(prefilter *p, sqlite3 *db, const char *where, const char *a, int64_t b,
                      int64_t c, const char *kind)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT vocab_size, dim, vectors FROM gold_static_vocab WHERE %s AND kind = ?4",
             where);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, b);
    sqlite3_bind_int64(st, 3, c);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    int found = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int vocab = sqlite3_column_int(st, 0), dim = sqlite3_column_int(st, 1);
        const uint16_t *h = sqlite3_column_blob(st, 2);
        size_t bytes = (size_t)sqlite3_column_bytes(st, 2);
        /* A row of another shape (or damaged) is not used: the table is rebuilt. */
        if (vocab > 0 && dim == EMBED_DIM && h && bytes == (size_t)vocab * dim * 2 &&
            (p->table = malloc(bytes * 2))) {
            for (size_t i = 0; i < (size_t)vocab * dim; i++) {
                uint16_t v;
                memcpy(&v, (const char *)h + 2 * i, 2);
                p->table[i] = static_vocab_from_half(v);
            }
            p->vocab = vocab;
            p->dim = dim;
            found = 1;
        }
    }
    sqlite3_finalize(st);
    return found;
}

static int store_table(prefilter *p, sqlite3 *db, const char *sha, const char *path,
                       int64_t size, int64_t mtime, const char *kind)
{
    size_t count = (size_t)p->vocab * p->dim;
    uint16_t *h = malloc(count * sizeof *h);
    if (!h) return -1;
    for (size_t i = 0; i < count; i++) h[i] = static_vocab_to_half(p->table[i]);
    char now[TIME_TEXT_LEN];
    time_format(time_now_ms() / 1000, now);
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (store_begin(db) != 0) goto out;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO gold_static_vocab(model_sha256, kind, model_path,"
                           " file_size, file_mtime, vocab_size, dim, vectors, build_seconds,"
                           " built_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                           -1, &st, NULL) != SQLITE_OK)
        goto rollback;
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, size);
    sqlite3_bind_int64(st, 5, mtime);
    sqlite3_bind_int(st, 6, p->vocab);
    sqlite3_bind_int(st, 7, p->dim);
    sqlite3_bind_blob(st, 8, h, (int)(count * sizeof *h), SQLITE_STATIC);
    sqlite3_bind_double(st, 9, p->build_seconds);
    sqlite3_bind_text(st, 10, now, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) goto rollback;
    char msg[300];
    snprintf(msg, sizeof msg, "static %s vectors of %d tokens built in %.1f s for %.200s", kind,
             p->vocab, p->build_seconds, path);
    if (store_event(db, "gold", "info", "static_vocab_built", msg, NULL) != 0) goto rollback;
    if (store_commit(db) != 0) goto rollback;
    rc = 0;
    goto out;
rollback:
    store_rollback(db);
out:
    sqlite3_finalize(st);
    free(h);
    return rc;
}

int prefilter_mode_get(const config *cfg, embedder *emb, prefilter_mode *mode, char *err,
                       size_t errlen)
{
    const char *v = setting_str(cfg, "correlate.prefilter");
    if (!strcmp(v, "lazy")) {
        *mode = PREFILTER_LAZY;
    } else if (!strcmp(v, "static") || !strcmp(v, "on")) {
        *mode = embedder_is_fallback(emb) ? PREFILTER_LAZY : PREFILTER_STATIC;
    } else if (!strcmp(v, "off")) {
        *mode = PREFILTER_OFF;
    } else {
        snprintf(err, errlen, "correlate.prefilter = %s: must be lazy, static or off", v);
        return -1;
    }
    return 0;
}

const char *prefilter_mode_name(prefilter_mode mode)
{
    return mode == PREFILTER_STATIC ? "static" : mode == PREFILTER_LAZY ? "lazy" : "off";
}

int prefilter_open(sqlite3 *db, const config *cfg, embedder *emb, prefilter **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    prefilter_mode mode;
    if (prefilter_mode_get(cfg, emb, &mode, err, errlen)) return -1;
    if (mode != PREFILTER_STATIC) return 0;
    const char *kind = "pooled"; /* the only kind in the model's output space */
    const char *weights = setting_str(cfg, "correlate.prefilter.weights");
    if (strcmp(weights, "zipf") && strcmp(weights, "uniform")) {
        snprintf(err, errlen, "correlate.prefilter.weights = %s: must be zipf or uniform", weights);
        return -1;
    }
    double threshold = setting_double(cfg, "correlate.prefilter.threshold");
    int64_t top_n = setting_int(cfg, "correlate.prefilter.top_n");
    if (!(threshold >= -1.0 && threshold <= 1.0)) {
        snprintf(err, errlen, "correlate.prefilter.threshold must be between -1 and 1");
        return -1;
    }
    if (top_n < 1 || top_n > 1000) {
        snprintf(err, errlen, "correlate.prefilter.top_n = %lld: must be 1..1000", (long long)top_n);
        return -1;
    }
    prefilter *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    p->emb = emb;
    p->weights = strcmp(weights, "uniform") ? STATIC_WEIGHT_ZIPF : STATIC_WEIGHT_UNIFORM;
    p->threshold = (float)threshold;
    p->top_n = (int)top_n;
    const char *dir = embedder_model_dir(emb);
    char path[4200], sha[65];
    snprintf(path, sizeof path, "%s/model.safetensors", dir ? dir : ".");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(err, errlen, "%s: cannot stat", path);
        goto fail;
    }
    int64_t size = (int64_t)sb.st_size, mtime = (int64_t)sb.st_mtime;
    /* The same file as last time (path, size, mtime): no need to hash 90 MB again. */
    int found = load_table(p, db, "model_path = ?1 AND file_size = ?2 AND file_mtime = ?3",
                           path, size, mtime, kind);
    if (found == 0) {
        filehash_result hr = file_sha256(path, sha, NULL);
        if (hr != FILEHASH_OK) {
            snprintf(err, errlen, "%s: %s", path,
                     hr == FILEHASH_CANNOT_OPEN ? "cannot read" : "cannot hash");
            goto fail;
        }
        found = load_table(p, db, "model_sha256 = ?1 AND ?2 = ?2 AND ?3 = ?3", sha, 0, 0, kind);
        /* The same model at another path (or touched): remember this file, to skip the hash
           next time. Best effort, outside any transaction of the caller's. */
        sqlite3_stmt *st;
        if (found == 1 &&
            sqlite3_prepare_v2(db, "UPDATE gold_static_vocab SET model_path = ?1, file_size = ?2,"
                               " file_mtime = ?3 WHERE model_sha256 = ?4 AND kind = ?5",
                               -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, size);
            sqlite3_bind_int64(st, 3, mtime);
            sqlite3_bind_text(st, 4, sha, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, kind, -1, SQLITE_STATIC);
            sqlite3_step(st);
            sqlite3_finalize(st);
        }
    }
    if (found < 0) {
        store_fail(db, err, errlen, "gold_static_vocab");
        goto fail;
    }
    if (!found) {
        int64_t t0 = time_monotonic_ms();
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        int threads = (int)config_get_int(cfg, "embed.threads", cores > 0 ? cores : 1);
        if (static_vocab_build(dir, threads, &p->table, &p->vocab, &p->dim, err, errlen))
            goto fail;
        if (p->dim != EMBED_DIM) {
            snprintf(err, errlen, "%s: hidden size %d, the pipeline needs %d", dir, p->dim,
                     EMBED_DIM);
            goto fail;
        }
        p->build_seconds = (double)(time_monotonic_ms() - t0) / 1000.0;
        log_info("gold", "static %s vectors of %d tokens built in %.1f s (once per model)", kind,
                 p->vocab, p->build_seconds);
        if (store_table(p, db, sha, path, size, mtime, kind) != 0)
            log_warn("gold", "could not keep the static vectors in the store (%s): they are"
                     " rebuilt next time", store_errmsg(db));
    }
    *out = p;
    return 0;
fail:
    prefilter_close(p);
    return -1;
}
