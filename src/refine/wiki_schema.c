/* Schema of the wiki component (migrations, forward-only; append, never edit an applied one):
 * wikimedia_bronze (raw events with their stream position), wikimedia_silver (typed, deduped by
 * meta.id, per the shared contract), wikimedia_quarantine (what could not be taken, with why) and
 * wikimedia_stream_state (the resume token of each stream, committed with the bronze rows). */
#include "store/store.h"

#define TABLE(t, layer, d) "INSERT INTO catalog_tables VALUES ('" t "','" layer "','" d "','wiki');"
#define COL(t, c, d) "INSERT INTO catalog_columns VALUES ('" t "','" c "','" d "');"

static const store_migration wiki_migrations[] = {
    {1, "wikimedia bronze, silver, quarantine and stream state",
     "CREATE TABLE wikimedia_bronze ("
     "  bronze_id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  stream TEXT NOT NULL, position TEXT NOT NULL, sse_id TEXT, meta_id TEXT, meta_dt TEXT,"
     "  topic TEXT, partition INTEGER, kafka_offset INTEGER, received_at TEXT NOT NULL,"
     "  raw TEXT NOT NULL);"
     "CREATE TABLE wikimedia_silver ("
     "  silver_id INTEGER PRIMARY KEY AUTOINCREMENT, bronze_id INTEGER,"
     "  event_id TEXT NOT NULL UNIQUE, event_time TEXT, time_bucket TEXT, wiki TEXT,"
     "  server_name TEXT, namespace INTEGER, title TEXT, page_url TEXT, type TEXT, bot INTEGER,"
     "  user TEXT, comment TEXT, length_old INTEGER, length_new INTEGER, revision_old INTEGER,"
     "  revision_new INTEGER, minor INTEGER, patrolled INTEGER, is_content INTEGER NOT NULL);"
     "CREATE INDEX wikimedia_silver_bucket ON wikimedia_silver(time_bucket, is_content);"
     "CREATE TABLE wikimedia_quarantine ("
     "  quarantine_id INTEGER PRIMARY KEY AUTOINCREMENT, stage TEXT NOT NULL,"
     "  bronze_id INTEGER, stream TEXT, position TEXT, sse_id TEXT, reason TEXT NOT NULL,"
     "  raw TEXT, raw_bytes INTEGER, received_at TEXT NOT NULL);"
     "CREATE INDEX wikimedia_quarantine_reason ON wikimedia_quarantine(stage, reason);"
     "CREATE TABLE wikimedia_stream_state ("
     "  stream TEXT PRIMARY KEY, position TEXT NOT NULL, last_sse_id TEXT,"
     "  events INTEGER NOT NULL DEFAULT 0, quarantined INTEGER NOT NULL DEFAULT 0,"
     "  updated_at TEXT NOT NULL);"
     TABLE("wikimedia_bronze", "bronze",
           "Raw Wikimedia EventStreams recentchange events (one JSON text per row) as received, "
           "with the stream position they came from. Append-only; the silver flow reads it by bronze_id.")
     COL("wikimedia_bronze", "bronze_id", "Insertion order; the wikimedia_silver flow checkpoints on it.")
     COL("wikimedia_bronze", "stream", "Where the event came from: the stream URL (without query) or file:<path> of a recording.")
     COL("wikimedia_bronze", "position", "Resume token after this event: the SSE id (live) or the byte offset in the recording (file).")
     COL("wikimedia_bronze", "sse_id", "SSE id field of the event: a JSON array of {topic, partition, timestamp|offset} per datacenter.")
     COL("wikimedia_bronze", "meta_id", "meta.id of the event (unique id of the change), NULL if absent.")
     COL("wikimedia_bronze", "meta_dt", "meta.dt of the event as sent (ISO 8601 UTC), NULL if absent.")
     COL("wikimedia_bronze", "topic", "meta.topic (Kafka topic, e.g. eqiad.mediawiki.recentchange).")
     COL("wikimedia_bronze", "partition", "meta.partition (Kafka partition).")
     COL("wikimedia_bronze", "kafka_offset", "meta.offset (Kafka offset within topic and partition).")
     COL("wikimedia_bronze", "received_at", "When the pipeline received the event, YYYY-MM-DD HH:MM:SS.fff UTC.")
     COL("wikimedia_bronze", "raw", "The event JSON exactly as received (valid UTF-8, a JSON object).")
     TABLE("wikimedia_silver", "silver",
           "Wikipedia and sister-project changes from the recentchange stream: typed, one row per "
           "meta.id (duplicates from replays and reconnects removed), with is_content marking the edits "
           "that count for the correlation with news (settings wiki.content_*).")
     COL("wikimedia_silver", "silver_id", "Insertion order (only grows); downstream flows checkpoint on it. Not event time order.")
     COL("wikimedia_silver", "bronze_id", "The wikimedia_bronze row this came from.")
     COL("wikimedia_silver", "event_id", "meta.id: unique id of the change event; the dedupe key.")
     COL("wikimedia_silver", "event_time", "meta.dt, the time of the change, YYYY-MM-DD HH:MM:SS UTC.")
     COL("wikimedia_silver", "time_bucket", "Start of the time bucket holding event_time (width pipeline.bucket_seconds, default 4 h).")
     COL("wikimedia_silver", "wiki", "Wiki database name, e.g. enwiki, dewiki, commonswiki, wikidatawiki.")
     COL("wikimedia_silver", "server_name", "Host name of the wiki, e.g. en.wikipedia.org.")
     COL("wikimedia_silver", "namespace", "Namespace number: 0 articles, 1 talk, 2 user, 4 project, 6 file, 10 template, 14 category; NULL if unknown.")
     COL("wikimedia_silver", "title", "Page title with its namespace prefix, spaces not underscores.")
     COL("wikimedia_silver", "page_url", "URL of the page (meta.uri).")
     COL("wikimedia_silver", "type", "Kind of change: edit, new (page creation), log, categorize.")
     COL("wikimedia_silver", "bot", "1 when the change was made by a bot account (kept, flagged), else 0.")
     COL("wikimedia_silver", "user", "User name, or IP address for anonymous edits.")
     COL("wikimedia_silver", "comment", "Edit summary as written by the user.")
     COL("wikimedia_silver", "length_old", "Page length in bytes before the change (NULL for new pages and logs).")
     COL("wikimedia_silver", "length_new", "Page length in bytes after the change.")
     COL("wikimedia_silver", "revision_old", "Revision id before the change.")
     COL("wikimedia_silver", "revision_new", "Revision id created by the change.")
     COL("wikimedia_silver", "minor", "1 when marked as a minor edit, 0 if not, NULL if not sent.")
     COL("wikimedia_silver", "patrolled", "1 when patrolled, 0 if not, NULL if the wiki does not send it.")
     COL("wikimedia_silver", "is_content", "1 when the configured filters (wiki.content_servers, wiki.content_namespaces, wiki.content_types) count the change as content for the correlation; default: articles (namespace 0) edited or created on *.wikipedia.org.")
     TABLE("wikimedia_quarantine", "quarantine",
           "Wikimedia events that were not taken, with the reason: at ingest (invalid UTF-8, JSON "
           "that does not parse, a line or event over the size limit) or in the silver flow (an "
           "expectation with action quarantine).")
     COL("wikimedia_quarantine", "quarantine_id", "Insertion order.")
     COL("wikimedia_quarantine", "stage", "ingest (before bronze) or silver (expectation failed).")
     COL("wikimedia_quarantine", "bronze_id", "The wikimedia_bronze row (stage silver), else NULL.")
     COL("wikimedia_quarantine", "stream", "Stream URL or file:<path> the text came from.")
     COL("wikimedia_quarantine", "position", "Resume token after the quarantined text (SSE id or byte offset).")
     COL("wikimedia_quarantine", "sse_id", "SSE id in effect when the text arrived, if any.")
     COL("wikimedia_quarantine", "reason", "Why: the rule or check that failed and where.")
     COL("wikimedia_quarantine", "raw", "The text (at most 4 KiB of it for oversized events); invalid UTF-8 bytes shown as \\xNN.")
     COL("wikimedia_quarantine", "raw_bytes", "Length in bytes of the original text; NULL for a line or event dropped for its size (only its first 4 KiB were kept).")
     COL("wikimedia_quarantine", "received_at", "When it was quarantined, YYYY-MM-DD HH:MM:SS.fff UTC.")
     TABLE("wikimedia_stream_state", "system",
           "Resume point of each Wikimedia stream or recording, written in the same transaction as the "
           "bronze rows it covers: sent as Last-Event-ID on every reconnect and after a restart.")
     COL("wikimedia_stream_state", "stream", "Stream URL (without query) or file:<path>.")
     COL("wikimedia_stream_state", "position", "Resume token: last committed SSE id (live) or byte offset (file).")
     COL("wikimedia_stream_state", "last_sse_id", "Last SSE id seen (also for file replays of SSE recordings).")
     COL("wikimedia_stream_state", "events", "Events committed to bronze from this stream, in total.")
     COL("wikimedia_stream_state", "quarantined", "Texts quarantined at ingest from this stream, in total.")
     COL("wikimedia_stream_state", "updated_at", "Time of the last commit, UTC.")},
    /* The report's correlation matrix joins gold pairs to wikimedia_silver ON title; without this
       index the join scans the edits once per pair. Gold used to create its own copy of it
       (gold_wikimedia_silver_title); that one is dropped so the table carries one index, here. */
    {2, "index wikimedia_silver by title",
     "CREATE INDEX IF NOT EXISTS wikimedia_silver_title ON wikimedia_silver(title);"
     "DROP INDEX IF EXISTS gold_wikimedia_silver_title;"},
};

const store_component wiki_store_component = {
    "wiki", wiki_migrations, sizeof wiki_migrations / sizeof wiki_migrations[0]};
