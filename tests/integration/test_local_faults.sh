# Local faults: a full disk, a read-only home, a database locked by another writer, a damaged
# lakehouse file. Each gives a clear error naming the file, leaves committed data as it was
# (`wikigdelt check` passes, the same rows) and the pipeline recovers once the cause is gone.
source "$(dirname "$0")/lib.sh"
need_shared
z1="$WG_SHARED/data/gdelt/20240715000000.export.CSV.zip"   # 1766 rows
z2="$WG_SHARED/data/gdelt/20250715000000.export.CSV.zip"   # 3539 rows
checksum() { "$WG_BIN" --home "$1" sql --format csv "SELECT COUNT(*), SUM(length(raw_line)), MAX(bronze_id) FROM gdelt_bronze" | sed -n 2p; }
expect_fail() { # expect_fail LOGFILE PATTERN WHAT -- command...
    local log=$1 pat=$2 what=$3; shift 4
    if "$@" >"$log.out" 2>"$log"; then fail "$what: succeeded"; fi
    grep -q -- "$pat" "$log" || fail "$what: error does not say '$pat': $(cat "$log")"
}

# --- 1. disk full: the home on a 2 MiB tmpfs (or, where mounting is not allowed, a file size
# limit). The first file fits, the second does not.
home="$WG_TMP/full/home"
mkdir -p "$WG_TMP/full"
mounted=0
if [ -z "${WG_TEST_NO_MOUNT:-}" ] && mount -t tmpfs -o size=2m tmpfs "$WG_TMP/full" 2>/dev/null; then
    mounted=1
    # unmount on the way out, keeping the test's exit status for lib.sh's cleanup
    trap 'rc=$?; umount "$WG_TMP/full" 2>/dev/null; (exit $rc); _wg_cleanup' EXIT
fi
"$WG_BIN" --home "$home" ingest gdelt --file "$z1" >/dev/null 2>&1 || fail "first file on the small disk"
before=$(checksum "$home")
if [ $mounted -eq 1 ]; then
    expect_fail "$WG_TMP/e1" "disk is full" "ingest on a full disk" -- "$WG_BIN" --home "$home" ingest gdelt --file "$z2"
else
    # RLIMIT_FSIZE: writes past 1.5 MiB fail (EFBIG); SIGXFSZ ignored so SQLite sees the error
    expect_fail "$WG_TMP/e1" "error" "ingest past the file size limit" -- \
        bash -c 'trap "" XFSZ; ulimit -f 1536; exec "$@"' _ "$WG_BIN" --home "$home" ingest gdelt --file "$z2"
fi
grep -q "$home/wikigdelt.db" "$WG_TMP/e1" || fail "disk-full error does not name the lakehouse: $(cat "$WG_TMP/e1")"
echo "disk full: $(tail -n 1 "$WG_TMP/e1")"
assert_eq "$(checksum "$home")" "$before" "committed bronze unchanged after the failed write"
"$WG_BIN" --home "$home" check >"$WG_TMP/c1" || fail "check after disk full: $(cat "$WG_TMP/c1")"
assert_eq "$("$WG_BIN" --home "$home" sql --format csv "SELECT COUNT(*) FROM gdelt_ledger WHERE status != 'ingested' OR name LIKE '2025%'" | sed -n 2p)" "0" \
          "no ledger row for the file that did not fit"
[ $mounted -eq 1 ] && mount -o remount,size=64m "$WG_TMP/full"
"$WG_BIN" --home "$home" ingest gdelt --file "$z2" >/dev/null 2>&1 || fail "ingest once there is room again"
"$WG_BIN" --home "$home" refine gdelt >/dev/null 2>&1 || fail "refine once there is room again"
assert_eq "$("$WG_BIN" --home "$home" sql --format csv "SELECT COUNT(*) FROM gdelt_bronze" | sed -n 2p)" "5305" "both files in bronze after recovery"
"$WG_BIN" --home "$home" check >/dev/null || fail "check after recovery"

# --- 2. read-only home: the pipeline runs as a user that may not write it
wg ingest gdelt --file "$z1" >/dev/null 2>&1
before=$(checksum "$WG_TMP/home")
ro() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; else "$@"; fi; }
chmod 755 "$WG_TMP" "$WG_TMP/home"; chmod 644 "$WG_TMP/home/wikigdelt.db"
[ "$(id -u)" -eq 0 ] || chmod 555 "$WG_TMP/home"
expect_fail "$WG_TMP/e2" "readonly\|read-only\|unable to open" "ingest into a read-only home" -- ro "$WG_BIN" --home "$WG_TMP/home" ingest gdelt --file "$z2"
grep -q "$WG_TMP/home/wikigdelt.db" "$WG_TMP/e2" || fail "read-only error does not name the lakehouse: $(cat "$WG_TMP/e2")"
echo "read-only home: $(tail -n 1 "$WG_TMP/e2")"
chmod 755 "$WG_TMP/home"
assert_eq "$(checksum "$WG_TMP/home")" "$before" "committed bronze unchanged"
wg ingest gdelt --file "$z2" >/dev/null 2>&1 || fail "ingest once the home is writable"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_bronze")" "5305" "ingest recovers when the home is writable again"

# --- 3. another writer holds the write lock for 3 s: readers go on (WAL), the writer waits and
# then commits; nothing is lost or doubled
wg refine gdelt >/dev/null 2>&1
python3 - "$WG_TMP/home/wikigdelt.db" "$WG_TMP/locked" <<'PY' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
con.execute("INSERT INTO event_log(ts, flow, level, kind, message) VALUES ('2000-01-01 00:00:00', 'test', 'info', 'lock', 'held')")
open(sys.argv[2], "w").close()
time.sleep(3)
con.execute("COMMIT")
PY
lock_pid=$!
for i in $(seq 1 100); do [ -e "$WG_TMP/locked" ] && break; sleep 0.05; done
start=$(date +%s.%N)
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver")" "5305" "a reader is not blocked by the writer"
wg ingest wiki --file "$WG_SHARED/data/wikimedia/recentchange_enwiki_20230729T0751Z.ndjson" --refine >/dev/null 2>"$WG_TMP/e3" \
    || fail "writer gave up while the lock was held: $(cat "$WG_TMP/e3")"
waited=$(echo "$(date +%s.%N) - $start" | bc)
wait $lock_pid
echo "locked database: the writer waited ${waited}s, then committed"
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_bronze")" "100" "the waiting writer's rows, once"
assert_eq "$(q "SELECT COUNT(*) FROM event_log WHERE kind = 'lock'")" "1" "the other writer's row"
wg check >/dev/null || fail "check after the lock"

# --- 4. a damaged lakehouse file: a clear error naming it, the good copy untouched
cp "$WG_TMP/home/wikigdelt.db" "$WG_TMP/good.db"
good=$(sha256sum < "$WG_TMP/good.db")
mkdir -p "$WG_TMP/bad" "$WG_TMP/trunc"
head -c 4096 /dev/urandom > "$WG_TMP/bad/wikigdelt.db"
expect_fail "$WG_TMP/e4" "$WG_TMP/bad/wikigdelt.db: file is not a database" "status on garbage" -- "$WG_BIN" --home "$WG_TMP/bad" status
expect_fail "$WG_TMP/e5" "$WG_TMP/bad/wikigdelt.db: file is not a database" "check on garbage" -- "$WG_BIN" --home "$WG_TMP/bad" check
expect_fail "$WG_TMP/e6" "$WG_TMP/bad/wikigdelt.db" "ingest on garbage" -- "$WG_BIN" --home "$WG_TMP/bad" ingest gdelt --file "$z1"
# truncated to 60%: SQLite's integrity check finds it, and check names what failed
size=$(stat -c %s "$WG_TMP/good.db")
head -c $(( size * 6 / 10 )) "$WG_TMP/good.db" > "$WG_TMP/trunc/wikigdelt.db"
if "$WG_BIN" --home "$WG_TMP/trunc" check >"$WG_TMP/c4" 2>&1; then fail "check passed a truncated file"; fi
grep -q "^FAIL  sqlite integrity_check\|malformed\|$WG_TMP/trunc/wikigdelt.db" "$WG_TMP/c4" || fail "check on a truncated file: $(cat "$WG_TMP/c4")"
echo "truncated file: $(grep -m1 "FAIL\|wikigdelt:" "$WG_TMP/c4" | cut -c1-160)"
assert_eq "$(sha256sum < "$WG_TMP/good.db")" "$good" "the good copy is untouched"
# recovery: the good copy back in place is whole
cp "$WG_TMP/good.db" "$WG_TMP/trunc/wikigdelt.db"
"$WG_BIN" --home "$WG_TMP/trunc" check >/dev/null || fail "check on the restored copy"
echo ok
