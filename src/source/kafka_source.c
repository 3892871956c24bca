/* The Kafka source (see kafka_source.h). */
#include "source/kafka_source.h"

#include "core/buf.h"
#include "core/kafka_client.h"
#include "core/log.h"
#include "core/settings.h"
#include "core/stop.h"
#include "core/timeutil.h"
#include "source/gdelt.h"
#include "source/wiki_ingest.h"
#include "store/store.h"

#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARTITIONS 256


typedef struct partition {
    int32_t id;
    int64_t next;            /* next offset to read */
    int at_end;
    int started;
    wiki_bronze_writer *wiki;
    wiki_ingest_stats wiki_stats;   /* the writer counts into it while open */
    char stream[400];
} partition;

/* GDELT: the next offset after the last batch in the ledger for this partition, or 0. */
static int gdelt_next_offset(sqlite3 *db, const char *source, int64_t *next)
{
    sqlite3_stmt *st;
    *next = 0;
    if (sqlite3_prepare_v2(db, "SELECT name FROM gdelt_ledger WHERE source = ?1 AND mode = 'kafka'"
                               " AND status = 'ingested'", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *dash = name ? strrchr(name, '-') : NULL;
        if (!dash) continue;
        int64_t last = strtoll(dash + 1, NULL, 10);
        if (last + 1 > *next) *next = last + 1;
    }
    sqlite3_finalize(st);
    return 0;
}

/* Writes one batch of GDELT rows as a ledger entry (rows and offset in one transaction). */
static int gdelt_batch(sqlite3 *db, const kafka_source_options *o, partition *p, rd_kafka_message_t **msgs,
                       ssize_t n, kafka_source_stats *stats, char *err, size_t errlen)
{
    buf csv = BUF_INIT;
    int64_t first = -1, last = -1;
    for (ssize_t i = 0; i < n; i++) {
        rd_kafka_message_t *m = msgs[i];
        if (m->err) continue;
        if (first < 0) first = m->offset;
        last = m->offset;
        /* one row per message; a message with several lines keeps them (each is a row) */
        size_t len = m->len;
        const char *s = m->payload ? m->payload : "";
        while (len && (s[len - 1] == '\n' || s[len - 1] == '\r')) len--;
        buf_append(&csv, s, len);
        buf_append(&csv, "\n", 1);
    }
    if (first < 0) {
        buf_free(&csv);
        return 0;
    }
    char name[512], source[400], md5[33];
    snprintf(name, sizeof name, "kafka-%s-%d-%lld-%lld", o->topic, (int)p->id, (long long)first,
             (long long)last);
    snprintf(source, sizeof source, "%s", p->stream);
    gdelt_md5_hex(csv.data ? csv.data : "", csv.len, md5);
    gdelt_file_meta meta = {name, source, "kafka", (int64_t)csv.len, md5, -1, NULL, 1};
    int64_t rows = 0;
    gdelt_commit_result rc =
        gdelt_bronze_commit_file(db, &meta, csv.data ? csv.data : "", csv.len, &rows, err, errlen);
    buf_free(&csv);
    if (rc == GDELT_CONTENT_REJECTED) {
        /* a row over the line limit: the whole batch is refused by the bronze writer; record it
           as failed and move past it, as a file would be */
        log_warn("kafka", "%s: batch %s refused: %s", o->topic, name, err);
        gdelt_ledger_record_failure(db, &meta, err);
        rc = GDELT_COMMITTED;
    }
    if (rc == GDELT_COMMIT_ERROR) return -1;
    p->next = last + 1;
    stats->rows += rows;
    stats->batches++;
    return 0;
}

static int wiki_batch(partition *p, rd_kafka_message_t **msgs, ssize_t n, kafka_source_stats *stats,
                      char *err, size_t errlen)
{
    int any = 0;
    for (ssize_t i = 0; i < n; i++) {
        rd_kafka_message_t *m = msgs[i];
        if (m->err) continue;
        char pos[32];
        snprintf(pos, sizeof pos, "%lld", (long long)(m->offset + 1));
        if (wiki_bronze_event(p->wiki, m->payload ? m->payload : "", m->len, pos, err, errlen) != 0)
            return -1;
        p->next = m->offset + 1;
        stats->rows++;
        any = 1;
    }
    if (any) {
        if (wiki_bronze_commit(p->wiki, err, errlen) != 0) return -1;
        stats->batches++;
    }
    return 0;
}

int kafka_source_run(sqlite3 *db, const config *cfg, const kafka_source_options *o,
                     kafka_source_stats *stats, char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    static const char *const settings[] = {"enable.partition.eof", "true", "isolation.level", "read_committed",
                                           "client.id", "wikigdelt", NULL};
    rd_kafka_t *rk = kafka_client_new(RD_KAFKA_CONSUMER, o->brokers, settings, err, errlen);
    if (!rk) return -1;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    int timeout_ms = (int)setting_int(cfg, "kafka.metadata_timeout_ms");
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
    int rc = 0, np = 0;
    partition *parts = NULL;
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || !md || md->topic_cnt < 1 || md->topics[0].err) {
        snprintf(err, errlen, "kafka %s: cannot read the metadata of topic %s: %s", o->brokers, o->topic,
                 rd_kafka_err2str(e ? e : (md && md->topic_cnt ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN)));
        rc = -1;
    } else {
        np = md->topics[0].partition_cnt;
        if (np > MAX_PARTITIONS) np = MAX_PARTITIONS;
        parts = calloc((size_t)np ? (size_t)np : 1, sizeof *parts);
        for (int i = 0; i < np && parts; i++) parts[i].id = md->topics[0].partitions[i].id;
        if (!parts) rc = -1;
    }
    if (md) rd_kafka_metadata_destroy(md);
    stats->partitions = np;
    for (int i = 0; i < np && rc == 0; i++) {
        partition *p = &parts[i];
        snprintf(p->stream, sizeof p->stream, "kafka:%s/%d", o->topic, (int)p->id);
        if (o->payload == KAFKA_PAYLOAD_WIKI) {
            char pos[64];
            if (wiki_bronze_open(db, cfg, p->stream, &p->wiki_stats, &p->wiki, err, errlen) != 0) {
                rc = -1;
                break;
            }
            int found = wiki_bronze_position(p->wiki, pos, sizeof pos);
            if (found < 0) {
                store_fail(db, err, errlen, "reading the position of %s", p->stream);
                rc = -1;
                break;
            }
            p->next = found ? strtoll(pos, NULL, 10) : 0;
        } else if (gdelt_next_offset(db, p->stream, &p->next) != 0) {
            store_fail(db, err, errlen, "reading the ledger for %s", p->stream);
            rc = -1;
            break;
        }
        if (rd_kafka_consume_start(rkt, p->id, p->next) != 0) {
            snprintf(err, errlen, "kafka %s/%d: cannot start at offset %lld: %s", o->topic, (int)p->id,
                     (long long)p->next, rd_kafka_err2str(rd_kafka_last_error()));
            rc = -1;
            break;
        }
        p->started = 1;
        log_info("kafka", "%s: reading from offset %lld", p->stream, (long long)p->next);
    }
    int64_t batch = setting_int(cfg, "kafka.batch_messages");
    if (batch < 1) batch = 1;
    if (batch > 100000) batch = 100000;
    rd_kafka_message_t **msgs = calloc((size_t)batch, sizeof *msgs);
    int64_t deadline = o->duration_s > 0 ? time_monotonic_ms() + (int64_t)(o->duration_s * 1000) : 0;
    while (rc == 0 && msgs && !stop_requested() && (!deadline || time_monotonic_ms() < deadline)) {
        int all_end = 1;
        for (int i = 0; i < np && rc == 0; i++) {
            partition *p = &parts[i];
            ssize_t n = rd_kafka_consume_batch(rkt, p->id, 200, msgs, (size_t)batch);
            if (n < 0) {
                stats->errors++;
                continue;
            }
            for (ssize_t k = 0; k < n; k++) {
                rd_kafka_message_t *m = msgs[k];
                if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                    p->at_end = 1;
                } else if (m->err) {
                    stats->errors++;
                    log_warn("kafka", "%s: %s", p->stream, rd_kafka_message_errstr(m));
                } else {
                    p->at_end = 0;
                    stats->messages++;
                }
            }
            if (n > 0) {
                rc = o->payload == KAFKA_PAYLOAD_WIKI ? wiki_batch(p, msgs, n, stats, err, errlen)
                                                       : gdelt_batch(db, o, p, msgs, n, stats, err, errlen);
            }
            for (ssize_t k = 0; k < n; k++) rd_kafka_message_destroy(msgs[k]);
            if (!p->at_end) all_end = 0;
        }
        if (o->once && all_end) break;
    }
    free(msgs);
    for (int i = 0; i < np && parts; i++) {
        if (parts[i].started) rd_kafka_consume_stop(rkt, parts[i].id);
        wiki_bronze_close(parts[i].wiki);
    }
    free(parts);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return rc;
}
