"""Writes real recordings straight into the silver tables of a pipeline home, for the gold tests
that need a whole day of both sources in one window without running ingest and refine.

    silver_rows.py DB DATA gdelt EXPORT_ZIP      every event of one GDELT export (DATA/gdelt/...)
    silver_rows.py DB DATA wiki DAY TAG          the wikiticker day moved to DAY (YYYY-MM-DD),
                                                 event ids TAG-<line>

DB must already hold the silver tables (any `wikigdelt` command on the home runs the migrations).
Rows follow the silver data contract (docs/gdelt.md, docs/wiki.md): GDELT's own column names and
types, event_time from DATEADDED, 4-hour time_bucket, CAMEO descriptions; wikiticker fields mapped
as the simulator maps them (channel -> wiki, page -> title), content = main namespace, not a bot.
"""
import datetime, gzip, json, sqlite3, sys, zipfile

INTS = {"GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "IsRootEvent", "QuadClass", "NumMentions",
        "NumSources", "NumArticles", "Actor1Geo_Type", "Actor2Geo_Type", "ActionGeo_Type", "DATEADDED"}
REALS = {"FractionDate", "GoldsteinScale", "AvgTone", "Actor1Geo_Lat", "Actor1Geo_Long",
         "Actor2Geo_Lat", "Actor2Geo_Long", "ActionGeo_Lat", "ActionGeo_Long"}
FMT = "%Y-%m-%d %H:%M:%S"


def bucket(t):
    return t.replace(hour=t.hour - t.hour % 4, minute=0, second=0)


def num(v, f):
    try:
        return f(v) if v != "" else None
    except ValueError:
        return None


def load_gdelt(con, data, name):
    cameo = {}
    for line in open(f"{data}/lookups/CAMEO.eventcodes.txt", encoding="utf-8"):
        code, _, desc = line.rstrip("\n").partition("\t")
        if code.isdigit():
            cameo[code] = desc
    # The 61 export columns, in GDELT's order, as the contract's table lists them.
    cols = [r[1] for r in con.execute("PRAGMA table_info(gdelt_silver)")][2:63]
    z = zipfile.ZipFile(f"{data}/gdelt/{name}")
    rows = []
    for line in z.read(z.namelist()[0]).decode("utf-8", "replace").splitlines():
        f = line.split("\t")
        if len(f) != 61:
            continue
        vals = [num(v, int) if c in INTS else num(v, float) if c in REALS else (v or None)
                for c, v in zip(cols, f)]
        t = datetime.datetime.strptime(f[59], "%Y%m%d%H%M%S")
        rows.append(vals + [t.strftime(FMT), bucket(t).strftime(FMT), cameo.get(f[26]), cameo.get(f[28])])
    con.executemany(f"INSERT INTO gdelt_silver({','.join(cols)}, event_time, time_bucket,"
                    f" event_description, event_root_description) VALUES ({','.join('?' * 65)})", rows)


def load_wiki(con, data, day, tag):
    shift = datetime.datetime.strptime(day, "%Y-%m-%d") - datetime.datetime(2015, 9, 12)
    rows = []
    path = f"{data}/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
    for i, line in enumerate(gzip.open(path, "rt", encoding="utf-8")):
        e = json.loads(line)
        t = datetime.datetime.strptime(e["time"][:19], "%Y-%m-%dT%H:%M:%S") + shift
        ns = 0 if e["namespace"] == "Main" else 1
        wiki = e["channel"].lstrip("#").split(".")[0] + "wiki"
        rows.append((f"{tag}-{i}", t.strftime(FMT), bucket(t).strftime(FMT), wiki, ns, e["page"], "edit",
                     int(e["isRobot"]), e["user"], int(ns == 0 and not e["isRobot"])))
    con.executemany("INSERT INTO wikimedia_silver(event_id, event_time, time_bucket, wiki, namespace,"
                    " title, type, bot, user, is_content) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)


def main(argv):
    if len(argv) < 5 or argv[3] not in ("gdelt", "wiki") or (argv[3] == "wiki" and len(argv) < 6):
        sys.exit(__doc__)
    con = sqlite3.connect(argv[1])
    if argv[3] == "gdelt":
        load_gdelt(con, argv[2], argv[4])
    else:
        load_wiki(con, argv[2], argv[4], argv[5])
    con.commit()


if __name__ == "__main__":
    main(sys.argv)
