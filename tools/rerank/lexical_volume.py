# What admitting candidates by a lexical test (fit.py's name_in_event: the title's last word or
# the whole title in the event's slug or an actor name) regardless of cosine would add in a
# replayed window: for every event of the replay's 2024-07-15 export, the content titles of the
# whole replayed day (an upper bound of the event's window) that pass the test, and how many of
# them the cosine candidate stage (the pool's pairs, cosine >= 0.20, top 20) does not already hold.
# Usage: build/venv/bin/python tools/rerank/lexical_volume.py POOL/wikigdelt.db
import sqlite3, sys, collections
sys.path.insert(0, __import__("os").path.dirname(__file__))
import fit

db = sys.argv[1]
con = sqlite3.connect(db)
titles = [r[0] for r in con.execute("SELECT DISTINCT title FROM wikimedia_silver WHERE is_content = 1")]
by_last, by_first = collections.defaultdict(list), collections.defaultdict(list)
for t in titles:
    t = t.replace("_", " ")
    core, qual = fit.split_title(t)
    ct = [fit.fold(x) for x in fit.tokens(core)]
    if not ct: continue
    by_first[ct[0]].append((t, ct))
    if not qual: by_last[ct[-1]].append(t)
pool = collections.defaultdict(set)
for eid, title in con.execute("SELECT EventID, title FROM correlated_gold_events"):
    pool[eid].add(title.replace("_", " "))
events = [r[0] for r in con.execute("SELECT GLOBALEVENTID FROM gdelt_silver WHERE SQLDATE / 10000 = 2024")]
extra = total = matched = 0
per = []
for eid in events:
    ev = fit.load_event(con, eid, db)
    ev["years"] = {2024}
    hits = set()
    for w in set(fit.tokens(fit.url_words(ev["url"]))) | set(fit.tokens(ev["actor1"] or "")) | set(fit.tokens(ev["actor2"] or "")):
        w = fit.fold(w)
        for t in by_last.get(w, []):
            if fit.entity_features(ev, t, False, False)[0]: hits.add(t)
        for t, ct in by_first.get(w, []):
            if t not in hits and fit.entity_features(ev, t, False, False)[0]: hits.add(t)
    new = hits - pool.get(eid, set())
    total += len(hits); extra += len(new); matched += bool(new); per.append(len(new))
print(f"events {len(events)}, distinct content titles of the day {len(titles)}")
print(f"titles passing name_in_event: {total}; not already cosine candidates: {extra} "
      f"(events with any: {matched}; largest per event {max(per) if per else 0})")
