/* Every command of the command line in one place (cli/cmd_table.c): the option keys, and for
 * each command its synopsis, options, settings and sub-commands. The command files hold only
 * what the options do. */
#ifndef WG_CMD_TABLE_H
#define WG_CMD_TABLE_H

#include "cli/opts.h"

/* One key per option name, shared by the commands that spell an option the same way; what
 * cli_next returns for it (below 128: also its short flag). */
enum cli_key {
    O_VERBOSE = 'v',
    O_HOME = 256, O_CONFIG, O_SET, O_VERSION,
    O_FILE, O_LIVE, O_ONCE, O_REFINE, O_URL, O_INTERVAL, O_BACKFILL, O_SINCE, O_MAX_EVENTS,
    O_DURATION, O_BROKERS, O_TOPIC, O_LOOP, O_FORMAT, O_TABLE, O_TO, O_DRAIN, O_FOLLOW,
    O_TOKENS, O_STDIN, O_CACHE, O_DIR, O_FROM, O_BASE_URL, O_WHEEL, O_INDEX_URL,
    O_AS, O_BATCH, O_SQL_ONLY, O_RUN, O_EXTENDED, O_WATCH, O_PORT, O_ADDRESS, O_SPEED,
    O_GDELT_DIR, O_WIKI_RECORDING, O_GDELT_URL, O_WIKI_URL, O_QUICK, O_PUSH, O_ENDPOINT,
    O_LISTEN, O_SCORES, O_COUNTRY_NAMES, O_PART,
};

/* The global options and the list of commands (main.c). */
extern const cli_command cli_global;

extern const cli_command cli_run, cli_demo, cli_simulate, cli_ingest, cli_ingest_gdelt_spec,
    cli_ingest_wiki_spec, cli_ingest_kafka_spec, cli_refine, cli_correlate, cli_embed, cli_model,
    cli_model_fetch, cli_model_info, cli_sql, cli_describe, cli_status, cli_export,
    cli_export_delta, cli_export_kafka, cli_ask, cli_explain, cli_metrics, cli_check, cli_config,
    cli_config_list, cli_principal, cli_group, cli_grant, cli_revoke, cli_serve;
/* eval's entry, for cmd_eval.c (which still declares its own copy and parses with cli_begin). */
extern const cli_command cli_eval;

/* The sub-commands of principal and group, indexed as their sub-command tables list them. */
extern const cli_command cli_principal_subs[4], cli_group_subs[4];

#endif
