"""Extracts the short texts the pipeline embeds from the real data in ../shared/data, one per line:
Wikipedia page titles (wikiticker day and the EventStreams recording) and GDELT event texts (actor
names, place names, the slug of the source URL). Distinct texts, in first-seen order.
Usage: texts.py SHARED_DIR [all|wiki|gdelt|long] [LIMIT]"""
import csv
import gzip
import io
import json
import os
import re
import sys
import zipfile
from urllib.parse import unquote, urlparse


def wiki_titles(shared):
    with gzip.open(os.path.join(shared, "data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"),
                   "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line).get("page") or ""
    d = os.path.join(shared, "data/wikimedia")
    for name in sorted(os.listdir(d)):
        if name.endswith(".ndjson"):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                for line in f:
                    try:
                        yield json.loads(line).get("title") or ""
                    except ValueError:
                        pass


def url_slug(url):
    path = unquote(urlparse(url).path).rstrip("/")
    seg = path.rsplit("/", 1)[-1]
    seg = re.sub(r"\.(html?|php|aspx?|cms|shtml)$", "", seg)
    return re.sub(r"[-_+]+", " ", seg).strip()


def gdelt_texts(shared):
    d = os.path.join(shared, "data/gdelt")
    for name in sorted(os.listdir(d)):
        if not name.endswith(".export.CSV.zip"):
            continue
        with zipfile.ZipFile(os.path.join(d, name)) as z:
            for member in z.namelist():
                data = z.read(member).decode("utf-8", errors="replace")
                for row in csv.reader(io.StringIO(data), delimiter="\t", quoting=csv.QUOTE_NONE):
                    if len(row) < 61:
                        continue
                    for i in (6, 16, 36, 44, 52):
                        yield row[i]
                    yield url_slug(row[60])


def long_texts():
    """Long synthetic texts whose first 256 tokens span many kilobytes: they exercise the
    tokenizer's chunked normalisation (words across chunk boundaries, over-long words, truncation)."""
    yield " ".join(["x" * 150] * 40)                     # 40 [UNK]s over 6 KB
    yield "a" * 10000 + " earthquake in Myanmar"         # one 10,000-char word, then words
    yield ("Café Müller " * 600).strip()                  # accents across boundaries
    yield "\u5317\u4eac" * 3000                            # CJK, one token per char
    yield ("word" + "\u0301" * 50 + " ") * 200             # long runs of combining marks
    yield " " * 9000 + "after spaces"                    # tokens only after a long gap
    yield "-" * 5000                                     # punctuation only
    yield ("supercalifragilisticexpialidocious" * 4 + " ") * 100


def main():
    shared = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    seen = set()
    sources = []
    if which in ("all", "wiki"):
        sources.append(wiki_titles(shared))
    if which in ("all", "gdelt"):
        sources.append(gdelt_texts(shared))
    if which == "long":
        sources.append(long_texts())
    out = sys.stdout
    n = 0
    for src in sources:
        for t in src:
            t = t.replace("\r", " ").replace("\n", " ").strip()
            if not t or t in seen:
                continue
            seen.add(t)
            out.write(t + "\n")
            n += 1
            if limit and n >= limit:
                return


if __name__ == "__main__":
    main()
