/* Stub until the demo wiring land. */
#include "cli/commands.h"

int cmd_run(app *a, int argc, char **argv)
{
    (void)a; (void)argc;
    return app_runtime_error("%s: not implemented yet", argv[0]);
}

int cmd_demo(app *a, int argc, char **argv)
{
    (void)a; (void)argc;
    return app_runtime_error("%s: not implemented yet", argv[0]);
}
