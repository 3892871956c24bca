/* The Kafka source: recentchange events (one JSON event per message) or GDELT export rows (one
 * tab-separated row per message) read from a topic into bronze, exactly once. Each partition is
 * read with librdkafka's partition consumer from the offset that SQLite holds for it, and that
 * offset moves in the same transaction as the bronze rows it covers: for events, the Wikimedia
 * stream state under the key "kafka:TOPIC/PARTITION"; for GDELT rows, the file ledger, one
 * ledger entry per batch named kafka-TOPIC-PARTITION-FIRST-LAST. Kafka's own consumer-group
 * offsets are not used, so a restart neither loses nor repeats a message. */
#ifndef WG_KAFKA_SOURCE_H
#define WG_KAFKA_SOURCE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

typedef enum kafka_payload { KAFKA_PAYLOAD_WIKI, KAFKA_PAYLOAD_GDELT } kafka_payload;

typedef struct kafka_source_options {
    const char *brokers;     /* bootstrap servers, e.g. 127.0.0.1:9092 */
    const char *topic;
    kafka_payload payload;
    int once;                /* stop when every partition is at its end */
    double duration_s;       /* stop after this many seconds; 0 = no limit */
} kafka_source_options;

typedef struct kafka_source_stats {
    int64_t messages;        /* messages read and committed */
    int64_t rows;            /* bronze rows written (GDELT) or events taken (wiki, incl. quarantined) */
    int64_t batches;
    int partitions;
    int64_t errors;          /* consumer errors reported by librdkafka (retried by it) */
} kafka_source_stats;

int kafka_source_run(sqlite3 *db, const config *cfg, const kafka_source_options *opt,
                     kafka_source_stats *stats, char *err, size_t errlen);

#endif
