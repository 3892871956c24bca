/* Governance: principals and their bearer tokens, groups, grants, the SQLite authorizer that
 * enforces them inside the engine, per-caller masking functions and the audit log.
 *
 * Every query made on behalf of a principal (HTTP API, `sql --as`, `describe --as`, `ask --as`)
 * runs on a read-only connection bound to a govern_session: the authorizer decides each table and
 * column read (a view runs with its definer's rights), current_user() and is_member(g) answer for
 * the bound principal, and a progress handler stops a query past its deadline. Callers prepare
 * through govern_prepare so that every path refuses the same things for the same reasons. */
#ifndef WG_GOVERN_H
#define WG_GOVERN_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define GOVERN_NAME_MAX 64
#define GOVERN_MAX_GROUPS 32
#define GOVERN_TOKEN_BYTES 32         /* a token is 2 * GOVERN_TOKEN_BYTES hex digits */
#define GOVERN_TOKEN_BUF (2 * GOVERN_TOKEN_BYTES + 1)
#define GOVERN_OWNER_NAME "owner"     /* current_user() of the local owner */

/* Outcomes of the calls below that answer more than ok/error. */
typedef enum govern_result {
    GOVERN_OK = 0,
    GOVERN_ERROR = -1,      /* internal or storage error (message in err) */
    GOVERN_BAD_SQL = 1,     /* does not parse, or more than one statement */
    GOVERN_DENIED = 2,      /* refused by a grant or a rule (write, ATTACH, PRAGMA, function) */
    GOVERN_TIMEOUT = 3,     /* stopped by the time limit */
    GOVERN_NOT_FOUND = 4,   /* no such principal / token / group */
    GOVERN_ROW_LIMIT = 5,   /* more rows than the row limit */
} govern_result;

typedef struct govern_principal {
    char name[GOVERN_NAME_MAX];
    int owner;                                   /* local owner: full access, no authorizer */
    int ngroups;
    char groups[GOVERN_MAX_GROUPS][GOVERN_NAME_MAX];
} govern_principal;

/* The store component with the governance tables (principals, groups, members, grants, audit)
 * and the secure views; listed in store/schema_list.c. */
extern const struct store_component govern_store_component;

/* ---- administration (read-write connection) ---- */
/* Creates NAME and writes its new token (hex of >= 32 random bytes from the OS) into token. */
int govern_principal_add(sqlite3 *db, const char *name, char *token, size_t tokenlen, char *err, size_t errlen);
int govern_principal_rotate(sqlite3 *db, const char *name, char *token, size_t tokenlen, char *err, size_t errlen);
int govern_principal_remove(sqlite3 *db, const char *name, char *err, size_t errlen);
int govern_group_add_member(sqlite3 *db, const char *group, const char *name, char *err, size_t errlen);
int govern_group_remove_member(sqlite3 *db, const char *group, const char *name, char *err, size_t errlen);
/* Creates an empty group (grants and members are added separately). */
int govern_group_create(sqlite3 *db, const char *group, const char *description, char *err, size_t errlen);
/* OBJECT: a table or view name, "layer:bronze|silver|gold|system|ledger|quarantine" (every table
 * and view of that catalog layer), "layer:view" (every view) or "*" (every catalogued table and
 * view outside the govern layer). These return GOVERN_OK, GOVERN_NOT_FOUND (no such principal,
 * group, object or grant) or GOVERN_ERROR, with err set. */
int govern_grant(sqlite3 *db, const char *object, const char *group, char *err, size_t errlen);
int govern_revoke(sqlite3 *db, const char *object, const char *group, char *err, size_t errlen);

/* ---- identity (any connection) ---- */
/* The principal whose token this is (SHA-256 compared in constant time); GOVERN_NOT_FOUND if none. */
govern_result govern_authenticate(sqlite3 *db, const char *token, govern_principal *out, char *err, size_t errlen);
govern_result govern_principal_load(sqlite3 *db, const char *name, govern_principal *out, char *err, size_t errlen);
/* The local owner: full read access, a member of every group (is_member() answers 1). */
void govern_principal_owner(govern_principal *out);
/* 1 if p is the owner or a member of group. */
int govern_is_member(const govern_principal *p, const char *group);
/* 1 if the principal may read OBJECT (a table or view) through a grant of one of its groups. */
int govern_may_read(sqlite3 *db, const govern_principal *p, const char *object);

/* ---- sessions: a read-only connection bound to one principal at a time ---- */
typedef struct govern_session govern_session;
/* Installs the authorizer, current_user(), is_member() and the limits on db (owned by caller;
 * it must be read-only: store_open(..., STORE_READONLY, ...)). Every statement on db must then
 * go through govern_prepare: anything else prepared on it is refused (see govern_session_trusted).
 * The caller keeps db open until govern_session_free. */
govern_session *govern_session_new(sqlite3 *db, char *err, size_t errlen);
/* Binds the session to p (loads its groups' grants); a worker rebinds per request. */
int govern_session_bind(govern_session *s, const govern_principal *p, char *err, size_t errlen);
/* Prepares exactly one read-only statement under the bound principal's rights, with the
 * Databricks spellings the CLI accepts; on refusal, err names the object or rule. */
govern_result govern_prepare(govern_session *s, const char *sql, sqlite3_stmt **out, char *err, size_t errlen);
/* Arms the deadline for the next steps (0 = none); govern_session_timed_out tells if it fired.
 * A step past the deadline returns SQLITE_INTERRUPT: the result is an error, never partial. */
void govern_session_deadline(govern_session *s, int64_t timeout_ms);
int govern_session_timed_out(const govern_session *s);
/* Maps the rc of sqlite3_step on a governed statement: GOVERN_OK for SQLITE_ROW/DONE,
 * GOVERN_TIMEOUT past the deadline, GOVERN_DENIED, else GOVERN_ERROR (message in err). */
govern_result govern_step_result(govern_session *s, int rc, char *err, size_t errlen);
/* 1 if the bound principal may read OBJECT (a table or view), from what the last bind loaded:
 * no query, for listing tables (/api/tables). */
int govern_session_may_read(const govern_session *s, const char *object);
/* The bound principal (NULL before the first bind). */
const govern_principal *govern_session_principal(const govern_session *s);
/* For the server's own fixed queries on a worker's connection (catalog, table listings): while
 * on, the authorizer allows every read. Never with caller SQL; turn it off again at once. */
void govern_session_trusted(govern_session *s, int on);
void govern_session_free(govern_session *s);

/* ---- audit (read-write connection) ---- */
typedef struct govern_audit_entry {
    const char *principal;   /* NULL for an unauthenticated request */
    const char *client;      /* "127.0.0.1:5123", or "cli" */
    const char *route;       /* "/api/sql", "sql --as", ... */
    const char *sql;
    const char *outcome;     /* "allowed", "refused", "error" */
    const char *reason;      /* NULL when allowed */
    int64_t rows;
    double duration_ms;
} govern_audit_entry;
int govern_audit_write(sqlite3 *db, const govern_audit_entry *e);
/* Deletes audit rows older than govern.audit.retention_days (default 30) and all but the
 * newest govern.audit.max_rows (default 1000000); 0 disables either. */
#define GOVERN_AUDIT_RETENTION_DAYS 30
#define GOVERN_AUDIT_MAX_ROWS 1000000
int govern_audit_prune(sqlite3 *db, int64_t retention_days, int64_t max_rows);

#endif
