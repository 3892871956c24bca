/* The GDELT row parser: bytes as an export CSV go through the real path, bronze commit
 * (gdelt_bronze_commit_file: line split, 16 MiB line cap) then the silver flow (tab split,
 * 61 columns, integer/real/date parsing, lat/long checks, CAMEO lookups, typed insert), on a
 * store in /dev/shm. Oracles: both steps succeed or fail with a reason; every bronze row is
 * accounted for exactly once (silver + quarantine + dropped + duplicates = read = bronze rows);
 * the checkpoint ends at the last bronze id. */
#include "fuzz_util.h"
#include "core/config.h"
#include "core/log.h"
#include "refine/flow.h"
#include "refine/gdelt_silver.h"
#include "source/gdelt.h"
#include "store/store.h"

static sqlite3 *db;
static config *cfg;
static char dbpath[128];
static long runs;

static int64_t one(const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void reopen(void)
{
    char err[1024];
    if (db) store_close(db);
    db = NULL;
    unlink(dbpath);
    char side[160];
    snprintf(side, sizeof side, "%s-wal", dbpath); unlink(side);
    snprintf(side, sizeof side, "%s-shm", dbpath); unlink(side);
    if (store_open(dbpath, cfg, 0, &db, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); abort(); }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    snprintf(dbpath, sizeof dbpath, "/dev/shm/wg-fuzz-gdelt-%d.db", (int)getpid());
    cfg = config_new();
    config_set(cfg, "store.synchronous", "off");
    log_set_level(LOG_ERROR);
    reopen();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (++runs % 2000 == 0) reopen();   /* keep the store small on long runs */
    char name[64], err[1024], md5[33];
    snprintf(name, sizeof name, "fuzz%ld.export.CSV", runs);
    gdelt_md5_hex(data, size, md5);
    gdelt_file_meta meta = {name, name, "file", (int64_t)size, md5, -1, NULL, 1};
    int64_t before = one("SELECT COUNT(*) FROM gdelt_bronze"), rows = 0;
    int rc = gdelt_bronze_commit_file(db, &meta, (const char *)data, size, &rows, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == 2, "bronze commit returned %d: %s", rc, err);
    FUZZ_CHECK(one("SELECT COUNT(*) FROM gdelt_bronze") - before == (rc == 0 ? rows : 0),
               "bronze grew by other than the rows committed");
    flow_stats st = {0};
    int64_t q0 = one("SELECT COUNT(*) FROM gdelt_quarantine");
    FUZZ_CHECK(gdelt_silver_run(db, cfg, &st, err, sizeof err) == 0, "silver failed: %s", err);
    FUZZ_CHECK(st.read == (rc == 0 ? rows : 0), "silver read %lld of %lld rows", (long long)st.read, (long long)rows);
    FUZZ_CHECK(st.written + st.quarantined + st.dropped + st.duplicates == st.read,
               "rows unaccounted: written %lld quarantined %lld dropped %lld duplicates %lld read %lld",
               (long long)st.written, (long long)st.quarantined, (long long)st.dropped,
               (long long)st.duplicates, (long long)st.read);
    FUZZ_CHECK(one("SELECT COUNT(*) FROM gdelt_quarantine") - q0 == st.quarantined, "quarantine count");
    FUZZ_CHECK(one("SELECT COALESCE(MAX(bronze_id),0) FROM gdelt_bronze") ==
               one("SELECT COALESCE(MAX(value+0),0) FROM checkpoints WHERE flow='gdelt_silver'"),
               "checkpoint is not at the last bronze row");
    return 0;
}
