/* Live mode's catch-up: the exports GDELT published while no poll ran (the process was stopped,
 * the network was down for longer than a slot). lastupdate.txt names only the newest export, so
 * without this a gap would stay in bronze until someone ran a backfill by hand. */
#include "source/gdelt.h"

#include "core/log.h"
#include "core/settings.h"
#include "core/timeutil.h"
#include "store/store.h"

#include <stdio.h>

/* checkpoints.flow holding the slot time of the newest export a live poll has seen */
#define LIVE_THROUGH "gdelt.live_through"

int gdelt_catch_up(sqlite3 *db, const config *cfg, const char *base_url, int64_t announced,
                   gdelt_ingest_stats *st, char *err, size_t errlen)
{
    int64_t through;
    if (store_checkpoint_get_int(db, LIVE_THROUGH, -1, &through) != 0)
        return store_fail(db, err, errlen, "reading checkpoint %s", LIVE_THROUGH);
    if (announced <= through) return 0; /* nothing newer (or the index went back in time) */
    double hours = setting_double(cfg, "gdelt.live.catchup_hours");
    /* the first poll of a home starts from now; a gap is a slot or more between two polls */
    if (through >= 0 && hours > 0 && announced > through + GDELT_SLOT_SECONDS) {
        int64_t from = through + 1, to = announced - 1;
        int64_t floor = announced - (int64_t)(hours * 3600.0);
        char a[TIME_TEXT_LEN], b[TIME_TEXT_LEN];
        if (from < floor) {
            time_format(from, a);
            time_format(floor - 1, b);
            char msg[512];
            snprintf(msg, sizeof msg,
                     "exports from %s to %s are older than gdelt.live.catchup_hours (%g) and were"
                     " not fetched; `ingest gdelt --backfill` fetches them", a, b, hours);
            log_warn("gdelt", "%s", msg);
            if (store_event(db, "gdelt_source", "warn", "catchup_limited", msg, NULL) != 0)
                return store_fail(db, err, errlen, "recording the catch-up limit in event_log");
            from = floor;
        }
        time_format(from, a);
        time_format(to, b);
        log_info("gdelt", "catching up on the exports published from %s to %s while no poll ran",
                 a, b);
        /* masterfilelist.txt lists them with their size and MD5; the ledger skips any file that
         * is already in. An unreadable list leaves the checkpoint where it was, so the next poll
         * tries the same range again. */
        if (gdelt_backfill(db, cfg, base_url, from, to, st, err, errlen) == GDELT_ERROR) return -1;
    }
    if (store_checkpoint_set_int(db, LIVE_THROUGH, announced) != 0)
        return store_fail(db, err, errlen, "writing checkpoint %s", LIVE_THROUGH);
    return 0;
}
