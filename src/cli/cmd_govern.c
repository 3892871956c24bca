/* Governance administration: `principal`, `group`, `grant` and `revoke` (the local owner's,
 * on the read-write store). A new or rotated token is printed once on stdout and never again:
 * only its SHA-256 is kept. Usage errors exit 2, a missing principal/group/object or a storage
 * error exits 1. */
#include "cli/commands.h"
#include "cli/cmd_table.h"

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

/* A listing whose query failed: the store's error, named. */
static int list_failed(sqlite3 *db, const char *what)
{
    char why[WG_ERR_LEN];
    return app_runtime_error("%s", store_errtext(db, why, sizeof why, "%s", what));
}

static int principal_list(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT p.name, COALESCE((SELECT group_concat(group_name, ',') FROM"
                           " (SELECT group_name FROM govern_members m WHERE m.principal = p.name ORDER BY 1)), ''),"
                           " p.created_at, COALESCE(p.rotated_at, '') FROM govern_principals p ORDER BY p.name",
                           -1, &st, NULL) != SQLITE_OK)
        return list_failed(db, "principal list");
    printf("%-24s %-40s %-19s %s\n", "name", "groups", "created", "rotated");
    while (sqlite3_step(st) == SQLITE_ROW)
        printf("%-24s %-40s %-19s %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
               sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    return 0;
}

int cli_principal_sub(app *a, int argc, char **argv)
{
    const char *sub = argv[0];
    int list = !strcmp(sub, "list");
    const cli_command *spec = &cli_principal_subs[!strcmp(sub, "add") ? 0 : !strcmp(sub, "rotate") ? 1 : list ? 3 : 2];
    int first;
    int rc = cli_parse(spec, argc, argv, NULL, NULL, &first);
    if (rc != CLI_GO) return rc;
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    if (list) return principal_list(db);
    const char *name = argv[first];
    char err[WG_ERR_LEN], token[GOVERN_TOKEN_BUF];
    if (!strcmp(sub, "add")) {
        rc = govern_principal_add(db, name, token, sizeof token, err, sizeof err);
        if (rc == GOVERN_OK) return print_token(name, token, "new");
    } else if (!strcmp(sub, "rotate")) {
        rc = govern_principal_rotate(db, name, token, sizeof token, err, sizeof err);
        if (rc == GOVERN_OK) return print_token(name, token, "rotated: the old token no longer works; new");
    } else {
        rc = govern_principal_remove(db, name, err, sizeof err);
        if (rc == GOVERN_OK) {
            printf("removed principal %s\n", name);
            return 0;
        }
    }
    return app_runtime_error("principal %s: %s", sub, err);
}

int cmd_principal(app *a, int argc, char **argv)
{
    return cli_dispatch(a, &cli_principal, argc, argv);
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
        return list_failed(db, "group list");
    while (sqlite3_step(st) == SQLITE_ROW) {
        printf("%s\n  members: %s\n  reads:   %s\n  about:   %s\n", sqlite3_column_text(st, 0),
               *sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "(none)",
               *sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "(nothing)",
               sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    return 0;
}

int cli_group_sub(app *a, int argc, char **argv)
{
    const char *sub = argv[0];
    int k = !strcmp(sub, "add-member") ? 0 : !strcmp(sub, "remove-member") ? 1 : !strcmp(sub, "create") ? 2 : 3;
    int first;
    int rc = cli_parse(&cli_group_subs[k], argc, argv, NULL, NULL, &first);
    if (rc != CLI_GO) return rc;
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    if (k == 3) return group_list(db);
    char err[WG_ERR_LEN];
    if (k == 2) {
        if (govern_group_create(db, argv[first], first + 1 < argc ? argv[first + 1] : "", err, sizeof err) != GOVERN_OK)
            return app_runtime_error("group create: %s", err);
        printf("created group %s\n", argv[first]);
        return 0;
    }
    int add = k == 0;
    rc = add ? govern_group_add_member(db, argv[first], argv[first + 1], err, sizeof err)
             : govern_group_remove_member(db, argv[first], argv[first + 1], err, sizeof err);
    if (rc != GOVERN_OK) return app_runtime_error("group %s: %s", sub, err);
    printf("%s %s %s %s\n", add ? "added" : "removed", argv[first + 1], add ? "to" : "from", argv[first]);
    return 0;
}

int cmd_group(app *a, int argc, char **argv)
{
    return cli_dispatch(a, &cli_group, argc, argv);
}

/* grant select on OBJECT to GROUP / revoke select on OBJECT from GROUP */
static int grant_or_revoke(app *a, int argc, char **argv, int grant)
{
    const char *word = grant ? "to" : "from";
    int first;
    int rc = cli_parse(grant ? &cli_grant : &cli_revoke, argc, argv, NULL, NULL, &first);
    if (rc != CLI_GO) return rc;
    argc -= first - 1;
    argv += first - 1;
    if (argc != 6 || strcasecmp(argv[1], "select") || strcasecmp(argv[2], "on") || strcasecmp(argv[4], word))
        return app_usage_error("usage: wikigdelt %s select on OBJECT %s GROUP (OBJECT: a table, a view, layer:NAME or '*';"
                               " only select exists: nobody writes through a principal)",
                               grant ? "grant" : "revoke", word);
    sqlite3 *db = app_db(a);
    if (!db) return 1;
    char err[WG_ERR_LEN];
    rc = grant ? govern_grant(db, argv[3], argv[5], err, sizeof err) : govern_revoke(db, argv[3], argv[5], err, sizeof err);
    if (rc != GOVERN_OK) return app_runtime_error("%s: %s", grant ? "grant" : "revoke", err);
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
