#!/usr/bin/env python3
"""Drives `wikigdelt run` for the crash and graceful-stop tests (test_crash_consistency.sh,
test_sigterm.sh): one uninterrupted run into REF until the input is drained, then runs into HOME
stopped at random moments (seeded) and restarted, then one last run to the end.
    pipeline_kill.py --signal KILL|TERM --seed N --stops N --total EVENTS WG REF HOME -- RUN_ARGS...
KILL: SIGKILL to the supervisor and all its parts at once (a power cut).
TERM: SIGTERM to the supervisor only (systemctl stop); it must pass the stop on, every part must
finish or roll back its batch, and all must be gone within 15 s with status 0; the lakehouse
must then pass `wikigdelt check`."""
import argparse, os, random, signal, sqlite3, subprocess, sys, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--signal", choices=["KILL", "TERM"], required=True)
ap.add_argument("--seed", type=int, required=True)
ap.add_argument("--stops", type=int, required=True)
ap.add_argument("--total", type=int, required=True)
ap.add_argument("--health", help="a URL (the HTTP API's /healthz) that must answer 200 before each final stop")
ap.add_argument("wg")
ap.add_argument("ref")
ap.add_argument("home")
ap.add_argument("run_args", nargs=argparse.REMAINDER)
a = ap.parse_args()
run_args = [x for x in a.run_args if x != "--"]


def start(home):
    os.makedirs(home, exist_ok=True)
    log = open(home + ".run.log", "a")
    # its own process group, so that a kill can take the supervisor and every part at once
    return subprocess.Popen([a.wg, "--home", home] + run_args, stdout=log, stderr=log,
                            start_new_session=True)


def one(home, sql):
    try:
        con = sqlite3.connect("file:%s/wikigdelt.db?mode=ro" % home, uri=True, timeout=1)
        v = con.execute(sql).fetchone()
        con.close()
        return v
    except sqlite3.Error:
        return None


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


QUIET = """SELECT
 (SELECT COUNT(*) FROM wikimedia_bronze) + (SELECT COUNT(*) FROM wikimedia_quarantine WHERE bronze_id IS NULL),
 (SELECT COUNT(*) FROM gdelt_ledger WHERE status = 'ingested'),
 (SELECT COALESCE(MAX(bronze_id), 0) FROM gdelt_bronze) = (SELECT COALESCE(MAX(value + 0), 0) FROM checkpoints WHERE flow = 'gdelt_silver'),
 (SELECT COALESCE(MAX(bronze_id), 0) FROM wikimedia_bronze) = (SELECT COALESCE(MAX(value + 0), 0) FROM checkpoints WHERE flow = 'wikimedia_silver'),
 (SELECT COALESCE(MAX(silver_id), 0) FROM gdelt_silver) = (SELECT COALESCE(MAX(value + 0), -1) FROM checkpoints WHERE flow = 'gold.gdelt_silver_id'),
 (SELECT COALESCE(MAX(silver_id), 0) FROM wikimedia_silver) = (SELECT COALESCE(MAX(value + 0), -1) FROM checkpoints WHERE flow = 'gold.wiki_silver_id')"""
STATE = """SELECT (SELECT COUNT(*) FROM wikimedia_bronze), (SELECT COUNT(*) FROM wikimedia_silver),
 (SELECT COUNT(*) FROM gdelt_bronze), (SELECT COUNT(*) FROM gdelt_silver), (SELECT COUNT(*) FROM correlated_gold_events)"""


def graceful_stop(p, what):
    t0 = time.time()
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        sys.exit("%s: run did not stop within 15 s of SIGTERM" % what)
    while group_alive(p.pid) and time.time() - t0 < 15:
        time.sleep(0.05)
    if group_alive(p.pid):
        os.killpg(p.pid, signal.SIGKILL)
        sys.exit("%s: parts of run were still alive 15 s after SIGTERM" % what)
    if rc != 0:
        sys.exit("%s: run exited with %s after SIGTERM" % (what, rc))
    return time.time() - t0


def run_to_end(home, limit=300):
    p = start(home)
    t0 = time.time()
    while time.time() - t0 < limit:
        v = one(home, QUIET)
        if v and v[0] >= a.total and v[1] == 1 and all(v[2:]):
            break
        if p.poll() is not None:
            sys.exit("run exited early with %s" % p.returncode)
        time.sleep(0.5)
    else:
        os.killpg(p.pid, signal.SIGKILL)
        sys.exit("%s: the pipeline did not drain the input in %d s (last state %s)" % (home, limit, one(home, QUIET)))
    if a.health:
        # the server part of run answers too (it may still be starting after a restart)
        for _ in range(100):
            try:
                if urllib.request.urlopen(a.health, timeout=2).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            os.killpg(p.pid, signal.SIGKILL)
            sys.exit("%s: %s never answered 200" % (home, a.health))
    graceful_stop(p, "final stop")
    return time.time() - t0


print("uninterrupted run drained the input in %.1f s" % run_to_end(a.ref))
rng = random.Random(a.seed)
worst = 0.0
for k in range(a.stops):
    delay = rng.uniform(0.2, 2.5)
    p = start(a.home)
    time.sleep(delay)
    if a.signal == "KILL":
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        how = "killed"
    else:
        took = graceful_stop(p, "stop %d" % (k + 1))
        worst = max(worst, took)
        how = "stopped (%.2f s)" % took
        chk = subprocess.run([a.wg, "--home", a.home, "check"], capture_output=True, text=True)
        if chk.returncode != 0:
            sys.exit("stop %d: check fails after a graceful stop:\n%s" % (k + 1, chk.stdout + chk.stderr))
    s = one(a.home, STATE)
    print("%s %d after %.2f s: wiki bronze/silver %s/%s, gdelt bronze/silver %s/%s, gold pairs %s"
          % (how, k + 1, delay, *(s or ("?",) * 5)))
if a.signal == "TERM":
    print("every graceful stop finished within %.2f s, with status 0, no part left and check passing" % worst)
print("after the last stop the pipeline drained the input in %.1f s" % run_to_end(a.home))
