/* Stub until the gold flows land. */
#include "cli/commands.h"

int cmd_correlate(app *a, int argc, char **argv)
{
    (void)a; (void)argc;
    return app_runtime_error("%s: not implemented yet", argv[0]);
}

int cmd_eval(app *a, int argc, char **argv)
{
    (void)a; (void)argc;
    return app_runtime_error("%s: not implemented yet", argv[0]);
}
