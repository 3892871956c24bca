/* `ingest gdelt|wiki|kafka ...`: dispatch to the source's own command (cli/cmd_table.c lists
 * them). */
#include "cli/cmd_table.h"
#include "cli/commands.h"

int cmd_ingest(app *a, int argc, char **argv)
{
    return cli_dispatch(a, &cli_ingest, argc, argv);
}
