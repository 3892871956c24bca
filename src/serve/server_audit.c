/* The server's audit log (server_int.h): each finished request's record is queued and one thread
 * writes the queue in batches on its own read-write connection, trimming by age and row count. */
#include "serve/server_int.h"

#include "core/log.h"
#include "core/timeutil.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- audit ---- */
void serve_audit_free(serve_audit_rec *r)
{
    if (!r) return;
    free(r->sql);
    free(r);
}

void serve_audit_enqueue(serve_server *s, serve_audit_rec *r)
{
    pthread_mutex_lock(&s->audit_mu);
    r->next = NULL;
    if (s->audit_tail) s->audit_tail->next = r;
    else s->audit_head = r;
    s->audit_tail = r;
    s->audit_len++;
    pthread_cond_signal(&s->audit_cv);
    pthread_mutex_unlock(&s->audit_mu);
}

static void audit_write_batch(serve_server *s, serve_audit_rec *batch)
{
    if (!batch) return;
    int in_tx = store_begin(s->audit_db) == 0;
    for (serve_audit_rec *r = batch; r; r = r->next) {
        govern_audit_entry e = {r->principal[0] ? r->principal : NULL, r->client, r->route, r->sql,
                                r->outcome, r->reason[0] ? r->reason : NULL, r->rows, r->duration_ms};
        char why[WG_ERR_LEN];
        if (govern_audit_write(s->audit_db, &e) != 0)
            log_warn("serve", "%s", store_errtext(s->audit_db, why, sizeof why, "audit write failed"));
    }
    if (in_tx) store_commit(s->audit_db);
    while (batch) {
        serve_audit_rec *n = batch->next;
        serve_audit_free(batch);
        batch = n;
    }
}

void *serve_audit_main(void *arg)
{
    serve_server *s = arg;
    int64_t last_prune = 0;
    for (;;) {
        pthread_mutex_lock(&s->audit_mu);
        while (!s->audit_head && !s->stopping) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 5;
            pthread_cond_timedwait(&s->audit_cv, &s->audit_mu, &ts);
            if (!s->audit_head) break;
        }
        serve_audit_rec *batch = s->audit_head;
        s->audit_head = s->audit_tail = NULL;
        s->audit_len = 0;
        int stop = s->stopping;
        pthread_mutex_unlock(&s->audit_mu);
        audit_write_batch(s, batch);
        int64_t now = time_monotonic_ms();
        if (now - last_prune > 3600 * 1000 || last_prune == 0) {
            if (store_begin(s->audit_db) == 0) {
                govern_audit_prune(s->audit_db, s->audit_retention_days, s->audit_max_rows);
                store_commit(s->audit_db);
            }
            last_prune = now;
        }
        if (stop) {
            pthread_mutex_lock(&s->audit_mu);
            int empty = !s->audit_head;
            pthread_mutex_unlock(&s->audit_mu);
            if (empty) break;
        }
        /* Batch: let more requests finish before the next transaction, so the audit log takes
         * the write lock a few times a second at most, whatever the request rate. */
        if (!stop) usleep((useconds_t)(s->audit_flush_ms * 1000));
    }
    return NULL;
}

int serve_audit_full(serve_server *s)
{
    pthread_mutex_lock(&s->audit_mu);
    int full = s->audit_len >= AUDIT_QUEUE_MAX;
    pthread_mutex_unlock(&s->audit_mu);
    return full;
}
