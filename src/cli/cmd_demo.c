/* `run` and `demo`: the continuous pipeline.
 *
 * `run` supervises the pipeline as child processes of this same binary, each a sub-command with
 * a stable command-line contract: the GDELT live poller, the Wikimedia SSE listener, and a loop
 * that runs `refine` then `correlate` every few seconds. A child that exits is restarted with
 * capped backoff, so a crash or a network fault in one part never stops the others; every child
 * commits its output and its checkpoint together, so a restart loses and repeats nothing.
 *
 * `demo` does the same against the built-in loopback simulator (started in this process, fed
 * with ../shared/data when present, generated data otherwise), for a fixed time, then prints
 * what landed in every layer. It works offline. */
#include "cli/commands.h"
#include "cli/cmd_table.h"

#include "core/log.h"
#include "core/settings.h"
#include "core/stop.h"
#include "core/timeutil.h"
#include "cli/metrics_push.h"
#include "observe/observe.h"
#include "source/simulator.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 64

typedef struct child {
    const char *name;
    char *argv[MAX_ARGS];
    pid_t pid;
    int restarts;
    int64_t next_start_ms;   /* backoff: not before this time */
    int oneshot;             /* refine/correlate: runs to completion, then waits interval */
    int64_t interval_ms;
} child;

static char self_exe[4096];

static void child_args(child *c, app *a, const char *const *args)
{
    int n = 0;
    c->argv[n++] = self_exe;
    /* The parent's global options (--config, --set) first, then its resolved home. */
    for (int g = 0; g < a->global_nargs && n < MAX_ARGS - 8; g++) c->argv[n++] = a->global_args[g];
    c->argv[n++] = "--home";
    c->argv[n++] = a->home;
    for (const char *const *p = args; *p && n < MAX_ARGS - 1; p++) c->argv[n++] = (char *)*p;
    c->argv[n] = NULL;
}

static pid_t spawn(app *a, child *c)
{
    char logpath[4400];
    snprintf(logpath, sizeof logpath, "%s/logs", a->home);
    mkdir(logpath, 0755);
    snprintf(logpath, sizeof logpath, "%s/logs/%s.log", a->home, c->name);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execv(self_exe, c->argv);
        fprintf(stderr, "cannot exec %s: %s\n", self_exe, strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Live progress: a line every observe.progress_seconds (1 on a terminal, redrawn in place; 10
 * otherwise, as plain lines; 0 = off). */
static void progress_tick(app *a)
{
    static int64_t started_ms, last_ms;
    int tty = isatty(1);
    double every = config_get_double(a->cfg, "observe.progress_seconds", tty ? 1 : 10);
    int64_t now = time_monotonic_ms();
    if (!started_ms) started_ms = now;
    if (every <= 0 || (last_ms && now - last_ms < (int64_t)(every * 1000))) return;
    sqlite3 *db = app_db(a);
    if (db) obs_progress(db, (double)(now - started_ms) / 1000.0, last_ms ? (double)(now - last_ms) / 1000.0 : 0, tty, stdout);
    last_ms = now;
}

/* One supervision loop over the children until a stop is requested or deadline_ms (0 = none). */
static void supervise(app *a, child *kids, int n, int64_t deadline_ms)
{
    while (!stop_requested() && (deadline_ms == 0 || time_monotonic_ms() < deadline_ms)) {
        progress_tick(a);
        int64_t now = time_monotonic_ms();
        for (int i = 0; i < n; i++) {
            child *c = &kids[i];
            if (c->pid == 0 && now >= c->next_start_ms) {
                c->pid = spawn(a, c);
                if (c->pid < 0) {
                    log_error("run", "cannot start %s: %s", c->name, strerror(errno));
                    c->pid = 0;
                    c->next_start_ms = now + 5000;
                }
            }
        }
        int status;
        pid_t done = waitpid(-1, &status, WNOHANG);
        if (done > 0) {
            for (int i = 0; i < n; i++) {
                child *c = &kids[i];
                if (c->pid != done) continue;
                c->pid = 0;
                int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
                if (c->oneshot && ok) {
                    c->next_start_ms = time_monotonic_ms() + c->interval_ms;
                    c->restarts = 0;
                } else {
                    /* capped exponential backoff: run.restart_initial_ms doubling per
                       restart, at most run.restart_max_ms */
                    int64_t first = setting_int(a->cfg, "run.restart_initial_ms");
                    int64_t cap = setting_int(a->cfg, "run.restart_max_ms");
                    int64_t backoff = first << (c->restarts < 20 ? c->restarts : 20);
                    if (backoff > cap) backoff = cap;
                    c->restarts++;
                    log_warn("run", "%s exited (%s %d); restarting in %lld ms (see %s/logs/%s.log)",
                             c->name, WIFEXITED(status) ? "status" : "signal",
                             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                             (long long)backoff, a->home, c->name);
                    c->next_start_ms = time_monotonic_ms() + backoff;
                }
            }
            continue;
        }
        usleep(100 * 1000);
    }
}

static void stop_children(child *kids, int n)
{
    for (int i = 0; i < n; i++)
        if (kids[i].pid > 0) kill(kids[i].pid, SIGTERM);
    int64_t until = time_monotonic_ms() + 10000;
    for (int i = 0; i < n; i++) {
        while (kids[i].pid > 0) {
            int status;
            pid_t r = waitpid(kids[i].pid, &status, WNOHANG);
            if (r == kids[i].pid || r < 0) {
                if (r < 0) log_warn("run", "%s stopped (status unknown)", kids[i].name);
                else if (WIFEXITED(status))
                    log_info("run", "%s stopped (exit status %d)", kids[i].name, WEXITSTATUS(status));
                else
                    log_info("run", "%s stopped (signal %d)", kids[i].name, WTERMSIG(status));
                kids[i].pid = 0;
            } else if (time_monotonic_ms() > until) {
                kill(kids[i].pid, SIGKILL);
                waitpid(kids[i].pid, &status, 0);
                log_warn("run", "%s did not stop within 10 s of SIGTERM: killed", kids[i].name);
                kids[i].pid = 0;
            } else {
                usleep(50 * 1000);
            }
        }
    }
}

/* Runs one sub-command to completion in a child, output to this process's stdout. */
static int run_sync(app *a, const char *const *args)
{
    child c = {0};
    child_args(&c, a, args);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execv(self_exe, c.argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int resolve_self(void)
{
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n <= 0) return -1;
    self_exe[n] = '\0';
    return 0;
}

typedef struct run_opts {
    const char *gdelt_url;
    const char *wiki_url;
    const char *interval_s;
    double duration_s;      /* 0 = until interrupted */
} run_opts;

static int run_pipeline(app *a, const run_opts *o)
{
    int64_t interval_ms = (int64_t)(atof(o->interval_s) * 1000);
    if (interval_ms < 100) interval_ms = 100;
    child kids[8];
    memset(kids, 0, sizeof kids);
    int n = 0;
    const char *gdelt_args[] = {"ingest", "gdelt", "--live", "--url", o->gdelt_url, "--interval", o->interval_s, "--refine", NULL};
    const char *wiki_args[] = {"ingest", "wiki", "--url", o->wiki_url, "--refine", NULL};
    const char *refine_args[] = {"refine", NULL};
    /* correlate --follow keeps the open buckets' vectors in memory between steps instead of
     * reloading them from the store every cycle. */
    const char *correlate_args[] = {"correlate", "--follow", "--interval", o->interval_s, NULL};
    kids[n].name = "gdelt";
    child_args(&kids[n++], a, gdelt_args);
    kids[n].name = "wiki";
    child_args(&kids[n++], a, wiki_args);
    kids[n].name = "refine";
    kids[n].oneshot = 1;
    kids[n].interval_ms = interval_ms;
    child_args(&kids[n++], a, refine_args);
    kids[n].name = "correlate";
    child_args(&kids[n++], a, correlate_args);
    /* The Delta export sink, when enabled: appends every export.delta.interval_seconds. */
    const char *export_args[] = {"export", "delta", "--loop", NULL};
    if (setting_bool(a->cfg, "export.delta.enabled")) {
        kids[n].name = "export";
        child_args(&kids[n++], a, export_args);
    }
    /* The HTTP API and web pages (serve.address), unless serve.enabled = false. */
    const char *serve_args[] = {"serve", NULL};
    if (setting_bool(a->cfg, "serve.enabled")) {
        kids[n].name = "serve";
        child_args(&kids[n++], a, serve_args);
    }
    int64_t deadline = o->duration_s > 0 ? time_monotonic_ms() + (int64_t)(o->duration_s * 1000) : 0;
    metrics_push_start(a);
    supervise(a, kids, n, deadline);
    stop_children(kids, n);
    metrics_push_stop();
    if (isatty(1)) printf("\n");
    return 0;
}

/* The options of run and demo: the pipeline's sources, pace and duration; demo's --speed goes
 * to its simulator (a setting it reads only when --set did not give one). */
typedef struct pipeline_args {
    run_opts run;
    const char *speed;
} pipeline_args;

static int pipeline_opt(cli_parser *p, int key, void *ctx)
{
    pipeline_args *o = ctx;
    if (key == O_GDELT_URL) o->run.gdelt_url = p->arg;
    else if (key == O_WIKI_URL) o->run.wiki_url = p->arg;
    else if (key == O_INTERVAL) o->run.interval_s = p->arg;
    else if (key == O_DURATION) o->run.duration_s = atof(p->arg);
    else o->speed = p->arg;
    return CLI_GO;
}

int cmd_run(app *a, int argc, char **argv)
{
    pipeline_args o = {{setting_str(a->cfg, "gdelt.base_url"),
                        setting_str(a->cfg, "wiki.url"),
                        "15", 0}, NULL};
    int rc = cli_parse(&cli_run, argc, argv, pipeline_opt, &o, NULL);
    if (rc != CLI_GO) return rc;
    if (resolve_self() != 0) return app_runtime_error("run: cannot find my own executable");
    if (!app_db(a)) return 1;
    stop_install_signals();
    log_info("run", "pipeline started in %s; logs in %s/logs/; Ctrl-C stops", a->home, a->home);
    return run_pipeline(a, &o.run);
}

static void show(app *a, const char *title, const char *sql)
{
    printf("\n== %s\n", title);
    fflush(stdout);
    const char *args[] = {"sql", sql, NULL};
    run_sync(a, args);
    fflush(stdout);
}

int cmd_demo(app *a, int argc, char **argv)
{
    pipeline_args args = {{NULL, NULL, "2", 45}, "480"};
    int rc = cli_parse(&cli_demo, argc, argv, pipeline_opt, &args, NULL);
    if (rc != CLI_GO) return rc;
    double duration = args.run.duration_s;
    const char *speed = args.speed;
    if (resolve_self() != 0) return app_runtime_error("demo: cannot find my own executable");
    if (!app_db(a)) return 1;

    /* Real recorded data when ../shared is beside the checkout; generated data otherwise. */
    const char *shared = getenv("WG_SHARED");
    char gdelt_dir[4200] = "", wiki_rec[4200] = "";
    if (shared && *shared) {
        snprintf(gdelt_dir, sizeof gdelt_dir, "%s/data/gdelt", shared);
        snprintf(wiki_rec, sizeof wiki_rec, "%s/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz", shared);
        if (access(gdelt_dir, R_OK) != 0) gdelt_dir[0] = '\0';
        if (access(wiki_rec, R_OK) != 0) wiki_rec[0] = '\0';
    }
    if (!config_get_str(a->cfg, "simulate.gdelt_dir", NULL) && gdelt_dir[0])
        config_set(a->cfg, "simulate.gdelt_dir", gdelt_dir);
    if (!config_get_str(a->cfg, "simulate.wiki_recording", NULL) && wiki_rec[0])
        config_set(a->cfg, "simulate.wiki_recording", wiki_rec);
    if (!setting_str(a->cfg, "simulate.speed")) config_set(a->cfg, "simulate.speed", speed);
    /* A steady feed: one 15-minute slot after another, inflated from the real exports (fresh
     * ids, times set to the slot), starting 2024-07-15 00:00 like the first real export. */
    if (!setting_str(a->cfg, "simulate.gdelt_slots")) config_set(a->cfg, "simulate.gdelt_slots", "96");
    /* The recordings are years apart: line the Wikipedia edits up with the first GDELT slot. */
    if (!config_get_str(a->cfg, "simulate.wiki_time_origin", NULL))
        config_set(a->cfg, "simulate.wiki_time_origin", "2024-07-15T00:00:00Z");

    /* The wikiticker day is a sample of about 7% of Wikipedia's edits (11,549 enwiki edits in a
     * day that had well over 100,000), so no page in it meets Wikipedia Live Monitor's rule
     * (5 edits, gaps <= 60 s): the demo loosens it, unless told otherwise, so that the burst
     * detector and breaking_news_gold have something to show. The children get it as --set. */
    static const char *const demo_burst[][2] = {{"correlate.burst.min_edits", "3"},
                                                 {"correlate.burst.max_gap_seconds", "600"},
                                                 {"correlate.burst.recent_seconds", "900"}};
    static char *child_globals[MAX_ARGS];
    static char set_pairs[3][64];
    int ng = 0;
    for (int g = 0; g < a->global_nargs && ng < MAX_ARGS - 16; g++) child_globals[ng++] = a->global_args[g];
    int loosened = 0;
    for (size_t i = 0; wiki_rec[0] && i < sizeof demo_burst / sizeof demo_burst[0]; i++) {
        if (config_get_str(a->cfg, demo_burst[i][0], NULL)) continue;
        snprintf(set_pairs[i], sizeof set_pairs[i], "%s=%s", demo_burst[i][0], demo_burst[i][1]);
        config_set(a->cfg, demo_burst[i][0], demo_burst[i][1]);
        child_globals[ng++] = "--set";
        child_globals[ng++] = set_pairs[i];
        loosened = 1;
    }
    a->global_args = child_globals;
    a->global_nargs = ng;

    printf("wikigdelt demo: the whole pipeline offline against the loopback simulator\n");
    printf("  GDELT source:     %s\n", gdelt_dir[0] ? gdelt_dir : "(generated exports)");
    printf("  Wikimedia source: %s\n", wiki_rec[0] ? wiki_rec : "(generated edits)");
    printf("  home:             %s (logs in %s/logs/)\n", a->home, a->home);
    if (loosened)
        printf("  burst rule:       %s edits by %s editors, gaps <= %s s, recent %s s\n"
               "                    (loosened: the replayed day is a ~7%% sample of the edits;"
               " live: 5, 2, 60 s, 240 s)\n",
               setting_str(a->cfg, "correlate.burst.min_edits"),
               setting_str(a->cfg, "correlate.burst.min_editors"),
               setting_str(a->cfg, "correlate.burst.max_gap_seconds"),
               setting_str(a->cfg, "correlate.burst.recent_seconds"));
    fflush(stdout);

    simulator *sim;
    char err[WG_ERR_LEN];
    if (simulator_start(a->cfg, &sim, err, sizeof err) != 0) return app_runtime_error("demo: %s", err);
    char gdelt_url[128], wiki_url[128];
    snprintf(gdelt_url, sizeof gdelt_url, "http://127.0.0.1:%d/gdeltv2/", simulator_port(sim));
    snprintf(wiki_url, sizeof wiki_url, "http://127.0.0.1:%d/v2/stream/recentchange", simulator_port(sim));
    printf("  simulator:        %s and %s\n", gdelt_url, wiki_url);
    if (setting_bool(a->cfg, "serve.enabled"))
        printf("  HTTP API:         http://%s/ (serve.address; logs/serve.log)\n",
               setting_str(a->cfg, "serve.address"));
    printf("\nrunning for %.0f s ...\n", duration);
    fflush(stdout);

    stop_install_signals();
    run_opts o = {gdelt_url, wiki_url, "2", duration};
    run_pipeline(a, &o);
    simulator_stop(sim);

    /* Drain what is pending so the summary shows every layer. */
    const char *refine_args[] = {"refine", NULL};
    /* The demo's input ends here: --drain closes every open bucket so the mismatch rate and
     * the best match of every event are final. */
    const char *correlate_args[] = {"correlate", "--drain", NULL};
    printf("\n== final refine + correlate --drain (the input has ended)\n");
    fflush(stdout);
    run_sync(a, refine_args);
    run_sync(a, correlate_args);

    const char *status_args[] = {"status", NULL};
    printf("\n== status\n");
    fflush(stdout);
    run_sync(a, status_args);
    show(a, "sentiment timeline (report listing 7)",
         "SELECT DATE_TRUNC('hour', event_time) AS hour, ROUND(AVG(AvgTone), 3) AS sentiment, COUNT(*) AS events"
         " FROM gdelt_silver GROUP BY 1 ORDER BY 1 LIMIT 12");
    show(a, "event heatmap, top cells (report listing 6)",
         "SELECT ActionGeo_Lat, ActionGeo_Long, COUNT(*) AS events FROM gold_events GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10");
    /* The simulator's slots repeat the real exports' texts, so group by text. Ordered by the
     * reranker's match_score, the score that decides a pair, not by the raw cosine (a parody
     * site's title can share more words with a White House event than any true page). */
    show(a, "strongest correlations: the news and the page people were editing",
         "SELECT substr(g.event_text, 1, 70) AS news_event, c.title AS wikipedia_page,"
         " ROUND(MAX(c.match_score), 3) AS match_score, ROUND(MAX(c.cosine_sim), 3) AS cosine_sim,"
         " COUNT(*) AS events"
         " FROM correlated_gold_events c JOIN gold_events g ON g.EventID = c.EventID"
         " WHERE c.rank = 1 GROUP BY g.event_text, c.title ORDER BY match_score DESC LIMIT 12");
    printf("(the Wikipedia side replays a 2015 day against 2024/2025 news, so only pages about\n"
           " lasting subjects can truly match here; docs/gold.md, \"Accuracy\", has the measured\n"
           " precision and recall)\n");
    show(a, "correlation matrix, EventCode x wiki (report listing 8)",
         "SELECT g.EventCode, w.wiki, ROUND(AVG(c.cosine_sim), 3) AS similarity, COUNT(*) AS pairs"
         " FROM correlated_gold_events c JOIN gdelt_silver g ON c.EventID = g.EventID"
         " JOIN (SELECT DISTINCT title, wiki FROM wikimedia_silver) w ON c.title = w.title"
         " GROUP BY 1, 2 ORDER BY 4 DESC LIMIT 10");
    show(a, "breaking news: erupting pages and the news behind them",
         "SELECT wiki, title, burst_edits AS edits, burst_editors AS editors, burst_start, last_edit,"
         " EventID, ROUND(match_score, 3) AS match_score, substr(event_text, 1, 60) AS news_behind_it"
         " FROM breaking_news_gold ORDER BY last_edit DESC, rank LIMIT 10");
    printf("\nExplore further: build/wikigdelt --home %s sql \"SELECT ...\"\n", a->home);
    return stop_requested() ? 1 : 0;
}
