/* `check`: is this lakehouse sound? SQLite's own integrity check, then the pipeline's
 * invariants, each one line "ok|FAIL  what  (detail)". Read-only: it never repairs or migrates.
 *
 * The invariants are what the flows promise (every flow commits its output and its checkpoint in
 * one transaction): every silver and quarantine row has its bronze row; every ingested ledger
 * file has exactly its row count in bronze; no checkpoint points past the rows of its input;
 * every gold row has its silver event; the schema is one this release knows. */
#include "cli/commands.h"
#include "cli/cmd_table.h"

#include "store/store.h"

#include <stdio.h>
#include <string.h>

typedef struct checker {
    sqlite3 *db;
    int failed, ran;
} checker;

static int table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

static void report(checker *c, int ok, const char *what, const char *detail)
{
    c->ran++;
    if (!ok) c->failed++;
    printf("%-4s  %s%s%s%s\n", ok ? "ok" : "FAIL", what, detail && *detail ? "  (" : "",
           detail ? detail : "", detail && *detail ? ")" : "");
}

/* An invariant as a query that counts violations (0 = holds); skipped when a table it needs
 * does not exist yet. */
static void invariant(checker *c, const char *what, const char *needs1, const char *needs2,
                      const char *sql)
{
    if ((needs1 && !table_exists(c->db, needs1)) || (needs2 && !table_exists(c->db, needs2))) return;
    sqlite3_stmt *st;
    char detail[WG_ERR_LEN] = "";
    int ok = 0;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_fail(c->db, detail, sizeof detail, "cannot run");
    } else {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            long long bad = sqlite3_column_int64(st, 0);
            const unsigned char *ex = sqlite3_column_count(st) > 1 ? sqlite3_column_text(st, 1) : NULL;
            ok = bad == 0;
            if (!ok) snprintf(detail, sizeof detail, "%lld violation%s%s%s", bad, bad == 1 ? "" : "s",
                              ex ? ", e.g. " : "", ex ? (const char *)ex : "");
        } else {
            store_fail(c->db, detail, sizeof detail, "cannot run");
        }
    }
    sqlite3_finalize(st);
    report(c, ok, what, detail);
}

/* Every row of child points at a row of parent (child.key = parent.pkey); rows whose key is
 * NULL are left out when nullable. The example is the smallest offending value of show. */
static void has_parent(checker *c, const char *what, const char *child, const char *key,
                       const char *show, int nullable, const char *parent, const char *pkey,
                       int needs_parent)
{
    char *sql = sqlite3_mprintf("SELECT COUNT(*), MIN(x.\"%w\") FROM \"%w\" x WHERE (%d OR x.\"%w\" IS NOT NULL)"
                                " AND NOT EXISTS (SELECT 1 FROM \"%w\" p WHERE p.\"%w\" = x.\"%w\")",
                                show, child, !nullable, key, parent, pkey, key);
    invariant(c, what, child, needs_parent ? parent : NULL, sql);
    sqlite3_free(sql);
}

/* A flow's checkpoint (the last input id it committed) is not past the input's largest id. */
static void checkpoint_within(checker *c, const char *flow, const char *input, const char *id)
{
    char what[160];
    snprintf(what, sizeof what, "checkpoint %s <= max %s id", flow, input);
    char *sql = sqlite3_mprintf("SELECT COUNT(*), MIN(value) FROM checkpoints WHERE flow = %Q AND"
                                " value + 0 > (SELECT COALESCE(MAX(\"%w\"), 0) FROM \"%w\")",
                                flow, id, input);
    invariant(c, what, input, NULL, sql);
    sqlite3_free(sql);
}

static void pragma_check(checker *c, const char *pragma, const char *what, int expect_ok_row)
{
    sqlite3_stmt *st;
    char detail[WG_ERR_LEN] = "";
    int ok = 1, rows = 0;
    if (sqlite3_prepare_v2(c->db, pragma, -1, &st, NULL) != SQLITE_OK) {
        char why[WG_ERR_LEN];
        report(c, 0, what, store_errtext(c->db, why, sizeof why, "%s", pragma));
        return;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        rows++;
        if (expect_ok_row && v && !strcmp((const char *)v, "ok")) continue;
        ok = 0;
        if (rows <= 3) {
            size_t n = strlen(detail);
            snprintf(detail + n, sizeof detail - n, "%s%s", n ? "; " : "", v ? (const char *)v : "?");
        }
    }
    if (rc != SQLITE_DONE) {
        ok = 0;
        size_t n = strlen(detail);
        char why[WG_ERR_LEN];
        snprintf(detail + n, sizeof detail - n, "%s%s", n ? "; " : "",
                 store_errtext(c->db, why, sizeof why, "%s", pragma));
    }
    sqlite3_finalize(st);
    report(c, ok, what, detail);
}

int cmd_check(app *a, int argc, char **argv)
{
    int quick = 0;
    int rc = cli_parse(&cli_check, argc, argv, cli_set_flag, &quick, NULL);
    if (rc != CLI_GO) return rc;
    sqlite3 *db = NULL;
    char err[WG_ERR_LEN];
    FILE *probe = fopen(a->db_path, "rb");
    if (!probe) return app_runtime_error("check: no lakehouse at %s", a->db_path);
    fclose(probe);
    /* read-only and without migrating: a store from an older release is checked as it is */
    if (store_open(a->db_path, a->cfg, STORE_READONLY, &db, err, sizeof err) != 0)
        return app_runtime_error("check: %s", err);
    checker c = {db, 0, 0};
    printf("lakehouse: %s\n", a->db_path);
    pragma_check(&c, quick ? "PRAGMA quick_check" : "PRAGMA integrity_check",
                 quick ? "sqlite quick_check" : "sqlite integrity_check", 1);
    pragma_check(&c, "PRAGMA foreign_key_check", "sqlite foreign_key_check", 0);
    if (c.failed) {
        printf("check: the database file itself is damaged; the invariants are not checked\n");
        store_close(db);
        return 1;
    }
    report(&c, 1, store_schema_current(db) ? "schema is this release's"
                                           : "schema is an older release's (migrated on the next write)", NULL);
    has_parent(&c, "every gdelt_silver row has its gdelt_bronze row", "gdelt_silver", "bronze_id",
               "bronze_id", 1, "gdelt_bronze", "bronze_id", 0);
    has_parent(&c, "every gdelt_quarantine row has its gdelt_bronze row", "gdelt_quarantine",
               "bronze_id", "bronze_id", 0, "gdelt_bronze", "bronze_id", 0);
    invariant(&c, "every ingested gdelt_ledger file has exactly its rows in gdelt_bronze", "gdelt_ledger", NULL,
              "SELECT COUNT(*), MIN(name) FROM gdelt_ledger l WHERE status = 'ingested' AND"
              " rows != (SELECT COUNT(*) FROM gdelt_bronze b WHERE b.file_id = l.file_id)");
    invariant(&c, "every gdelt_bronze row belongs to an ingested ledger file", "gdelt_bronze", NULL,
              "SELECT COUNT(*), MIN(b.source_file) FROM gdelt_bronze b WHERE NOT EXISTS"
              " (SELECT 1 FROM gdelt_ledger l WHERE l.file_id = b.file_id AND l.status = 'ingested')");
    checkpoint_within(&c, "gdelt_silver", "gdelt_bronze", "bronze_id");
    has_parent(&c, "every wikimedia_silver row has its wikimedia_bronze row", "wikimedia_silver",
               "bronze_id", "bronze_id", 1, "wikimedia_bronze", "bronze_id", 0);
    checkpoint_within(&c, "wikimedia_silver", "wikimedia_bronze", "bronze_id");
    invariant(&c, "no meta.id twice in wikimedia_silver", "wikimedia_silver", NULL,
              "SELECT COUNT(*) - COUNT(DISTINCT event_id) FROM wikimedia_silver");
    checkpoint_within(&c, "gold.gdelt_silver_id", "gdelt_silver", "silver_id");
    checkpoint_within(&c, "gold.wiki_silver_id", "wikimedia_silver", "silver_id");
    has_parent(&c, "every gold_events row has its gdelt_silver event", "gold_events",
               "gdelt_silver_id", "EventID", 0, "gdelt_silver", "silver_id", 1);
    has_parent(&c, "every correlated_gold_events row has its gold event", "correlated_gold_events",
               "gdelt_silver_id", "EventID", 0, "gold_events", "gdelt_silver_id", 1);
    printf("check: %d of %d checks passed%s\n", c.ran - c.failed, c.ran, c.failed ? "; see FAIL lines" : "");
    store_close(db);
    return c.failed ? 1 : 0;
}
