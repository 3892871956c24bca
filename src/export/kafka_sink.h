/* The Kafka sink: gold pairs published to a topic as JSON (key = EventID), exactly once. Pairs
 * are published per closed event, in the order the events closed (the same batches as the Delta
 * export of correlated_gold_events), each batch in one Kafka transaction (idempotent producer,
 * transactional.id), every message carrying the batch's mark in the header wikigdelt-mark. After
 * the transaction commits, the mark goes to export_state; a stop between the two is recovered on
 * start by reading the topic's last committed message, and init_transactions fences a previous
 * producer and aborts its open transaction, so read_committed consumers never see a batch twice. */
#ifndef WG_KAFKA_SINK_H
#define WG_KAFKA_SINK_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

typedef struct kafka_sink_stats {
    int64_t transactions;
    int64_t messages;
    int64_t recovered;      /* 1 when the topic was ahead of export_state at start */
} kafka_sink_stats;

/* Publishes what is pending; with loop, keeps going every export.kafka.interval_seconds until
 * stop_request() (core/stop.h). */
int kafka_sink_run(sqlite3 *db, const config *cfg, const char *brokers, const char *topic, int loop,
                   kafka_sink_stats *stats, char *err, size_t errlen);

#endif
