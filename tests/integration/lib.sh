# Helpers sourced by integration tests (conventions: tests/README.md). Every test runs with
# `set -euo pipefail` and inherit_errexit, so a failing command stops it, also inside $(...).
# fail / skip / q stop the whole test even when called inside a command substitution such as
# assert_eq "$(q A)" "$(q B)": they signal the test's shell, which exits 1 (or 77 for skip).
set -euo pipefail
shopt -s inherit_errexit
_wg_main=$$
# Exit from the test's own shell, whatever subshell we are in: a subshell records the status and
# terminates the test's shell, whose EXIT trap exits with the recorded status.
_wg_exit() {
    if [ "$BASHPID" != "$_wg_main" ]; then
        echo "$1" > "$WG_TMP/.wg_exit_code"
        kill -TERM "$_wg_main"
    fi
    exit "$1"
}
wg() { "$WG_BIN" --home "$WG_TMP/home" "$@"; }
fail() { echo "FAIL: $*" >&2; _wg_exit 1; }
# The reason goes on the last line of the output (stderr, so also from inside $(...)): run.sh shows it.
skip() { echo "skipped: $*" >&2; _wg_exit 77; }
need_shared() { [ -n "${WG_SHARED:-}" ] && [ -d "$WG_SHARED/data" ] || skip "needs ../shared (real data) which is absent"; }
assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: expected '$2', got '$1'"; }
# Query one value (the first row) from the default home: q "SELECT COUNT(*) FROM t".
# A query that fails (SQL error, missing table, locked store) stops the test with the query and
# the error. qh HOME "QUERY" does the same on another home.
qh() {
    local home=$1 sql=$2 out
    out=$("$WG_BIN" --home "$home" sql --format csv "$sql" 2>"$WG_TMP/.q.err") ||
        fail "query failed: $sql: $(tr '\n' ' ' < "$WG_TMP/.q.err")"
    printf '%s\n' "$out" | sed -n 2p
}
q() { qh "$WG_TMP/home" "$1"; }
# Every row of a query as CSV without the header (same error rule as q).
qall() {
    local out
    out=$(wg sql --format csv "$1" 2>"$WG_TMP/.q.err") || fail "query failed: $1: $(tr '\n' ' ' < "$WG_TMP/.q.err")"
    printf '%s\n' "$out" | sed 1d
}
# Runs a command that must succeed; on failure stops the test with the command and its stderr.
must() {
    "$@" 2>"$WG_TMP/.must.err" || fail "command failed (exit $?): $*: $(tail -n 5 "$WG_TMP/.must.err" | tr '\n' ' ')"
}
# Runs a command that must exit with status $1; prints nothing, keeps stderr in $WG_TMP/err.
expect_exit() {
    local want=$1 rc=0; shift
    "$@" >"$WG_TMP/out" 2>"$WG_TMP/err" || rc=$?
    [ "$rc" = "$want" ] || fail "expected exit $want, got $rc: $*: $(tail -n 3 "$WG_TMP/err" | tr '\n' ' ')"
}
# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# Waits until a URL answers (or fails after $2 seconds, default 10).
wait_http() { local i; for i in $(seq 1 $(( ${2:-10} * 10 ))); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; fail "no answer from $1"; }
# Background processes started with bg are killed when the test exits.
_wg_pids=()
bg() { "$@" & _wg_pids+=($!); }
_wg_cleanup() {
    local rc=$? p
    for p in "${_wg_pids[@]:-}"; do [ -n "$p" ] && { kill "$p" 2>/dev/null || true; }; done
    wait 2>/dev/null || true
    [ -f "$WG_TMP/.wg_exit_code" ] && read -r rc < "$WG_TMP/.wg_exit_code"
    exit "$rc"
}
trap _wg_cleanup EXIT
# table_dump DB TABLE OUT [EXCLUDED_COLUMN...]: writes every row of TABLE, all columns but the
# excluded ones (generated ids, wall-clock times), one repr per line in sorted order, to OUT.
# Two runs over the same input must give identical dumps whatever order they committed in.
table_dump() {
    python3 - "$@" <<'PY' || fail "table_dump $*"
import os, sqlite3, sys
db, table, out, excl = sys.argv[1], sys.argv[2], sys.argv[3], set(sys.argv[4:])
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
missing = excl - set(cols)
if not cols or missing:
    sys.exit(f"table {table}: no such table or columns {sorted(missing)}")
keep = [c for c in cols if c not in excl]
where = os.environ.get("DUMP_WHERE")   # optional row filter, e.g. "kind <> 'flow_progress'"
rows = con.execute("SELECT " + ",".join(f'"{c}"' for c in keep) + f' FROM "{table}"' +
                   (f" WHERE {where}" if where else "")).fetchall()
with open(out, "w") as f:
    f.write("# " + ",".join(keep) + "\n")
    f.writelines(line + "\n" for line in sorted(repr(tuple(r)) for r in rows))
PY
}
# assert_same_table TABLE DB_GOT DB_WANT [EXCLUDED_COLUMN...]: the complete contents agree
# (DUMP_WHERE=COND in the environment compares only the rows that meet COND).
assert_same_table() {
    local table=$1 got=$2 want=$3; shift 3
    table_dump "$got" "$table" "$WG_TMP/.dump.got" "$@"
    table_dump "$want" "$table" "$WG_TMP/.dump.want" "$@"
    cmp -s "$WG_TMP/.dump.got" "$WG_TMP/.dump.want" ||
        fail "$table differs from the uninterrupted run ($(($(wc -l < "$WG_TMP/.dump.got") - 1)) vs $(($(wc -l < "$WG_TMP/.dump.want") - 1)) rows): $(diff "$WG_TMP/.dump.want" "$WG_TMP/.dump.got" | head -n 4 | cut -c1-300 | tr '\n' ' ')"
    echo "$table: $(($(wc -l < "$WG_TMP/.dump.got") - 1)) rows identical to the uninterrupted run"
}
