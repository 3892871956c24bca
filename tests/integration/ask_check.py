#!/usr/bin/env python3
"""Scores the assistant against tests/integration/ask_questions.txt.

Each block names the intent the questions belong to, a reference query written independently of
the assistant's templates (plain SQLite, run here through Python's sqlite3 on the same store),
and several phrasings of the question. A phrasing is right when `wikigdelt ask --batch` returns
the same rows as the reference (compared as multisets; numbers to 3 decimals), or, for blocks
whose reference is CANNOT / CLARIFY / HELP, when it answers with that status and runs no SQL.

Prints the share answered right per intent and overall, and every miss; exits 1 when the overall
share is below --min-share or any unanswerable question was answered with a query.

usage: ask_check.py --bin WG --home HOME --questions FILE [--min-share 0.95] [--set k=v]...
"""
import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile


def norm(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        f = round(float(v), 3)
        return 0.0 if f == 0 else f
    return v


def rows_key(rows):
    return sorted((tuple(norm(v) for v in r) for r in rows), key=repr)


def parse(path):
    blocks = []
    cur = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@ "):
            cur = {"intent": line[2:].strip(), "ref": None, "questions": []}
            blocks.append(cur)
        elif line.startswith("= "):
            cur["ref"] = line[2:].strip() if cur["ref"] is None else cur["ref"] + " " + line[2:].strip()
        elif line.startswith("? "):
            cur["questions"].append(line[2:].strip())
        else:
            raise SystemExit(f"{path}: cannot read line: {line!r}")
    return blocks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--home", required=True)
    ap.add_argument("--questions", required=True)
    ap.add_argument("--min-share", type=float, default=0.95)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--as", dest="as_name")
    a = ap.parse_args()
    blocks = parse(a.questions)
    qs = [q for b in blocks for q in b["questions"]]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(qs) + "\n")
        batch = f.name
    cmd = [a.bin, "--home", a.home]
    for s in a.set:
        cmd += ["--set", s]
    cmd += ["ask", "--batch", batch]
    if a.as_name:
        cmd += ["--as", a.as_name]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        raise SystemExit(f"ask --batch failed ({out.returncode})")
    answers = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    if len(answers) != len(qs):
        raise SystemExit(f"{len(qs)} questions, {len(answers)} answers")
    db = sqlite3.connect(f"file:{a.home}/wikigdelt.db?mode=ro", uri=True)
    per = {}
    misses = []
    unsafe = 0
    parse_ms = []
    i = 0
    for b in blocks:
        ref = b["ref"]
        expect_status = ref if ref in ("CANNOT", "CLARIFY", "HELP") else None
        ref_rows = None if expect_status else rows_key(db.execute(ref).fetchall())
        for q in b["questions"]:
            ans = answers[i]
            i += 1
            parse_ms.append(ans.get("parse_ms", 0))
            if expect_status:
                ok = ans["status"] == expect_status.lower() and "rows" not in ans
                if not ok and "rows" in ans and expect_status == "CANNOT":
                    unsafe += 1
                why = f"status {ans['status']} ({ans['intent']})"
            else:
                got = ans.get("rows")
                ok = ans["status"] == "sql" and got is not None and rows_key(got) == ref_rows
                why = f"intent {ans['intent']}: " + (
                    ans.get("error") or ans.get("refused") or
                    (f"{len(got)} rows, expected {len(ref_rows)}" if got is not None else ans.get("status")))
            ok_n, n = per.get(b["intent"], (0, 0))
            per[b["intent"]] = (ok_n + ok, n + 1)
            if not ok:
                misses.append(f"  [{b['intent']}] {q!r}: {why}; read as: {ans.get('reading', '')}")
    total_ok = sum(v[0] for v in per.values())
    total = sum(v[1] for v in per.values())
    print(f"{'intent':<28} right / asked")
    for k in sorted(per):
        ok_n, n = per[k]
        print(f"{k:<28} {ok_n:>3} / {n:<3} {100.0 * ok_n / n:6.1f}%")
    share = total_ok / total if total else 0
    parse_ms.sort()
    print(f"overall: {total_ok} / {total} phrasings answered right ({100 * share:.1f}%), "
          f"{len(blocks)} questions; parse p50 {parse_ms[len(parse_ms) // 2]:.1f} ms")
    if misses:
        print("misses:")
        print("\n".join(misses))
    if unsafe:
        print(f"FAIL: {unsafe} unanswerable question(s) were answered with a query")
    if share < a.min_share or unsafe:
        sys.exit(1)


if __name__ == "__main__":
    main()
