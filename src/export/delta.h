/* A Delta Lake table on a local filesystem: reading its log far enough to know the latest version
 * and an application's last transaction (Delta's `txn` action, the idempotent-writer mechanism),
 * and writing new versions atomically. A version file is created with link(2) from a finished
 * temporary file, so two writers can never both create version N and a reader never sees half a
 * commit. Parquet checkpoints (with `_last_checkpoint`) are written every N versions. */
#ifndef WG_DELTA_H
#define WG_DELTA_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct delta_log {
    char dir[4096];
    int64_t version;          /* latest version, -1 when the table has no log yet */
    int64_t txn_version;      /* the app's last txn version, -1 when none */
    json_t *txn_commit_info;  /* commitInfo of the version that carried it (owned), or NULL */
    json_t *metadata;         /* the current metaData action (owned), or NULL */
    json_t *protocol;         /* the current protocol action (owned), or NULL */
} delta_log;

/* Reads DIR/_delta_log. A missing log is an empty table (version -1), not an error. */
int delta_log_load(const char *dir, const char *app_id, delta_log *log, char *err, size_t errlen);
void delta_log_free(delta_log *log);

/* Writes version log->version + 1 with the given actions (a JSON array of action objects, each
 * written as one line). Returns 0; 1 when that version already exists (another writer won: reload
 * and decide again); -1 on error. On success log->version is advanced. */
int delta_log_commit(delta_log *log, json_t *actions, char *err, size_t errlen);

/* Writes a Parquet checkpoint of the table state at log->version (protocol, metaData, every live
 * add action, every app's txn) and points _last_checkpoint at it. */
int delta_log_checkpoint(delta_log *log, char *err, size_t errlen);

/* A random version-4 UUID (for table ids and file names). */
void delta_uuid(char out[37]);

#endif
