/* Schema of the Wikimedia source: wikimedia_bronze (raw events with their stream position),
 * wikimedia_stream_state (the resume token of each stream, committed with the bronze rows) and
 * wikimedia_quarantine (what could not be taken, with why: written at ingest here and by the
 * silver flow), written by src/source/wiki_ingest.c. The silver side is refine/wiki_schema.c.
 * Forward-only: append a migration, never edit an applied one. */
#include "store/store.h"

static const store_migration wiki_source_migrations[] = {
    {1, "wikimedia bronze, quarantine and stream state",
     "CREATE TABLE wikimedia_bronze ("
     "  bronze_id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  stream TEXT NOT NULL, position TEXT NOT NULL, sse_id TEXT, meta_id TEXT, meta_dt TEXT,"
     "  topic TEXT, partition INTEGER, kafka_offset INTEGER, received_at TEXT NOT NULL,"
     "  raw TEXT NOT NULL);"
     "CREATE TABLE wikimedia_quarantine ("
     "  quarantine_id INTEGER PRIMARY KEY AUTOINCREMENT, stage TEXT NOT NULL,"
     "  bronze_id INTEGER, stream TEXT, position TEXT, sse_id TEXT, reason TEXT NOT NULL,"
     "  raw TEXT, raw_bytes INTEGER, received_at TEXT NOT NULL);"
     "CREATE INDEX wikimedia_quarantine_reason ON wikimedia_quarantine(stage, reason);"
     "CREATE TABLE wikimedia_stream_state ("
     "  stream TEXT PRIMARY KEY, position TEXT NOT NULL, last_sse_id TEXT,"
     "  events INTEGER NOT NULL DEFAULT 0, quarantined INTEGER NOT NULL DEFAULT 0,"
     "  updated_at TEXT NOT NULL);"
     STORE_DOC_TABLE("wikimedia_bronze", "bronze", "wiki",
           "Raw Wikimedia EventStreams recentchange events (one JSON text per row) as received, "
           "with the stream position they came from. Append-only; the silver flow reads it by bronze_id.")
     STORE_DOC_COLUMN("wikimedia_bronze", "bronze_id", "Insertion order; the wikimedia_silver flow checkpoints on it.")
     STORE_DOC_COLUMN("wikimedia_bronze", "stream", "Where the event came from: the stream URL (without query) or file:<path> of a recording.")
     STORE_DOC_COLUMN("wikimedia_bronze", "position", "Resume token after this event: the SSE id (live) or the byte offset in the recording (file).")
     STORE_DOC_COLUMN("wikimedia_bronze", "sse_id", "SSE id field of the event: a JSON array of {topic, partition, timestamp|offset} per datacenter.")
     STORE_DOC_COLUMN("wikimedia_bronze", "meta_id", "meta.id of the event (unique id of the change), NULL if absent.")
     STORE_DOC_COLUMN("wikimedia_bronze", "meta_dt", "meta.dt of the event as sent (ISO 8601 UTC), NULL if absent.")
     STORE_DOC_COLUMN("wikimedia_bronze", "topic", "meta.topic (Kafka topic, e.g. eqiad.mediawiki.recentchange).")
     STORE_DOC_COLUMN("wikimedia_bronze", "partition", "meta.partition (Kafka partition).")
     STORE_DOC_COLUMN("wikimedia_bronze", "kafka_offset", "meta.offset (Kafka offset within topic and partition).")
     STORE_DOC_COLUMN("wikimedia_bronze", "received_at", "When the pipeline received the event, YYYY-MM-DD HH:MM:SS.fff UTC.")
     STORE_DOC_COLUMN("wikimedia_bronze", "raw", "The event JSON exactly as received (valid UTF-8, a JSON object).")
     STORE_DOC_TABLE("wikimedia_quarantine", "quarantine", "wiki",
           "Wikimedia events that were not taken, with the reason: at ingest (invalid UTF-8, JSON "
           "that does not parse, a line or event over the size limit) or in the silver flow (an "
           "expectation with action quarantine).")
     STORE_DOC_COLUMN("wikimedia_quarantine", "quarantine_id", "Insertion order.")
     STORE_DOC_COLUMN("wikimedia_quarantine", "stage", "ingest (before bronze) or silver (expectation failed).")
     STORE_DOC_COLUMN("wikimedia_quarantine", "bronze_id", "The wikimedia_bronze row (stage silver), else NULL.")
     STORE_DOC_COLUMN("wikimedia_quarantine", "stream", "Stream URL or file:<path> the text came from.")
     STORE_DOC_COLUMN("wikimedia_quarantine", "position", "Resume token after the quarantined text (SSE id or byte offset).")
     STORE_DOC_COLUMN("wikimedia_quarantine", "sse_id", "SSE id in effect when the text arrived, if any.")
     STORE_DOC_COLUMN("wikimedia_quarantine", "reason", "Why: the rule or check that failed and where.")
     STORE_DOC_COLUMN("wikimedia_quarantine", "raw", "The text (at most 4 KiB of it for oversized events); invalid UTF-8 bytes shown as \\xNN.")
     STORE_DOC_COLUMN("wikimedia_quarantine", "raw_bytes", "Length in bytes of the original text; NULL for a line or event dropped for its size (only its first 4 KiB were kept).")
     STORE_DOC_COLUMN("wikimedia_quarantine", "received_at", "When it was quarantined, YYYY-MM-DD HH:MM:SS.fff UTC.")
     STORE_DOC_TABLE("wikimedia_stream_state", "system", "wiki",
           "Resume point of each Wikimedia stream or recording, written in the same transaction as the "
           "bronze rows it covers: sent as Last-Event-ID on every reconnect and after a restart.")
     STORE_DOC_COLUMN("wikimedia_stream_state", "stream", "Stream URL (without query) or file:<path>.")
     STORE_DOC_COLUMN("wikimedia_stream_state", "position", "Resume token: last committed SSE id (live) or byte offset (file).")
     STORE_DOC_COLUMN("wikimedia_stream_state", "last_sse_id", "Last SSE id seen (also for file replays of SSE recordings).")
     STORE_DOC_COLUMN("wikimedia_stream_state", "events", "Events committed to bronze from this stream, in total.")
     STORE_DOC_COLUMN("wikimedia_stream_state", "quarantined", "Texts quarantined at ingest from this stream, in total.")
     STORE_DOC_COLUMN("wikimedia_stream_state", "updated_at", "Time of the last commit, UTC.")},
};

/* Until this component existed, the wiki component's first migration created these tables. */
STORE_COMPONENT_MOVED(wiki_source_store_component, "wiki_source", wiki_source_migrations, "wiki",
                      1);
