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
    char detail[512] = "";
    int ok = 0;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(detail, sizeof detail, "cannot run: %s", sqlite3_errmsg(c->db));
    } else {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            long long bad = sqlite3_column_int64(st, 0);
            const unsigned char *ex = sqlite3_column_count(st) > 1 ? sqlite3_column_text(st, 1) : NULL;
            ok = bad == 0;
            if (!ok) snprintf(detail, sizeof detail, "%lld violation%s%s%s", bad, bad == 1 ? "" : "s",
                              ex ? ", e.g. " : "", ex ? (const char *)ex : "");
        } else {
            snprintf(detail, sizeof detail, "cannot run: %s", sqlite3_errmsg(c->db));
        }
    }
    sqlite3_finalize(st);
    report(c, ok, what, detail);
}

static void pragma_check(checker *c, const char *pragma, const char *what, int expect_ok_row)
{
    sqlite3_stmt *st;
    char detail[768] = "";
    int ok = 1, rows = 0;
    if (sqlite3_prepare_v2(c->db, pragma, -1, &st, NULL) != SQLITE_OK) {
        report(c, 0, what, sqlite3_errmsg(c->db));
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
        snprintf(detail + n, sizeof detail - n, "%s%s", n ? "; " : "", sqlite3_errmsg(c->db));
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
    invariant(&c, "every gdelt_silver row has its gdelt_bronze row", "gdelt_silver", NULL,
              "SELECT COUNT(*), MIN(s.bronze_id) FROM gdelt_silver s WHERE s.bronze_id IS NOT NULL AND"
              " NOT EXISTS (SELECT 1 FROM gdelt_bronze b WHERE b.bronze_id = s.bronze_id)");
    invariant(&c, "every gdelt_quarantine row has its gdelt_bronze row", "gdelt_quarantine", NULL,
              "SELECT COUNT(*), MIN(q.bronze_id) FROM gdelt_quarantine q WHERE"
              " NOT EXISTS (SELECT 1 FROM gdelt_bronze b WHERE b.bronze_id = q.bronze_id)");
    invariant(&c, "every ingested gdelt_ledger file has exactly its rows in gdelt_bronze", "gdelt_ledger", NULL,
              "SELECT COUNT(*), MIN(name) FROM gdelt_ledger l WHERE status = 'ingested' AND"
              " rows != (SELECT COUNT(*) FROM gdelt_bronze b WHERE b.file_id = l.file_id)");
    invariant(&c, "every gdelt_bronze row belongs to an ingested ledger file", "gdelt_bronze", NULL,
              "SELECT COUNT(*), MIN(b.source_file) FROM gdelt_bronze b WHERE NOT EXISTS"
              " (SELECT 1 FROM gdelt_ledger l WHERE l.file_id = b.file_id AND l.status = 'ingested')");
    invariant(&c, "checkpoint gdelt_silver <= max gdelt_bronze id", "gdelt_bronze", NULL,
              "SELECT COUNT(*), MIN(value) FROM checkpoints WHERE flow = 'gdelt_silver' AND"
              " value + 0 > (SELECT COALESCE(MAX(bronze_id), 0) FROM gdelt_bronze)");
    invariant(&c, "every wikimedia_silver row has its wikimedia_bronze row", "wikimedia_silver", NULL,
              "SELECT COUNT(*), MIN(s.bronze_id) FROM wikimedia_silver s WHERE s.bronze_id IS NOT NULL AND"
              " NOT EXISTS (SELECT 1 FROM wikimedia_bronze b WHERE b.bronze_id = s.bronze_id)");
    invariant(&c, "checkpoint wikimedia_silver <= max wikimedia_bronze id", "wikimedia_bronze", NULL,
              "SELECT COUNT(*), MIN(value) FROM checkpoints WHERE flow = 'wikimedia_silver' AND"
              " value + 0 > (SELECT COALESCE(MAX(bronze_id), 0) FROM wikimedia_bronze)");
    invariant(&c, "no meta.id twice in wikimedia_silver", "wikimedia_silver", NULL,
              "SELECT COUNT(*) - COUNT(DISTINCT event_id) FROM wikimedia_silver");
    invariant(&c, "checkpoint gold.gdelt_silver_id <= max gdelt_silver id", "gdelt_silver", NULL,
              "SELECT COUNT(*), MIN(value) FROM checkpoints WHERE flow = 'gold.gdelt_silver_id' AND"
              " value + 0 > (SELECT COALESCE(MAX(silver_id), 0) FROM gdelt_silver)");
    invariant(&c, "checkpoint gold.wiki_silver_id <= max wikimedia_silver id", "wikimedia_silver", NULL,
              "SELECT COUNT(*), MIN(value) FROM checkpoints WHERE flow = 'gold.wiki_silver_id' AND"
              " value + 0 > (SELECT COALESCE(MAX(silver_id), 0) FROM wikimedia_silver)");
    invariant(&c, "every gold_events row has its gdelt_silver event", "gold_events", "gdelt_silver",
              "SELECT COUNT(*), MIN(g.EventID) FROM gold_events g WHERE NOT EXISTS"
              " (SELECT 1 FROM gdelt_silver s WHERE s.silver_id = g.gdelt_silver_id)");
    invariant(&c, "every correlated_gold_events row has its gold event", "correlated_gold_events", "gold_events",
              "SELECT COUNT(*), MIN(c.EventID) FROM correlated_gold_events c WHERE NOT EXISTS"
              " (SELECT 1 FROM gold_events g WHERE g.gdelt_silver_id = c.gdelt_silver_id)");
    printf("check: %d of %d checks passed%s\n", c.ran - c.failed, c.ran, c.failed ? "; see FAIL lines" : "");
    store_close(db);
    return c.failed ? 1 : 0;
}
