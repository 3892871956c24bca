# Helpers sourced by integration tests. Every test runs with `set -euo pipefail`.
set -euo pipefail
wg() { "$WG_BIN" --home "$WG_TMP/home" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skipped: $*"; exit 77; }
need_shared() { [ -n "${WG_SHARED:-}" ] && [ -d "$WG_SHARED/data" ] || skip "needs ../shared (real data) which is absent"; }
assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: expected '$2', got '$1'"; }
# Query one value: q "SELECT COUNT(*) FROM t"
q() { wg sql --format csv "$1" | sed -n 2p; }
# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# Waits until a URL answers (or fails after $2 seconds, default 10).
wait_http() { local i; for i in $(seq 1 $(( ${2:-10} * 10 ))); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; fail "no answer from $1"; }
# Background processes started with bg are killed when the test exits.
_wg_pids=()
bg() { "$@" & _wg_pids+=($!); }
_wg_cleanup() { local p; for p in "${_wg_pids[@]:-}"; do [ -n "$p" ] && { kill "$p" 2>/dev/null || true; }; done; wait 2>/dev/null || true; }
trap _wg_cleanup EXIT
