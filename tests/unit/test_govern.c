/* Unit tests for governance on a real store (all migrations) with a few rows in the silver and
 * gold tables: tokens (wrong, removed, rotated), the default grant matrix, the attack list at the
 * SQL level for a business user and a data scientist (each refused with the rule or object named,
 * and nothing changed: every table's checksum before and after), masking (secure_gdelt for
 * compliance vs a business user, is_executive following membership, personal columns),
 * definer's rights (views within views, count(*) over a view), the deadline, revoke, audit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "govern/govern.h"
#include "store/store.h"

typedef struct fixture {
    char dir[256], path[300];
    sqlite3 *rw, *ro;
    govern_session *s;
    char tok_bob[GOVERN_TOKEN_BUF], tok_dana[GOVERN_TOKEN_BUF], tok_carol[GOVERN_TOKEN_BUF];
} fixture;

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wg_govern_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/lakehouse.db", f->dir);
    char err[512];
    if (store_open(f->path, NULL, 0, &f->rw, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    exec_ok(f->rw, "BEGIN");
    char sql[1024];
    for (int i = 1; i <= 300; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO gdelt_silver(GLOBALEVENTID, Actor1Name, EventCode, AvgTone, ActionGeo_Lat, ActionGeo_Long,"
                 " event_time, time_bucket) VALUES (%d, 'Actor %d', '%s', %d.5, %d.0, %d.0, '2024-07-14 1%d:00:00',"
                 " '2024-07-14 12:00:00')",
                 1000 + i, i, i % 3 ? "042" : "141", i % 7 - 3, i % 5, i % 4, i % 4);
        exec_ok(f->rw, sql);
        snprintf(sql, sizeof sql,
                 "INSERT INTO gold_events(gdelt_silver_id, EventID, event_time, time_bucket, EventCode, AvgTone,"
                 " ActionGeo_Lat, ActionGeo_Long, event_text, text_fields, status)"
                 " VALUES (%d, %d, '2024-07-14 13:00:00', '2024-07-14 12:00:00', '042', 1.0, %d.0, %d.0, 'text', 'f', 'matched')",
                 i, 1000 + i, i % 5, i % 4);
        exec_ok(f->rw, sql);
    }
    for (int i = 1; i <= 20; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO wikimedia_silver(event_id, event_time, time_bucket, wiki, title, user, comment, is_content)"
                 " VALUES ('e%d', '2024-07-14 13:00:00', '2024-07-14 12:00:00', 'enwiki', 'Page %d', 'Editor%d',"
                 " 'comment %d', 1)",
                 i, i % 4, i, i);
        exec_ok(f->rw, sql);
        snprintf(sql, sizeof sql,
                 "INSERT INTO correlated_gold_events(EventID, event_time, time_bucket, wiki, title, title_time_bucket,"
                 " edit_count, cosine_sim, rank, EventCode, gdelt_silver_id, wiki_silver_id, wiki_last_silver_id,"
                 " emitted_at, match_score) VALUES (%d, '2024-07-14 13:00:00', '2024-07-14 12:00:00', 'enwiki',"
                 " 'Page %d', '2024-07-14 12:00:00', 1, 0.%d, 1, '042', %d, %d, %d, '2024-07-14 14:00:00', 0.5)",
                 1000 + i, i % 4, 50 + i, i, i, i);
        exec_ok(f->rw, sql);
    }
    exec_ok(f->rw, "INSERT INTO gold_late(stream, silver_id, event_time, time_bucket, closed_before, recorded_at)"
                   " VALUES ('wiki', 1, '2024-07-14 01:00:00', '2024-07-14 00:00:00', '2024-07-14 04:00:00', 'now')");
    /* views within views: only the outer one will be granted */
    exec_ok(f->rw, "CREATE VIEW test_inner AS SELECT EventID, Actor1Name FROM gdelt_silver");
    exec_ok(f->rw, "CREATE VIEW test_outer AS SELECT EventID, length(Actor1Name) AS n FROM test_inner");
    exec_ok(f->rw, "CREATE VIEW test_count AS SELECT (SELECT count(*) FROM gdelt_silver) AS events");
    /* another group's view: granted to compliance only */
    exec_ok(f->rw, "CREATE VIEW test_compliance AS SELECT EventID, Actor1Name FROM gdelt_silver");
    exec_ok(f->rw, "COMMIT");

    assert_int_equal(govern_principal_add(f->rw, "bob", f->tok_bob, sizeof f->tok_bob, err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_principal_add(f->rw, "dana", f->tok_dana, sizeof f->tok_dana, err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_principal_add(f->rw, "carol", f->tok_carol, sizeof f->tok_carol, err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_group_add_member(f->rw, "business_users", "bob", err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_group_add_member(f->rw, "data_scientists", "dana", err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_group_add_member(f->rw, "compliance", "carol", err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_grant(f->rw, "test_outer", "business_users", err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_grant(f->rw, "test_count", "business_users", err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_grant(f->rw, "test_compliance", "compliance", err, sizeof err), GOVERN_OK);

    if (store_open(f->path, NULL, STORE_READONLY, &f->ro, err, sizeof err) != 0) return -1;
    f->s = govern_session_new(f->ro, err, sizeof err);
    if (!f->s) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    govern_session_free(f->s);
    store_close(f->ro);
    store_close(f->rw);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

static void bind(fixture *f, const char *name)
{
    govern_principal p;
    char err[512];
    if (!strcmp(name, "owner"))
        govern_principal_owner(&p);
    else
        assert_int_equal(govern_principal_load(f->rw, name, &p, err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_session_bind(f->s, &p, err, sizeof err), 0);
}

/* Runs sql as the bound principal: result, rows, the first row's first column, the error. */
typedef struct outcome {
    govern_result rc;
    int64_t rows;
    char first[256];
    char err[512];
} outcome;

static outcome run(fixture *f, const char *sql, int64_t timeout_ms)
{
    outcome o;
    memset(&o, 0, sizeof o);
    sqlite3_stmt *st;
    o.rc = govern_prepare(f->s, sql, &st, o.err, sizeof o.err);
    if (o.rc != GOVERN_OK) return o;
    govern_session_deadline(f->s, timeout_ms);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (o.rows == 0) {
            const char *v = (const char *)sqlite3_column_text(st, 0);
            snprintf(o.first, sizeof o.first, "%s", v ? v : "NULL");
        }
        o.rows++;
    }
    o.rc = govern_step_result(f->s, rc, o.err, sizeof o.err);
    sqlite3_finalize(st);
    govern_session_deadline(f->s, 0);
    return o;
}

static void expect_refused(fixture *f, const char *sql, govern_result want, const char *needle)
{
    outcome o = run(f, sql, 2000);
    if (o.rc != want) fail_msg("%s: expected %d, got %d (%s, %lld rows)", sql, want, o.rc, o.err, (long long)o.rows);
    if (needle && !strstr(o.err, needle)) fail_msg("%s: error '%s' does not name '%s'", sql, o.err, needle);
}

static void expect_rows(fixture *f, const char *sql, int64_t rows, const char *first)
{
    outcome o = run(f, sql, 5000);
    if (o.rc != GOVERN_OK) fail_msg("%s: refused (%d): %s", sql, o.rc, o.err);
    if (rows >= 0 && o.rows != rows) fail_msg("%s: %lld rows, expected %lld", sql, (long long)o.rows, (long long)rows);
    if (first && strcmp(o.first, first)) fail_msg("%s: first value '%s', expected '%s'", sql, o.first, first);
}

/* SHA-256 over every row of every table, in rowid order. */
static void checksum(sqlite3 *db, char out[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    sqlite3_stmt *t;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name", -1, &t, NULL), SQLITE_OK);
    while (sqlite3_step(t) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(t, 0);
        EVP_DigestUpdate(md, name, strlen(name));
        char *q = sqlite3_mprintf("SELECT * FROM \"%w\"", name);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK) {
            while (sqlite3_step(st) == SQLITE_ROW)
                for (int c = 0; c < sqlite3_column_count(st); c++) {
                    const void *v = sqlite3_column_blob(st, c);
                    int n = sqlite3_column_bytes(st, c);
                    if (v) EVP_DigestUpdate(md, v, (size_t)n);
                    EVP_DigestUpdate(md, "|", 1);
                }
            sqlite3_finalize(st);
        }
        sqlite3_free(q);
    }
    sqlite3_finalize(t);
    unsigned char d[32];
    unsigned int n;
    EVP_DigestFinal_ex(md, d, &n);
    EVP_MD_CTX_free(md);
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_tokens(void **state)
{
    fixture *f = *state;
    char err[512];
    govern_principal p;
    assert_int_equal((int)strlen(f->tok_bob), 64);
    assert_string_not_equal(f->tok_bob, f->tok_dana);
    assert_int_equal(govern_authenticate(f->rw, f->tok_bob, &p, err, sizeof err), GOVERN_OK);
    assert_string_equal(p.name, "bob");
    assert_int_equal(p.ngroups, 1);
    assert_string_equal(p.groups[0], "business_users");
    /* only the digest is stored */
    sqlite3_stmt *st;
    sqlite3_prepare_v2(f->rw, "SELECT count(*) FROM govern_principals WHERE token_sha256 = ?1 OR instr(token_sha256, ?1)", -1, &st, NULL);
    sqlite3_bind_text(st, 1, f->tok_bob, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    /* wrong tokens: one digit changed, empty, NULL, too long */
    char wrong[GOVERN_TOKEN_BUF];
    memcpy(wrong, f->tok_bob, sizeof wrong);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    assert_int_equal(govern_authenticate(f->rw, wrong, &p, err, sizeof err), GOVERN_NOT_FOUND);
    assert_int_equal(govern_authenticate(f->rw, "", &p, err, sizeof err), GOVERN_NOT_FOUND);
    assert_int_equal(govern_authenticate(f->rw, NULL, &p, err, sizeof err), GOVERN_NOT_FOUND);
    char longer[200];
    snprintf(longer, sizeof longer, "%sX", f->tok_bob);
    assert_int_equal(govern_authenticate(f->rw, longer, &p, err, sizeof err), GOVERN_NOT_FOUND);
    /* rotate: the old token stops working, the new one works */
    char tok2[GOVERN_TOKEN_BUF];
    assert_int_equal(govern_principal_add(f->rw, "eve", tok2, sizeof tok2, err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_principal_add(f->rw, "eve", tok2, sizeof tok2, err, sizeof err), GOVERN_ERROR);
    assert_non_null(strstr(err, "already exists"));
    char tok3[GOVERN_TOKEN_BUF];
    assert_int_equal(govern_principal_rotate(f->rw, "eve", tok3, sizeof tok3, err, sizeof err), GOVERN_OK);
    assert_string_not_equal(tok2, tok3);
    assert_int_equal(govern_authenticate(f->rw, tok2, &p, err, sizeof err), GOVERN_NOT_FOUND);
    assert_int_equal(govern_authenticate(f->rw, tok3, &p, err, sizeof err), GOVERN_OK);
    assert_string_equal(p.name, "eve");
    /* remove: the token and the memberships go */
    assert_int_equal(govern_group_add_member(f->rw, "executive", "eve", err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_principal_remove(f->rw, "eve", err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_authenticate(f->rw, tok3, &p, err, sizeof err), GOVERN_NOT_FOUND);
    assert_int_equal(govern_principal_load(f->rw, "eve", &p, err, sizeof err), GOVERN_NOT_FOUND);
    assert_int_equal(govern_principal_remove(f->rw, "eve", err, sizeof err), GOVERN_NOT_FOUND);
    assert_int_equal(govern_principal_rotate(f->rw, "eve", tok3, sizeof tok3, err, sizeof err), GOVERN_NOT_FOUND);
    /* bad names */
    assert_int_equal(govern_principal_add(f->rw, "a b", tok2, sizeof tok2, err, sizeof err), GOVERN_ERROR);
    assert_int_equal(govern_principal_add(f->rw, "owner", tok2, sizeof tok2, err, sizeof err), GOVERN_ERROR);
    assert_int_equal(govern_group_add_member(f->rw, "nosuchgroup", "bob", err, sizeof err), GOVERN_NOT_FOUND);
    assert_int_equal(govern_group_add_member(f->rw, "compliance", "nobody", err, sizeof err), GOVERN_NOT_FOUND);
}

static void test_matrix(void **state)
{
    fixture *f = *state;
    char err[512];
    govern_principal bob, dana, carol;
    assert_int_equal(govern_principal_load(f->rw, "bob", &bob, err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_principal_load(f->rw, "dana", &dana, err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_principal_load(f->rw, "carol", &carol, err, sizeof err), GOVERN_OK);
    static const struct {
        const char *object;
        int bob, dana, carol;
    } m[] = {
        {"gdelt_bronze", 0, 1, 1},        {"wikimedia_bronze", 0, 1, 1},  {"gdelt_silver", 0, 1, 1},
        {"wikimedia_silver", 0, 1, 1},    {"gold_events", 1, 1, 1},       {"correlated_gold_events", 1, 1, 1},
        {"breaking_news_gold", 1, 1, 1},  {"secure_gdelt", 1, 1, 1},      {"business_gold", 1, 1, 1},
        {"business_wiki_edits", 1, 1, 1}, {"gdelt_quarantine", 0, 0, 1},  {"checkpoints", 0, 0, 1},
        {"govern_audit", 0, 0, 1},        {"govern_principals", 0, 0, 0}, {"sqlite_master", 0, 0, 0},
        {"catalog_columns", 1, 1, 1},     {"schema_migrations", 0, 0, 1}, {"govern_state", 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        if (govern_may_read(f->rw, &bob, m[i].object) != m[i].bob) fail_msg("bob / %s", m[i].object);
        if (govern_may_read(f->rw, &dana, m[i].object) != m[i].dana) fail_msg("dana / %s", m[i].object);
        if (govern_may_read(f->rw, &carol, m[i].object) != m[i].carol) fail_msg("carol / %s", m[i].object);
    }
    govern_principal owner;
    govern_principal_owner(&owner);
    assert_true(govern_may_read(f->rw, &owner, "govern_principals"));
    assert_int_equal(govern_grant(f->rw, "no_such_table", "compliance", err, sizeof err), GOVERN_NOT_FOUND);
    assert_int_equal(govern_grant(f->rw, "layer:nope", "compliance", err, sizeof err), GOVERN_ERROR);
    assert_int_equal(govern_grant(f->rw, "gold_events", "no_group", err, sizeof err), GOVERN_NOT_FOUND);
}

/* The attack list, as a business user and as a data scientist; then nothing changed. */
static void test_attacks(void **state)
{
    fixture *f = *state;
    char before[65], after[65];
    checksum(f->rw, before);
    bind(f, "bob");
    /* ungranted table: directly, subquery, CTE, join, compound select, count only */
    expect_refused(f, "SELECT Actor1Name FROM gdelt_silver", GOVERN_DENIED, "gdelt_silver");
    expect_refused(f, "select * from GDELT_SILVER", GOVERN_DENIED, "gdelt_silver");
    expect_refused(f, "SELECT * FROM gold_events WHERE EventID IN (SELECT EventID FROM gdelt_silver WHERE Actor1Name LIKE 'A%')", GOVERN_DENIED, "gdelt_silver");
    expect_refused(f, "SELECT (SELECT max(Actor1Name) FROM gdelt_silver) FROM gold_events", GOVERN_DENIED, "gdelt_silver");
    expect_refused(f, "WITH x AS (SELECT Actor1Name FROM gdelt_silver) SELECT * FROM x", GOVERN_DENIED, "gdelt_silver");
    expect_refused(f, "WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < 3) SELECT Actor1Name FROM x, gdelt_silver", GOVERN_DENIED, "gdelt_silver");
    expect_refused(f, "SELECT g.EventID, s.Actor1Name FROM gold_events g JOIN gdelt_silver s ON s.GLOBALEVENTID = g.EventID", GOVERN_DENIED, "gdelt_silver");
    expect_refused(f, "SELECT title FROM correlated_gold_events UNION ALL SELECT Actor1Name FROM gdelt_silver", GOVERN_DENIED, "gdelt_silver");
    expect_refused(f, "SELECT count(*) FROM gdelt_silver", GOVERN_DENIED, "gdelt_silver");
    expect_refused(f, "SELECT 1 FROM wikimedia_silver", GOVERN_DENIED, "wikimedia_silver");
    expect_refused(f, "SELECT * FROM (SELECT * FROM gdelt_silver) AS secure_gdelt", GOVERN_DENIED, "gdelt_silver");
    /* a CTE named like a granted view must not borrow its rights */
    expect_refused(f, "WITH secure_gdelt AS (SELECT Actor1Name AS Actor FROM gdelt_silver) SELECT Actor FROM secure_gdelt", GOVERN_DENIED, "secure_gdelt");
    expect_refused(f, "WITH \"Business_Gold\"(a) AS MATERIALIZED (SELECT Actor1Name FROM gdelt_silver) SELECT a FROM \"Business_Gold\"", GOVERN_DENIED, "Business_Gold");
    expect_refused(f, "SELECT * FROM (WITH secure_gdelt AS (SELECT Actor1Name AS Actor FROM gdelt_silver) SELECT * FROM secure_gdelt)", GOVERN_DENIED, "secure_gdelt");
    expect_refused(f, "WITH/**/[secure_gdelt]/* x */AS--y\n(SELECT Actor1Name AS Actor FROM gdelt_silver) SELECT * FROM [secure_gdelt]", GOVERN_DENIED, "secure_gdelt");
    expect_refused(f, "WITH `business_gold` AS (SELECT user AS title FROM wikimedia_silver) SELECT * FROM business_gold", GOVERN_DENIED, "business_gold");
    expect_refused(f, "WITH a AS (SELECT 1), secure_gdelt(Actor) AS NOT MATERIALIZED (SELECT Actor1Name FROM gdelt_silver) SELECT * FROM secure_gdelt", GOVERN_DENIED, "secure_gdelt");
    /* views not granted to the caller's groups (another group's), directly or by count */
    expect_refused(f, "SELECT * FROM gdelt_quality", GOVERN_DENIED, "gdelt_quality");
    expect_refused(f, "SELECT 1 FROM gdelt_quality", GOVERN_DENIED, "gdelt_quality");
    expect_refused(f, "SELECT * FROM test_inner", GOVERN_DENIED, "test_inner");
    expect_refused(f, "SELECT count(*) FROM test_inner", GOVERN_DENIED, "test_inner");
    expect_refused(f, "SELECT Actor1Name FROM test_compliance", GOVERN_DENIED, "test_compliance");
    expect_refused(f, "SELECT g.EventID FROM gold_events g WHERE EXISTS (SELECT 1 FROM test_compliance c WHERE c.EventID = g.EventID AND c.Actor1Name LIKE 'Actor 1%')", GOVERN_DENIED, "test_compliance");
    /* schema and pragma table-valued functions */
    expect_refused(f, "SELECT sql FROM sqlite_master", GOVERN_DENIED, "sqlite_master");
    expect_refused(f, "SELECT name FROM sqlite_schema", GOVERN_DENIED, "sqlite_master");
    expect_refused(f, "SELECT * FROM pragma_table_info('gdelt_silver')", GOVERN_DENIED, NULL);
    expect_refused(f, "SELECT * FROM pragma_table_list", GOVERN_DENIED, NULL);
    expect_refused(f, "SELECT name FROM gold_events, pragma_database_list", GOVERN_DENIED, NULL);
    /* ATTACH, PRAGMA, writes, DDL, triggers, transactions */
    expect_refused(f, "ATTACH DATABASE '/tmp/wg_govern_attack.db' AS x", GOVERN_DENIED, "ATTACH");
    expect_refused(f, "DETACH DATABASE main", GOVERN_DENIED, NULL);
    expect_refused(f, "PRAGMA writable_schema = 1", GOVERN_DENIED, "writable_schema");
    expect_refused(f, "PRAGMA writable_schema", GOVERN_DENIED, "writable_schema");
    expect_refused(f, "PRAGMA table_info(gdelt_silver)", GOVERN_DENIED, "table_info");
    expect_refused(f, "PRAGMA query_only = 0", GOVERN_DENIED, "query_only");
    expect_refused(f, "PRAGMA trusted_schema = 1", GOVERN_DENIED, "trusted_schema");
    expect_refused(f, "DELETE FROM gold_events", GOVERN_DENIED, "DELETE on gold_events");
    expect_refused(f, "INSERT INTO gold_events(EventID) VALUES (1)", GOVERN_DENIED, "INSERT on gold_events");
    expect_refused(f, "UPDATE gold_events SET AvgTone = 0", GOVERN_DENIED, "UPDATE on gold_events");
    expect_refused(f, "REPLACE INTO govern_members VALUES ('compliance', 'bob', 'x')", GOVERN_DENIED, "govern_members");
    expect_refused(f, "CREATE TABLE x(a)", GOVERN_DENIED, "CREATE TABLE");
    expect_refused(f, "CREATE TEMP TABLE x(a)", GOVERN_DENIED, "CREATE TABLE");
    expect_refused(f, "CREATE TEMP VIEW v AS SELECT Actor1Name FROM gdelt_silver", GOVERN_DENIED, NULL);
    expect_refused(f, "CREATE TEMP TRIGGER t AFTER INSERT ON gold_events BEGIN DELETE FROM gold_events; END", GOVERN_DENIED, "TRIGGER");
    expect_refused(f, "DROP TABLE gold_events", GOVERN_DENIED, "DROP TABLE");
    expect_refused(f, "DROP VIEW secure_gdelt", GOVERN_DENIED, "DROP VIEW");
    expect_refused(f, "ALTER TABLE gold_events ADD COLUMN x", GOVERN_DENIED, "ALTER TABLE");
    expect_refused(f, "BEGIN", GOVERN_DENIED, NULL);
    expect_refused(f, "VACUUM", GOVERN_DENIED, NULL);
    expect_refused(f, "ANALYZE", GOVERN_DENIED, NULL);
    expect_refused(f, "REINDEX", GOVERN_DENIED, NULL);
    /* functions off the allow-list */
    expect_refused(f, "SELECT load_extension('/tmp/evil.so')", GOVERN_DENIED, "load_extension");
    expect_refused(f, "SELECT sqlite_compileoption_get(0)", GOVERN_DENIED, "sqlite_compileoption_get");
    expect_refused(f, "SELECT fts3_tokenizer('simple')", GOVERN_DENIED, "fts3_tokenizer");
    /* stacked statements */
    expect_refused(f, "SELECT 1; DROP TABLE gold_events", GOVERN_BAD_SQL, "one statement");
    expect_refused(f, "SELECT 1; SELECT 2", GOVERN_BAD_SQL, "one statement");
    expect_refused(f, "SELECT 1 /* c */ ; -- x\n ; DELETE FROM gold_events", GOVERN_BAD_SQL, "one statement");
    expect_refused(f, "", GOVERN_BAD_SQL, "empty");
    expect_refused(f, " ; -- nothing", GOVERN_BAD_SQL, "empty");
    expect_refused(f, "SELEC 1", GOVERN_BAD_SQL, "syntax");
    /* a query that never ends, and a cross join too big to finish, stopped by the deadline */
    outcome o = run(f, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r", 300);
    assert_int_equal(o.rc, GOVERN_TIMEOUT);
    assert_int_equal(o.rows, 0);
    o = run(f, "SELECT count(*) FROM gold_events a, gold_events b, gold_events c, gold_events d", 300);
    assert_int_equal(o.rc, GOVERN_TIMEOUT);
    assert_non_null(strstr(o.err, "time limit"));
    /* still allowed afterwards */
    expect_rows(f, "SELECT count(*) FROM gold_events", 1, "300");

    bind(f, "dana");
    expect_refused(f, "SELECT * FROM gdelt_quarantine", GOVERN_DENIED, "gdelt_quarantine");
    expect_refused(f, "SELECT * FROM govern_audit", GOVERN_DENIED, "govern_audit");
    expect_refused(f, "SELECT token_sha256 FROM govern_principals", GOVERN_DENIED, "govern_principals");
    expect_refused(f, "SELECT Actor1Name FROM gdelt_silver UNION SELECT flow FROM checkpoints", GOVERN_DENIED, "checkpoints");
    expect_refused(f, "DELETE FROM gdelt_silver", GOVERN_DENIED, "DELETE");
    expect_refused(f, "SELECT * FROM gdelt_silver; DELETE FROM gdelt_silver", GOVERN_BAD_SQL, NULL);
    /* even the owner's session is read-only */
    bind(f, "owner");
    expect_refused(f, "DELETE FROM gold_events", GOVERN_DENIED, "DELETE");
    expect_refused(f, "ATTACH DATABASE ':memory:' AS m", GOVERN_DENIED, "ATTACH");
    expect_rows(f, "SELECT count(*) FROM govern_principals", 1, "3");

    checksum(f->rw, after);
    assert_string_equal(before, after);
}

static void test_allowed(void **state)
{
    fixture *f = *state;
    bind(f, "bob");
    /* the report's listing 6 and the gold views */
    expect_rows(f, "SELECT ActionGeo_Lat, ActionGeo_Long, COUNT(*) as events FROM gold_events GROUP BY 1,2", 20, NULL);
    expect_rows(f, "SELECT count(*) FROM business_gold", 1, "20");
    expect_rows(f, "SELECT 1 FROM business_gold", 20, "1");
    expect_rows(f, "SELECT * FROM gold_mismatch", 1, "300"); /* reads gold_late: definer's rights */
    expect_rows(f, "SELECT count(*) FROM breaking_news_gold", 1, "0");
    expect_rows(f, "SELECT * FROM test_outer ORDER BY EventID LIMIT 1", 1, "1001"); /* view over an ungranted view */
    expect_rows(f, "SELECT count(*) FROM test_outer", 1, "300");
    expect_rows(f, "SELECT events FROM test_count", 1, "300"); /* count(*) inside a granted view */
    expect_rows(f, "WITH top AS (SELECT title, cosine_sim FROM business_gold ORDER BY cosine_sim DESC LIMIT 3) SELECT count(*) FROM top", 1, "3");
    expect_rows(f, "SELECT b.title, w.wiki FROM business_gold b JOIN business_wiki_edits w ON w.title = b.title LIMIT 5", 5, NULL);
    expect_rows(f, "SELECT * FROM json_each('[1,2,3]')", 3, "0");
    expect_rows(f, "SELECT date_trunc('hour', event_time), DATE_SUB(CURRENT_DATE(), 7) FROM gold_events LIMIT 1", 1, "2024-07-14 13:00:00");
    expect_rows(f, "PRAGMA table_info(gold_events)", -1, "0");
    expect_rows(f, "SELECT current_user()", 1, "bob");
    assert_true(govern_session_may_read(f->s, "gold_events"));
    assert_true(govern_session_may_read(f->s, "SECURE_GDELT"));
    assert_false(govern_session_may_read(f->s, "gdelt_silver"));
    assert_false(govern_session_may_read(f->s, "test_inner"));
    assert_false(govern_session_may_read(f->s, "sqlite_master"));
    /* governance's own queries work on the session's connection; anything else prepared there
       directly is refused (the internal pass is not left open) */
    govern_principal p;
    char e[512];
    assert_int_equal(govern_authenticate(f->ro, f->tok_bob, &p, e, sizeof e), GOVERN_OK);
    assert_true(govern_may_read(f->ro, &p, "gold_events"));
    assert_false(govern_may_read(f->ro, &p, "gdelt_silver"));
    sqlite3_stmt *raw = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->ro, "SELECT 1 FROM gold_events", -1, &raw, NULL), SQLITE_AUTH);
    sqlite3_finalize(raw);
    govern_session_trusted(f->s, 1);
    assert_int_equal(sqlite3_prepare_v2(f->ro, "SELECT name FROM pragma_table_info('gold_events')", -1, &raw, NULL), SQLITE_OK);
    sqlite3_finalize(raw);
    govern_session_trusted(f->s, 0);
    assert_int_equal(sqlite3_prepare_v2(f->ro, "SELECT 1 FROM gold_events", -1, &raw, NULL), SQLITE_AUTH);
    sqlite3_finalize(raw);
    /* revoke removes the layer; granting back restores it */
    char err[512];
    assert_int_equal(govern_revoke(f->rw, "layer:gold", "business_users", err, sizeof err), GOVERN_OK);
    assert_int_equal(govern_revoke(f->rw, "layer:gold", "business_users", err, sizeof err), GOVERN_NOT_FOUND);
    bind(f, "bob");
    expect_refused(f, "SELECT count(*) FROM gold_events", GOVERN_DENIED, "gold_events");
    expect_rows(f, "SELECT count(*) FROM business_gold", 1, "20"); /* granted by name too */
    assert_int_equal(govern_grant(f->rw, "layer:gold", "business_users", err, sizeof err), GOVERN_OK);
    bind(f, "bob");
    expect_rows(f, "SELECT count(*) FROM gold_events", 1, "300");

    bind(f, "dana");
    /* listings 7 and 8 */
    expect_rows(f, "SELECT DATE_TRUNC('hour', event_time) as hour, AVG(AvgTone) as sentiment FROM gdelt_silver GROUP BY 1", 4, NULL);
    expect_rows(f, "SELECT g.EventCode, w.wiki, AVG(c.cosine_sim) as similarity FROM correlated_gold_events c"
                   " JOIN gdelt_silver g ON c.EventID = g.EventID JOIN wikimedia_silver w ON c.title = w.title GROUP BY 1,2",
                2, NULL);
    expect_rows(f, "SELECT count(*) FROM gdelt_bronze", 1, "0");
    /* the schema table opens only by an explicit grant */
    expect_refused(f, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'", GOVERN_DENIED, "sqlite_master");
    assert_int_equal(govern_grant(f->rw, "SQLITE_MASTER", "data_scientists", err, sizeof err), GOVERN_OK);
    bind(f, "dana");
    expect_rows(f, "SELECT count(*) > 10 FROM sqlite_schema WHERE type = 'table'", 1, "1");
    assert_int_equal(govern_revoke(f->rw, "sqlite_schema", "data_scientists", err, sizeof err), GOVERN_OK);
    bind(f, "dana");
    expect_refused(f, "SELECT count(*) FROM sqlite_master", GOVERN_DENIED, "sqlite_master");
}

static void test_masking(void **state)
{
    fixture *f = *state;
    char err[512];
    const char *q = "SELECT Actor, is_executive FROM secure_gdelt WHERE EventID = 1001";
    bind(f, "carol");
    expect_rows(f, q, 1, "Actor 1");
    expect_rows(f, "SELECT is_executive FROM secure_gdelt WHERE EventID = 1001", 1, "0");
    expect_rows(f, "SELECT user FROM wikimedia_silver WHERE event_id = 'e1'", 1, "Editor1");
    expect_rows(f, "SELECT user FROM business_wiki_edits WHERE title = 'Page 1' ORDER BY silver_id", -1, "Editor1");
    expect_rows(f, "SELECT Actor1Name FROM test_compliance WHERE EventID = 1002", 1, "Actor 2");
    bind(f, "bob");
    expect_rows(f, q, 1, "REDACTED");
    expect_rows(f, "SELECT count(*) FROM secure_gdelt WHERE Actor <> 'REDACTED'", 1, "0");
    expect_rows(f, "SELECT is_executive FROM secure_gdelt WHERE EventID = 1001", 1, "0");
    expect_rows(f, "SELECT user FROM business_wiki_edits ORDER BY silver_id", 20, "REDACTED");
    expect_rows(f, "SELECT count(*) FROM business_wiki_edits WHERE comment <> 'REDACTED'", 1, "0");
    /* is_executive follows membership of executive */
    assert_int_equal(govern_group_add_member(f->rw, "executive", "bob", err, sizeof err), GOVERN_OK);
    bind(f, "bob");
    expect_rows(f, "SELECT is_executive FROM secure_gdelt WHERE EventID = 1001", 1, "1");
    expect_rows(f, q, 1, "REDACTED");
    expect_rows(f, "SELECT is_member('executive'), is_member('compliance')", 1, "1");
    assert_int_equal(govern_group_remove_member(f->rw, "executive", "bob", err, sizeof err), GOVERN_OK);
    bind(f, "bob");
    expect_rows(f, "SELECT is_executive FROM secure_gdelt WHERE EventID = 1001", 1, "0");
    /* personal columns read as NULL outside compliance, also in WHERE (no inference) */
    bind(f, "dana");
    expect_rows(f, "SELECT user FROM wikimedia_silver WHERE event_id = 'e1'", 1, "NULL");
    expect_rows(f, "SELECT comment FROM wikimedia_silver WHERE event_id = 'e1'", 1, "NULL");
    expect_rows(f, "SELECT count(*) FROM wikimedia_silver WHERE user = 'Editor1'", 1, "0");
    expect_rows(f, "SELECT title FROM wikimedia_silver WHERE event_id = 'e1'", 1, "Page 1");
    expect_rows(f, "SELECT Actor FROM secure_gdelt WHERE EventID = 1001", 1, "REDACTED");
    expect_rows(f, "SELECT Actor1Name FROM gdelt_silver WHERE EventID = 1001", 1, "Actor 1");
}

static void test_audit(void **state)
{
    fixture *f = *state;
    govern_audit_entry e = {"bob", "cli", "sql --as", "SELECT 1", "refused", "refused: x", 0, 1.5};
    for (int i = 0; i < 5; i++) assert_int_equal(govern_audit_write(f->rw, &e), 0);
    exec_ok(f->rw, "UPDATE govern_audit SET ts = '2000-01-01 00:00:00.000' WHERE id = 1");
    assert_int_equal(govern_audit_prune(f->rw, 30, 3), 0);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(f->rw, "SELECT count(*), min(id) FROM govern_audit", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 3);
    assert_int_equal(sqlite3_column_int(st, 1), 3);
    sqlite3_finalize(st);
    bind(f, "carol");
    expect_rows(f, "SELECT principal, outcome FROM govern_audit ORDER BY id", 3, "bob");
    bind(f, "bob");
    expect_refused(f, "SELECT * FROM govern_audit", GOVERN_DENIED, "govern_audit");
}

/* Every catalogued governance table and view has its columns described. */
static void test_catalog(void **state)
{
    fixture *f = *state;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(f->rw,
                                        "SELECT t.table_name || '.' || p.name FROM catalog_tables t, pragma_table_info(t.table_name) p"
                                        " WHERE t.owner = 'govern' AND NOT EXISTS (SELECT 1 FROM catalog_columns c"
                                        " WHERE c.table_name = t.table_name AND c.column_name = p.name)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) fail_msg("no description for %s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_masking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
