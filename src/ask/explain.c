#include "ask/explain.h"
#include <stdlib.h>
#include <string.h>
int explain_sql(sqlite3 *db, const config *cfg, const char *sql, int run, const char *as_name, explain_report *r, char *err, size_t errlen)
{ (void)db; (void)cfg; (void)sql; (void)run; (void)as_name; memset(r, 0, sizeof *r); snprintf(err, errlen, "todo"); return -1; }
void explain_text(const explain_report *r, buf *out) { (void)r; (void)out; }
json_t *explain_json(const explain_report *r) { (void)r; return json_object(); }
void explain_free(explain_report *r) { free(r->sql); free(r->rewrite); }
