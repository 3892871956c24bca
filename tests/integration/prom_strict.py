#!/usr/bin/env python3
"""A strict parser of the Prometheus text exposition format (version 0.0.4).

Reads the exposition on stdin; exits 1 naming the line of the first violation, else prints the
samples as JSON ({"name{labels}": value}) so a test can compare values. What it enforces:
  - every line is a comment (# HELP name text / # TYPE name type / other #), blank, or a sample;
  - metric and label names match the format's regexes; label values are quoted with only the
    escapes \\\\, \\" and \\n; values are Go-style floats (NaN, +Inf, -Inf allowed);
  - at most one HELP and one TYPE per family, TYPE before the family's first sample, a family's
    samples contiguous, no series twice;
  - counters' sample names end in _total; histograms have _bucket samples with le, cumulative
    non-decreasing buckets ending with le="+Inf" equal to _count, and a _sum;
  - names use base units and the wikigdelt_ prefix (project convention).
"""
import json
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
FLOAT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def fail(lineno, msg):
    print(f"exposition line {lineno}: {msg}", file=sys.stderr)
    sys.exit(1)


def parse_value(lineno, text):
    if text in ("NaN", "+Inf", "-Inf"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not FLOAT.match(text):
        fail(lineno, f"bad value {text!r}")
    return float(text)


def parse_labels(lineno, s, i):
    """s[i] == '{'; returns (labels list, index after '}')."""
    labels = []
    i += 1
    while True:
        if s[i] == "}":
            return labels, i + 1
        m = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*").match(s, i)
        if not m:
            fail(lineno, f"bad label name at column {i}")
        name = m.group(0)
        i = m.end()
        if s[i:i + 2] != '="':
            fail(lineno, f"label {name}: expected =\"")
        i += 2
        val = []
        while True:
            if i >= len(s):
                fail(lineno, "unterminated label value")
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    fail(lineno, f"bad escape \\{nxt} in label {name}")
                val.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                fail(lineno, "newline in a label value")
            else:
                val.append(c)
                i += 1
        if any(n == name for n, _ in labels):
            fail(lineno, f"label {name} twice")
        labels.append((name, "".join(val)))
        if s[i] == ",":
            i += 1
        elif s[i] != "}":
            fail(lineno, f"expected , or }} after label {name}")


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[: -len(suffix)]) in ("histogram", "summary"):
            return name[: -len(suffix)]
    return name


def main():
    text = sys.stdin.read()
    if text and not text.endswith("\n"):
        fail(text.count("\n") + 1, "the exposition must end with a newline")
    helps, types, seen, order, samples = {}, {}, set(), [], {}
    hist = {}  # (family, labels without le) -> {"buckets": [(le, v)], "count": v, "sum": v}
    current = None
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if line == "":
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 2 and parts[1] in ("HELP", "TYPE"):
                if len(parts) < 3 or not NAME.match(parts[2]):
                    fail(lineno, "HELP/TYPE needs a valid metric name")
                name = parts[2]
                if parts[1] == "HELP":
                    if name in helps:
                        fail(lineno, f"second HELP for {name}")
                    helps[name] = parts[3] if len(parts) > 3 else ""
                else:
                    if name in types:
                        fail(lineno, f"second TYPE for {name}")
                    if len(parts) < 4 or parts[3] not in TYPES:
                        fail(lineno, f"bad TYPE for {name}")
                    if name in order:
                        fail(lineno, f"TYPE of {name} after its samples")
                    types[name] = parts[3]
            continue
        m = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*").match(line)
        if not m:
            fail(lineno, "bad metric name")
        name = m.group(0)
        i = m.end()
        labels = []
        if i < len(line) and line[i] == "{":
            labels, i = parse_labels(lineno, line, i)
        if i >= len(line) or line[i] != " ":
            fail(lineno, "expected one space before the value")
        rest = line[i + 1:].split(" ")
        if len(rest) not in (1, 2) or rest[0] == "":
            fail(lineno, "expected: value [timestamp]")
        value = parse_value(lineno, rest[0])
        if len(rest) == 2 and not re.match(r"^-?\d+$", rest[1]):
            fail(lineno, "bad timestamp")
        fam = family_of(name, types)
        if fam != current:
            if fam in order:
                fail(lineno, f"samples of {fam} are not contiguous")
            order.append(fam)
            current = fam
        key = name + "{" + ",".join(f'{k}="{v}"' for k, v in labels) + "}"
        if key in seen:
            fail(lineno, f"series {key} twice")
        seen.add(key)
        samples[key] = value
        t = types.get(fam, "untyped")
        if not fam.startswith("wikigdelt_"):
            fail(lineno, f"{fam}: not in the wikigdelt_ namespace")
        if t == "counter" and not name.endswith("_total"):
            fail(lineno, f"counter {name} must end in _total")
        if re.search(r"_(milliseconds|ms|kilobytes|minutes|hours)(_|$)", name):
            fail(lineno, f"{name}: use base units (seconds, bytes)")
        if t == "counter" and (value < 0 or math.isnan(value)):
            fail(lineno, f"counter {name} is {value}")
        if t == "histogram":
            rest_labels = tuple((k, v) for k, v in labels if k != "le")
            h = hist.setdefault((fam, rest_labels), {"buckets": [], "count": None, "sum": None})
            if name == fam + "_bucket":
                le = dict(labels).get("le")
                if le is None:
                    fail(lineno, "a bucket without le")
                h["buckets"].append((parse_value(lineno, le), value, lineno))
            elif name == fam + "_count":
                h["count"] = value
            elif name == fam + "_sum":
                h["sum"] = value
            else:
                fail(lineno, f"{name} in histogram {fam}")
    for (fam, labels), h in hist.items():
        b = h["buckets"]
        where = f"{fam}{dict(labels)}"
        if not b or not math.isinf(b[-1][0]):
            fail(b[-1][2] if b else 0, f"{where}: the last bucket must be le=\"+Inf\"")
        for (le1, v1, _), (le2, v2, ln) in zip(b, b[1:]):
            if not le2 > le1:
                fail(ln, f"{where}: le not increasing")
            if v2 < v1:
                fail(ln, f"{where}: buckets not cumulative")
        if h["count"] is None or h["sum"] is None:
            fail(0, f"{where}: _count or _sum missing")
        if h["count"] != b[-1][1]:
            fail(b[-1][2], f"{where}: +Inf bucket {b[-1][1]} != _count {h['count']}")
    for name in types:
        if name not in order:
            pass  # a TYPE without samples is allowed
    json.dump(samples, sys.stdout, indent=0, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
