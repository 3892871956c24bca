/* Simulator, GDELT half: plays GDELT's file server on loopback.
 *
 *   /gdeltv2/lastupdate.txt      "<size> <md5> <url>" of the newest visible export (plus the
 *                                mentions and gkg lines GDELT also lists; those files are absent)
 *   /gdeltv2/masterfilelist.txt  the same lines for every visible export, oldest first
 *   /gdeltv2/<name>              the export zip itself
 *
 * The files come from simulate.gdelt_dir (every *.export.CSV.zip in it, name order; default
 * $WG_SHARED/data/gdelt or ../shared/data/gdelt). File 0 is visible at start and one more
 * becomes visible per 900 simulated seconds (simulate.speed scales the clock), as GDELT publishes
 * one export per 15 minutes.
 *
 * simulate.gdelt_slots = N (default 0 = serve the directory's files as they are) publishes N
 * consecutive 15-minute slots instead, starting at the first file's slot time: slot k is the
 * directory's file k mod count, inflated as ../shared/data/README.md allows (real rows, fresh ids
 * GLOBALEVENTID + k * 10^10, DATEADDED set to the slot's time), zipped in memory on first request.
 * That gives a demo or soak test an endless-looking feed from two real exports. Alternatively
 * point gdelt_dir at a directory written by bench/gdelt_inflate.py.
 *
 * Fault injection for tests, applied to export downloads only:
 *   simulate.gdelt_fault = none|404|500|truncate|md5|slow|size|429|stall
 *     404 (a file listed, then gone), 500, 429 (with Retry-After), truncate (half the body, then
 *     the connection closes), stall (half the body, then silence for gdelt_stall_ms, then the
 *     connection closes), md5 (same size, different bytes), slow (the whole body, slowly),
 *     size (a complete body one byte longer than lastupdate.txt announces)
 *   simulate.gdelt_fault_count = N   the first N downloads get the fault, later ones are served
 *                                    normally (default -1: every download)
 *   simulate.gdelt_slow_ms = M       for slow: pause M ms per 1 KiB (default 200)
 *   simulate.gdelt_retry_after = S   for 429: Retry-After seconds (default 2)
 *   simulate.gdelt_stall_ms = M      for stall: the silence (default 20000)
 *   simulate.gdelt_masterfilelist = 0  masterfilelist.txt answers 404 (a backfill or a live
 *                                    catch-up that cannot read its list) */
#include "core/settings.h"
#include "source/simulator.h"
#include "source/sim_world.h"

#include "core/log.h"
#include "core/timeutil.h"
#include "source/gdelt.h"
#include "format/gdelt_columns.h"

#include <dirent.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

typedef enum sim_fault { FAULT_NONE, FAULT_404, FAULT_500, FAULT_TRUNCATE, FAULT_MD5, FAULT_SLOW,
                         FAULT_SIZE, FAULT_429, FAULT_STALL } sim_fault;

typedef struct sim_file {
    char name[256];
    unsigned char *data; /* NULL until a generated slot is first needed */
    size_t len;
    char md5[33];
    size_t source;       /* generated slots: index of the real file they inflate */
    int64_t slot_time;   /* generated slots: DATEADDED of every row */
    int64_t id_offset;   /* generated slots: added to GLOBALEVENTID */
} sim_file;

struct sim_gdelt {
    const simulator *sim;
    sim_file *sources;   /* the directory's files */
    size_t source_count;
    sim_file *files;     /* what is published: the sources themselves or generated slots */
    size_t count;
    sim_fault fault;
    long fault_remaining; /* -1 = unlimited */
    long slow_ms;
    long retry_after_s;  /* 429: the Retry-After header */
    long stall_ms;       /* stall: silence after half the body */
    int no_master;       /* masterfilelist.txt answers 404 (simulate.gdelt_masterfilelist off) */
    pthread_mutex_t lock;
};

static int compare_files(const void *a, const void *b)
{
    return strcmp(((const sim_file *)a)->name, ((const sim_file *)b)->name);
}

static int load_file(const char *path, sim_file *f)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return -1;
    if (fseek(fp, 0, SEEK_END) != 0) {
        fclose(fp);
        return -1;
    }
    long size = ftell(fp);
    rewind(fp);
    if (size < 0 || size > (1L << 30)) {
        fclose(fp);
        return -1;
    }
    f->data = malloc((size_t)size + 1);
    if (!f->data || fread(f->data, 1, (size_t)size, fp) != (size_t)size) {
        free(f->data);
        f->data = NULL;
        fclose(fp);
        return -1;
    }
    fclose(fp);
    f->len = (size_t)size;
    gdelt_md5_hex(f->data, f->len, f->md5);
    return 0;
}

static const char *default_dir(char *out, size_t outlen)
{
    const char *shared = getenv("WG_SHARED");
    if (shared && *shared) {
        snprintf(out, outlen, "%s/data/gdelt", shared);
        if (access(out, R_OK) == 0) return out;
    }
    snprintf(out, outlen, "../shared/data/gdelt");
    return access(out, R_OK) == 0 ? out : NULL;
}

/* Epoch seconds of a GDELT file name's leading YYYYMMDDHHMMSS, or -1. */
static int64_t slot_time_of(const char *name)
{
    int64_t t;
    if (strlen(name) < 14 || time_parse_gdelt(name, 14, &t) != 0) return -1;
    return t;
}

/* Zips csv as one member into a fresh heap buffer (libzip writing to an in-memory source). */
static int zip_in_memory(const char *member, const char *csv, size_t len, unsigned char **out,
                         size_t *out_len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!src) return -1;
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!z) {
        zip_source_free(src);
        return -1;
    }
    zip_source_keep(src); /* survive zip_close so the written bytes can be read back */
    zip_source_t *body = zip_source_buffer(z, csv, len, 0);
    if (!body || zip_file_add(z, member, body, ZIP_FL_ENC_UTF_8) < 0) {
        if (body) zip_source_free(body);
        zip_discard(z);
        zip_source_free(src);
        return -1;
    }
    if (zip_close(z) != 0) {
        zip_discard(z);
        zip_source_free(src);
        return -1;
    }
    int rc = -1;
    if (zip_source_open(src) == 0) {
        zip_source_seek(src, 0, SEEK_END);
        zip_int64_t size = zip_source_tell(src);
        zip_source_seek(src, 0, SEEK_SET);
        unsigned char *data = size > 0 ? malloc((size_t)size) : NULL;
        if (data && zip_source_read(src, data, (zip_uint64_t)size) == size) {
            *out = data;
            *out_len = (size_t)size;
            rc = 0;
        } else {
            free(data);
        }
        zip_source_close(src);
    }
    zip_source_free(src);
    return rc;
}

/* Builds a generated slot: the source's rows with fresh ids and the slot's DATEADDED. */
static int generate_slot(const sim_gdelt *g, sim_file *f)
{
    const sim_file *src = &g->sources[f->source];
    buf csv = BUF_INIT, out = BUF_INIT;
    char err[WG_ERR_LEN], added[15], t[TIME_TEXT_LEN];
    time_format(f->slot_time, t);
    snprintf(added, sizeof added, "%.4s%.2s%.2s%.2s%.2s%.2s", t, t + 5, t + 8, t + 11, t + 14, t + 17);
    int rc = -1;
    if (gdelt_unzip_csv(src->data, src->len, (size_t)1 << 30, &csv, err, sizeof err) != 0) {
        log_warn("simulate", "GDELT half: cannot inflate %s: %s", src->name, err);
        goto done;
    }
    size_t pos = 0;
    size_t len;
    for (const char *line; (line = text_next_line(csv.data, csv.len, &pos, &len));) {
        /* Field boundaries: rewrite GLOBALEVENTID and DATEADDED of well-formed rows only. */
        const char *tabs[GDELT_EVENT_COLUMNS];
        int n = 0;
        for (const char *p = line; p < line + len && n < GDELT_EVENT_COLUMNS; p++)
            if (*p == '\t') tabs[n++] = p;
        char *end;
        long long id = strtoll(line, &end, 10);
        if (n == GDELT_EVENT_COLUMNS - 1 && end == tabs[0] && id > 0) {
            const char *dateadded = tabs[GDELT_COL_DATEADDED - 1] + 1;
            const char *after = tabs[GDELT_COL_DATEADDED];
            buf_appendf(&out, "%lld", id + (long long)f->id_offset);
            buf_append(&out, tabs[0], (size_t)(dateadded - tabs[0]));
            buf_append_str(&out, added);
            buf_append(&out, after, (size_t)(line + len - after));
        } else {
            buf_append(&out, line, len);
        }
        buf_append_str(&out, "\n");
    }
    char member[64];
    snprintf(member, sizeof member, "%s.export.CSV", added);
    if (!out.data || zip_in_memory(member, out.data, out.len, &f->data, &f->len) != 0) {
        log_warn("simulate", "GDELT half: cannot zip slot %s", f->name);
        goto done;
    }
    gdelt_md5_hex(f->data, f->len, f->md5);
    rc = 0;
done:
    buf_free(&csv);
    buf_free(&out);
    return rc;
}

/* Makes sure a published file has its bytes (generated slots are built on first use). */
static int ensure_ready(sim_gdelt *g, size_t i)
{
    if (g->files == g->sources) return 0;
    pthread_mutex_lock(&g->lock);
    int rc = g->files[i].data ? 0 : generate_slot(g, &g->files[i]);
    pthread_mutex_unlock(&g->lock);
    return rc;
}

static int setup_slots(sim_gdelt *g, int64_t slots, const char *dir, const char *fault, char *err,
                       size_t errlen);

/* No recorded exports at hand: one synthetic export from the simulator's topic list, published
 * as consecutive slots (96 = one simulated day unless simulate.gdelt_slots says otherwise). */
static int use_synthetic_source(const config *cfg, sim_gdelt *g, char *err, size_t errlen)
{
    buf csv = BUF_INIT;
    sim_file *f = calloc(1, sizeof *f);
    if (!f || sim_world_export_csv(&csv, 1, "20240715000000", (int)sim_topic_count * 10) != 0 ||
        zip_in_memory("20240715000000.export.CSV", csv.data, csv.len, &f->data, &f->len) != 0) {
        buf_free(&csv);
        free(f);
        snprintf(err, errlen, "simulator: cannot build the synthetic GDELT export");
        return -1;
    }
    buf_free(&csv);
    snprintf(f->name, sizeof f->name, "20240715000000.export.CSV.zip");
    gdelt_md5_hex(f->data, f->len, f->md5);
    g->sources = f;
    g->source_count = 1;
    log_warn("simulate", "GDELT half: no simulate.gdelt_dir and no ../shared/data/gdelt: serving"
                         " SYNTHETIC exports built from the simulator's topic list");
    int64_t slots = setting_int(cfg, "simulate.gdelt_slots");
    return setup_slots(g, slots > 0 ? slots : 96, "(synthetic)", "none", err, errlen);
}

int sim_gdelt_create(const config *cfg, const simulator *sim, sim_gdelt **out, char *err,
                     size_t errlen)
{
    sim_gdelt *g = calloc(1, sizeof *g);
    if (!g) return -1;
    g->sim = sim;
    pthread_mutex_init(&g->lock, NULL);
    *out = g;

    const char *fault = setting_str(cfg, "simulate.gdelt_fault");
    static const char *fault_names[] = {"none", "404", "500", "truncate", "md5", "slow", "size", "429", "stall"};
    int known = 0;
    for (int i = 0; i < 9; i++)
        if (!strcmp(fault, fault_names[i])) {
            g->fault = (sim_fault)i;
            known = 1;
        }
    if (!known) {
        snprintf(err, errlen, "simulate.gdelt_fault = '%s': use none, 404, 500, 429, truncate, stall, md5, slow or size",
                 fault);
        return -1;
    }
    g->fault_remaining = (long)setting_int(cfg, "simulate.gdelt_fault_count");
    g->slow_ms = (long)setting_int(cfg, "simulate.gdelt_slow_ms");
    g->retry_after_s = (long)setting_int(cfg, "simulate.gdelt_retry_after");
    g->stall_ms = (long)setting_int(cfg, "simulate.gdelt_stall_ms");
    g->no_master = !setting_bool(cfg, "simulate.gdelt_masterfilelist");

    char dbuf[4096];
    const char *dir = config_get_str(cfg, "simulate.gdelt_dir", NULL);
    int explicit_dir = dir && *dir;
    if (!explicit_dir) dir = default_dir(dbuf, sizeof dbuf);
    if (!dir) return use_synthetic_source(cfg, g, err, errlen);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "simulate.gdelt_dir %s: cannot open the directory", dir);
        return explicit_dir ? -1 : 0;
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!gdelt_is_export_name(de->d_name) || strlen(de->d_name) >= sizeof g->files[0].name)
            continue;
        if (g->source_count == cap) {
            cap = cap ? cap * 2 : 16;
            sim_file *grown = realloc(g->sources, cap * sizeof *grown);
            if (!grown) break;
            g->sources = grown;
        }
        sim_file *f = &g->sources[g->source_count];
        memset(f, 0, sizeof *f);
        snprintf(f->name, sizeof f->name, "%s", de->d_name);
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (load_file(path, f) != 0) {
            log_warn("simulate", "GDELT half: cannot read %s, skipped", path);
            continue;
        }
        g->source_count++;
    }
    closedir(d);
    qsort(g->sources, g->source_count, sizeof *g->sources, compare_files);
    return setup_slots(g, setting_int(cfg, "simulate.gdelt_slots"), dir, fault, err, errlen);
}

/* Publishes the sources as they are, or as `slots` generated 15-minute slots inflated from them. */
static int setup_slots(sim_gdelt *g, int64_t slots, const char *dir, const char *fault, char *err,
                       size_t errlen)
{
    int64_t start = g->source_count ? slot_time_of(g->sources[0].name) : -1;
    if (slots > 0 && g->source_count > 0 && start >= 0) {
        if (slots > 100000) slots = 100000;
        g->files = calloc((size_t)slots, sizeof *g->files);
        if (!g->files) {
            snprintf(err, errlen, "simulate.gdelt_slots = %lld: out of memory", (long long)slots);
            return -1;
        }
        for (int64_t k = 0; k < slots; k++) {
            sim_file *f = &g->files[k];
            f->slot_time = start + k * 900;
            char t[TIME_TEXT_LEN];
            time_format(f->slot_time, t);
            snprintf(f->name, sizeof f->name, "%.4s%.2s%.2s%.2s%.2s%.2s.export.CSV.zip", t, t + 5,
                     t + 8, t + 11, t + 14, t + 17);
            f->source = (size_t)k % g->source_count;
            f->id_offset = k * 10000000000LL;
        }
        g->count = (size_t)slots;
        log_info("simulate", "GDELT half: %lld generated slots from %zu export file(s) in %s,"
                 " one every 900 simulated s%s%s", (long long)slots, g->source_count, dir,
                 g->fault ? ", fault " : "", g->fault ? fault : "");
    } else {
        g->files = g->sources;
        g->count = g->source_count;
        log_info("simulate", "GDELT half: %zu export file(s) from %s, one every 900 simulated s%s%s",
                 g->count, dir, g->fault ? ", fault " : "", g->fault ? fault : "");
    }
    return 0;
}

void sim_gdelt_destroy(sim_gdelt *g)
{
    if (!g) return;
    if (g->files != g->sources) {
        for (size_t i = 0; i < g->count; i++) free(g->files[i].data);
        free(g->files);
    }
    for (size_t i = 0; i < g->source_count; i++) free(g->sources[i].data);
    free(g->sources);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

/* How many files are published at this moment of simulated time. */
static size_t visible_count(const sim_gdelt *g)
{
    if (g->count == 0) return 0;
    double elapsed = simulator_elapsed_sim_seconds(g->sim);
    double n = elapsed / 900.0 + 1;
    return n >= (double)g->count ? g->count : (size_t)n;
}

/* Appends the lines GDELT lists for one slot: export (real) + mentions and gkg (absent here, so
 * clients must filter on the export suffix as they do against the real server). */
static void append_slot_lines(buf *b, const char *host, const sim_file *f)
{
    buf_appendf(b, "%zu %s http://%s/gdeltv2/%s\n", f->len, f->md5, host, f->name);
    char stem[256];
    size_t n = strlen(f->name) - strlen(".export.CSV.zip");
    snprintf(stem, sizeof stem, "%.*s", (int)n, f->name);
    buf_appendf(b, "0 d41d8cd98f00b204e9800998ecf8427e http://%s/gdeltv2/%s.mentions.CSV.zip\n",
                host, stem);
    buf_appendf(b, "0 d41d8cd98f00b204e9800998ecf8427e http://%s/gdeltv2/%s.gkg.csv.zip\n",
                host, stem);
}

typedef struct partial_body {
    const unsigned char *data;
    size_t limit;   /* bytes to send before closing (truncate) or all (slow) */
    long delay_ms;  /* pause per chunk (slow) */
    long stall_ms;  /* silence once the limit is reached, before closing (stall) */
} partial_body;

static ssize_t partial_reader(void *cls, uint64_t pos, char *out, size_t max)
{
    partial_body *p = cls;
    if (pos >= p->limit) {
        if (p->stall_ms > 0) usleep((useconds_t)p->stall_ms * 1000);
        p->stall_ms = 0;
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = p->limit - (size_t)pos;
    if (n > max) n = max;
    if (p->delay_ms > 0) {
        if (n > 1024) n = 1024;
        usleep((useconds_t)p->delay_ms * 1000);
    }
    memcpy(out, p->data + pos, n);
    return (ssize_t)n;
}

/* Queues r (NULL: it could not be made) as a 200 application/zip answer. */
static int queue_zip(struct MHD_Connection *conn, struct MHD_Response *r)
{
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/zip");
    int ret = (int)MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static int serve_file(sim_gdelt *g, struct MHD_Connection *conn, const sim_file *f)
{
    sim_fault fault = FAULT_NONE;
    pthread_mutex_lock(&g->lock);
    if (g->fault != FAULT_NONE && g->fault_remaining != 0) {
        fault = g->fault;
        if (g->fault_remaining > 0) g->fault_remaining--;
    }
    pthread_mutex_unlock(&g->lock);
    switch (fault) {
    case FAULT_404: return sim_respond(conn, 404, "text/plain", "injected 404\n", 13);
    case FAULT_500: return sim_respond(conn, 500, "text/plain", "injected 500\n", 13);
    case FAULT_429: {
        struct MHD_Response *r =
            MHD_create_response_from_buffer(13, (void *)"injected 429\n", MHD_RESPMEM_PERSISTENT);
        if (!r) return MHD_NO;
        char ra[32];
        snprintf(ra, sizeof ra, "%ld", g->retry_after_s);
        MHD_add_response_header(r, "Retry-After", ra);
        int ret = (int)MHD_queue_response(conn, 429, r);
        MHD_destroy_response(r);
        return ret;
    }
    case FAULT_MD5:
    case FAULT_SIZE: {
        /* md5: same size, different bytes; size: the whole file and one byte more */
        size_t len = fault == FAULT_SIZE ? f->len + 1 : f->len;
        unsigned char *copy = malloc(len ? len : 1);
        if (!copy) return MHD_NO;
        memcpy(copy, f->data, f->len);
        if (fault == FAULT_SIZE) copy[f->len] = '\n';
        else if (f->len) copy[f->len / 2] ^= 0x5a;
        struct MHD_Response *r =
            MHD_create_response_from_buffer(len, copy, MHD_RESPMEM_MUST_FREE);
        if (!r) free(copy);
        return queue_zip(conn, r);
    }
    case FAULT_TRUNCATE:
    case FAULT_STALL:
    case FAULT_SLOW: {
        partial_body *p = malloc(sizeof *p);
        if (!p) return MHD_NO;
        p->data = f->data;
        p->limit = fault == FAULT_SLOW ? f->len : f->len / 2;
        p->delay_ms = fault == FAULT_SLOW ? g->slow_ms : 0;
        p->stall_ms = fault == FAULT_STALL ? g->stall_ms : 0;
        /* Content-Length announces the whole file; the truncated body stops halfway. */
        struct MHD_Response *r =
            MHD_create_response_from_callback(f->len, 32 * 1024, partial_reader, p, free);
        if (!r) free(p);
        return queue_zip(conn, r);
    }
    default: break;
    }
    return queue_zip(conn, MHD_create_response_from_buffer(f->len, f->data,
                                                           MHD_RESPMEM_PERSISTENT));
}

int sim_gdelt_handle(sim_gdelt *g, struct MHD_Connection *conn, const char *url, const char *method)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return sim_respond(conn, 405, "text/plain", "method not allowed\n", 19);
    const char *name = url + strlen("/gdeltv2/");
    size_t visible = visible_count(g);
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    char host_buf[64];
    if (!host || !*host || strlen(host) > 255 || strpbrk(host, " \r\n/")) {
        snprintf(host_buf, sizeof host_buf, "127.0.0.1:%d", simulator_port(g->sim));
        host = host_buf;
    }
    if (g->no_master && !strcmp(name, "masterfilelist.txt"))
        return sim_respond(conn, 404, "text/plain", "not found\n", 10);
    if (!strcmp(name, "lastupdate.txt") || !strcmp(name, "masterfilelist.txt")) {
        buf b = BUF_INIT;
        buf_append_str(&b, "");
        if (visible > 0) {
            size_t first = name[0] == 'l' ? visible - 1 : 0;
            for (size_t i = first; i < visible; i++)
                if (ensure_ready(g, i) == 0) append_slot_lines(&b, host, &g->files[i]);
        }
        int ret = sim_respond(conn, 200, "text/plain", b.data, b.len);
        buf_free(&b);
        return ret;
    }
    for (size_t i = 0; i < visible; i++)
        if (!strcmp(g->files[i].name, name)) {
            if (ensure_ready(g, i) != 0)
                return sim_respond(conn, 500, "text/plain", "cannot build this slot\n", 23);
            return serve_file(g, conn, &g->files[i]);
        }
    return -1; /* not published (yet): the server answers 404 */
}
