/* The GDELT 2.0 source: downloads with checks and retries, in-memory unzip, the file, live and
 * backfill modes (see gdelt.h for the modes and settings). Index lines are in gdelt_index.c, the
 * ledger and bronze writes in gdelt_ledger.c. */
#include "source/gdelt.h"

#include "core/grow.h"
#include "core/log.h"
#include "core/settings.h"
#include "core/stop.h"
#include "core/timeutil.h"
#include "observe/observe.h"
#include "source/http.h"
#include "store/store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>



/* ------------------------------------------------------------------ checks and unzip */

void gdelt_md5_hex(const void *data, size_t len, char out[33])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    static const char hex[] = "0123456789abcdef";
    if (EVP_Digest(data, len, digest, &dlen, EVP_md5(), NULL) != 1 || dlen != 16) {
        memset(out, '0', 32);
        out[32] = '\0';
        return;
    }
    for (unsigned i = 0; i < 16; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[32] = '\0';
}

int64_t gdelt_backoff_ms(int retry, int64_t initial_ms, int64_t max_ms)
{
    if (retry < 1) return 0;
    int64_t d = initial_ms > 0 ? initial_ms : 1;
    for (int i = 1; i < retry && d < max_ms; i++) d *= 2;
    return d < max_ms ? d : max_ms;
}

static int has_suffix_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

int gdelt_unzip_csv(const void *zip, size_t len, size_t max_bytes, buf *out, char *err,
                    size_t errlen)
{
    buf_reset(out);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(zip, len, 0, &ze);
    if (!src) {
        snprintf(err, errlen, "zip: %s", zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return -1;
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!z) {
        snprintf(err, errlen, "not a valid zip archive: %s", zip_error_strerror(&ze));
        zip_source_free(src);
        zip_error_fini(&ze);
        return -1;
    }
    zip_error_fini(&ze);
    zip_int64_t n = zip_get_num_entries(z, 0), pick = -1;
    for (zip_int64_t i = 0; i < n && pick < 0; i++) {
        const char *nm = zip_get_name(z, (zip_uint64_t)i, 0);
        if (nm && has_suffix_ci(nm, ".csv")) pick = i;
    }
    if (pick < 0 && n == 1) pick = 0;
    int rc = -1;
    zip_file_t *f = NULL;
    if (pick < 0) {
        snprintf(err, errlen, "zip holds %lld members and none ends in .CSV", (long long)n);
        goto done;
    }
    f = zip_fopen_index(z, (zip_uint64_t)pick, 0);
    if (!f) {
        snprintf(err, errlen, "zip member %lld: %s", (long long)pick, zip_strerror(z));
        goto done;
    }
    zip_stat_t zs;
    if (zip_stat_index(z, (zip_uint64_t)pick, 0, &zs) == 0 && (zs.valid & ZIP_STAT_SIZE)) {
        if (zs.size > max_bytes) {
            snprintf(err, errlen, "zip member is %llu bytes, over the %zu-byte cap",
                     (unsigned long long)zs.size, max_bytes);
            goto done;
        }
        if (buf_reserve(out, (size_t)zs.size + 1) != 0) {
            snprintf(err, errlen, "out of memory for a %llu-byte member",
                     (unsigned long long)zs.size);
            goto done;
        }
    }
    for (;;) {
        if (buf_reserve(out, 65536) != 0) {
            snprintf(err, errlen, "out of memory while unzipping");
            goto done;
        }
        zip_int64_t got = zip_fread(f, out->data + out->len, out->cap - out->len - 1);
        if (got < 0) {
            snprintf(err, errlen, "zip member is corrupt: %s", zip_file_strerror(f));
            goto done;
        }
        if (got == 0) break;
        out->len += (size_t)got;
        out->data[out->len] = '\0';
        if (out->len > max_bytes) {
            snprintf(err, errlen, "zip member exceeds the %zu-byte cap", max_bytes);
            goto done;
        }
    }
    rc = 0;
done:
    if (f) zip_fclose(f);
    zip_discard(z); /* read-only: discard frees the source too */
    if (rc != 0) buf_reset(out);
    return rc;
}

/* ------------------------------------------------------------------ one file, from bytes */

/* Decodes file bytes (a zip, recognised by its signature, or plain CSV) into the text of its
 * rows without touching the store, so it can run on a helper thread. 0 ok (*text points into
 * data or csv), -1 rejected with the reason in err. */
static int decode_bytes(const char *name, const char *data, size_t len, size_t max_bytes,
                        buf *csv, const char **text, size_t *text_len, char *err, size_t errlen)
{
    *text = data;
    *text_len = len;
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
        if (gdelt_unzip_csv(data, len, max_bytes, csv, err, errlen) != 0) return -1;
        *text = csv->data ? csv->data : "";
        *text_len = csv->len;
    } else if (has_suffix_ci(name, ".zip")) {
        snprintf(err, errlen, "not a zip archive (no PK signature) although named .zip");
        return -1;
    }
    return 0;
}

/* Commits decoded rows and counts the outcome. */
static gdelt_commit_result commit_text(sqlite3 *db, const gdelt_file_meta *meta, const char *text,
                       size_t text_len, size_t file_len, gdelt_ingest_stats *st, char *err,
                       size_t errlen)
{
    int64_t rows = 0;
    gdelt_commit_result rc = gdelt_bronze_commit_file(db, meta, text, text_len, &rows, err, errlen);
    if (rc == GDELT_COMMITTED) {
        st->files_ingested++;
        st->rows += rows;
        st->bytes += (int64_t)file_len;
        log_info("gdelt", "%s: %lld rows to bronze (%s)", meta->name, (long long)rows, meta->mode);
    } else if (rc == GDELT_ALREADY_INGESTED) {
        st->files_skipped++;
        log_info("gdelt", "%s: already ingested, skipped", meta->name);
    }
    return rc;
}

/* Downloaded bytes to bronze: decode (a bad zip is GDELT_CONTENT_REJECTED), then commit. */
static gdelt_commit_result ingest_bytes(sqlite3 *db, const config *cfg, gdelt_file_meta *meta, const char *data,
                        size_t len, buf *csv, gdelt_ingest_stats *st, char *err, size_t errlen)
{
    size_t max_bytes = (size_t)setting_int(cfg, "gdelt.max_file_bytes");
    const char *text;
    size_t text_len;
    if (decode_bytes(meta->name, data, len, max_bytes, csv, &text, &text_len, err, errlen) != 0)
        return GDELT_CONTENT_REJECTED;
    return commit_text(db, meta, text, text_len, len, st, err, errlen);
}

/* ------------------------------------------------------------------ file mode */

static int read_whole_file(const char *path, size_t max_bytes, buf *out, char *err, size_t errlen)
{
    buf_reset(out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %.900s: %s", path, strerror(errno));
        return -1;
    }
    for (;;) {
        if (buf_reserve(out, 1 << 20) != 0) {
            snprintf(err, errlen, "out of memory reading %.900s", path);
            fclose(f);
            return -1;
        }
        size_t got = fread(out->data + out->len, 1, out->cap - out->len - 1, f);
        out->len += got;
        out->data[out->len] = '\0';
        if (out->len > max_bytes) {
            snprintf(err, errlen, "%.900s is over the %zu-byte cap (gdelt.max_file_bytes)", path,
                     max_bytes);
            fclose(f);
            return -1;
        }
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "error reading %.900s", path);
        return -1;
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* One local file on its way to bronze. Reading, MD5 and unzip (no store access) run on a helper
 * thread while the main thread commits the previous file, so a directory streams through. */
typedef struct file_job {
    char path[8192];
    size_t max_bytes;
    buf raw, csv;
    char md5[33];
    const char *text;
    size_t text_len;
    int ok;             /* 1 decoded, 0 rejected (reason) */
    char reason[1024];
    pthread_t thread;
    int running;
} file_job;

static void *load_job(void *arg)
{
    file_job *j = arg;
    j->ok = 0;
    j->md5[0] = '\0';
    buf_reset(&j->csv);
    if (read_whole_file(j->path, j->max_bytes, &j->raw, j->reason, sizeof j->reason) != 0)
        return NULL;
    gdelt_md5_hex(j->raw.data, j->raw.len, j->md5);
    j->ok = decode_bytes(base_name(j->path), j->raw.data, j->raw.len, j->max_bytes, &j->csv,
                         &j->text, &j->text_len, j->reason, sizeof j->reason) == 0;
    return NULL;
}

static void start_job(file_job *j)
{
    j->running = pthread_create(&j->thread, NULL, load_job, j) == 0;
    if (!j->running) load_job(j); /* no thread: do it inline */
}

static void finish_job(file_job *j)
{
    if (j->running) pthread_join(j->thread, NULL);
    j->running = 0;
}

/* Commits a loaded job: GDELT_OK ingested or skipped, GDELT_SOME_FAILED failed (recorded). */
static gdelt_result commit_job(sqlite3 *db, file_job *j, gdelt_ingest_stats *st, char *err, size_t errlen)
{
    const char *name = base_name(j->path);
    gdelt_file_meta meta = {name, j->path, "file", j->md5[0] ? (int64_t)j->raw.len : -1,
                            j->md5[0] ? j->md5 : NULL, -1, NULL, 1};
    gdelt_commit_result rc = GDELT_CONTENT_REJECTED;
    if (j->ok) rc = commit_text(db, &meta, j->text, j->text_len, j->raw.len, st, j->reason,
                                sizeof j->reason);
    if (rc == GDELT_COMMIT_ERROR) {
        snprintf(err, errlen, "%s", j->reason);
        return GDELT_ERROR;
    }
    if (rc == GDELT_CONTENT_REJECTED) {
        log_error("gdelt", "%s: %s", j->path, j->reason);
        st->files_failed++;
        if (gdelt_ledger_record_failure(db, &meta, j->reason) != 0) {
            store_fail(db, err, errlen, "recording failure of %s", name);
            return GDELT_ERROR;
        }
        return GDELT_SOME_FAILED;
    }
    return GDELT_OK;
}

/* Advances *i over paths to the next regular file not yet ingested (counting and logging the
 * skipped ones) and copies it into out: STORE_NOT_FOUND when none is left. */
static store_lookup next_pending(sqlite3 *db, char *const *paths, size_t count, size_t *i, char *out,
                        size_t outlen, gdelt_ingest_stats *st, char *err, size_t errlen)
{
    for (; *i < count; (*i)++) {
        const char *p = paths[*i];
        struct stat fsb;
        if (stat(p, &fsb) != 0 || !S_ISREG(fsb.st_mode)) continue;
        store_lookup already = gdelt_ledger_is_ingested(db, base_name(p));
        if (already == STORE_LOOKUP_ERROR) {
            store_fail(db, err, errlen, "reading gdelt_ledger");
            return STORE_LOOKUP_ERROR;
        }
        if (already == STORE_FOUND) {
            st->files_skipped++;
            log_info("gdelt", "%s: already ingested, skipped", base_name(p));
            continue;
        }
        snprintf(out, outlen, "%s", p);
        (*i)++;
        return STORE_FOUND;
    }
    return STORE_NOT_FOUND;
}

/* Ingests the files in order, loading file n+1 while file n commits. */
static gdelt_result ingest_paths(sqlite3 *db, const config *cfg, char *const *paths, size_t count,
                        gdelt_ingest_stats *st, char *err, size_t errlen)
{
    file_job *jobs = calloc(2, sizeof *jobs);
    if (!jobs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t max_bytes = (size_t)setting_int(cfg, "gdelt.max_file_bytes");
    jobs[0].max_bytes = jobs[1].max_bytes = max_bytes;
    size_t i = 0;
    gdelt_result result = GDELT_OK;
    int cur = 0;
    store_lookup have =
        next_pending(db, paths, count, &i, jobs[0].path, sizeof jobs[0].path, st, err, errlen);
    if (have == STORE_LOOKUP_ERROR) result = GDELT_ERROR;
    if (have == STORE_FOUND) start_job(&jobs[0]);
    while (have == STORE_FOUND && result != GDELT_ERROR) {
        finish_job(&jobs[cur]);
        store_lookup more = STORE_NOT_FOUND;
        if (!stop_requested()) {
            more = next_pending(db, paths, count, &i, jobs[1 - cur].path,
                                sizeof jobs[1 - cur].path, st, err, errlen);
            if (more == STORE_LOOKUP_ERROR) {
                result = GDELT_ERROR;
                break;
            }
            if (more == STORE_FOUND) start_job(&jobs[1 - cur]);
        }
        gdelt_result rc = commit_job(db, &jobs[cur], st, err, errlen);
        if (rc == GDELT_ERROR) result = GDELT_ERROR;
        else if (rc == GDELT_SOME_FAILED) result = GDELT_SOME_FAILED;
        cur = 1 - cur;
        have = more;
    }
    for (int k = 0; k < 2; k++) {
        finish_job(&jobs[k]);
        buf_free(&jobs[k].raw);
        buf_free(&jobs[k].csv);
    }
    free(jobs);
    return result;
}

static int is_ingestible_name(const char *name)
{
    return has_suffix_ci(name, ".zip") || has_suffix_ci(name, ".csv");
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static gdelt_result ingest_path_inner(sqlite3 *db, const config *cfg, const char *path,
                                      gdelt_ingest_stats *st, char *err, size_t errlen);

gdelt_result gdelt_ingest_path(sqlite3 *db, const config *cfg, const char *path,
                               gdelt_ingest_stats *st, char *err, size_t errlen)
{
    int saved = store_set_wal_autocheckpoint(db, 16384);
    gdelt_result rc = ingest_path_inner(db, cfg, path, st, err, errlen);
    store_set_wal_autocheckpoint(db, saved);
    return rc;
}

static gdelt_result ingest_path_inner(sqlite3 *db, const config *cfg, const char *path,
                                      gdelt_ingest_stats *st, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        char *one[1] = {(char *)path};
        return ingest_paths(db, cfg, one, 1, st, err, errlen);
    }
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, errlen, "cannot open directory %s: %s", path, strerror(errno));
        return -1;
    }
    char **paths = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !is_ingestible_name(de->d_name)) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(paths, cap * sizeof *paths);
            if (!grown) break;
            paths = grown;
        }
        size_t n = strlen(path) + strlen(de->d_name) + 2;
        paths[count] = malloc(n);
        if (!paths[count]) break;
        snprintf(paths[count], n, "%s/%s", path, de->d_name);
        count++;
    }
    closedir(d);
    qsort(paths, count, sizeof *paths, compare_names);
    if (count == 0) log_warn("gdelt", "%s: no .zip or .CSV files in the directory", path);
    int result = ingest_paths(db, cfg, paths, count, st, err, errlen);
    for (size_t i = 0; i < count; i++) free(paths[i]);
    free(paths);
    return result;
}

/* ------------------------------------------------------------------ downloads */

typedef struct fetch_settings {
    int retry_attempts;
    int64_t retry_initial_ms, retry_max_ms;
    http_options http;
} fetch_settings;

static void load_fetch_settings(const config *cfg, fetch_settings *fs)
{
    fs->retry_attempts = (int)setting_int(cfg, "gdelt.retry_attempts");
    if (fs->retry_attempts < 1) fs->retry_attempts = 1;
    fs->retry_initial_ms = setting_int(cfg, "gdelt.retry_initial_ms");
    fs->retry_max_ms = setting_int(cfg, "gdelt.retry_max_ms");
    memset(&fs->http, 0, sizeof fs->http);
    fs->http.connect_timeout_ms = (long)setting_int(cfg, "gdelt.connect_timeout_ms");
    fs->http.timeout_ms = (long)setting_int(cfg, "gdelt.timeout_ms");
    fs->http.max_bytes = (size_t)setting_int(cfg, "gdelt.max_file_bytes");
    fs->http.low_speed_bytes = (long)setting_int(cfg, "gdelt.low_speed_bytes");
    fs->http.low_speed_seconds = (long)setting_int(cfg, "gdelt.low_speed_seconds");
}

/* The wait before retry number `retry`: the backoff, or longer when the server asked for it
 * with Retry-After (still capped by gdelt.retry_max_ms). */
static int64_t retry_wait_ms(const fetch_settings *fs, int retry, long retry_after_s)
{
    int64_t wait = gdelt_backoff_ms(retry, fs->retry_initial_ms, fs->retry_max_ms);
    if (retry_after_s > 0 && retry_after_s * 1000 > wait)
        wait = retry_after_s * 1000 < fs->retry_max_ms ? retry_after_s * 1000 : fs->retry_max_ms;
    return wait;
}

/* Sleeps ms in short slices so a stop request cuts the wait. */
/* Every fetch's HTTP status (0: no answer), for wikigdelt_source_fetches_total. */
static void count_fetch(long status)
{
    char labels[64];
    snprintf(labels, sizeof labels, "source=\"gdelt\",code=\"%ld\"", status);
    obs_count("wikigdelt_source_fetches_total", labels, 1);
}

static void sleep_interruptible(int64_t ms)
{
    while (ms > 0 && !stop_requested()) {
        int64_t slice = ms < 100 ? ms : 100;
        usleep((useconds_t)(slice * 1000));
        ms -= slice;
    }
}

/* Downloads one announced file and ingests it, retrying faults: GDELT_OK ingested or skipped,
 * GDELT_SOME_FAILED failed (recorded in the ledger), GDELT_ERROR a store error. */
static gdelt_result fetch_and_ingest(sqlite3 *db, const config *cfg, const fetch_settings *fs,
                            const gdelt_index_entry *e, const char *mode, buf *csv,
                            gdelt_ingest_stats *st, char *err, size_t errlen)
{
    store_lookup already = gdelt_ledger_is_ingested(db, e->name);
    if (already == STORE_LOOKUP_ERROR) {
        store_fail(db, err, errlen, "reading gdelt_ledger");
        return GDELT_ERROR;
    }
    if (already == STORE_FOUND) {
        st->files_skipped++;
        return GDELT_OK;
    }
    http_response resp = {0};
    char reason[WG_ERR_LEN] = "", md5[33] = "";
    gdelt_file_meta meta = {e->name, e->url, mode, -1, NULL, e->size, e->md5, 0};
    int result = 1;
    for (int attempt = 1; attempt <= fs->retry_attempts && !stop_requested(); attempt++) {
        if (attempt > 1) {
            int64_t wait = retry_wait_ms(fs, attempt - 1, resp.retry_after_s);
            log_warn("gdelt", "%s: attempt %d/%d failed (%s); retrying in %lld ms", e->name,
                     attempt - 1, fs->retry_attempts, reason, (long long)wait);
            /* every fault survived is counted in the event log, not only those that fail a file */
            char msg[1400];
            snprintf(msg, sizeof msg, "%s: attempt %d failed (%s); retrying in %lld ms", e->name,
                     attempt - 1, reason, (long long)wait);
            if (store_event(db, "gdelt_source", "warn", "retry", msg, NULL) != 0)
                log_warn("gdelt", "cannot record the retry in event_log: %s", store_errmsg(db));
            st->retries++;
            sleep_interruptible(wait);
            if (stop_requested()) break;
        }
        meta.attempts = attempt;
        http_outcome o = http_get(e->url, &fs->http, &resp);
        count_fetch(resp.status);
        if (o != HTTP_OK) {
            snprintf(reason, sizeof reason, "%s", resp.error);
            continue;
        }
        meta.size = (int64_t)resp.body.len;
        gdelt_md5_hex(resp.body.data, resp.body.len, md5);
        meta.md5 = md5;
        if (e->size >= 0 && (int64_t)resp.body.len != e->size) {
            snprintf(reason, sizeof reason, "size mismatch: announced %lld bytes, received %zu",
                     (long long)e->size, resp.body.len);
            continue;
        }
        if (strcmp(md5, e->md5) != 0) {
            snprintf(reason, sizeof reason, "MD5 mismatch: announced %s, received %s", e->md5,
                     md5);
            continue;
        }
        gdelt_commit_result rc = ingest_bytes(db, cfg, &meta, resp.body.data, resp.body.len, csv,
                                              st, reason, sizeof reason);
        if (rc == GDELT_COMMIT_ERROR) {
            snprintf(err, errlen, "%s", reason);
            result = -1;
            goto out;
        }
        if (rc == GDELT_COMMITTED || rc == GDELT_ALREADY_INGESTED) {
            result = 0;
            goto out;
        }
        /* content rejected (bad zip): a re-download may fix a corrupted transfer */
    }
    if (stop_requested()) {
        /* Interrupted, not failed: the file is not in the ledger as ingested, so the next run
         * fetches it again. */
        result = 0;
        goto out;
    }
    log_error("gdelt", "%s: giving up after %d attempt(s): %s", e->name, meta.attempts, reason);
    st->files_failed++;
    if (gdelt_ledger_record_failure(db, &meta, reason) != 0) {
        store_fail(db, err, errlen, "recording failure of %s", e->name);
        result = -1;
    }
out:
    http_response_free(&resp);
    return result;
}

/* GETs an index file (lastupdate.txt / masterfilelist.txt) with retries. 0 ok, -1 err set. */
static int fetch_index(const fetch_settings *fs, const config *cfg, const char *url,
                       int64_t max_bytes, http_response *resp, char *err, size_t errlen)
{
    (void)cfg;
    http_options o = fs->http;
    o.max_bytes = (size_t)max_bytes;
    for (int attempt = 1; attempt <= fs->retry_attempts && !stop_requested(); attempt++) {
        if (attempt > 1) {
            int64_t wait = retry_wait_ms(fs, attempt - 1, resp->retry_after_s);
            log_warn("gdelt", "%s; retrying in %lld ms", resp->error, (long long)wait);
            sleep_interruptible(wait);
        }
        http_outcome got = http_get(url, &o, resp);
        count_fetch(resp->status);
        if (got == HTTP_OK) return 0;
    }
    snprintf(err, errlen, "%s", resp->error[0] ? resp->error : "stopped");
    return -1;
}

static void join_url(char *out, size_t outlen, const char *base, const char *file)
{
    size_t n = strlen(base);
    snprintf(out, outlen, "%s%s%s", base, (n && base[n - 1] == '/') ? "" : "/", file);
}

typedef struct entry_list {
    gdelt_index_entry *items;
    size_t count, cap;
} entry_list;

static int entry_list_push(entry_list *l, const gdelt_index_entry *e)
{
    if (grow_array(&l->items, &l->cap, l->count, sizeof *l->items, 16)) return -1;
    l->items[l->count++] = *e;
    return 0;
}

/* Parses index text; keeps export entries accepted by the filter. Malformed lines are logged
 * with their line number and skipped. */
static int parse_index(const char *what, const char *text, size_t len, int64_t from, int64_t to,
                       entry_list *out)
{
    size_t pos = 0;
    int64_t line_no = 0, bad = 0;
    gdelt_index_entry e;
    size_t llen;
    for (const char *line; (line = text_next_line(text, len, &pos, &llen));) {
        line_no++;
        if (llen == 0 || (llen == 1 && line[0] == '\r')) continue;
        char perr[WG_ERR_LEN];
        if (gdelt_parse_index_line(line, llen, &e, perr, sizeof perr) != 0) {
            if (bad++ < 5) log_warn("gdelt", "%s line %lld skipped: %s", what, (long long)line_no, perr);
            continue;
        }
        if (!gdelt_is_export_name(e.name)) continue;
        if (from != INT64_MIN || to != INT64_MAX) {
            if (e.slot_time < 0 || e.slot_time < from || e.slot_time > to) continue;
        }
        if (entry_list_push(out, &e) != 0) return -1;
    }
    if (bad > 5) log_warn("gdelt", "%s: %lld malformed lines skipped in all", what, (long long)bad);
    return 0;
}

/* Retries files that failed on earlier polls while they have attempts left, except those the
 * current index announces again (they are fetched from their fresh URL right after). */
static int retry_failed_files(sqlite3 *db, const config *cfg, const fetch_settings *fs, buf *csv,
                              const entry_list *announced, gdelt_ingest_stats *st, char *err,
                              size_t errlen)
{
    int64_t max_attempts = setting_int(cfg, "gdelt.max_file_attempts");
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, source, expected_size, expected_md5 FROM gdelt_ledger"
                           " WHERE status='failed' AND mode IN ('live','backfill')"
                           " AND expected_md5 IS NOT NULL AND attempts < ?1 ORDER BY name",
                           -1, &q, NULL) != SQLITE_OK) {
        store_fail(db, err, errlen, "reading gdelt_ledger");
        return -1;
    }
    sqlite3_bind_int64(q, 1, max_attempts);
    entry_list l = {0};
    while (sqlite3_step(q) == SQLITE_ROW) {
        gdelt_index_entry e;
        memset(&e, 0, sizeof e);
        snprintf(e.name, sizeof e.name, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(e.url, sizeof e.url, "%s", (const char *)sqlite3_column_text(q, 1));
        e.size = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 2);
        snprintf(e.md5, sizeof e.md5, "%s", (const char *)sqlite3_column_text(q, 3));
        e.slot_time = gdelt_slot_time_of_name(e.name);
        int again = 0;
        for (size_t i = 0; i < announced->count && !again; i++)
            again = strcmp(announced->items[i].name, e.name) == 0;
        if (!again && entry_list_push(&l, &e) != 0) break;
    }
    sqlite3_finalize(q);
    int rc = 0;
    for (size_t i = 0; i < l.count && rc >= 0 && !stop_requested(); i++) {
        log_info("gdelt", "%s: retrying a file that failed earlier", l.items[i].name);
        if (fetch_and_ingest(db, cfg, fs, &l.items[i], "live", csv, st, err, errlen) == GDELT_ERROR)
            rc = -1;
    }
    free(l.items);
    return rc;
}

int gdelt_live_poll(sqlite3 *db, const config *cfg, const char *base_url, gdelt_ingest_stats *st,
                    char *err, size_t errlen)
{
    fetch_settings fs;
    load_fetch_settings(cfg, &fs);
    char url[4096];
    join_url(url, sizeof url, base_url, "lastupdate.txt");
    http_response resp = {0};
    if (fetch_index(&fs, cfg, url, 1 << 20, &resp, err, errlen) != 0) {
        http_response_free(&resp);
        /* counted: an unreachable or failing index is a fault the next poll may survive */
        char msg[1400];
        snprintf(msg, sizeof msg, "lastupdate.txt unreadable after %d attempt(s): %s",
                 fs.retry_attempts, err);
        store_event(db, "gdelt_source", "error", "index_failed", msg, NULL);
        return -1;
    }
    entry_list l = {0};
    int rc = parse_index("lastupdate.txt", resp.body.data ? resp.body.data : "", resp.body.len,
                         INT64_MIN, INT64_MAX, &l);
    http_response_free(&resp);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory parsing lastupdate.txt");
        free(l.items);
        return -1;
    }
    if (l.count == 0) log_warn("gdelt", "%s announces no export file", url);
    int64_t announced = -1;
    for (size_t i = 0; i < l.count; i++)
        if (l.items[i].slot_time > announced) announced = l.items[i].slot_time;
    buf csv = BUF_INIT;
    /* Files that failed on earlier polls first (lastupdate.txt has moved past them), so a file
     * that fails now waits for the next poll instead of being hammered again at once. Then the
     * exports of a gap since the last poll, oldest first, before the newest: bronze stays in
     * time order. A catch-up that could not read its list does not keep the newest file out. */
    rc = retry_failed_files(db, cfg, &fs, &csv, &l, st, err, errlen);
    int caught = 0;
    if (rc >= 0 && announced >= 0 && !stop_requested())
        caught = gdelt_catch_up(db, cfg, base_url, announced, st, err, errlen);
    char catch_err[WG_ERR_LEN] = "";
    if (caught != 0) snprintf(catch_err, sizeof catch_err, "catching up: %s", err);
    for (size_t i = 0; i < l.count && rc >= 0 && !stop_requested(); i++)
        if (fetch_and_ingest(db, cfg, &fs, &l.items[i], "live", &csv, st, err, errlen) == GDELT_ERROR)
            rc = -1;
    free(l.items);
    buf_free(&csv);
    if (rc >= 0 && caught != 0) {
        snprintf(err, errlen, "%s", catch_err);
        rc = -1;
    }
    return rc < 0 ? -1 : 0;
}

gdelt_result gdelt_backfill(sqlite3 *db, const config *cfg, const char *base_url, int64_t from,
                            int64_t to, gdelt_ingest_stats *st, char *err, size_t errlen)
{
    fetch_settings fs;
    load_fetch_settings(cfg, &fs);
    char url[4096];
    join_url(url, sizeof url, base_url, "masterfilelist.txt");
    http_response resp = {0};
    if (fetch_index(&fs, cfg, url, setting_int(cfg, "gdelt.max_index_bytes"), &resp,
                    err, errlen) != 0) {
        http_response_free(&resp);
        return -1;
    }
    entry_list l = {0};
    int rc = parse_index("masterfilelist.txt", resp.body.data ? resp.body.data : "",
                         resp.body.len, from, to, &l);
    http_response_free(&resp);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory parsing masterfilelist.txt");
        free(l.items);
        return -1;
    }
    char a[TIME_TEXT_LEN], b[TIME_TEXT_LEN];
    time_format(from, a);
    time_format(to, b);
    log_info("gdelt", "backfill %s .. %s: %zu export files listed", a, b, l.count);
    buf csv = BUF_INIT;
    gdelt_result result = GDELT_OK;
    for (size_t i = 0; i < l.count && !stop_requested(); i++) {
        gdelt_result one = fetch_and_ingest(db, cfg, &fs, &l.items[i], "backfill", &csv, st, err,
                                            errlen);
        if (one == GDELT_ERROR) {
            result = GDELT_ERROR;
            break;
        }
        if (one == GDELT_SOME_FAILED) result = GDELT_SOME_FAILED;
    }
    free(l.items);
    buf_free(&csv);
    return result;
}
