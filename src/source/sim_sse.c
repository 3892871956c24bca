/* Simulator, SSE half: serves /v2/stream/recentchange like Wikimedia EventStreams, replaying a
 * recording (any format of source/wiki_record.h) or generated events, paced by event time.
 *
 * Each event goes out as `event: message` / `id: [{"topic":...,"partition":0,"offset":N,
 * "timestamp":MS}]` / `data: JSON`. Last-Event-ID resumes after that event (by offset, or by
 * timestamp when only a timestamp is given); `since` (ISO time or epoch ms) starts at the first
 * event at or after it. Heartbeat comments go out while waiting.
 *
 * Settings (defaults): simulate.wiki_recording (none: generated events),
 * simulate.wiki_generated_events (10000), simulate.wiki_speed (simulate.speed; 0 = as fast as
 * possible), simulate.wiki_loops (1; 0 = endless; each further loop has fresh meta.ids and times
 * moved past the previous loop), simulate.wiki_time_origin (ISO time the first event is moved
 * to), simulate.wiki_at_end (hold: keep the connection with heartbeats | close),
 * simulate.wiki_heartbeat_ms (2000), simulate.wiki_retry_ms (none: no `retry` field).
 *
 * Faults, as query parameters or simulate.wiki_fault_<name> settings:
 *   drop_after=N      close the connection abruptly after N events (every connection)
 *   stall_after=N     after N events send nothing for stall_ms (default 3000); stall_times
 *                     connections do this (default 1)
 *   garbage_every=N   after every N events send a bad item, in turn: JSON that does not parse,
 *                     invalid UTF-8, lines that make no event, an event of garbage_bytes
 *                     (default 1.5 MiB)
 *   status=503        answer status (with Retry-After: retry_after, default 1) to the first
 *                     status_times requests (default 1)
 *   duplicate_every=N after every N events send the last one again (same id, same meta.id)
 *   reorder_every=N   every N events send two consecutive events in swapped order (ids go
 *                     back by one)
 *   clock_jump_every=N  every Nth event's times (meta.dt, timestamp, the id's timestamp) are
 *                     moved by clock_jump_ms (default -86400000: a day back)
 *   speed=X           overrides the replay speed for this connection */
#include "core/settings.h"
#include "source/simulator.h"
#include "source/sim_world.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "source/wiki_record.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct sim_event {
    char *json;      /* serialised event (loop 0, times already moved to the origin) */
    size_t len;
    int64_t ms;      /* event time, epoch ms */
} sim_event;

struct sim_sse {
    const config *cfg;
    sim_event *events;
    size_t count;
    int64_t span_ms;        /* last - first event time, for loops */
    int64_t loops;          /* 0 = endless */
    double speed;
    int hold_at_end;
    int64_t heartbeat_ms;
    int64_t retry_ms;
    pthread_mutex_t lock;
    int64_t requests_failed_with_status, connections_stalled;
};

static int on_loaded(void *ctx, const wiki_record *rec)
{
    buf *list = ctx; /* array of sim_event being built */
    if (rec->error) return 0;
    json_t *ev = json_loadb(rec->data, rec->len, 0, NULL);
    if (!json_is_object(ev)) {
        json_decref(ev);
        return 0;
    }
    sim_event e;
    memset(&e, 0, sizeof e);
    const char *dt = json_string_value(json_object_get(json_object_get(ev, "meta"), "dt"));
    if (!dt || wiki_parse_iso_ms(dt, &e.ms) != 0) {
        json_decref(ev);
        return 0;
    }
    e.json = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    if (!e.json) return -1;
    e.len = strlen(e.json);
    return buf_append(list, &e, sizeof e);
}

static int generate(buf *list, int64_t n)
{
    int64_t start = time_now_ms() / 1000 * 1000;
    for (int64_t i = 0; i < n; i++) {
        char title[128], id[37], name[64], iso[32], user[32];
        /* Two edits in three are on the synthetic world's news pages (see sim_world.h), so the
         * offline demo has something to correlate; the rest is background noise. */
        if (i % 3 != 2)
            snprintf(title, sizeof title, "%s", sim_topics[(size_t)(i / 3) % sim_topic_count].title);
        else
            snprintf(title, sizeof title, "Generated page %lld", (long long)(i % 500));
        snprintf(user, sizeof user, "Simulator%lld", (long long)(i % 5));
        int len = snprintf(name, sizeof name, "generated:%lld", (long long)i);
        wiki_uuid_from_name(name, (size_t)len, id);
        sim_event e;
        e.ms = start + i * 1000;
        wiki_format_iso_ms(e.ms, iso);
        json_t *ev = json_pack(
            "{s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:i, s:s, s:s, s:I, s:s, s:b, s:b,"
            " s:{s:i, s:i}, s:s, s:s, s:s}",
            "$schema", "/mediawiki/recentchange/1.0.0", "meta", "id", id, "dt", iso, "domain",
            "test.wikipedia.org", "stream", "mediawiki.recentchange", "uri",
            "https://test.wikipedia.org/wiki/Generated", "type", i % 10 == 0 ? "new" : "edit",
            "namespace", 0, "title", title, "comment", "generated by the wikigdelt simulator",
            "timestamp", (json_int_t)(e.ms / 1000), "user", user, "bot", i % 7 == 0,
            "minor", 0, "length", "old", 100, "new", 120, "server_name", "test.wikipedia.org",
            "server_url", "https://test.wikipedia.org", "wiki", "testwiki");
        e.json = json_dumps(ev, JSON_COMPACT);
        json_decref(ev);
        if (!e.json) return -1;
        e.len = strlen(e.json);
        if (buf_append(list, &e, sizeof e) != 0) return -1;
    }
    return 0;
}

int sim_sse_create(const config *cfg, const simulator *sim, sim_sse **out, char *err,
                   size_t errlen)
{
    (void)sim;
    sim_sse *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->cfg = cfg;
    pthread_mutex_init(&s->lock, NULL);
    buf list = BUF_INIT;
    const char *path = config_get_str(cfg, "simulate.wiki_recording", NULL);
    int rc = 0;
    if (path && *path) {
        wiki_format fmt;
        rc = wiki_recording_read(path, 0, 0, on_loaded, &list, &fmt, err, errlen);
        if (rc == 0 && list.len == 0) {
            snprintf(err, errlen, "simulate.wiki_recording %s holds no usable events", path);
            rc = -1;
        }
        if (rc == 0)
            log_info("simulate", "wiki: replaying %zu events from %s (%s)",
                     list.len / sizeof(sim_event), path, wiki_format_name(fmt));
    } else {
        rc = generate(&list, setting_int(cfg, "simulate.wiki_generated_events"));
        if (rc != 0) snprintf(err, errlen, "simulator: cannot generate events");
    }
    s->events = (sim_event *)list.data;
    s->count = list.len / sizeof(sim_event);
    if (rc != 0) {
        sim_sse_destroy(s);
        return -1;
    }
    int64_t first = s->events[0].ms, lo = first, hi = first;
    for (size_t i = 0; i < s->count; i++) {
        if (s->events[i].ms < lo) lo = s->events[i].ms;
        if (s->events[i].ms > hi) hi = s->events[i].ms;
    }
    const char *origin = config_get_str(cfg, "simulate.wiki_time_origin", NULL);
    if (origin && *origin) {
        int64_t origin_ms;
        if (wiki_parse_iso_ms(origin, &origin_ms) != 0) {
            snprintf(err, errlen, "simulate.wiki_time_origin '%s' is not an ISO 8601 time", origin);
            sim_sse_destroy(s);
            return -1;
        }
        int64_t shift = origin_ms - first;
        for (size_t i = 0; i < s->count; i++) {
            json_t *ev = json_loads(s->events[i].json, 0, NULL);
            wiki_event_shift_time(ev, shift);
            free(s->events[i].json);
            s->events[i].json = json_dumps(ev, JSON_COMPACT);
            json_decref(ev);
            if (!s->events[i].json) {
                sim_sse_destroy(s);
                return -1;
            }
            s->events[i].len = strlen(s->events[i].json);
            s->events[i].ms += shift;
        }
        log_info("simulate", "wiki: event times moved by %+lld s so the first lands at %s",
                 (long long)(shift / 1000), origin);
    }
    s->span_ms = hi - lo;
    s->loops = setting_int(cfg, "simulate.wiki_loops");
    s->speed = config_get_double(cfg, "simulate.wiki_speed",
                                 setting_double(cfg, "simulate.speed"));
    s->hold_at_end = strcmp(setting_str(cfg, "simulate.wiki_at_end"), "close") != 0;
    s->heartbeat_ms = setting_int(cfg, "simulate.wiki_heartbeat_ms");
    if (s->heartbeat_ms < 10) s->heartbeat_ms = 10;
    s->retry_ms = setting_int(cfg, "simulate.wiki_retry_ms");
    *out = s;
    return 0;
}

void sim_sse_destroy(sim_sse *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->count; i++) free(s->events[i].json);
    free(s->events);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* ---------------------------------------------------------------- one connection */

typedef struct sse_conn {
    sim_sse *s;
    int64_t next;            /* index of the next event (loop * count + position) */
    int64_t end;             /* one past the last index; -1 endless */
    int64_t sent;            /* events sent on this connection */
    double speed;
    int64_t drop_after, stall_after, stall_ms, garbage_every, garbage_bytes;
    int64_t duplicate_every, reorder_every, clock_jump_every, clock_jump_ms;
    int stall_this;          /* this connection is one of the stalling ones */
    int garbage_kind;
    int64_t start_real_ms, first_event_ms;
    int64_t last_write_ms;
    buf out;                 /* bytes produced, not yet handed to MHD */
    size_t out_pos;
    int ended;               /* end of recording reached */
} sse_conn;

static int64_t event_time_ms(const sim_sse *s, int64_t index)
{
    int64_t loop = index / (int64_t)s->count;
    return s->events[index % (int64_t)s->count].ms + loop * (s->span_ms + 1000);
}

/* Appends the SSE text of event `index` (loop copies get fresh ids and later times). */
static void append_event(sse_conn *c, int64_t index)
{
    sim_sse *s = c->s;
    int64_t loop = index / (int64_t)s->count;
    const sim_event *e = &s->events[index % (int64_t)s->count];
    int64_t ms = event_time_ms(s, index);
    if (c->clock_jump_every > 0 && (index + 1) % c->clock_jump_every == 0) {
        /* a clock jump: this event's times are off by clock_jump_ms, its offset is in order */
        json_t *ev = json_loadb(e->json, e->len, 0, NULL);
        int64_t shift = c->clock_jump_ms + loop * (s->span_ms + 1000);
        if (ev && wiki_event_shift_time(ev, shift) == 0) {
            char *text = json_dumps(ev, JSON_COMPACT);
            buf_appendf(&c->out,
                        "event: message\nid: [{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,"
                        "\"offset\":%lld,\"timestamp\":%lld}]\ndata: %s\n\n",
                        (long long)index, (long long)(e->ms + shift), text ? text : "{}");
            free(text);
            json_decref(ev);
            return;
        }
        json_decref(ev);
    }
    buf_appendf(&c->out,
                "event: message\nid: [{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,"
                "\"offset\":%lld,\"timestamp\":%lld}]\ndata: ",
                (long long)index, (long long)ms);
    if (loop == 0) {
        buf_append(&c->out, e->json, e->len);
    } else {
        json_t *ev = json_loadb(e->json, e->len, 0, NULL);
        json_t *meta = json_object_get(ev, "meta");
        const char *old = json_string_value(json_object_get(meta, "id"));
        char name[128], id[37];
        int n = snprintf(name, sizeof name, "%s#loop%lld", old ? old : "", (long long)loop);
        wiki_uuid_from_name(name, (size_t)n, id);
        json_object_set_new(meta, "id", json_string(id));
        wiki_event_shift_time(ev, loop * (s->span_ms + 1000));
        char *text = json_dumps(ev, JSON_COMPACT);
        if (text) buf_append_str(&c->out, text);
        free(text);
        json_decref(ev);
    }
    buf_append_str(&c->out, "\n\n");
}

static void append_garbage(sse_conn *c)
{
    switch (c->garbage_kind++ % 4) {
    case 0: buf_append_str(&c->out, "event: message\ndata: {\"meta\": {\"id\": \"broken\n\n"); break;
    case 1: buf_append_str(&c->out, "event: message\ndata: {\"title\": \"\xff\xfe\xc0\xaf\"}\n\n"); break;
    case 2: buf_append_str(&c->out, "a line without a colon\nevent: nodata\nunknown: field\n\n"); break;
    default:
        buf_append_str(&c->out, "event: message\ndata: {\"oversized\": \"");
        for (int64_t i = 0; i < c->garbage_bytes; i++) buf_append(&c->out, "x", 1);
        buf_append_str(&c->out, "\"}\n\n");
    }
}

/* Sends the next event (or, with reorder_every, the next two swapped), then the faults that
 * follow it. */
static void emit_next(sse_conn *c)
{
    int64_t k = c->next;
    if (c->reorder_every > 0 && (k + 2) % c->reorder_every == 0 && (c->end < 0 || k + 1 < c->end)) {
        append_event(c, k + 1);
        append_event(c, k);
        c->next += 2;
        c->sent += 2;
    } else {
        append_event(c, k);
        c->next++;
        c->sent++;
    }
    if (c->duplicate_every > 0 && c->sent % c->duplicate_every == 0) append_event(c, c->next - 1);
    if (c->garbage_every > 0 && c->sent % c->garbage_every == 0) append_garbage(c);
}

/* Waits up to ms, in small steps; returns early never (MHD gives no cancel), bounded by callers. */
static void nap(int64_t ms)
{
    if (ms > 0) usleep((useconds_t)(ms * 1000));
}

static ssize_t conn_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    sse_conn *c = cls;
    sim_sse *s = c->s;
    while (c->out_pos >= c->out.len) {
        c->out.len = 0;
        c->out_pos = 0;
        if (c->drop_after > 0 && c->sent >= c->drop_after) return MHD_CONTENT_READER_END_WITH_ERROR;
        if (c->stall_this && c->sent >= c->stall_after) {
            c->stall_this = 0;
            nap(c->stall_ms);
            c->last_write_ms = time_monotonic_ms();
            continue;
        }
        if (c->end >= 0 && c->next >= c->end) {
            if (!s->hold_at_end) return MHD_CONTENT_READER_END_OF_STREAM;
            nap(s->heartbeat_ms);
            buf_append_str(&c->out, ":\n");
            break;
        }
        /* pacing: the event is due when its time, relative to the connection's first, has
         * passed at the replay speed; heartbeats keep the connection warm while waiting */
        int64_t now = time_monotonic_ms();
        if (c->speed > 0) {
            int64_t ev_ms = event_time_ms(s, c->next);
            if (c->first_event_ms < 0) {
                c->first_event_ms = ev_ms;
                c->start_real_ms = now;
            }
            int64_t due = c->start_real_ms + (int64_t)((double)(ev_ms - c->first_event_ms) / c->speed);
            if (due > now) {
                int64_t wait = due - now;
                int64_t until_beat = c->last_write_ms + s->heartbeat_ms - now;
                if (until_beat < wait) {
                    nap(until_beat);
                    buf_append_str(&c->out, ":\n");
                    break;
                }
                nap(wait);
            }
        }
        emit_next(c);
        /* batch ready events into one write when replaying fast */
        if (c->out.len < 32768 && c->speed <= 0) {
            while (c->out.len < 32768 && (c->end < 0 || c->next < c->end) &&
                   (c->drop_after <= 0 || c->sent < c->drop_after) &&
                   !(c->stall_this && c->sent >= c->stall_after)) {
                emit_next(c);
            }
        }
    }
    size_t n = buf_copy_out(&c->out, &c->out_pos, out, max);
    c->last_write_ms = time_monotonic_ms();
    return (ssize_t)n;
}

static void conn_free(void *cls)
{
    sse_conn *c = cls;
    buf_free(&c->out);
    free(c);
}

/* A fault or option: the query parameter, else the simulate.wiki_fault_<name> setting. */
static int64_t param_int(struct MHD_Connection *conn, const config *cfg, const char *name,
                         int64_t def)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
    if (v && *v) return strtoll(v, NULL, 10);
    char key[96];
    snprintf(key, sizeof key, "simulate.wiki_fault_%s", name);
    return config_get_int(cfg, key, def);
}

/* First index after the event named by a Last-Event-ID (offset, else timestamp). */
static int64_t resume_index(const sim_sse *s, const char *last_id)
{
    json_t *arr = json_loads(last_id, 0, NULL);
    int64_t index = 0;
    if (json_is_array(arr)) {
        size_t i;
        json_t *part;
        int found = 0;
        json_array_foreach(arr, i, part) {
            json_t *off = json_object_get(part, "offset");
            if (json_is_integer(off) && json_integer_value(off) >= 0) {
                index = json_integer_value(off) + 1;
                found = 1;
                break;
            }
        }
        json_array_foreach(arr, i, part) {
            json_t *ts = json_object_get(part, "timestamp");
            if (found || !json_is_integer(ts)) continue;
            int64_t t = json_integer_value(ts);
            int64_t limit = s->loops > 0 ? s->loops * (int64_t)s->count : (int64_t)s->count;
            index = limit;
            for (int64_t k = 0; k < limit; k++)
                if (event_time_ms(s, k) > t) {
                    index = k;
                    break;
                }
            break;
        }
    }
    json_decref(arr);
    return index;
}

int sim_sse_handle(sim_sse *s, struct MHD_Connection *conn, const char *url, const char *method)
{
    if (strcmp(url, "/v2/stream/recentchange") != 0 &&
        strcmp(url, "/v2/stream/mediawiki.recentchange") != 0)
        return -1;
    if (strcmp(method, "GET") != 0) return sim_respond(conn, 405, "text/plain", "GET only\n", 9);
    const config *cfg = s->cfg;
    int64_t status = param_int(conn, cfg, "status", 0);
    if (status >= 400 && status <= 599) {
        int64_t times = param_int(conn, cfg, "status_times", 1);
        pthread_mutex_lock(&s->lock);
        int fail = s->requests_failed_with_status < times;
        if (fail) s->requests_failed_with_status++;
        pthread_mutex_unlock(&s->lock);
        if (fail) {
            char msg[64];
            int n = snprintf(msg, sizeof msg, "simulated HTTP %lld\n", (long long)status);
            struct MHD_Response *r =
                MHD_create_response_from_buffer((size_t)n, msg, MHD_RESPMEM_MUST_COPY);
            if (!r) return MHD_NO;
            char ra[32];
            snprintf(ra, sizeof ra, "%lld", (long long)param_int(conn, cfg, "retry_after", 1));
            MHD_add_response_header(r, "Retry-After", ra);
            int ret = (int)MHD_queue_response(conn, (unsigned)status, r);
            MHD_destroy_response(r);
            return ret;
        }
    }
    sse_conn *c = calloc(1, sizeof *c);
    if (!c) return MHD_NO;
    c->s = s;
    c->end = s->loops > 0 ? s->loops * (int64_t)s->count : -1;
    const char *speed = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "speed");
    c->speed = speed && *speed ? strtod(speed, NULL) : s->speed;
    c->drop_after = param_int(conn, cfg, "drop_after", 0);
    c->stall_after = param_int(conn, cfg, "stall_after", -1);
    c->stall_ms = param_int(conn, cfg, "stall_ms", 3000);
    c->garbage_every = param_int(conn, cfg, "garbage_every", 0);
    c->garbage_bytes = param_int(conn, cfg, "garbage_bytes", 3 << 19);
    c->duplicate_every = param_int(conn, cfg, "duplicate_every", 0);
    c->reorder_every = param_int(conn, cfg, "reorder_every", 0);
    c->clock_jump_every = param_int(conn, cfg, "clock_jump_every", 0);
    c->clock_jump_ms = param_int(conn, cfg, "clock_jump_ms", -86400000LL);
    if (c->stall_after >= 0) {
        int64_t times = param_int(conn, cfg, "stall_times", 1);
        pthread_mutex_lock(&s->lock);
        c->stall_this = s->connections_stalled < times;
        if (c->stall_this) s->connections_stalled++;
        pthread_mutex_unlock(&s->lock);
    }
    c->first_event_ms = -1;
    c->last_write_ms = time_monotonic_ms();
    const char *last_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Last-Event-ID");
    const char *since = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since");
    if (last_id && *last_id) {
        c->next = resume_index(s, last_id);
    } else if (since && *since) {
        int64_t since_ms;
        char *endp;
        long long num = strtoll(since, &endp, 10);
        if (*endp == '\0')
            since_ms = num;
        else if (wiki_parse_iso_ms(since, &since_ms) != 0)
            return sim_respond(conn, 400, "text/plain", "since: not a time\n", 18);
        int64_t limit = c->end >= 0 ? c->end : (int64_t)s->count * 1000;
        c->next = limit;
        for (int64_t k = 0; k < limit; k++)
            if (event_time_ms(s, k) >= since_ms) {
                c->next = k;
                break;
            }
    }
    if (s->retry_ms >= 0) buf_appendf(&c->out, "retry: %lld\n\n", (long long)s->retry_ms);
    buf_append_str(&c->out, ":ok\n\n");
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536, conn_read, c, conn_free);
    if (!r) {
        conn_free(c);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    int ret = (int)MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}
