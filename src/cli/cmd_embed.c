/* Stub until the embedding engine land. */
#include "cli/commands.h"

int cmd_embed(app *a, int argc, char **argv)
{
    (void)a; (void)argc;
    return app_runtime_error("%s: not implemented yet", argv[0]);
}

int cmd_model(app *a, int argc, char **argv)
{
    (void)a; (void)argc;
    return app_runtime_error("%s: not implemented yet", argv[0]);
}
