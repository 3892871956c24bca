/* The gold stream hub (server_int.h, serve_internal.h): a gold stream with nothing to send parks
 * its connection; one thread polls for the highest committed gold id and resumes the parked
 * streams that have rows to send, or all of them for a keep-alive or when the server stops. */
#include "serve/server_int.h"

#include "core/log.h"
#include "core/timeutil.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- gold stream hub ---- */
int64_t serve_sse_max_id(serve_server *s)
{
    pthread_mutex_lock(&s->hub_mu);
    int64_t id = s->max_gold_id;
    pthread_mutex_unlock(&s->hub_mu);
    return id;
}

int serve_sse_slot(serve_server *s, int delta)
{
    pthread_mutex_lock(&s->pool_mu);
    int ok = 0;
    if (delta > 0 && s->sse_open >= s->set.max_sse) ok = -1;
    else s->sse_open += delta;
    pthread_mutex_unlock(&s->pool_mu);
    return ok;
}

int serve_sse_park(serve_server *s, void *conn, int64_t last_id)
{
    pthread_mutex_lock(&s->hub_mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->hub_mu);
        return -1;
    }
    if (s->max_gold_id > last_id) {
        pthread_mutex_unlock(&s->hub_mu);
        return 0;
    }
    parked *p = malloc(sizeof *p);
    if (!p) {
        pthread_mutex_unlock(&s->hub_mu);
        return -1;
    }
    p->conn = conn;
    p->last_id = last_id;
    p->next = s->parked_list;
    s->parked_list = p;
    MHD_suspend_connection(conn);
    pthread_mutex_unlock(&s->hub_mu);
    return 1;
}

void serve_sse_unpark(serve_server *s, void *conn)
{
    pthread_mutex_lock(&s->hub_mu);
    for (parked **pp = &s->parked_list; *pp; pp = &(*pp)->next) {
        if ((*pp)->conn == conn) {
            parked *p = *pp;
            *pp = p->next;
            free(p);
            break;
        }
    }
    pthread_mutex_unlock(&s->hub_mu);
}

/* Resumes the parked streams that have rows to send, or all of them (keep-alive, stopping). */
void serve_hub_wake(serve_server *s, int all)
{
    for (parked **pp = &s->parked_list; *pp;) {
        parked *p = *pp;
        if (all || p->last_id < s->max_gold_id) {
            *pp = p->next;
            MHD_resume_connection(p->conn);
            free(p);
        } else {
            pp = &p->next;
        }
    }
}

int64_t serve_hub_max_gold_id(serve_server *s)
{
    if (!s->hub_db) {
        char err[WG_ERR_LEN];
        if (store_open(s->db_path, s->cfg, STORE_READONLY, &s->hub_db, err, sizeof err) != 0) {
            s->hub_db = NULL;
            return -1;
        }
    }
    sqlite3_stmt *st;
    int64_t id = -1;
    if (sqlite3_prepare_v2(s->hub_db, "SELECT COALESCE(MAX(id), 0) FROM correlated_gold_events", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return id;
}

void *serve_hub_main(void *arg)
{
    serve_server *s = arg;
    int64_t last_keepalive = time_monotonic_ms();
    pthread_mutex_lock(&s->hub_mu);
    while (!s->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (s->set.sse_poll_ms % 1000) * 1000000;
        ts.tv_sec += s->set.sse_poll_ms / 1000 + ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&s->hub_cv, &s->hub_mu, &ts);
        if (s->stopping) break;
        pthread_mutex_unlock(&s->hub_mu);
        int64_t id = serve_hub_max_gold_id(s);
        pthread_mutex_lock(&s->hub_mu);
        if (id > s->max_gold_id) s->max_gold_id = id;
        int64_t now = time_monotonic_ms();
        int keepalive = now - last_keepalive >= s->set.sse_keepalive_ms;
        if (keepalive) last_keepalive = now;
        serve_hub_wake(s, keepalive);
    }
    serve_hub_wake(s, 1);
    pthread_mutex_unlock(&s->hub_mu);
    return NULL;
}
