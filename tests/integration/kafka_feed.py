"""Writes the wikiticker day as recentchange events (newline-delimited JSON), moved to DAY, for
the Kafka tests to publish:  kafka_feed.py DATA DAY TAG [LIMIT]
The mapping is the one the simulator and silver_rows.py state: channel -> wiki and server_name,
page -> title, time -> meta.dt (shifted by whole days), isRobot -> bot; event ids TAG-<line>."""
import datetime, gzip, json, sys, uuid


def main(data, day, tag, limit=None):
    shift = datetime.datetime.strptime(day, "%Y-%m-%d") - datetime.datetime(2015, 9, 12)
    path = f"{data}/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
    out = sys.stdout
    for i, line in enumerate(gzip.open(path, "rt", encoding="utf-8")):
        if limit is not None and i >= limit:
            break
        e = json.loads(line)
        t = datetime.datetime.strptime(e["time"][:19], "%Y-%m-%dT%H:%M:%S") + shift
        lang = e["channel"].lstrip("#").split(".")[0]
        server = f"{lang}.wikipedia.org"
        added, deleted = int(e.get("added") or 0), int(e.get("deleted") or 0)
        ev = {
            "$schema": "/mediawiki/recentchange/1.0.0",
            "meta": {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tag}-{i}")), "dt": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "domain": server, "stream": "mediawiki.recentchange",
                     "uri": f"https://{server}/wiki/{e['page'].replace(' ', '_')}"},
            "type": "new" if e.get("isNew") else "edit",
            "namespace": 0 if e["namespace"] == "Main" else 1,
            "title": e["page"], "comment": e.get("comment") or "",
            "timestamp": int(t.replace(tzinfo=datetime.timezone.utc).timestamp()),
            "user": e["user"], "bot": bool(e["isRobot"]), "minor": bool(e.get("isMinor")),
            "length": {"old": 1000, "new": 1000 + added - deleted},
            "server_name": server, "server_url": f"https://{server}", "wiki": f"{lang}wiki",
        }
        out.write(json.dumps(ev, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) < 3:
        sys.exit(__doc__)
    main(a[0], a[1], a[2], int(a[3]) if len(a) > 3 else None)
