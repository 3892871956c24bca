/* `refine [gdelt|wiki]`: run the silver flows once over everything pending in bronze. */
#include "cli/commands.h"
#include "cli/cmd_table.h"

#include "core/log.h"
#include "refine/gdelt_silver.h"
#include "refine/wiki_silver.h"

#include <stdio.h>
#include <string.h>

typedef int (*silver_fn)(sqlite3 *, const config *, flow_stats *, char *, size_t);

static int run_one(app *a, sqlite3 *db, const char *name, silver_fn fn)
{
    flow_stats st;
    memset(&st, 0, sizeof st);
    char err[WG_ERR_LEN] = "";
    if (fn(db, a->cfg, &st, err, sizeof err) != 0)
        return app_runtime_error("refine %s: %s", name, err);
    printf("%s: read %lld, written %lld, warned %lld, dropped %lld, quarantined %lld,"
           " duplicates %lld, batches %lld\n",
           name, (long long)st.read, (long long)st.written, (long long)st.warned,
           (long long)st.dropped, (long long)st.quarantined, (long long)st.duplicates,
           (long long)st.batches);
    return 0;
}

int cmd_refine(app *a, int argc, char **argv)
{
    int want_gdelt = 1, want_wiki = 1, first;
    int rc = cli_parse(&cli_refine, argc, argv, NULL, NULL, &first);
    if (rc != CLI_GO) return rc;
    if (first < argc) {
        want_gdelt = !strcmp(argv[first], "gdelt");
        want_wiki = !strcmp(argv[first], "wiki");
        if (!want_gdelt && !want_wiki)
            return app_usage_error("usage: wikigdelt refine [gdelt|wiki]");
    }
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    rc = 0;
    if (want_gdelt && run_one(a, db, "gdelt_silver", gdelt_silver_run) != 0) rc = 1;
    if (want_wiki && run_one(a, db, "wikimedia_silver", wiki_silver_run) != 0) rc = 1;
    return rc;
}
