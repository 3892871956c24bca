/* The Kafka sink (see kafka_sink.h). */
#include "export/kafka_sink.h"

#include "core/kafka_client.h"
#include "core/log.h"
#include "core/settings.h"
#include "core/stop.h"
#include "export/export_int.h"
#include "store/store.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARK_HEADER "wikigdelt-mark"
#define TABLE "correlated_gold_events"


/* Orders two "closed_at|id" marks. */
static int mark_cmp(const char *a, const char *b)
{
    char ca[128], cb[128];
    int64_t ia, ib;
    export_split_mark(a, ca, sizeof ca, &ia);
    export_split_mark(b, cb, sizeof cb, &ib);
    int c = strcmp(ca, cb);
    if (c) return c;
    return (ia > ib) - (ia < ib);
}

/* The greatest mark among the topic's committed messages (read_committed, the tail of each
 * partition): 1 found, 0 none (or no topic yet), -1 error. */
static int topic_last_mark(const char *brokers, const char *topic, int64_t tail, char *mark, size_t n,
                           char *err, size_t errlen)
{
    static const char *const settings[] = {"isolation.level", "read_committed", "enable.partition.eof", "true",
                                           "allow.auto.create.topics", "false", NULL};
    rd_kafka_t *rk = kafka_client_new(RD_KAFKA_CONSUMER, brokers, settings, err, errlen);
    if (!rk) return -1;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    int found = 0;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    if (e) {
        snprintf(err, errlen, "kafka %s: metadata of %s: %s", brokers, topic, rd_kafka_err2str(e));
        found = -1;
    } else if (md->topic_cnt < 1 || md->topics[0].err) {
        found = 0;   /* no such topic yet: nothing was published */
    } else {
        for (int i = 0; i < md->topics[0].partition_cnt && found >= 0; i++) {
            int32_t part = md->topics[0].partitions[i].id;
            int64_t lo = 0, hi = 0;
            e = rd_kafka_query_watermark_offsets(rk, topic, part, &lo, &hi, 10000);
            if (e) {
                snprintf(err, errlen, "kafka %s/%d: watermarks: %s", topic, (int)part, rd_kafka_err2str(e));
                found = -1;
                break;
            }
            if (hi <= lo) continue;
            /* The last committed message lies within the last transaction plus its markers;
               widen to the whole partition when the tail holds none. */
            for (int64_t start = hi - tail > lo ? hi - tail : lo;; start = lo) {
                int got = 0;
                if (rd_kafka_consume_start(rkt, part, start) != 0) {
                    found = -1;
                    snprintf(err, errlen, "kafka %s/%d: cannot read", topic, (int)part);
                    break;
                }
                for (;;) {
                    rd_kafka_message_t *m = rd_kafka_consume(rkt, part, 10000);
                    if (!m) break;
                    int eof = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
                    rd_kafka_headers_t *h = NULL;
                    const void *v;
                    size_t vlen;
                    if (!m->err && rd_kafka_message_headers(m, &h) == 0 &&
                        rd_kafka_header_get_last(h, MARK_HEADER, &v, &vlen) == 0 && vlen < 160) {
                        char mk[160];
                        memcpy(mk, v, vlen);
                        mk[vlen] = 0;
                        if (!found || mark_cmp(mk, mark) > 0) snprintf(mark, n, "%s", mk);
                        found = 1;
                        got = 1;
                    }
                    rd_kafka_message_destroy(m);
                    if (eof) break;
                }
                rd_kafka_consume_stop(rkt, part);
                if (got || start == lo) break;
            }
        }
    }
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return found;
}

static char *row_json(sqlite3_stmt *st, const column_info *cols, int ncols)
{
    json_t *o = json_object();
    for (int c = 0; c < ncols; c++) {
        switch (sqlite3_column_type(st, c)) {
        case SQLITE_INTEGER: json_object_set_new(o, cols[c].name, json_integer(sqlite3_column_int64(st, c))); break;
        case SQLITE_FLOAT: json_object_set_new(o, cols[c].name, json_real(sqlite3_column_double(st, c))); break;
        case SQLITE_NULL: json_object_set_new(o, cols[c].name, json_null()); break;
        default:
            json_object_set_new(o, cols[c].name, json_stringn((const char *)sqlite3_column_text(st, c),
                                                              (size_t)sqlite3_column_bytes(st, c)));
        }
    }
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static int txn_error(rd_kafka_t *rk, rd_kafka_error_t *e, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "kafka %s: %s", what, rd_kafka_error_string(e));
    int abortable = rd_kafka_error_txn_requires_abort(e);
    rd_kafka_error_destroy(e);
    if (abortable) {
        rd_kafka_error_t *a = rd_kafka_abort_transaction(rk, 60000);
        if (a) rd_kafka_error_destroy(a);
    }
    return -1;
}

int kafka_sink_run(sqlite3 *db, const config *cfg, const char *brokers, const char *topic, int loop,
                   kafka_sink_stats *stats, char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    const table_spec *sp = export_spec_find(TABLE);
    column_info cols[MAX_COLUMNS];
    int ncols = 0, eventid_col = -1;
    if (export_table_columns(db, TABLE, cols, &ncols, err, errlen) != 0) return -1;
    for (int c = 0; c < ncols; c++)
        if (!strcmp(cols[c].name, "EventID")) eventid_col = c;
    char target[600], txid[600];
    snprintf(target, sizeof target, "kafka:%s", topic);
    snprintf(txid, sizeof txid, "%s", setting_str(cfg, "export.kafka.transactional_id"));
    if (!txid[0]) snprintf(txid, sizeof txid, "wikigdelt-gold-%s", topic);
    int64_t batch_events = setting_int(cfg, "export.kafka.batch_events");
    int64_t interval = setting_int(cfg, "export.kafka.interval_seconds");
    if (batch_events < 1) batch_events = 1;

    const char *const settings[] = {"enable.idempotence", "true", "transactional.id", txid, "client.id", "wikigdelt", NULL};
    rd_kafka_t *rk = kafka_client_new(RD_KAFKA_PRODUCER, brokers, settings, err, errlen);
    if (!rk) return -1;
    int rc = 0;
    /* Fences an earlier producer with this transactional.id and aborts its open transaction. */
    rd_kafka_error_t *e = rd_kafka_init_transactions(rk, 60000);
    if (e) rc = txn_error(rk, e, "init_transactions", err, errlen);
    export_state s;
    if (!rc && export_state_load(db, target, TABLE, &s) != 0) {
        store_fail(db, err, errlen, "reading export_state");
        rc = -1;
    }
    if (!rc && !s.mark[0]) snprintf(s.mark, sizeof s.mark, "|0");
    char topic_mark[160] = "";
    int f = rc ? 0 : topic_last_mark(brokers, topic, 4 * (batch_events * 32 + 4), topic_mark,
                                     sizeof topic_mark, err, errlen);
    if (f < 0) rc = -1;
    if (f == 1 && mark_cmp(topic_mark, s.mark) > 0) {
        log_warn("kafka", "%s: the topic holds batches up to %s that export_state had not recorded;"
                 " resuming after them", topic, topic_mark);
        snprintf(s.mark, sizeof s.mark, "%s", topic_mark);
        s.seq++;
        if (export_state_save(db, target, TABLE, &s, 0) != 0) {
            store_fail(db, err, errlen, "writing export_state");
            rc = -1;
        }
        stats->recovered = 1;
    }
    while (!rc && !stop_requested()) {
        char next[160];
        int r = export_next_mark(db, sp, s.mark, batch_events, next, sizeof next, err, errlen);
        if (r < 0) {
            rc = -1;
            break;
        }
        if (r == 1) {
            if (!loop) break;
            for (int64_t k = 0; k < interval * 10 && !stop_requested(); k++) usleep(100 * 1000);
            continue;
        }
        sqlite3_stmt *st = NULL;
        if (export_prepare_rows(db, sp, cols, ncols, s.mark, next, &st, err, errlen) != 0) {
            rc = -1;
            break;
        }
        if ((e = rd_kafka_begin_transaction(rk))) {
            sqlite3_finalize(st);
            rc = txn_error(rk, e, "begin_transaction", err, errlen);
            break;
        }
        int64_t sent = 0;
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            char *value = row_json(st, cols, ncols);
            const char *key = (const char *)sqlite3_column_text(st, eventid_col);
            rd_kafka_resp_err_t pe = value ? rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_KEY(key, key ? strlen(key) : 0), RD_KAFKA_V_VALUE(value, strlen(value)),
                RD_KAFKA_V_HEADER(MARK_HEADER, next, (ssize_t)strlen(next)), RD_KAFKA_V_END)
                : RD_KAFKA_RESP_ERR__FAIL;
            free(value);
            if (pe) {
                snprintf(err, errlen, "kafka produce to %s: %s", topic, rd_kafka_err2str(pe));
                rc = -1;
                break;
            }
            sent++;
            rd_kafka_poll(rk, 0);
        }
        if (!rc && step != SQLITE_DONE) {
            store_fail(db, err, errlen, "reading %s", TABLE);
            rc = -1;
        }
        sqlite3_finalize(st);
        if (rc) {
            e = rd_kafka_abort_transaction(rk, 60000);
            if (e) rd_kafka_error_destroy(e);
            break;
        }
        const char *fault = getenv("WIKIGDELT_EXPORT_FAULT");
        if (fault && !strcmp(fault, "before_commit") && s.seq + 1 >= export_fault_seq()) _exit(3);
        if ((e = rd_kafka_commit_transaction(rk, 60000))) {
            rc = txn_error(rk, e, "commit_transaction", err, errlen);
            break;
        }
        if (fault && !strcmp(fault, "after_commit") && s.seq + 1 >= export_fault_seq()) _exit(3);
        s.seq++;
        snprintf(s.mark, sizeof s.mark, "%s", next);
        if (export_state_save(db, target, TABLE, &s, sent) != 0) {
            store_fail(db, err, errlen, "writing export_state (the batch is in the topic and is recovered on"
                       " the next start)");
            rc = -1;
            break;
        }
        stats->transactions++;
        stats->messages += sent;
    }
    rd_kafka_destroy(rk);
    return rc;
}
