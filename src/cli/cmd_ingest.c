/* `ingest gdelt|wiki ...`: dispatch to the source's own command. */
#include "cli/commands.h"

#include <string.h>

int cmd_ingest(app *a, int argc, char **argv)
{
    if (argc < 2)
        return app_usage_error("usage: wikigdelt ingest gdelt|wiki|kafka [--file PATH | --url URL] ...");
    if (!strcmp(argv[1], "gdelt")) return cli_ingest_gdelt(a, argc - 1, argv + 1);
    if (!strcmp(argv[1], "kafka")) return cli_ingest_kafka(a, argc - 1, argv + 1);
    if (!strcmp(argv[1], "wiki") || !strcmp(argv[1], "wikimedia"))
        return cli_ingest_wiki(a, argc - 1, argv + 1);
    return app_usage_error("ingest: unknown source '%s' (expected gdelt, wiki or kafka)", argv[1]);
}
