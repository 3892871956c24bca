/* Governance administration: `principal`, `group`, `grant` and `revoke` (the local owner's,
 * on the read-write store). A new or rotated token is printed once on stdout and never again:
 * only its SHA-256 is kept. Usage errors exit 2, a missing principal/group/object or a storage
 * error exits 1. */
#include "cli/commands.h"

#include "govern/govern.h"
#include "store/store.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int print_token(const char *name, char *token, const char *what)
{
    printf("%s\n", token);
    fflush(stdout);
    fprintf(stderr, "wikigdelt: %s token for principal '%s' printed above; it is not stored and will not be shown again\n",
            what, name);
    OPENSSL_cleanse(token, strlen(token));
    return 0;
}

static int principal_list(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT p.name, COALESCE((SELECT group_concat(group_name, ',') FROM"
                           " (SELECT group_name FROM govern_members m WHERE m.principal = p.name ORDER BY 1)), ''),"
                           " p.created_at, COALESCE(p.rotated_at, '') FROM govern_principals p ORDER BY p.name",
                           -1, &st, NULL) != SQLITE_OK)
        return app_runtime_error("principal list: %s", sqlite3_errmsg(db));
    printf("%-24s %-40s %-19s %s\n", "name", "groups", "created", "rotated");
    while (sqlite3_step(st) == SQLITE_ROW)
        printf("%-24s %-40s %-19s %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
               sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    return 0;
}

int cmd_principal(app *a, int argc, char **argv)
{
    const char *usage = "usage: wikigdelt principal add|rotate|remove NAME | principal list";
    if (argc < 2) return app_usage_error("%s", usage);
    const char *sub = argv[1];
    if (!strcmp(sub, "list")) {
        if (argc != 2) return app_usage_error("%s", usage);
        sqlite3 *db = app_db(a);
        return db ? principal_list(db) : 1;
    }
    if (strcmp(sub, "add") && strcmp(sub, "rotate") && strcmp(sub, "remove"))
        return app_usage_error("principal: unknown sub-command '%s' (%s)", sub, usage);
    if (argc != 3) return app_usage_error("%s", usage);
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    char err[WG_ERR_LEN], token[GOVERN_TOKEN_BUF];
    int rc;
    if (!strcmp(sub, "add")) {
        rc = govern_principal_add(db, argv[2], token, sizeof token, err, sizeof err);
        if (rc == GOVERN_OK) return print_token(argv[2], token, "new");
    } else if (!strcmp(sub, "rotate")) {
        rc = govern_principal_rotate(db, argv[2], token, sizeof token, err, sizeof err);
        if (rc == GOVERN_OK) return print_token(argv[2], token, "rotated: the old token no longer works; new");
    } else {
        rc = govern_principal_remove(db, argv[2], err, sizeof err);
        if (rc == GOVERN_OK) {
            printf("removed principal %s\n", argv[2]);
            return 0;
        }
    }
    return app_runtime_error("principal %s: %s", sub, err);
}

static int group_list(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT g.name,"
                           " COALESCE((SELECT group_concat(principal, ',') FROM (SELECT principal FROM govern_members m"
                           "   WHERE m.group_name = g.name ORDER BY 1)), ''),"
                           " COALESCE((SELECT group_concat(object, ',') FROM (SELECT object FROM govern_grants r"
                           "   WHERE r.group_name = g.name ORDER BY 1)), ''),"
                           " g.description FROM govern_groups g ORDER BY g.name",
                           -1, &st, NULL) != SQLITE_OK)
        return app_runtime_error("group list: %s", sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW) {
        printf("%s\n  members: %s\n  reads:   %s\n  about:   %s\n", sqlite3_column_text(st, 0),
               *sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "(none)",
               *sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "(nothing)",
               sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    return 0;
}

int cmd_group(app *a, int argc, char **argv)
{
    const char *usage = "usage: wikigdelt group add-member|remove-member GROUP NAME | group create GROUP [DESCRIPTION] | group list";
    if (argc < 2) return app_usage_error("%s", usage);
    const char *sub = argv[1];
    char err[WG_ERR_LEN];
    if (!strcmp(sub, "list")) {
        if (argc != 2) return app_usage_error("%s", usage);
        sqlite3 *db = app_db(a);
        return db ? group_list(db) : 1;
    }
    if (!strcmp(sub, "create")) {
        if (argc != 3 && argc != 4) return app_usage_error("%s", usage);
        sqlite3 *db = app_db(a);
        if (!db) return 1;
        if (govern_group_create(db, argv[2], argc == 4 ? argv[3] : "", err, sizeof err) != GOVERN_OK)
            return app_runtime_error("group create: %s", err);
        printf("created group %s\n", argv[2]);
        return 0;
    }
    int add = !strcmp(sub, "add-member");
    if (!add && strcmp(sub, "remove-member")) return app_usage_error("group: unknown sub-command '%s' (%s)", sub, usage);
    if (argc != 4) return app_usage_error("%s", usage);
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    int rc = add ? govern_group_add_member(db, argv[2], argv[3], err, sizeof err)
                 : govern_group_remove_member(db, argv[2], argv[3], err, sizeof err);
    if (rc != GOVERN_OK) return app_runtime_error("group %s: %s", sub, err);
    printf("%s %s %s %s\n", add ? "added" : "removed", argv[3], add ? "to" : "from", argv[2]);
    return 0;
}

/* grant select on OBJECT to GROUP / revoke select on OBJECT from GROUP */
static int grant_or_revoke(app *a, int argc, char **argv, int grant)
{
    const char *word = grant ? "to" : "from";
    if (argc != 6 || strcasecmp(argv[1], "select") || strcasecmp(argv[2], "on") || strcasecmp(argv[4], word))
        return app_usage_error("usage: wikigdelt %s select on OBJECT %s GROUP (OBJECT: a table, a view, layer:NAME or '*';"
                               " only select exists: nobody writes through a principal)",
                               argv[0], word);
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    char err[WG_ERR_LEN];
    int rc = grant ? govern_grant(db, argv[3], argv[5], err, sizeof err) : govern_revoke(db, argv[3], argv[5], err, sizeof err);
    if (rc != GOVERN_OK) return app_runtime_error("%s: %s", argv[0], err);
    printf("%s select on %s %s %s\n", grant ? "granted" : "revoked", argv[3], word, argv[5]);
    return 0;
}

int cmd_grant(app *a, int argc, char **argv)
{
    return grant_or_revoke(a, argc, argv, 1);
}

int cmd_revoke(app *a, int argc, char **argv)
{
    return grant_or_revoke(a, argc, argv, 0);
}
