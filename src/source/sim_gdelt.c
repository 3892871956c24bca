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
 * one export per 15 minutes. For volume, point gdelt_dir at a directory of inflated exports
 * (bench/gdelt_inflate.py writes them).
 *
 * Fault injection for tests, applied to export downloads only:
 *   simulate.gdelt_fault = none|404|500|truncate|md5|slow
 *   simulate.gdelt_fault_count = N   the first N downloads get the fault, later ones are served
 *                                    normally (default -1: every download)
 *   simulate.gdelt_slow_ms = M       for slow: pause M ms per 1 KiB (default 200) */
#include "source/simulator.h"

#include "core/log.h"
#include "source/gdelt.h"

#include <dirent.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef enum sim_fault { FAULT_NONE, FAULT_404, FAULT_500, FAULT_TRUNCATE, FAULT_MD5, FAULT_SLOW } sim_fault;

typedef struct sim_file {
    char name[256];
    unsigned char *data;
    size_t len;
    char md5[33];
} sim_file;

struct sim_gdelt {
    const simulator *sim;
    sim_file *files;
    size_t count;
    sim_fault fault;
    long fault_remaining; /* -1 = unlimited */
    long slow_ms;
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

int sim_gdelt_create(const config *cfg, const simulator *sim, sim_gdelt **out, char *err,
                     size_t errlen)
{
    sim_gdelt *g = calloc(1, sizeof *g);
    if (!g) return -1;
    g->sim = sim;
    pthread_mutex_init(&g->lock, NULL);
    *out = g;

    const char *fault = config_get_str(cfg, "simulate.gdelt_fault", "none");
    static const char *fault_names[] = {"none", "404", "500", "truncate", "md5", "slow"};
    int known = 0;
    for (int i = 0; i < 6; i++)
        if (!strcmp(fault, fault_names[i])) {
            g->fault = (sim_fault)i;
            known = 1;
        }
    if (!known) {
        snprintf(err, errlen, "simulate.gdelt_fault = '%s': use none, 404, 500, truncate, md5 or slow",
                 fault);
        return -1;
    }
    g->fault_remaining = (long)config_get_int(cfg, "simulate.gdelt_fault_count", -1);
    g->slow_ms = (long)config_get_int(cfg, "simulate.gdelt_slow_ms", 200);

    char dbuf[4096];
    const char *dir = config_get_str(cfg, "simulate.gdelt_dir", NULL);
    int explicit_dir = dir && *dir;
    if (!explicit_dir) dir = default_dir(dbuf, sizeof dbuf);
    if (!dir) {
        log_warn("simulate", "GDELT half: no simulate.gdelt_dir and no ../shared/data/gdelt;"
                             " lastupdate.txt will announce nothing");
        return 0;
    }
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
        if (g->count == cap) {
            cap = cap ? cap * 2 : 16;
            sim_file *grown = realloc(g->files, cap * sizeof *grown);
            if (!grown) break;
            g->files = grown;
        }
        sim_file *f = &g->files[g->count];
        memset(f, 0, sizeof *f);
        snprintf(f->name, sizeof f->name, "%s", de->d_name);
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (load_file(path, f) != 0) {
            log_warn("simulate", "GDELT half: cannot read %s, skipped", path);
            continue;
        }
        g->count++;
    }
    closedir(d);
    qsort(g->files, g->count, sizeof *g->files, compare_files);
    log_info("simulate", "GDELT half: %zu export file(s) from %s, one every 900 simulated s%s%s",
             g->count, dir, g->fault ? ", fault " : "", g->fault ? fault : "");
    return 0;
}

void sim_gdelt_destroy(sim_gdelt *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->count; i++) free(g->files[i].data);
    free(g->files);
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
} partial_body;

static ssize_t partial_reader(void *cls, uint64_t pos, char *out, size_t max)
{
    partial_body *p = cls;
    if (pos >= p->limit) return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = p->limit - (size_t)pos;
    if (n > max) n = max;
    if (p->delay_ms > 0) {
        if (n > 1024) n = 1024;
        usleep((useconds_t)p->delay_ms * 1000);
    }
    memcpy(out, p->data + pos, n);
    return (ssize_t)n;
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
    case FAULT_MD5: {
        unsigned char *copy = malloc(f->len ? f->len : 1);
        if (!copy) return MHD_NO;
        memcpy(copy, f->data, f->len);
        if (f->len) copy[f->len / 2] ^= 0x5a; /* same size, different bytes */
        struct MHD_Response *r =
            MHD_create_response_from_buffer(f->len, copy, MHD_RESPMEM_MUST_FREE);
        if (!r) {
            free(copy);
            return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", "application/zip");
        int ret = (int)MHD_queue_response(conn, 200, r);
        MHD_destroy_response(r);
        return ret;
    }
    case FAULT_TRUNCATE:
    case FAULT_SLOW: {
        partial_body *p = malloc(sizeof *p);
        if (!p) return MHD_NO;
        p->data = f->data;
        p->limit = fault == FAULT_TRUNCATE ? f->len / 2 : f->len;
        p->delay_ms = fault == FAULT_SLOW ? g->slow_ms : 0;
        /* Content-Length announces the whole file; the truncated body stops halfway. */
        struct MHD_Response *r =
            MHD_create_response_from_callback(f->len, 32 * 1024, partial_reader, p, free);
        if (!r) {
            free(p);
            return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", "application/zip");
        int ret = (int)MHD_queue_response(conn, 200, r);
        MHD_destroy_response(r);
        return ret;
    }
    default: break;
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(f->len, f->data, MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/zip");
    int ret = (int)MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
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
    if (!strcmp(name, "lastupdate.txt") || !strcmp(name, "masterfilelist.txt")) {
        buf b = BUF_INIT;
        buf_append_str(&b, "");
        if (visible > 0) {
            if (name[0] == 'l')
                append_slot_lines(&b, host, &g->files[visible - 1]);
            else
                for (size_t i = 0; i < visible; i++) append_slot_lines(&b, host, &g->files[i]);
        }
        int ret = sim_respond(conn, 200, "text/plain", b.data, b.len);
        buf_free(&b);
        return ret;
    }
    for (size_t i = 0; i < visible; i++)
        if (!strcmp(g->files[i].name, name)) return serve_file(g, conn, &g->files[i]);
    return -1; /* not published (yet): the server answers 404 */
}
