/* `ingest gdelt|wiki|kafka ...`: dispatch to the source's own command. */
#include "cli/commands.h"
#include "cli/opts.h"

static const cli_subcommand sources[] = {
    {"gdelt", cli_ingest_gdelt, "GDELT 2.0 exports: --file PATH|DIR, --live or --backfill FROM TO"},
    {"wiki", cli_ingest_wiki, "the Wikimedia recentchange stream: --url URL or a recording --file PATH"},
    {"wikimedia", cli_ingest_wiki, NULL},
    {"kafka", cli_ingest_kafka, "recentchange events or GDELT rows from a Kafka topic"},
    {0},
};

static const cli_command spec = {
    "ingest", "gdelt|wiki|kafka [OPTIONS]",
    "One source into its bronze table; `wikigdelt ingest SOURCE --help` lists its options.",
    NULL, NULL, 0};

int cmd_ingest(app *a, int argc, char **argv)
{
    return cli_dispatch(a, &spec, sources, argc, argv);
}
