/* Embedder front: picks the backend (embed.backend), keeps the cache, splits a call into packed
 * batches of similar length and runs them on worker threads (one workspace each). */
#include "embed/embedder.h"

#include "core/log.h"
#include "core/settings.h"
#include "embed/bert.h"
#include "embed/embed_cache.h"
#include "embed/tokenizer.h"
#include "store/store.h"

#include <cblas.h>
#include <sqlite3.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct embedder {
    int fallback;
    char name[128];
    char model_dir[4096];
    bert_model *model;
    wp_tokenizer *tok;
    int max_len;        /* ids per text, [CLS] and [SEP] included */
    int threads, batch_size, batch_tokens;
    bert_workspace **ws; /* one per thread */
    embed_cache *cache;
    sqlite3 *db;                   /* persisted cache (optional, the caller's connection) */
    sqlite3_stmt *db_get, *db_put;
    pthread_mutex_t lock;
};

const char *embedder_default_model_dir(const config *cfg, char *buf, size_t len)
{
    const char *dir = config_get_str(cfg, "embed.model_dir", NULL);
    if (dir && *dir) {
        snprintf(buf, len, "%s", dir);
    } else {
        const char *home = getenv("HOME");
        snprintf(buf, len, "%s/models/all-MiniLM-L6-v2", home && *home ? home : ".");
    }
    return buf;
}

static int file_exists(const char *dir, const char *name)
{
    char p[4200];
    struct stat sb;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* sentence-transformers' max_seq_length (256 for all-MiniLM-L6-v2), bounded by the positions. */
static int read_max_len(const char *dir, int max_positions)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/sentence_bert_config.json", dir);
    int max_len = 256;
    json_t *root = json_load_file(p, 0, NULL);
    json_t *v = root ? json_object_get(root, "max_seq_length") : NULL;
    if (json_is_integer(v) && json_integer_value(v) >= 2 && json_integer_value(v) <= 100000)
        max_len = (int)json_integer_value(v);
    json_decref(root);
    return max_len < max_positions ? max_len : max_positions;
}

/* The products embed.precision = int8 keeps in bf16 by default (see docs/embed.md: measured). */
#define INT8_BF16_DEFAULT ""

/* "ffn_out,qkv" -> BERT_LIN_* bits, and the names back in the model's order for its name. */
static int parse_int8_bf16(const char *list, unsigned *bits, char *names, size_t nlen, char *err,
                           size_t errlen)
{
    static const struct { const char *name; unsigned bit; } lin[] = {
        {"qkv", BERT_LIN_QKV}, {"attn_out", BERT_LIN_ATTN_OUT},
        {"ffn_in", BERT_LIN_FFN_IN}, {"ffn_out", BERT_LIN_FFN_OUT},
    };
    *bits = 0;
    for (const char *s = list; *s;) {
        size_t len = strcspn(s, ", ");
        int found = len == 0;
        for (size_t i = 0; i < sizeof lin / sizeof lin[0] && !found; i++)
            if (strlen(lin[i].name) == len && !strncmp(s, lin[i].name, len)) {
                *bits |= lin[i].bit;
                found = 1;
            }
        if (!found) {
            snprintf(err, errlen, "embed.int8_bf16 = %s: expected a comma list of qkv, attn_out, "
                     "ffn_in, ffn_out", list);
            return -1;
        }
        s += len;
        s += strspn(s, ", ");
    }
    names[0] = 0;
    for (size_t i = 0; i < sizeof lin / sizeof lin[0]; i++)
        if (*bits & lin[i].bit) {
            size_t at = strlen(names);
            snprintf(names + at, nlen - at, "%s%s", at ? "+" : "", lin[i].name);
        }
    return 0;
}

const char *embedder_auto_precision(void)
{
    /* A kernel counts only when it was compiled in (bert_*_native: the build's -march) AND this
     * CPU runs it (a binary copied to an older CPU would otherwise die on an illegal
     * instruction); the emulated paths are slower than fp32, so they are never chosen. */
    __builtin_cpu_init();
    if (bert_int8_native() && __builtin_cpu_supports("avx512vnni") &&
        __builtin_cpu_supports("avx512bw"))
        return "int8";
    if (bert_bf16_native() && __builtin_cpu_supports("avx512bf16")) return "bf16";
    return "fp32";
}

static int open_minilm(embedder *e, const config *cfg, char *err, size_t errlen)
{
    /* auto (the default): int8 where the CPU has AVX512-VNNI, else bf16, else fp32; measured
     * within the labelled sets' noise of fp32 (docs/embed.md, "Choosing the precision").
     * fp32 stays the exact path (the reference vectors) when asked for by name. */
    const char *prec = setting_str(cfg, "embed.precision");
    if (!strcmp(prec, "auto")) prec = embedder_auto_precision();
    enum bert_precision p;
    const char *gemm = setting_str(cfg, "embed.fp32_gemm");
    if (strcmp(gemm, "openblas") && strcmp(gemm, "avx512")) {
        snprintf(err, errlen, "embed.fp32_gemm = %s: expected openblas or avx512", gemm);
        return -1;
    }
    if (!strcmp(prec, "fp32")) p = strcmp(gemm, "avx512") ? BERT_FP32 : BERT_FP32_AVX512;
    else if (!strcmp(prec, "bf16")) p = BERT_BF16;
    else if (!strcmp(prec, "int8")) p = BERT_INT8;
    else {
        snprintf(err, errlen, "embed.precision = %s: expected auto, fp32, bf16 or int8", prec);
        return -1;
    }
    /* int8: which of each layer's products stay in bf16 (the accuracy escape hatch) */
    unsigned keep_bf16 = 0;
    char kept[32] = ""; /* at most "qkv+attn_out+ffn_in+ffn_out" */
    if (p == BERT_INT8 &&
        parse_int8_bf16(setting_str(cfg, "embed.int8_bf16"), &keep_bf16,
                        kept, sizeof kept, err, errlen))
        return -1;
    char vocab[4200];
    snprintf(vocab, sizeof vocab, "%s/vocab.txt", e->model_dir);
    if (tokenizer_open(vocab, &e->tok, err, errlen)) return -1;
    if (bert_load_int8(e->model_dir, p, keep_bf16, &e->model, err, errlen)) return -1;
    const bert_config *c = bert_get_config(e->model);
    if (c->hidden != EMBED_DIM) {
        snprintf(err, errlen, "%s/config.json: hidden_size %d, but the pipeline needs %d",
                 e->model_dir, c->hidden, EMBED_DIM);
        return -1;
    }
    if (tokenizer_vocab_size(e->tok) > (size_t)c->vocab_size) {
        snprintf(err, errlen, "%s: vocab.txt has %zu tokens, more than the model's %d",
                 e->model_dir, tokenizer_vocab_size(e->tok), c->vocab_size);
        return -1;
    }
    e->max_len = read_max_len(e->model_dir, c->max_positions);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    e->threads = (int)config_get_int(cfg, "embed.threads", cores > 0 ? cores : 1);
    if (e->threads < 1) e->threads = 1;
    if (e->threads > 64) e->threads = 64;
    e->batch_size = (int)setting_int(cfg, "embed.batch_size");
    if (e->batch_size < 1) e->batch_size = 1;
    e->batch_tokens = (int)setting_int(cfg, "embed.batch_tokens");
    if (e->batch_tokens < e->max_len) e->batch_tokens = e->max_len;
    e->ws = calloc((size_t)e->threads, sizeof *e->ws);
    if (!e->ws) return -1;
    for (int i = 0; i < e->threads; i++)
        if (!(e->ws[i] = bert_workspace_new(e->model, e->batch_tokens))) {
            snprintf(err, errlen, "out of memory for the encoder's workspace");
            return -1;
        }
    /* The name is also the persisted cache's key: every variant that gives other vectors has
     * its own. */
    snprintf(e->name, sizeof e->name, "all-MiniLM-L6-v2 (%s%s%s%s)",
             p == BERT_BF16 ? "bf16" : p == BERT_INT8 ? "int8" : "fp32",
             kept[0] ? ", bf16 " : "", kept,
             (p == BERT_BF16 && !bert_bf16_native()) || (p == BERT_INT8 && !bert_int8_native())
                 ? ", emulated" : "");
    return 0;
}

static void release_model(embedder *e)
{
    if (e->ws)
        for (int i = 0; i < e->threads; i++) bert_workspace_free(e->ws[i]);
    free(e->ws);
    e->ws = NULL;
    bert_free(e->model);
    e->model = NULL;
    tokenizer_close(e->tok);
    e->tok = NULL;
}

int embedder_open(const config *cfg, embedder **out, char *err, size_t errlen)
{
    *out = NULL;
    if (errlen) err[0] = '\0';
    const char *backend = setting_str(cfg, "embed.backend");
    if (strcmp(backend, "auto") && strcmp(backend, "minilm") && strcmp(backend, "hash")) {
        snprintf(err, errlen, "embed.backend = %s: expected auto, minilm or hash", backend);
        return -1;
    }
    embedder *e = calloc(1, sizeof *e);
    if (!e) return -1;
    pthread_mutex_init(&e->lock, NULL);
    embedder_default_model_dir(cfg, e->model_dir, sizeof e->model_dir);
    int64_t cache_size = setting_int(cfg, "embed.cache_size");
    e->cache = embed_cache_new(cache_size > 0 ? (size_t)cache_size : 0, EMBED_DIM);
    int want_model = !strcmp(backend, "minilm") ||
                     (!strcmp(backend, "auto") && file_exists(e->model_dir, "model.safetensors"));
    if (want_model) {
        if (open_minilm(e, cfg, err, errlen) == 0) {
            log_info("embed", "embedder: %s from %s, %d threads, batches of <= %d texts / %d tokens",
                     e->name, e->model_dir, e->threads, e->batch_size, e->batch_tokens);
            *out = e;
            return 0;
        }
        release_model(e);
        if (!strcmp(backend, "minilm")) {
            embedder_close(e);
            return -1;
        }
        log_error("embed", "the model in %s cannot be used: %s", e->model_dir, err);
        err[0] = '\0';
    }
    e->fallback = 1;
    snprintf(e->name, sizeof e->name, "hash-ngram fallback");
    log_warn("embed", "USING THE FALLBACK EMBEDDER (hashed n-grams, no model): similarities are "
             "lexical only. Install the model with `wikigdelt model fetch` or set embed.model_dir "
             "(looked in %s)", e->model_dir);
    *out = e;
    return 0;
}

/* ---------- batched encoding ---------- */

typedef struct job {
    embedder *e;
    int32_t *ids;      /* all tokenised texts, concatenated in batch order */
    int *lens;         /* per text, in batch order */
    size_t *starts;    /* offset of each batch's first id */
    int *first;        /* index (in batch order) of each batch's first text */
    int nbatches;
    float *vecs;       /* per text in batch order */
    atomic_int next;
    atomic_int failed;
} job;

static void run_batches(job *j, bert_workspace *ws)
{
    for (;;) {
        int b = atomic_fetch_add(&j->next, 1);
        if (b >= j->nbatches) return;
        int f = j->first[b], n = j->first[b + 1] - f;
        if (bert_encode_packed(j->e->model, ws, j->ids + j->starts[b], j->lens + f, n,
                               j->vecs + (size_t)f * EMBED_DIM))
            atomic_store(&j->failed, 1);
    }
}

typedef struct worker_arg {
    job *j;
    bert_workspace *ws;
} worker_arg;

static void *worker_main(void *p)
{
    worker_arg *a = p;
    run_batches(a->j, a->ws);
    return NULL;
}

typedef struct pending {
    const char *text;
    size_t out_index;  /* first output slot */
    size_t slot;       /* row of its token ids in the scratch */
    int len;
} pending;

/* OpenBLAS's thread count is process-wide: while any embedder runs its workers it is 1 (each
 * worker's sgemm on its own core), and the count from before is restored when the last one ends. */
static pthread_mutex_t blas_lock = PTHREAD_MUTEX_INITIALIZER;
static int blas_users, blas_saved_threads;

static void blas_single_enter(void)
{
    pthread_mutex_lock(&blas_lock);
    if (blas_users++ == 0) {
        blas_saved_threads = openblas_get_num_threads();
        openblas_set_num_threads(1);
    }
    pthread_mutex_unlock(&blas_lock);
}

static void blas_single_leave(void)
{
    pthread_mutex_lock(&blas_lock);
    if (--blas_users == 0) openblas_set_num_threads(blas_saved_threads);
    pthread_mutex_unlock(&blas_lock);
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(((const pending *)a)->text, ((const pending *)b)->text);
}

static int cmp_len_desc(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    return (y->len > x->len) - (y->len < x->len);
}

/* ---------- persisted cache ---------- */

static int store_get(embedder *e, const char *text, float *out)
{
    if (!e->db_get) return 0;
    sqlite3_reset(e->db_get);
    sqlite3_bind_text(e->db_get, 1, e->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(e->db_get, 2, text, -1, SQLITE_STATIC);
    int found = 0;
    if (sqlite3_step(e->db_get) == SQLITE_ROW &&
        sqlite3_column_bytes(e->db_get, 0) == (int)(EMBED_DIM * sizeof(float))) {
        memcpy(out, sqlite3_column_blob(e->db_get, 0), EMBED_DIM * sizeof(float));
        embed_cache_put(e->cache, text, out);
        found = 1;
    }
    sqlite3_reset(e->db_get);
    return found;
}

static void store_put(embedder *e, const char *text, const float *vec)
{
    sqlite3_reset(e->db_put);
    sqlite3_bind_text(e->db_put, 1, e->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(e->db_put, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_blob(e->db_put, 3, vec, EMBED_DIM * sizeof(float), SQLITE_STATIC);
    if (sqlite3_step(e->db_put) != SQLITE_DONE)
        log_warn("embed", "could not persist an embedding: %s", store_errmsg(e->db));
    sqlite3_reset(e->db_put);
}

static void detach_store(embedder *e)
{
    sqlite3_finalize(e->db_get);
    sqlite3_finalize(e->db_put);
    e->db_get = e->db_put = NULL;
    e->db = NULL;
}

int embedder_attach_store(embedder *e, sqlite3 *db)
{
    pthread_mutex_lock(&e->lock);
    detach_store(e);
    int rc = 0;
    if (db && !e->fallback) {
        if (sqlite3_prepare_v2(db, "SELECT vector FROM embedding_cache WHERE model = ?1 AND text = ?2",
                               -1, &e->db_get, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(db,
                               "INSERT OR REPLACE INTO embedding_cache(model, text, vector, created_at) "
                               "VALUES (?1, ?2, ?3, strftime('%Y-%m-%d %H:%M:%S','now'))",
                               -1, &e->db_put, NULL) != SQLITE_OK) {
            log_error("embed", "embedding_cache unavailable: %s", store_errmsg(db));
            detach_store(e);
            rc = -1;
        } else {
            e->db = db;
        }
    }
    pthread_mutex_unlock(&e->lock);
    return rc;
}

static int encode_model(embedder *e, const char *const *texts, size_t n, float *out, char *err,
                        size_t errlen)
{
    /* Misses of the cache, each distinct text once. */
    pending *miss = malloc((n ? n : 1) * sizeof *miss);
    size_t *dup_of = malloc((n ? n : 1) * 2 * sizeof *dup_of); /* (copy to, copy from) pairs */
    if (!miss || !dup_of) {
        free(miss);
        free(dup_of);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t nmiss = 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = texts[i] ? texts[i] : "";
        if (!embed_cache_get(e->cache, t, out + i * EMBED_DIM) && !store_get(e, t, out + i * EMBED_DIM))
            miss[nmiss++] = (pending){t, i, 0, 0};
    }
    qsort(miss, nmiss, sizeof *miss, cmp_text);
    size_t nuniq = 0, ndup = 0;
    for (size_t i = 0; i < nmiss; i++) {
        if (nuniq && !strcmp(miss[nuniq - 1].text, miss[i].text)) {
            /* copy later from the first: remember (dst, src) as two slots */
            dup_of[ndup++] = miss[i].out_index;
            dup_of[ndup++] = miss[nuniq - 1].out_index;
            continue;
        }
        miss[nuniq++] = miss[i];
    }
    int rc = 0;
    int32_t *ids = malloc((nuniq ? nuniq : 1) * (size_t)e->max_len * sizeof *ids);
    int *lens = malloc((nuniq ? nuniq : 1) * sizeof *lens);
    /* each distinct text tokenised once, into its own row */
    int32_t *tmp = malloc((nuniq ? nuniq : 1) * (size_t)e->max_len * sizeof *tmp);
    float *vecs = malloc((nuniq ? nuniq : 1) * (size_t)EMBED_DIM * sizeof *vecs);
    size_t *starts = malloc((nuniq + 1) * sizeof *starts);
    int *first = malloc((nuniq + 2) * sizeof *first);
    if (!ids || !lens || !tmp || !vecs || !starts || !first) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
        goto done;
    }
    long total = 0;
    for (size_t i = 0; i < nuniq; i++) {
        miss[i].slot = i;
        miss[i].len = tokenizer_encode(e->tok, miss[i].text, tmp + i * (size_t)e->max_len, e->max_len);
        total += miss[i].len;
    }
    /* Longest first: batches of similar lengths, and the long ones do not straggle at the end. */
    qsort(miss, nuniq, sizeof *miss, cmp_len_desc);
    /* Enough batches to keep every thread busy, as long as each stays big enough (>= 256 tokens)
     * for an efficient matrix product; otherwise one batch and a multi-threaded sgemm. */
    long cap = e->batch_tokens;
    if (e->threads > 1 && total / e->threads >= 256 && total / e->threads < cap)
        cap = (total + e->threads - 1) / e->threads;
    if (nuniq && cap < miss[0].len) cap = miss[0].len;
    size_t off = 0;
    int nb = 0, in_batch = 0;
    long batch_tok = 0;
    for (size_t i = 0; i < nuniq; i++) {
        if (in_batch == 0 || in_batch >= e->batch_size || batch_tok + miss[i].len > cap) {
            starts[nb] = off;
            first[nb] = (int)i;
            nb++;
            in_batch = 0;
            batch_tok = 0;
        }
        lens[i] = miss[i].len;
        memcpy(ids + off, tmp + miss[i].slot * (size_t)e->max_len, (size_t)lens[i] * sizeof *ids);
        off += (size_t)lens[i];
        in_batch++;
        batch_tok += lens[i];
    }
    first[nb] = (int)nuniq;
    if (nb > 0) {
        job j = {.e = e, .ids = ids, .lens = lens, .starts = starts, .first = first,
                 .nbatches = nb, .vecs = vecs};
        atomic_init(&j.next, 0);
        atomic_init(&j.failed, 0);
        int nthreads = e->threads < nb ? e->threads : nb;
        if (nthreads <= 1) {
            run_batches(&j, e->ws[0]);
        } else {
            /* Data parallel: each thread runs whole batches with a single-threaded sgemm. */
            blas_single_enter();
            pthread_t tids[64];
            worker_arg args[64];
            int started = 0;
            for (int t = 1; t < nthreads; t++) {
                args[t] = (worker_arg){&j, e->ws[t]};
                if (pthread_create(&tids[t], NULL, worker_main, &args[t]) == 0) started = t;
                else break;
            }
            run_batches(&j, e->ws[0]);
            for (int t = 1; t <= started; t++) pthread_join(tids[t], NULL);
            blas_single_leave();
        }
        if (atomic_load(&j.failed)) {
            snprintf(err, errlen, "the encoder rejected a batch (token ids out of range?)");
            rc = -1;
            goto done;
        }
    }
    for (size_t i = 0; i < nuniq; i++) {
        memcpy(out + miss[i].out_index * EMBED_DIM, vecs + i * EMBED_DIM, EMBED_DIM * sizeof(float));
        embed_cache_put(e->cache, miss[i].text, vecs + i * EMBED_DIM);
    }
    if (e->db && nuniq) {
        int own = sqlite3_get_autocommit(e->db) && sqlite3_exec(e->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
        for (size_t i = 0; i < nuniq; i++) store_put(e, miss[i].text, vecs + i * EMBED_DIM);
        if (own) sqlite3_exec(e->db, "COMMIT", NULL, NULL, NULL);
    }
    for (size_t i = 0; i < ndup; i += 2)
        memcpy(out + dup_of[i] * EMBED_DIM, out + dup_of[i + 1] * EMBED_DIM, EMBED_DIM * sizeof(float));
done:
    free(miss);
    free(dup_of);
    free(ids);
    free(lens);
    free(tmp);
    free(vecs);
    free(starts);
    free(first);
    return rc;
}

int embedder_encode(embedder *e, const char *const *texts, size_t n, float *out, char *err,
                    size_t errlen)
{
    if (e->fallback) {
        for (size_t i = 0; i < n; i++) embed_hash_text(texts[i], out + i * EMBED_DIM);
        return 0;
    }
    pthread_mutex_lock(&e->lock);
    int rc = encode_model(e, texts, n, out, err, errlen);
    pthread_mutex_unlock(&e->lock);
    return rc;
}

int embedder_tokenize(embedder *e, const char *text, int32_t *ids, int max)
{
    if (e->fallback || !e->tok) return -1;
    return tokenizer_encode(e->tok, text, ids, max < e->max_len ? max : e->max_len);
}

const char *embedder_name(const embedder *e) { return e->name; }
int embedder_is_fallback(const embedder *e) { return e->fallback; }
const char *embedder_model_dir(const embedder *e) { return e->fallback ? NULL : e->model_dir; }

void embedder_cache_stats(const embedder *e, size_t *entries, size_t *hits, size_t *misses)
{
    *entries = embed_cache_size(e->cache);
    *hits = embed_cache_hits(e->cache);
    *misses = embed_cache_misses(e->cache);
}

void embedder_close(embedder *e)
{
    if (!e) return;
    detach_store(e);
    release_model(e);
    embed_cache_free(e->cache);
    pthread_mutex_destroy(&e->lock);
    free(e);
}
