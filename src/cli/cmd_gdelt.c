/* Stub until its source lands. */
#include "cli/commands.h"

int cli_ingest_gdelt(app *a, int argc, char **argv)
{
    (void)a; (void)argc; (void)argv;
    return app_runtime_error("%s: not implemented yet", argv[0]);
}
