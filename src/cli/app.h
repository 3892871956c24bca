/* The application context every sub-command receives: the pipeline home, its configuration and
 * (opened on first use) the store. */
#ifndef WG_APP_H
#define WG_APP_H

#include <sqlite3.h>

#include "core/config.h"

typedef struct app {
    char home[4096];
    char db_path[4200];
    config *cfg;
    sqlite3 *db;       /* read-write, migrated; opened by app_db() */
    /* The global options as given (--config/--set ...), replayed to child processes. */
    char **global_args;
    int global_nargs;
} app;

/* Opens the store read-write (creating the home and running migrations) on first call.
 * Returns NULL after printing one error line. */
sqlite3 *app_db(app *a);
/* A separate read-only connection (the caller closes it with store_close). */
sqlite3 *app_db_readonly(app *a);

/* Prints "wikigdelt: <msg>" on stderr (naming the lakehouse when SQLite's complaint is about
 * the file) and returns status, the command's exit status. */
int app_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage errors exit 2, runtime errors 1, per the CLI contract. */
#define app_usage_error(...) app_error(2, __VA_ARGS__)
#define app_runtime_error(...) app_error(1, __VA_ARGS__)

/* Sub-commands: int cmd(app *, argc, argv) with argv[0] = the command name. */
typedef int (*app_command_fn)(app *a, int argc, char **argv);

#endif
