/* Governance administration (principals, tokens, groups, grants), identity (token -> principal,
 * groups, may-read) and the audit log. The session side (authorizer, prepare, deadline) is in
 * session.c. Tokens: 32 bytes from the OS (getrandom), printed once as hex; only the hex SHA-256
 * is stored; a presented token is compared with every stored digest by CRYPTO_memcmp, with no
 * early exit. */
#include "govern/govern.h"
#include "govern/govern_internal.h"
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

_Thread_local int govern_internal_depth;

#define NOW "strftime('%Y-%m-%d %H:%M:%S','now')"

static void seterr(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
    if (err && errlen) snprintf(err, errlen, fmt, a ? a : "", b ? b : "");
}

int govern_valid_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= GOVERN_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!(isalnum(c) || c == '_' || c == '-' || c == '.' || c == '@')) return 0;
    }
    return 1;
}

/* Prepares governance's own fixed SQL (a session's authorizer lets it through). */
static int internal_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    govern_internal_depth++;
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    govern_internal_depth--;
    return rc;
}

/* Runs one statement with up to two text parameters; returns sqlite3_changes or -1. */
static int exec2(sqlite3 *db, const char *sql, const char *a, const char *b, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc = internal_prepare(db, sql, &st);
    if (rc != SQLITE_OK) {
        store_fail(db, err, errlen, "governance tables");
        return -1;
    }
    if (a) sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    if (b) sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_fail(db, err, errlen, "governance tables");
        return -1;
    }
    return sqlite3_changes(db);
}

/* 1 if the query (two optional text parameters) returns a row, 0 if not, -1 on error. */
static int exists2(sqlite3 *db, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st;
    govern_internal_depth++; /* through the step: a re-prepare happens there */
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        govern_internal_depth--;
        return -1;
    }
    if (a) sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    if (b) sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    govern_internal_depth--;
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

void govern_sha256_hex(const char *text, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

/* 32 random bytes from the OS (getrandom, falling back to OpenSSL's CSPRNG), as 64 hex digits. */
static int new_token(char *token, size_t tokenlen, char *err, size_t errlen)
{
    if (tokenlen < 2 * GOVERN_TOKEN_BYTES + 1) {
        seterr(err, errlen, "token buffer too small%s%s", NULL, NULL);
        return -1;
    }
    unsigned char raw[GOVERN_TOKEN_BYTES];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        got += (size_t)n;
    }
    if (got < sizeof raw && RAND_bytes(raw, (int)sizeof raw) != 1) {
        seterr(err, errlen, "no random bytes from the OS%s%s", NULL, NULL);
        return -1;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof raw; i++) {
        token[2 * i] = hex[raw[i] >> 4];
        token[2 * i + 1] = hex[raw[i] & 15];
    }
    token[2 * sizeof raw] = '\0';
    OPENSSL_cleanse(raw, sizeof raw);
    return 0;
}

/* A new token for principal name into token; sql stores its SHA-256 (?1 = name, ?2 = digest).
 * The token is wiped when it could not be stored. */
static int issue_token(sqlite3 *db, const char *sql, const char *name, char *token, size_t tokenlen, char *err,
                       size_t errlen)
{
    if (new_token(token, tokenlen, err, errlen) != 0) return GOVERN_ERROR;
    char digest[65];
    govern_sha256_hex(token, digest);
    if (exec2(db, sql, name, digest, err, errlen) < 0) {
        OPENSSL_cleanse(token, tokenlen);
        return GOVERN_ERROR;
    }
    return GOVERN_OK;
}

int govern_principal_add(sqlite3 *db, const char *name, char *token, size_t tokenlen, char *err, size_t errlen)
{
    if (!govern_valid_name(name)) {
        seterr(err, errlen, "principal name '%s' is not valid: 1-63 letters, digits, '.', '_', '-' or '@'%s", name, NULL);
        return GOVERN_ERROR;
    }
    if (!strcasecmp(name, GOVERN_OWNER_NAME)) {
        seterr(err, errlen, "'%s' is the local owner's name and cannot be a principal%s", name, NULL);
        return GOVERN_ERROR;
    }
    int ex = exists2(db, "SELECT 1 FROM govern_principals WHERE name = ?1", name, NULL);
    if (ex != 0) {
        seterr(err, errlen, ex > 0 ? "principal '%s' already exists (rotate its token with: principal rotate %s)"
                                   : "cannot read govern_principals%s%s", ex > 0 ? name : NULL, ex > 0 ? name : NULL);
        return GOVERN_ERROR;
    }
    return issue_token(db, "INSERT INTO govern_principals(name, token_sha256, created_at) VALUES (?1, ?2, " NOW ")",
                       name, token, tokenlen, err, errlen);
}

int govern_principal_rotate(sqlite3 *db, const char *name, char *token, size_t tokenlen, char *err, size_t errlen)
{
    int ex = exists2(db, "SELECT 1 FROM govern_principals WHERE name = ?1", name, NULL);
    if (ex <= 0) {
        seterr(err, errlen, ex == 0 ? "no principal named '%s' (list them with: principal list)%s" : "cannot read govern_principals%s%s", ex == 0 ? name : NULL, NULL);
        return ex == 0 ? GOVERN_NOT_FOUND : GOVERN_ERROR;
    }
    return issue_token(db, "UPDATE govern_principals SET token_sha256 = ?2, rotated_at = " NOW " WHERE name = ?1", name,
                       token, tokenlen, err, errlen);
}

int govern_principal_remove(sqlite3 *db, const char *name, char *err, size_t errlen)
{
    if (store_begin(db) != 0) {
        store_fail(db, err, errlen, "cannot start a transaction");
        return GOVERN_ERROR;
    }
    int n = exec2(db, "DELETE FROM govern_principals WHERE name = ?1", name, NULL, err, errlen);
    if (n < 0 || exec2(db, "DELETE FROM govern_members WHERE principal = ?1", name, NULL, err, errlen) < 0) {
        store_rollback(db);
        return GOVERN_ERROR;
    }
    if (n == 0) {
        store_rollback(db);
        seterr(err, errlen, "no principal named '%s' (list them with: principal list)%s", name, NULL);
        return GOVERN_NOT_FOUND;
    }
    if (store_commit(db) != 0) {
        store_fail(db, err, errlen, "cannot commit");
        return GOVERN_ERROR;
    }
    return GOVERN_OK;
}

int govern_group_create(sqlite3 *db, const char *group, const char *description, char *err, size_t errlen)
{
    if (!govern_valid_name(group)) {
        seterr(err, errlen, "group name '%s' is not valid: 1-63 letters, digits, '.', '_', '-' or '@'%s", group, NULL);
        return GOVERN_ERROR;
    }
    int n = exec2(db, "INSERT OR IGNORE INTO govern_groups VALUES (?1, COALESCE(?2, ''), " NOW ")", group,
                  description ? description : "", err, errlen);
    if (n < 0) return GOVERN_ERROR;
    if (n == 0) {
        seterr(err, errlen, "group '%s' already exists%s", group, NULL);
        return GOVERN_ERROR;
    }
    return GOVERN_OK;
}

static int need_group(sqlite3 *db, const char *group, char *err, size_t errlen)
{
    int ex = exists2(db, "SELECT 1 FROM govern_groups WHERE name = ?1", group, NULL);
    if (ex == 1) return GOVERN_OK;
    seterr(err, errlen, ex == 0 ? "no group named '%s' (list them with: group list)%s" : "cannot read govern_groups%s%s",
           ex == 0 ? group : NULL, NULL);
    return ex == 0 ? GOVERN_NOT_FOUND : GOVERN_ERROR;
}

int govern_group_add_member(sqlite3 *db, const char *group, const char *name, char *err, size_t errlen)
{
    int rc = need_group(db, group, err, errlen);
    if (rc != GOVERN_OK) return rc;
    int ex = exists2(db, "SELECT 1 FROM govern_principals WHERE name = ?1", name, NULL);
    if (ex != 1) {
        seterr(err, errlen, ex == 0 ? "no principal named '%s' (add it with: principal add %s)" : "cannot read govern_principals%s%s",
               ex == 0 ? name : NULL, ex == 0 ? name : NULL);
        return ex == 0 ? GOVERN_NOT_FOUND : GOVERN_ERROR;
    }
    if (exec2(db, "INSERT OR IGNORE INTO govern_members VALUES (?1, ?2, " NOW ")", group, name, err, errlen) < 0)
        return GOVERN_ERROR;
    return GOVERN_OK;
}

/* The group must exist; then the DELETE sql with ?1 = p1, ?2 = p2. When it deleted nothing:
 * GOVERN_NOT_FOUND and none_fmt with a and b. */
static int delete_in_group(sqlite3 *db, const char *group, const char *sql, const char *p1, const char *p2,
                           const char *none_fmt, const char *a, const char *b, char *err, size_t errlen)
{
    int rc = need_group(db, group, err, errlen);
    if (rc != GOVERN_OK) return rc;
    int n = exec2(db, sql, p1, p2, err, errlen);
    if (n < 0) return GOVERN_ERROR;
    if (n == 0) {
        seterr(err, errlen, none_fmt, a, b);
        return GOVERN_NOT_FOUND;
    }
    return GOVERN_OK;
}

int govern_group_remove_member(sqlite3 *db, const char *group, const char *name, char *err, size_t errlen)
{
    return delete_in_group(db, group, "DELETE FROM govern_members WHERE group_name = ?1 AND principal = ?2", group, name,
                           "'%s' is not a member of '%s'", name, group, err, errlen);
}

/* OBJECT: *, layer:NAME, or the name of a table or view (stored as the schema spells it). */
static int check_object(sqlite3 *db, const char *object, char *canon, size_t canonlen, char *err, size_t errlen)
{
    if (!strcmp(object, "*")) {
        snprintf(canon, canonlen, "*");
        return GOVERN_OK;
    }
    if (!strcasecmp(object, "sqlite_schema") || !strcasecmp(object, "sqlite_master")) {
        snprintf(canon, canonlen, "sqlite_schema"); /* the schema table is not listed in itself */
        return GOVERN_OK;
    }
    if (!strncasecmp(object, "layer:", 6)) {
        static const char *const layers[] = {"bronze", "silver", "gold", "system", "ledger", "quarantine", "view"};
        for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++)
            if (!strcasecmp(object + 6, layers[i])) {
                snprintf(canon, canonlen, "layer:%s", layers[i]);
                return GOVERN_OK;
            }
        seterr(err, errlen, "unknown layer in '%s': use layer:bronze, silver, gold, system, ledger, quarantine or view%s", object, NULL);
        return GOVERN_ERROR;
    }
    sqlite3_stmt *st;
    int rc = internal_prepare(db, "SELECT name FROM sqlite_schema WHERE type IN ('table','view') AND name = ?1 COLLATE NOCASE", &st);
    if (rc != SQLITE_OK) {
        store_fail(db, err, errlen, "cannot read the schema");
        return GOVERN_ERROR;
    }
    sqlite3_bind_text(st, 1, object, -1, SQLITE_TRANSIENT);
    rc = GOVERN_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(canon, canonlen, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = GOVERN_OK;
    }
    sqlite3_finalize(st);
    if (rc != GOVERN_OK)
        seterr(err, errlen, "no table or view named '%s' (OBJECT is a table, a view, layer:NAME or *)%s", object, NULL);
    return rc;
}

int govern_grant(sqlite3 *db, const char *object, const char *group, char *err, size_t errlen)
{
    char canon[256];
    int rc = check_object(db, object, canon, sizeof canon, err, errlen);
    if (rc != GOVERN_OK) return rc;
    if ((rc = need_group(db, group, err, errlen)) != GOVERN_OK) return rc;
    if (exec2(db, "INSERT OR IGNORE INTO govern_grants VALUES (?1, ?2, 'select', " NOW ")", canon, group, err, errlen) < 0)
        return GOVERN_ERROR;
    return GOVERN_OK;
}

int govern_revoke(sqlite3 *db, const char *object, const char *group, char *err, size_t errlen)
{
    return delete_in_group(db, group, "DELETE FROM govern_grants WHERE object = ?1 COLLATE NOCASE AND group_name = ?2",
                           object, group, "no grant of '%s' to '%s' (see: group list)", object, group, err, errlen);
}

/* ---- identity ---- */

void govern_principal_owner(govern_principal *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", GOVERN_OWNER_NAME);
    out->owner = 1;
}

govern_result govern_principal_load(sqlite3 *db, const char *name, govern_principal *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!name || !govern_valid_name(name)) {
        seterr(err, errlen, "no principal named '%s'%s", name ? name : "", NULL);
        return GOVERN_NOT_FOUND;
    }
    sqlite3_stmt *st;
    govern_internal_depth++;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT p.name, m.group_name FROM govern_principals p"
                                " LEFT JOIN govern_members m ON m.principal = p.name"
                                " WHERE p.name = ?1 ORDER BY m.group_name",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        govern_internal_depth--;
        store_fail(db, err, errlen, "cannot read govern_principals");
        return GOVERN_ERROR;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int found = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!found) snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(st, 0));
        found = 1;
        const char *g = (const char *)sqlite3_column_text(st, 1);
        if (g && out->ngroups < GOVERN_MAX_GROUPS)
            snprintf(out->groups[out->ngroups++], GOVERN_NAME_MAX, "%s", g);
    }
    sqlite3_finalize(st);
    govern_internal_depth--;
    if (rc != SQLITE_DONE) {
        store_fail(db, err, errlen, "cannot read govern_principals");
        return GOVERN_ERROR;
    }
    if (!found) {
        seterr(err, errlen, "no principal named '%s' (add it with: principal add %s)", name, name);
        return GOVERN_NOT_FOUND;
    }
    return GOVERN_OK;
}

govern_result govern_authenticate(sqlite3 *db, const char *token, govern_principal *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char digest[65];
    /* Any text is hashed the same way, so the work does not depend on the token's shape. */
    govern_sha256_hex(token ? token : "", digest);
    sqlite3_stmt *st;
    govern_internal_depth++;
    int rc = sqlite3_prepare_v2(db, "SELECT name, token_sha256 FROM govern_principals", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        govern_internal_depth--;
        store_fail(db, err, errlen, "cannot read govern_principals");
        return GOVERN_ERROR;
    }
    char match[GOVERN_NAME_MAX] = "";
    int found = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *stored = (const char *)sqlite3_column_text(st, 1);
        if (!stored || sqlite3_column_bytes(st, 1) != 64) continue;
        int same = CRYPTO_memcmp(stored, digest, 64) == 0;
        if (same && !found) {
            snprintf(match, sizeof match, "%s", (const char *)sqlite3_column_text(st, 0));
            found = 1;
        }
    }
    sqlite3_finalize(st);
    govern_internal_depth--;
    if (rc != SQLITE_DONE) {
        store_fail(db, err, errlen, "cannot read govern_principals");
        return GOVERN_ERROR;
    }
    size_t tl = token ? strlen(token) : 0;
    if (!found || tl != 2 * GOVERN_TOKEN_BYTES) {
        seterr(err, errlen, "%s%s", tl ? "invalid token" : "no token", NULL);
        return GOVERN_NOT_FOUND;
    }
    return govern_principal_load(db, match, out, err, errlen);
}

int govern_is_member(const govern_principal *p, const char *group)
{
    if (!p || !group) return 0;
    if (p->owner) return 1;
    for (int i = 0; i < p->ngroups; i++)
        if (!strcmp(p->groups[i], group)) return 1;
    return 0;
}

/* The JSON array of the principal's groups, for json_each() in the grant queries. */
static char *groups_json(const govern_principal *p)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    sqlite3_str_appendchar(s, 1, '[');
    for (int i = 0; i < p->ngroups; i++)
        sqlite3_str_appendf(s, "%s\"%w\"", i ? "," : "", p->groups[i]);
    sqlite3_str_appendchar(s, 1, ']');
    return sqlite3_str_finish(s);
}

const char *govern_readable_sql =
    "SELECT s.name, s.type FROM sqlite_schema s"
    " LEFT JOIN catalog_tables c ON c.table_name = s.name"
    " WHERE s.type IN ('table','view') AND EXISTS (SELECT 1 FROM govern_grants g"
    "   WHERE g.group_name IN (SELECT value FROM json_each(?1))"
    "     AND (g.object = s.name COLLATE NOCASE"
    "          OR (g.object = 'sqlite_schema' AND s.name = 'sqlite_master')"
    "          OR g.object = 'layer:' || c.layer"
    "          OR (g.object = 'layer:view' AND s.type = 'view')"
    "          OR (g.object = '*' AND c.layer IS NOT NULL AND c.layer <> 'govern')))";

int govern_may_read(sqlite3 *db, const govern_principal *p, const char *object)
{
    if (!p || !object) return 0;
    if (p->owner) return 1;
    char *groups = groups_json(p);
    sqlite3_str *q = sqlite3_str_new(NULL);
    sqlite3_str_appendf(q, "SELECT 1 FROM (%s) WHERE name = ?2 COLLATE NOCASE", govern_readable_sql);
    char *sql = sqlite3_str_finish(q);
    int ok = exists2(db, sql, groups, object);
    if (ok != 1 && (!strcasecmp(object, "sqlite_master") || !strcasecmp(object, "sqlite_schema"))) {
        /* sqlite_schema is not in sqlite_schema: only an explicit grant opens it. */
        char *q2 = sqlite3_mprintf("SELECT 1 FROM govern_grants WHERE group_name IN (SELECT value FROM json_each(?1))"
                                   " AND object IN ('sqlite_master','sqlite_schema') AND ?2 IS NOT NULL");
        ok = exists2(db, q2, groups, object);
        sqlite3_free(q2);
    }
    sqlite3_free(sql);
    sqlite3_free(groups);
    return ok == 1;
}

char *govern_groups_json(const govern_principal *p)
{
    return groups_json(p);
}

/* ---- audit ---- */

int govern_audit_write(sqlite3 *db, const govern_audit_entry *e)
{
    sqlite3_stmt *st;
    int rc = internal_prepare(db,
                              "INSERT INTO govern_audit(ts, principal, client, route, sql, outcome,"
                              " reason, rows, duration_ms) VALUES"
                              " (strftime('%Y-%m-%d %H:%M:%f','now'), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                              &st);
    if (rc != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, e->principal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->client, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->route, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->sql, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, e->outcome ? e->outcome : "error", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, e->rows);
    sqlite3_bind_double(st, 8, e->duration_ms);
    for (int tries = 0; tries < 50; tries++) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_BUSY) break;
        sqlite3_reset(st);
        sqlite3_sleep(20);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int govern_audit_prune(sqlite3 *db, int64_t retention_days, int64_t max_rows)
{
    int rc = 0;
    govern_internal_depth++;
    if (retention_days > 0 &&
        store_run(db, "DELETE FROM govern_audit WHERE ts < strftime('%Y-%m-%d %H:%M:%f','now', '-' || ?1 || ' days')",
                  "i", retention_days))
        rc = -1;
    if (max_rows > 0 &&
        store_run(db, "DELETE FROM govern_audit WHERE id <= (SELECT MAX(id) FROM govern_audit) - ?1", "i",
                  max_rows))
        rc = -1;
    govern_internal_depth--;
    return rc;
}
