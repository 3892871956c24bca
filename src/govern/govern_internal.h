/* Shared between govern.c and session.c; not part of the contract. */
#ifndef WG_GOVERN_INTERNAL_H
#define WG_GOVERN_INTERNAL_H

#include "govern/govern.h"
#include "store/store.h"

/* While > 0 on this thread, a session's authorizer lets governance's own queries through
 * (they are fixed text, never caller SQL). */
extern _Thread_local int govern_internal_depth;

/* SELECT name, type of every table and view the groups of JSON array ?1 may read. */
extern const char *govern_readable_sql;

int govern_valid_name(const char *name);
void govern_sha256_hex(const char *text, char out[65]);
char *govern_groups_json(const govern_principal *p); /* sqlite3_free */

#endif
