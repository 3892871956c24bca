/* The Wikimedia silver flow: wikimedia_bronze -> wikimedia_silver (+ wikimedia_quarantine), with expectations. */
#ifndef WG_WIKI_SILVER_H
#define WG_WIKI_SILVER_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "refine/flow.h"
#include "source/wiki_ingest.h" /* wiki_row_result: the writer is the ingest's bronze hook */

/* Processes every bronze row past the flow's checkpoint, in batches; each batch's silver rows,
 * quarantine rows, expectation counts and new checkpoint are one transaction. Returns 0, or -1
 * with err set (an expectation with action fail, or a store error). */
int wiki_silver_run(sqlite3 *db, const config *cfg, flow_stats *stats, char *err, size_t errlen);

/* The flow's row writer, also used inline by the Wikimedia ingest (one JSON parse per event, the
 * silver rows and checkpoint in the bronze transaction). All calls run inside the caller's
 * transaction. */
typedef struct wiki_silver_writer wiki_silver_writer;
typedef struct wiki_fields wiki_fields;
int wiki_silver_writer_open(sqlite3 *db, const config *cfg, wiki_silver_writer **out, char *err,
                            size_t errlen);
/* Processes bronze rows past the checkpoint (and past rows added since the last flush), up to
 * limit (0 = all). WIKI_ROW_RULE_FAILED: an expectation with action fail (err says which). */
wiki_row_result wiki_silver_writer_pending(wiki_silver_writer *w, int64_t limit, int64_t *rows,
                               flow_stats *stats, char *err, size_t errlen);
/* One bronze row; fields are its extracted fields (format/wiki_fields.h, borrowed) or NULL to
 * parse raw. Same returns. */
wiki_row_result wiki_silver_writer_add(wiki_silver_writer *w, int64_t bronze_id, const wiki_fields *fields,
                           const char *raw, size_t raw_len, flow_stats *stats, char *err,
                           size_t errlen);
/* Expectation counts and the checkpoint (the last bronze id added), before the caller commits. */
int wiki_silver_writer_flush(wiki_silver_writer *w, char *err, size_t errlen);
/* After the caller rolled back: forget the batch. */
void wiki_silver_writer_rollback(wiki_silver_writer *w);
void wiki_silver_writer_close(wiki_silver_writer *w);

#endif
