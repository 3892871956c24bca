/* Schema of the gold component (migrations, forward-only; append, never edit an applied one).
 *
 * Gold reads gdelt_silver and wikimedia_silver (owned by the silver components) and writes:
 *   correlated_gold_events  one row per (event, title) pair above the threshold, top-k per event
 *   gold_events             one row per silver event with its best match (the heatmap's table)
 *   gold_late               rows of either stream that arrived after their bucket was closed
 *   gold_buckets            per time bucket: open/closed, counts
 *   gold_open_events / gold_open_titles   the join state of open buckets (vectors), deleted when
 *                           the bucket closes, so the state is bounded by the open buckets
 *   gold_page_activity      per page: the edit run the burst detector is following
 *   breaking_news_bursts    pages erupting (Steiner et al. 2013 rule)
 * and the views breaking_news_gold and gold_mismatch. Gold does not reference the silver tables
 * in its DDL, so its migrations do not depend on theirs. */
#include "store/store.h"

#define T(name, desc) STORE_DOC_TABLE(name, "gold", "gold", desc)
#define TS(name, desc) STORE_DOC_TABLE(name, "system", "gold", desc)
#define C STORE_DOC_COLUMN

static const store_migration gold_migrations[] = {
    {1, "gold tables: correlated_gold_events, gold_events, late table, bucket state, bursts",
     "CREATE TABLE correlated_gold_events ("
     "  id INTEGER PRIMARY KEY,"
     "  EventID INTEGER NOT NULL,"
     "  event_time TEXT NOT NULL,"
     "  time_bucket TEXT NOT NULL,"
     "  wiki TEXT NOT NULL,"
     "  title TEXT NOT NULL,"
     "  title_time_bucket TEXT NOT NULL,"
     "  edit_count INTEGER NOT NULL,"
     "  cosine_sim REAL NOT NULL,"
     "  rank INTEGER NOT NULL,"
     "  EventCode TEXT,"
     "  AvgTone REAL,"
     "  ActionGeo_Lat REAL,"
     "  ActionGeo_Long REAL,"
     "  ActionGeo_CountryCode TEXT,"
     "  gdelt_silver_id INTEGER NOT NULL,"
     "  wiki_silver_id INTEGER NOT NULL,"
     "  wiki_last_silver_id INTEGER NOT NULL,"
     "  emitted_at TEXT NOT NULL,"
     "  UNIQUE (gdelt_silver_id, title_time_bucket, wiki, title));"
     "CREATE INDEX correlated_gold_events_event ON correlated_gold_events(EventID);"
     "CREATE INDEX correlated_gold_events_title ON correlated_gold_events(title_time_bucket, wiki, title);"
     "CREATE INDEX correlated_gold_events_bucket ON correlated_gold_events(time_bucket);"
     "CREATE TABLE gold_events ("
     "  gdelt_silver_id INTEGER PRIMARY KEY,"
     "  EventID INTEGER NOT NULL,"
     "  event_time TEXT NOT NULL,"
     "  time_bucket TEXT NOT NULL,"
     "  EventCode TEXT,"
     "  event_description TEXT,"
     "  AvgTone REAL,"
     "  GoldsteinScale REAL,"
     "  ActionGeo_FullName TEXT,"
     "  ActionGeo_CountryCode TEXT,"
     "  ActionGeo_Lat REAL,"
     "  ActionGeo_Long REAL,"
     "  event_text TEXT NOT NULL,"
     "  text_fields TEXT NOT NULL,"
     "  best_wiki TEXT,"
     "  best_title TEXT,"
     "  best_cosine_sim REAL,"
     "  match_count INTEGER NOT NULL DEFAULT 0,"
     "  status TEXT NOT NULL,"
     "  closed_at TEXT);"
     "CREATE INDEX gold_events_bucket ON gold_events(time_bucket, status);"
     "CREATE INDEX gold_events_event ON gold_events(EventID);"
     "CREATE TABLE gold_late ("
     "  id INTEGER PRIMARY KEY,"
     "  stream TEXT NOT NULL,"
     "  silver_id INTEGER NOT NULL,"
     "  event_time TEXT NOT NULL,"
     "  time_bucket TEXT NOT NULL,"
     "  closed_before TEXT NOT NULL,"
     "  detail TEXT,"
     "  recorded_at TEXT NOT NULL,"
     "  UNIQUE (stream, silver_id));"
     "CREATE TABLE gold_buckets ("
     "  time_bucket TEXT PRIMARY KEY,"
     "  status TEXT NOT NULL,"
     "  events INTEGER NOT NULL DEFAULT 0,"
     "  titles INTEGER NOT NULL DEFAULT 0,"
     "  edits INTEGER NOT NULL DEFAULT 0,"
     "  late_events INTEGER NOT NULL DEFAULT 0,"
     "  late_edits INTEGER NOT NULL DEFAULT 0,"
     "  opened_at TEXT NOT NULL,"
     "  closed_at TEXT);"
     "CREATE TABLE gold_open_events ("
     "  gdelt_silver_id INTEGER PRIMARY KEY,"
     "  time_bucket TEXT NOT NULL,"
     "  vector BLOB NOT NULL);"
     "CREATE INDEX gold_open_events_bucket ON gold_open_events(time_bucket);"
     "CREATE TABLE gold_open_titles ("
     "  id INTEGER PRIMARY KEY,"
     "  time_bucket TEXT NOT NULL,"
     "  wiki TEXT NOT NULL,"
     "  title TEXT NOT NULL,"
     "  edit_count INTEGER NOT NULL,"
     "  first_silver_id INTEGER NOT NULL,"
     "  last_silver_id INTEGER NOT NULL,"
     "  vector BLOB NOT NULL,"
     "  UNIQUE (time_bucket, wiki, title));"
     "CREATE TABLE gold_page_activity ("
     "  wiki TEXT NOT NULL,"
     "  title TEXT NOT NULL,"
     "  run_start INTEGER NOT NULL,"
     "  last_edit INTEGER NOT NULL,"
     "  edits INTEGER NOT NULL,"
     "  editors TEXT NOT NULL,"
     "  first_silver_id INTEGER NOT NULL,"
     "  burst_id INTEGER,"
     "  PRIMARY KEY (wiki, title));"
     "CREATE INDEX gold_page_activity_last ON gold_page_activity(last_edit);"
     "CREATE TABLE breaking_news_bursts ("
     "  id INTEGER PRIMARY KEY,"
     "  wiki TEXT NOT NULL,"
     "  title TEXT NOT NULL,"
     "  time_bucket TEXT NOT NULL,"
     "  burst_start TEXT NOT NULL,"
     "  last_edit TEXT NOT NULL,"
     "  edit_count INTEGER NOT NULL,"
     "  editor_count INTEGER NOT NULL,"
     "  detected_at TEXT NOT NULL,"
     "  first_silver_id INTEGER NOT NULL,"
     "  last_silver_id INTEGER NOT NULL,"
     "  UNIQUE (wiki, title, burst_start));"
     "CREATE INDEX breaking_news_bursts_title ON breaking_news_bursts(time_bucket, wiki, title);"
     /* The news behind an erupting page: every correlated event whose window holds the burst's
        bucket, best first. Bursts with no correlated event yet are kept (event columns NULL). */
     "CREATE VIEW breaking_news_gold AS"
     "  SELECT b.id AS burst_id, b.wiki, b.title, b.time_bucket, b.burst_start, b.last_edit,"
     "         b.edit_count AS burst_edits, b.editor_count AS burst_editors, b.detected_at,"
     "         c.EventID, c.event_time, c.cosine_sim, c.rank, c.EventCode, c.AvgTone,"
     "         c.ActionGeo_Lat, c.ActionGeo_Long, c.ActionGeo_CountryCode,"
     "         e.event_text, c.gdelt_silver_id"
     "  FROM breaking_news_bursts b"
     "  LEFT JOIN correlated_gold_events c"
     "    ON c.title_time_bucket = b.time_bucket AND c.wiki = b.wiki AND c.title = b.title"
     "  LEFT JOIN gold_events e ON e.gdelt_silver_id = c.gdelt_silver_id;"
     /* Mismatch: events that could not meet a partner because of stream synchronisation, i.e.
        they arrived after their bucket closed (late) or their bucket closed with no content edit
        at all on the other side. Events whose window had edits but none similar enough are a
        semantic no-match, not a mismatch, and are counted apart. */
     "CREATE VIEW gold_mismatch AS"
     "  SELECT COUNT(*) AS events,"
     "         COALESCE(SUM(status = 'matched'), 0) AS matched,"
     "         COALESCE(SUM(status = 'no_match'), 0) AS no_match,"
     "         COALESCE(SUM(status = 'no_partner_window'), 0) AS no_partner_window,"
     "         COALESCE(SUM(status = 'late'), 0) AS late,"
     "         COALESCE(SUM(status = 'open'), 0) AS open,"
     "         (SELECT COUNT(*) FROM gold_late WHERE stream = 'wiki') AS late_edits,"
     "         ROUND(1.0 * COALESCE(SUM(status IN ('late', 'no_partner_window')), 0)"
     "               / NULLIF(SUM(status <> 'open'), 0), 4) AS mismatch_rate,"
     "         ROUND(1.0 * COALESCE(SUM(status = 'matched'), 0)"
     "               / NULLIF(SUM(status <> 'open'), 0), 4) AS match_rate"
     "  FROM gold_events;"
     T("correlated_gold_events", "News events (gdelt_silver) paired with the Wikipedia pages edited in the same time bucket whose title is semantically similar: cosine similarity of all-MiniLM-L6-v2 embeddings >= correlate.threshold, the top correlate.top_k titles per event. Pairs are emitted as soon as both sides are present.")
     C("correlated_gold_events", "id", "Row id (emission order).")
     C("correlated_gold_events", "EventID", "GDELT GLOBALEVENTID of the event (joins gdelt_silver.EventID).")
     C("correlated_gold_events", "event_time", "Time the event was added to GDELT (gdelt_silver.event_time, UTC).")
     C("correlated_gold_events", "time_bucket", "Start of the event''s time bucket (pipeline.bucket_seconds wide, UTC).")
     C("correlated_gold_events", "wiki", "Wiki of the edited page, e.g. enwiki (joins wikimedia_silver.wiki).")
     C("correlated_gold_events", "title", "Title of the edited page as in wikimedia_silver.title.")
     C("correlated_gold_events", "title_time_bucket", "Bucket of the page''s edits; differs from time_bucket only when neighbouring-bucket matching (correlate.neighbour_buckets) paired them.")
     C("correlated_gold_events", "edit_count", "Content edits of this page in title_time_bucket so far (kept up to date while the bucket is open).")
     C("correlated_gold_events", "cosine_sim", "Cosine similarity of the event text and the page title embeddings (-1..1).")
     C("correlated_gold_events", "rank", "Rank of this title among the event''s matches, 1 = most similar.")
     C("correlated_gold_events", "EventCode", "CAMEO event code of the event.")
     C("correlated_gold_events", "AvgTone", "GDELT average tone of the event''s articles.")
     C("correlated_gold_events", "ActionGeo_Lat", "Latitude of the event''s action location.")
     C("correlated_gold_events", "ActionGeo_Long", "Longitude of the event''s action location.")
     C("correlated_gold_events", "ActionGeo_CountryCode", "FIPS 10-4 country code of the action location.")
     C("correlated_gold_events", "gdelt_silver_id", "Lineage: gdelt_silver.silver_id of the event.")
     C("correlated_gold_events", "wiki_silver_id", "Lineage: wikimedia_silver.silver_id of the first content edit of this page in its bucket.")
     C("correlated_gold_events", "wiki_last_silver_id", "Lineage: wikimedia_silver.silver_id of the latest content edit of this page counted in edit_count.")
     C("correlated_gold_events", "emitted_at", "Wall-clock time (UTC) the pair was first written.")
     T("gold_events", "One row per GDELT silver event with its location, tone, code, the text that was embedded and its best Wikipedia match; the heatmap''s table.")
     C("gold_events", "gdelt_silver_id", "Lineage: gdelt_silver.silver_id.")
     C("gold_events", "EventID", "GDELT GLOBALEVENTID.")
     C("gold_events", "event_time", "Time the event was added to GDELT (UTC).")
     C("gold_events", "time_bucket", "Start of the event''s time bucket (UTC).")
     C("gold_events", "EventCode", "CAMEO event code.")
     C("gold_events", "event_description", "CAMEO description of EventCode.")
     C("gold_events", "AvgTone", "GDELT average tone.")
     C("gold_events", "GoldsteinScale", "Goldstein scale of the event code (-10..10).")
     C("gold_events", "ActionGeo_FullName", "Name of the action location.")
     C("gold_events", "ActionGeo_CountryCode", "FIPS 10-4 country code of the action location.")
     C("gold_events", "ActionGeo_Lat", "Latitude of the action location.")
     C("gold_events", "ActionGeo_Long", "Longitude of the action location.")
     C("gold_events", "event_text", "The text embedded for the event, composed by correlate.event_text_fields.")
     C("gold_events", "text_fields", "The composition used for event_text (the value of correlate.event_text_fields).")
     C("gold_events", "best_wiki", "Wiki of the best matching page, NULL if none.")
     C("gold_events", "best_title", "Title of the best matching page, NULL if none.")
     C("gold_events", "best_cosine_sim", "Cosine similarity of the best match, NULL if none.")
     C("gold_events", "match_count", "Number of pages paired with the event in correlated_gold_events.")
     C("gold_events", "status", "open (bucket still open), matched, no_match (edits in the window, none similar enough), no_partner_window (window closed with no content edit), late (arrived after its bucket closed).")
     C("gold_events", "closed_at", "Wall-clock time (UTC) the event''s bucket was closed.")
     TS("gold_late", "Rows of either silver stream that arrived after their time bucket had been closed by the watermarks; they took no part in the join and are kept here (and counted in the event log).")
     C("gold_late", "id", "Row id (arrival order).")
     C("gold_late", "stream", "gdelt or wiki.")
     C("gold_late", "silver_id", "silver_id in gdelt_silver or wikimedia_silver.")
     C("gold_late", "event_time", "Event time of the late row (UTC).")
     C("gold_late", "time_bucket", "Bucket the row belonged to.")
     C("gold_late", "closed_before", "Every bucket ending at or before this time was already closed when the row arrived.")
     C("gold_late", "detail", "EventID (gdelt) or wiki:title (wiki).")
     C("gold_late", "recorded_at", "Wall-clock time (UTC) the row was recorded.")
     TS("gold_buckets", "Per time bucket of the gold join: whether its state is open or closed, and how many events, distinct titles, edits and late rows it saw.")
     C("gold_buckets", "time_bucket", "Start of the bucket (UTC).")
     C("gold_buckets", "status", "open or closed.")
     C("gold_buckets", "events", "GDELT events placed in the bucket.")
     C("gold_buckets", "titles", "Distinct content titles (candidates) in the bucket.")
     C("gold_buckets", "edits", "Content edits in the bucket.")
     C("gold_buckets", "late_events", "GDELT events of this bucket that arrived after it closed.")
     C("gold_buckets", "late_edits", "Content edits of this bucket that arrived after it closed.")
     C("gold_buckets", "opened_at", "Wall-clock time (UTC) the bucket was opened.")
     C("gold_buckets", "closed_at", "Wall-clock time (UTC) the bucket was closed (both watermarks passed its end).")
     TS("gold_open_events", "Join state: embeddings of the events of open buckets (deleted when the bucket closes).")
     C("gold_open_events", "gdelt_silver_id", "gdelt_silver.silver_id.")
     C("gold_open_events", "time_bucket", "Bucket of the event.")
     C("gold_open_events", "vector", "384 float32 (little-endian), unit length.")
     TS("gold_open_titles", "Join state: the distinct content titles of open buckets with their edit counts and embeddings (deleted when the bucket closes).")
     C("gold_open_titles", "id", "Row id.")
     C("gold_open_titles", "time_bucket", "Bucket of the edits.")
     C("gold_open_titles", "wiki", "Wiki of the page.")
     C("gold_open_titles", "title", "Title of the page.")
     C("gold_open_titles", "edit_count", "Content edits of the page in the bucket so far.")
     C("gold_open_titles", "first_silver_id", "wikimedia_silver.silver_id of the first edit in the bucket.")
     C("gold_open_titles", "last_silver_id", "wikimedia_silver.silver_id of the latest edit in the bucket.")
     C("gold_open_titles", "vector", "384 float32 (little-endian), unit length, of the title with underscores as spaces.")
     TS("gold_page_activity", "Burst detector state: per page, the current run of content edits with no gap over correlate.burst.max_gap_seconds (pruned once the run is over).")
     C("gold_page_activity", "wiki", "Wiki of the page.")
     C("gold_page_activity", "title", "Title of the page.")
     C("gold_page_activity", "run_start", "Epoch seconds of the first edit of the run.")
     C("gold_page_activity", "last_edit", "Epoch seconds of the latest edit of the run.")
     C("gold_page_activity", "edits", "Edits in the run.")
     C("gold_page_activity", "editors", "Distinct editors of the run, one per line (capped).")
     C("gold_page_activity", "first_silver_id", "wikimedia_silver.silver_id of the first edit of the run.")
     C("gold_page_activity", "burst_id", "breaking_news_bursts.id once the run qualified as a burst.")
     T("breaking_news_bursts", "Pages erupting with edits (Wikipedia Live Monitor, Steiner et al. 2013): at least correlate.burst.min_edits content edits by at least correlate.burst.min_editors distinct editors with no gap over correlate.burst.max_gap_seconds, the last edit within correlate.burst.recent_seconds of the stream''s time.")
     C("breaking_news_bursts", "id", "Burst id.")
     C("breaking_news_bursts", "wiki", "Wiki of the page.")
     C("breaking_news_bursts", "title", "Title of the page.")
     C("breaking_news_bursts", "time_bucket", "Bucket of the edit that made the page a candidate.")
     C("breaking_news_bursts", "burst_start", "Time of the first edit of the run (UTC).")
     C("breaking_news_bursts", "last_edit", "Time of the latest edit of the run (UTC).")
     C("breaking_news_bursts", "edit_count", "Edits in the run so far.")
     C("breaking_news_bursts", "editor_count", "Distinct editors in the run so far.")
     C("breaking_news_bursts", "detected_at", "Stream time (UTC) at which the page became a candidate.")
     C("breaking_news_bursts", "first_silver_id", "Lineage: wikimedia_silver.silver_id of the first edit of the run.")
     C("breaking_news_bursts", "last_silver_id", "Lineage: wikimedia_silver.silver_id of the latest edit of the run.")
     T("breaking_news_gold", "View: each breaking-news burst with the GDELT events it correlates with in its window (correlated_gold_events on bucket, wiki and title), so a reader sees the erupting page and the news behind it. Event columns are NULL while no event correlates.")
     C("breaking_news_gold", "burst_id", "breaking_news_bursts.id.")
     C("breaking_news_gold", "wiki", "Wiki of the erupting page.")
     C("breaking_news_gold", "title", "Title of the erupting page.")
     C("breaking_news_gold", "time_bucket", "Bucket of the burst.")
     C("breaking_news_gold", "burst_start", "First edit of the run (UTC).")
     C("breaking_news_gold", "last_edit", "Latest edit of the run (UTC).")
     C("breaking_news_gold", "burst_edits", "Edits in the run.")
     C("breaking_news_gold", "burst_editors", "Distinct editors in the run.")
     C("breaking_news_gold", "detected_at", "Stream time at which the page became a candidate.")
     C("breaking_news_gold", "EventID", "A correlated GDELT event (NULL while none).")
     C("breaking_news_gold", "event_time", "Its time (UTC).")
     C("breaking_news_gold", "cosine_sim", "Similarity of the event and the page title.")
     C("breaking_news_gold", "rank", "Rank of the page among the event''s matches.")
     C("breaking_news_gold", "EventCode", "CAMEO code of the event.")
     C("breaking_news_gold", "AvgTone", "Tone of the event.")
     C("breaking_news_gold", "ActionGeo_Lat", "Latitude of the event.")
     C("breaking_news_gold", "ActionGeo_Long", "Longitude of the event.")
     C("breaking_news_gold", "ActionGeo_CountryCode", "Country of the event (FIPS 10-4).")
     C("breaking_news_gold", "event_text", "Text embedded for the event.")
     C("breaking_news_gold", "gdelt_silver_id", "Lineage: gdelt_silver.silver_id.")
     T("gold_mismatch", "View: how many events found a partner. mismatch_rate = (late + no_partner_window) / closed events: events that missed the join because of late arrival or the watermark, or whose window had no Wikipedia edit at all.")
     C("gold_mismatch", "events", "GDELT events seen by gold (rows of gold_events).")
     C("gold_mismatch", "matched", "Events paired with at least one page.")
     C("gold_mismatch", "no_match", "Events whose closed window had content edits, none similar enough.")
     C("gold_mismatch", "no_partner_window", "Events whose window closed with no content edit at all.")
     C("gold_mismatch", "late", "Events that arrived after their window closed.")
     C("gold_mismatch", "open", "Events whose window is still open.")
     C("gold_mismatch", "late_edits", "Content edits that arrived after their window closed.")
     C("gold_mismatch", "mismatch_rate", "(late + no_partner_window) / events whose bucket is closed or who arrived late.")
     C("gold_mismatch", "match_rate", "matched / events whose bucket is closed or who arrived late.")},
    {2, "breaking news: until when a burst counts as breaking, and whether it still does",
     "ALTER TABLE breaking_news_bursts ADD COLUMN breaking_until TEXT;"
     "UPDATE breaking_news_bursts SET breaking_until = last_edit;"
     "DROP VIEW breaking_news_gold;"
     /* active: the page's last edit is still within correlate.burst.recent_seconds of the
        latest edit time the gold flow has seen (its checkpoint), i.e. it is erupting now. */
     "CREATE VIEW breaking_news_gold AS"
     "  SELECT b.id AS burst_id, b.wiki, b.title, b.time_bucket, b.burst_start, b.last_edit,"
     "         b.edit_count AS burst_edits, b.editor_count AS burst_editors, b.detected_at,"
     "         b.breaking_until,"
     "         COALESCE(b.breaking_until >= (SELECT value FROM checkpoints"
     "                  WHERE flow = 'gold.wiki_max_event_time'), 0) AS active,"
     "         c.EventID, c.event_time, c.cosine_sim, c.rank, c.EventCode, c.AvgTone,"
     "         c.ActionGeo_Lat, c.ActionGeo_Long, c.ActionGeo_CountryCode,"
     "         e.event_text, c.gdelt_silver_id"
     "  FROM breaking_news_bursts b"
     "  LEFT JOIN correlated_gold_events c"
     "    ON c.title_time_bucket = b.time_bucket AND c.wiki = b.wiki AND c.title = b.title"
     "  LEFT JOIN gold_events e ON e.gdelt_silver_id = c.gdelt_silver_id;"
     C("breaking_news_bursts", "breaking_until", "last_edit + correlate.burst.recent_seconds: the page counts as breaking until then (UTC).")
     C("breaking_news_gold", "breaking_until", "Until when the burst counts as breaking (UTC).")
     C("breaking_news_gold", "active", "1 while the burst is breaking: breaking_until is not before the latest edit time gold has seen.")},
    {3, "cascade prefilter: the static vocabulary vectors; titles of open buckets may be unembedded",
     "CREATE TABLE gold_static_vocab ("
     "  model_sha256 TEXT NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  model_path TEXT NOT NULL,"
     "  file_size INTEGER NOT NULL,"
     "  file_mtime INTEGER NOT NULL,"
     "  vocab_size INTEGER NOT NULL,"
     "  dim INTEGER NOT NULL,"
     "  vectors BLOB NOT NULL,"
     "  build_seconds REAL NOT NULL,"
     "  built_at TEXT NOT NULL,"
     "  PRIMARY KEY (model_sha256, kind));"
     TS("gold_static_vocab", "Static token vectors of the embedding model for the gold join''s cascade prefilter (correlate.prefilter): one row per model file and kind, built once.")
     C("gold_static_vocab", "model_sha256", "SHA-256 of the model''s model.safetensors.")
     C("gold_static_vocab", "kind", "pooled (each vocabulary token through the model as a one-token text) or input (the model''s input word embeddings).")
     C("gold_static_vocab", "model_path", "Path of model.safetensors when built (with size and mtime: a cheap identity that spares hashing the file each run).")
     C("gold_static_vocab", "file_size", "Size in bytes of model.safetensors.")
     C("gold_static_vocab", "file_mtime", "Modification time (epoch seconds) of model.safetensors.")
     C("gold_static_vocab", "vocab_size", "Rows (WordPiece tokens).")
     C("gold_static_vocab", "dim", "Floats per row.")
     C("gold_static_vocab", "vectors", "vocab_size x dim IEEE half floats (little-endian), unit-length rows.")
     C("gold_static_vocab", "build_seconds", "Time the one-time build took.")
     C("gold_static_vocab", "built_at", "When it was built (UTC).")
     "UPDATE catalog_columns SET description = '384 float32 (little-endian), unit length, of the"
     " title with underscores as spaces; empty (zero bytes) while the cascade prefilter has not"
     " selected the title for the model.' WHERE table_name = 'gold_open_titles' AND column_name"
     " = 'vector';"},
    /* The reranker (src/correlate/rerank.c) scores each candidate pair; pairs are kept and ranked
       by that score, while cosine_sim stays the cosine (the report's correlation matrix averages
       it). Rows written before the reranker get their cosine as score. */
    {4, "reranker: match_score of each pair, the order of rank",
     "ALTER TABLE correlated_gold_events ADD COLUMN match_score REAL;"
     "UPDATE correlated_gold_events SET match_score = cosine_sim;"
     C("correlated_gold_events", "match_score", "Score the pair is kept and ranked by: with correlate.rerank on (the default with the real model), the reranker''s probability (0..1) that the page is related to the event, from the cosines of the title with the event text and with each of its fields and lexical tests (docs/gold.md, Accuracy); with the reranker off, the cosine similarity.")
     "UPDATE catalog_columns SET description = 'Rank of this title among the event''s matches by match_score, 1 = best.'"
     " WHERE table_name = 'correlated_gold_events' AND column_name = 'rank';"
     "UPDATE catalog_tables SET description = 'News events (gdelt_silver) paired with the Wikipedia pages edited in the same time bucket whose title is related: cosine similarity of all-MiniLM-L6-v2 embeddings >= correlate.candidate_threshold and reranker score (match_score) >= correlate.rerank.threshold (with the reranker off: cosine >= correlate.threshold), the top correlate.top_k titles per event by match_score. Pairs are emitted as soon as both sides are present.'"
     " WHERE table_name = 'correlated_gold_events';"},
    /* correlate.prefilter = lazy (the default) leaves titles and events of a window unembedded
       until the window can have partners; only the descriptions change. */
    {5, "lazy mode: open events and titles may wait unembedded",
     "UPDATE catalog_columns SET description = '384 float32 (little-endian), unit length, of the"
     " title with underscores as spaces; empty (zero bytes) while the title waits: in the lazy"
     " mode (the default) until its window or a partner window has an event, in the static mode"
     " until the cascade selects it.' WHERE table_name = 'gold_open_titles' AND column_name"
     " = 'vector';"
     "UPDATE catalog_columns SET description = '384 float32 (little-endian), unit length, of the"
     " event text; empty (zero bytes) while the event waits: in the lazy mode (the default) a"
     " window''s events are embedded only once it or a partner window has a title.'"
     " WHERE table_name = 'gold_open_events' AND column_name = 'vector';"},
};

STORE_COMPONENT(gold_store_component, "gold", gold_migrations);
