/* What governance costs per query: binding a session to a principal (per request in the API),
 * govern_prepare against a plain sqlite3_prepare_v2 of the same text, and prepare + run of the
 * dashboard queries governed vs plain, on a lakehouse given by path.
 *   govern_bench DB PRINCIPAL ITERATIONS */
#include "govern/govern.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static const struct {
    const char *name, *sql;
} queries[] = {
    {"listing 6 (heatmap)", "SELECT ActionGeo_Lat, ActionGeo_Long, COUNT(*) as events FROM gold_events GROUP BY 1,2"},
    {"listing 7 (sentiment)", "SELECT DATE_TRUNC('hour', event_time) as hour, AVG(AvgTone) as sentiment FROM gdelt_silver GROUP BY 1"},
    {"listing 8 (correlation)", "SELECT g.EventCode, w.wiki, AVG(c.cosine_sim) as similarity FROM correlated_gold_events c"
                                " JOIN gdelt_silver g ON c.EventID = g.EventID JOIN wikimedia_silver w ON c.title = w.title GROUP BY 1,2"},
    {"gold top-k", "SELECT EventID, title, match_score FROM business_gold ORDER BY match_score DESC LIMIT 10"},
    {"point lookup", "SELECT * FROM business_gold WHERE EventID = (SELECT MIN(EventID) FROM gold_events)"},
    {"secure_gdelt", "SELECT Actor, is_executive FROM secure_gdelt LIMIT 100"},
};

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: govern_bench DB PRINCIPAL ITERATIONS\n");
        return 2;
    }
    int n = atoi(argv[3]);
    sqlite3 *ro, *plain;
    char err[512];
    if (store_open(argv[1], NULL, STORE_READONLY, &ro, err, sizeof err) ||
        store_open(argv[1], NULL, STORE_READONLY, &plain, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    govern_principal p;
    if (govern_principal_load(plain, argv[2], &p, err, sizeof err) != GOVERN_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    govern_session *s = govern_session_new(ro, err, sizeof err);
    if (!s || govern_session_bind(s, &p, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double t0 = now();
    for (int i = 0; i < n; i++) govern_session_bind(s, &p, err, sizeof err);
    printf("principal %s (%d groups): bind %.1f us\n", p.name, p.ngroups, (now() - t0) / n * 1e6);
    printf("%-24s %12s %12s %14s %14s\n", "query", "prepare_us", "plain_us", "prep+run_us", "plain_run_us");
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        sqlite3_stmt *st;
        if (govern_prepare(s, queries[q].sql, &st, err, sizeof err) != GOVERN_OK) {
            printf("%-24s refused: %s\n", queries[q].name, err);
            continue;
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
        }
        sqlite3_finalize(st);
        /* warm both connections' page caches before timing */
        sqlite3_prepare_v2(plain, queries[q].sql, -1, &st, NULL);
        while (sqlite3_step(st) == SQLITE_ROW) {
        }
        sqlite3_finalize(st);
        int reps = n;
        double a = now();
        for (int i = 0; i < reps; i++) {
            govern_prepare(s, queries[q].sql, &st, err, sizeof err);
            sqlite3_finalize(st);
        }
        double b = now();
        for (int i = 0; i < reps; i++) {
            sqlite3_prepare_v2(plain, queries[q].sql, -1, &st, NULL);
            sqlite3_finalize(st);
        }
        double c = now();
        int runs = reps / 20 > 0 ? reps / 20 : 1;
        for (int i = 0; i < runs; i++) {
            govern_prepare(s, queries[q].sql, &st, err, sizeof err);
            while (sqlite3_step(st) == SQLITE_ROW) {
            }
            sqlite3_finalize(st);
        }
        double d = now();
        for (int i = 0; i < runs; i++) {
            sqlite3_prepare_v2(plain, queries[q].sql, -1, &st, NULL);
            while (sqlite3_step(st) == SQLITE_ROW) {
            }
            sqlite3_finalize(st);
        }
        double e = now();
        printf("%-24s %12.1f %12.1f %14.1f %14.1f\n", queries[q].name, (b - a) / reps * 1e6, (c - b) / reps * 1e6,
               (d - c) / runs * 1e6, (e - d) / runs * 1e6);
    }
    govern_session_free(s);
    store_close(ro);
    store_close(plain);
    return 0;
}
