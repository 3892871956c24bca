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
     "INSERT INTO catalog_tables VALUES ('wikimedia_bronze','bronze',"
     "  '" "Raw Wikimedia EventStreams recentchange events (one JSON text per row) as received, "
        "with the stream position they came from. Append-only; the silver flow reads it by bronze_id." "', 'wiki');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','bronze_id','Insertion order; the wikimedia_silver flow checkpoints on it.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','stream','Where the event came from: the stream URL (without query) or file:<path> of a recording.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','position','Resume token after this event: the SSE id (live) or the byte offset in the recording (file).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','sse_id','SSE id field of the event: a JSON array of {topic, partition, timestamp|offset} per datacenter.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','meta_id','meta.id of the event (unique id of the change), NULL if absent.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','meta_dt','meta.dt of the event as sent (ISO 8601 UTC), NULL if absent.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','topic','meta.topic (Kafka topic, e.g. eqiad.mediawiki.recentchange).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','partition','meta.partition (Kafka partition).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','kafka_offset','meta.offset (Kafka offset within topic and partition).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','received_at','When the pipeline received the event, YYYY-MM-DD HH:MM:SS.fff UTC.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_bronze','raw','The event JSON exactly as received (valid UTF-8, a JSON object).');"
     "INSERT INTO catalog_tables VALUES ('wikimedia_quarantine','quarantine',"
     "  '" "Wikimedia events that were not taken, with the reason: at ingest (invalid UTF-8, JSON "
        "that does not parse, a line or event over the size limit) or in the silver flow (an "
        "expectation with action quarantine)." "', 'wiki');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_quarantine','quarantine_id','Insertion order.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_quarantine','stage','ingest (before bronze) or silver (expectation failed).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_quarantine','bronze_id','The wikimedia_bronze row (stage silver), else NULL.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_quarantine','stream','Stream URL or file:<path> the text came from.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_quarantine','position','Resume token after the quarantined text (SSE id or byte offset).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_quarantine','sse_id','SSE id in effect when the text arrived, if any.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_quarantine','reason','Why: the rule or check that failed and where.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_quarantine','raw','The text (at most 4 KiB of it for oversized events); invalid UTF-8 bytes shown as \\xNN.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_quarantine','raw_bytes','Length in bytes of the original text; NULL for a line or event dropped for its size (only its first 4 KiB were kept).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_quarantine','received_at','When it was quarantined, YYYY-MM-DD HH:MM:SS.fff UTC.');"
     "INSERT INTO catalog_tables VALUES ('wikimedia_stream_state','system',"
     "  '" "Resume point of each Wikimedia stream or recording, written in the same transaction as the "
        "bronze rows it covers: sent as Last-Event-ID on every reconnect and after a restart." "', 'wiki');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_stream_state','stream','Stream URL (without query) or file:<path>.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_stream_state','position','Resume token: last committed SSE id (live) or byte offset (file).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_stream_state','last_sse_id','Last SSE id seen (also for file replays of SSE recordings).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_stream_state','events','Events committed to bronze from this stream, in total.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_stream_state','quarantined','Texts quarantined at ingest from this stream, in total.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_stream_state','updated_at','Time of the last commit, UTC.');"},
};

/* Until this component existed, the wiki component's first migration created these tables. */
STORE_COMPONENT_MOVED(wiki_source_store_component, "wiki_source", wiki_source_migrations, "wiki",
                      1);
