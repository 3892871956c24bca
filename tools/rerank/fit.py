# Fits the gold reranker (src/correlate/rerank.c) on the labelled development set and measures it.
#
# A candidate pair (event, title) whose cosine clears the candidate threshold is scored by a
# logistic regression over a few cheap features: cosines of the title against the composed event
# text and against each of the event's fields, and lexical tests (is the title one of the event's
# names, does it occur in the headline slug, does it carry a year or a qualifier the event does
# not). This script computes the same features as the C code, fits the coefficients, runs the
# grouped cross-validation that the figures in docs/gold.md come from, and prints the C table.
#
# Usage (the pipeline home must hold both real GDELT exports in gdelt_silver, see
# tests/data/README.md):
#   build/venv/bin/python tools/rerank/fit.py HOME/wikigdelt.db MODEL_DIR \
#       tests/data/labels_eventids.tsv [--test LABELS_TEST_EVENTIDS.tsv] [--dump N] \
#       [--country-names NAMES.tsv | --no-local]
#   build/venv/bin/python tools/rerank/fit.py HOME/wikigdelt.db MODEL_DIR --fit-set ... \
#       --held-set ... [--volume POOL.db] [--product K] [--feature-sets A,B+prod,...]
# (the protocol of docs/gold.md, Accuracy: every feature set is fitted with grouped CV across the
# fit sets and chosen by the worst set's F1; --product K adds the embedding product's K main
# directions to the sets named NAME+prod, and prints their 384 collapsed weights for rerank_model.c).
# The country features also know a country page by its name in its wiki's language (Syrien on
# dewiki: src/correlate/country_names.c, CLDR through ICU). Python does not call ICU: the C
# lookup is read from `wikigdelt --home HOME eval --country-names NAMES.tsv` (run by this script
# with build/wikigdelt when --country-names is not given), and a title's wiki from the home's
# wikimedia_silver by the rule of `wikigdelt eval` (so HOME should hold the wiki recordings too).
# --no-local leaves both out (the rules before them, for the before/after comparison).
# --test scores a held-out set with the coefficients fitted on the development set (no refit);
# --dump N prints N pairs' inputs, features and scores for the C unit test.
import argparse, re, sqlite3, sys
import numpy as np

# ---- text helpers: byte-for-byte the rules of src/correlate/event_text.c and rerank.c ----------

BOILER = {"news", "article", "articles", "story", "stories", "index", "amp", "html", "htm", "php",
          "aspx", "shtml", "cms", "www", "content", "post", "posts", "en", "id", "syndicated",
          "view", "node", "details", "detail", "breaking"}

def _alnum(c):  # c: int byte
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c >= 0x80

def _is_word(w):
    letters = sum(1 for c in w if (65 <= c <= 90) or (97 <= c <= 122) or c >= 0x80)
    digits = sum(1 for c in w if 48 <= c <= 57)
    hexd = sum(1 for c in w if chr(c) in "0123456789abcdefABCDEF")
    n = len(w)
    if not letters or n < 2: return False
    if digits and n >= 6: return False
    if digits and hexd == n: return False
    return w.decode("utf-8", "replace").lower() not in BOILER if all(c < 0x80 for c in w) else True

def _segment_words(seg):
    dot = seg.rfind(b".")
    if dot >= 0 and len(seg) - dot - 1 <= 5: seg = seg[:dot]
    out, i, n = [], 0, len(seg)
    while i < n:
        while i < n and not _alnum(seg[i]): i += 1
        st = i
        while i < n and _alnum(seg[i]): i += 1
        if i > st and _is_word(seg[st:i]): out.append(seg[st:i])
    return out

def url_words(url):
    """event_text_url_words: the headline slug of a SOURCEURL, lower case."""
    if not url: return ""
    b = url.encode()
    k = b.find(b"://")
    p = b[k + 3:] if k >= 0 else b
    s = p.find(b"/")
    if s < 0: return ""
    p = p[s:]
    m = min([x for x in (p.find(b"?"), p.find(b"#")) if x >= 0], default=len(p))
    segs = [x for x in p[:m].split(b"/") if x]
    best, bw = None, 0
    for sg in segs:
        w = len(_segment_words(sg))
        if w >= bw and w > 0: best, bw = sg, w
    words = _segment_words(best) if best is not None and bw >= 3 else [w for sg in segs for w in _segment_words(sg)]
    return b" ".join(bytes(c + 32 if 65 <= c <= 90 else c for c in w) for w in words).decode("utf-8", "replace")

def title_case(s):
    """append_name of event_text.c: GDELT's upper-case names in title case."""
    out, start = [], True
    for c in s.encode():
        if c < 0x80 and chr(c).isalpha():
            out.append(ord(chr(c).upper()) if start else ord(chr(c).lower())); start = False
        else:
            out.append(c); start = not (c >= 0x80 or chr(c).isalnum() or c == 39)
    return bytes(out).decode("utf-8", "replace")

def tokens(s):
    """rerank.c tokens: runs of ASCII alphanumerics or non-ASCII bytes, ASCII lower-cased."""
    b = s.encode()
    out, i, n = [], 0, len(b)
    while i < n:
        while i < n and not _alnum(b[i]): i += 1
        st = i
        while i < n and _alnum(b[i]): i += 1
        if i > st: out.append(bytes(c + 32 if 65 <= c <= 90 else c for c in b[st:i]))
    return out

STOP = {b"of", b"the", b"and", b"in", b"on", b"at", b"for", b"to", b"a", b"an", b"de", b"la"}
META = ("list of ", "lists of ", "economy of ", "history of ", "demographics of ", "politics of ",
        "geography of ", "culture of ", "timeline of ", "outline of ")

def split_title(title):
    """(core, qualifier): 'Massachusetts (Bee Gees song)' -> ('Massachusetts', 'Bee Gees song')."""
    t = title.replace("_", " ")
    if t.endswith(")") and " (" in t:
        k = t.rfind(" (")
        return t[:k], t[k + 2:-1]
    return t, ""

def geo_parts(geo):
    return [p.strip() for p in (geo or "").split(",") if p.strip()]

def field_texts(ev):
    """The texts the title is compared with one by one: actor names, each part of the
    ActionGeo full name, the headline slug (empty ones left out)."""
    out = []
    for a in (ev["actor1"], ev["actor2"]):
        if a and a.strip(): out.append(title_case(a.strip()))
    out += geo_parts(ev["geo"])
    slug = url_words(ev["url"])
    if slug: out.append(slug)
    return out

FEATURES = ["cos_text", "cos_field_max", "cos_slug", "name_equal", "country_of_local",
            "in_slug", "word_overlap", "qualifier_absent", "year_mismatch", "meta_page",
            # from GDELT's coded fields (rerank.h; structured() below)
            "country_page", "country_national", "country_local", "country_slug", "part_of_name",
            "actor_equal",
            # tried with the localised names (2026-11-26): the title is a country page only by
            # its name in its wiki's language; the title's country is one the event's codes name
            "country_localised", "country_event",
            # that know a story's own article (2026-12-06; rerank.h)
            "kind_match", "kind_other", "year_match", "entity_in_title", "title_novel",
            # entities of a story (2026-12-06, second round; rerank.h)
            "name_in_event", "words_in_event", "story_entity", "entity_clean"]
# The model uses these six (the order of the C table). cos_slug, name_equal, country_of_local
# and meta_page were tried too: each moved the cross-validated F1 by less than its spread
# (+-0.005 against an sd of 0.09), so they were left out (`--features` reproduces the trial).
# C_ORDER: the features src/correlate/rerank.c computes, in its order (RERANK_NFEATURES), which the
# model uses. The text six were chosen earlier (docs/gold.md); the structured ones by --select
# from STRUCTURED (forward selection by grouped CV on the dev set, with C).
C_ORDER = ["cos_text", "cos_field_max", "in_slug", "word_overlap", "qualifier_absent",
           "year_mismatch", "country_national", "country_local", "country_slug",
           "kind_match", "kind_other", "year_match", "entity_in_title", "title_novel",
           "name_in_event", "words_in_event", "story_entity", "entity_clean"]
USED = C_ORDER
STRUCTURED = ["country_page", "country_national", "country_local", "country_slug",
              "part_of_name", "actor_equal", "country_localised", "country_event"]

# ---- localised country pages (src/correlate/country_names.c, dumped by the C side) -----------

LOCAL = None  # wiki -> {tuple(tokens(name)): [rows]}; None: --no-local

def read_country_names(path):
    """`wikigdelt eval --country-names` output: wiki, language, row, name."""
    out = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"): continue
        wiki, lang, row, name = line.rstrip("\n").split("\t")
        d = out.setdefault(wiki, {})
        if int(row) >= 0 and tokens(name):
            rows = d.setdefault(tuple(tokens(name)), [])
            if int(row) not in rows: rows.append(int(row))
    return out

def local_rows(wiki, title):
    """country_page_rows: the rows of which title is the page in its wiki's language."""
    if LOCAL is None or not wiki: return []
    return LOCAL.get(wiki, {}).get(tuple(tokens(title)), [])

def event_rows(ev):
    """country_rows_of_codes: rows named by Actor1/2CountryCode (CAMEO) or ActionGeo_CountryCode."""
    global COUNTRIES
    if COUNTRIES is None: COUNTRIES = read_country_table()
    a1, a2 = code(ev["actor_country"][0], 4), code(ev["actor_country"][1], 4)
    g = code(ev["geo_country"], 3)
    return [i for i, (cameo, fips, *_r) in enumerate(COUNTRIES)
            if (a1 and a1 == cameo) or (a2 and a2 == cameo) or (g and fips and g == fips)]

def injected(ev, wiki, title):
    """rerank_country_candidate: the title is the page of one of the event's countries in its
    wiki's language (the candidate stage proposes it whatever its cosine)."""
    lr = local_rows(wiki, title)
    return bool(lr) and any(r in lr for r in event_rows(ev))

def read_country_table():
    """The rows of src/correlate/countries.c: (cameo, fips, [names], [adjectives], [seats]), the
    last three as word lists."""
    import os
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../src/correlate/countries.c")
    rows = re.findall(r'^\s*\{"([A-Z]*)", "([A-Z]*)", "([^"]*)", "([^"]*)", "([^"]*)"\},$',
                      open(src, encoding="utf-8").read(), re.M)
    if len(rows) < 150: sys.exit(f"{src}: country table not found")
    split = lambda v: [tokens(x) for x in v.split(";") if tokens(x)]
    return [(c, f, split(n), split(a), split(s)) for c, f, n, a, s in rows]

COUNTRIES = None
LEXICAL = False  # --lexical
NATIONAL_TYPES = {"GOV", "MIL", "LEG", "JUD", "ELI", "SPY"}

def code(v, cap):
    """rerank.c copy_code: a code that does not fit its array is empty."""
    return v if v and len(v.encode()) < cap else ""

def structured(ev, title, wiki=None):
    """country_page, country_national, country_local, country_slug, part_of_name, actor_equal,
    country_localised, country_event. rerank.c's structured_features computes the ones the model
    uses (national, local, slug); the others were tried by --select and are computed here only."""
    global COUNTRIES
    if COUNTRIES is None: COUNTRIES = read_country_table()
    ct = tokens(split_title(title)[0])
    whole = tokens(title)  # the qualifier counts here: "Georgia (country)", not "(U.S. state)"
    out = [0.0] * 8
    if not whole: return out
    lrows = local_rows(wiki, title)
    erows = event_rows(ev)
    slug = tokens(url_words(ev["url"]))
    actors = [tokens(ev["actor1"] or ""), tokens(ev["actor2"] or "")]
    geos = [tokens(g) for g in (ev["geo"] or "").split(",")][:16]
    gtype = ev["geo_type"] if 0 <= ev["geo_type"] <= 5 else 0
    for row, (cameo, fips, names, adjs, seats) in enumerate(COUNTRIES):
        english = any(whole == n for n in names)
        if not english and row not in lrows: continue
        out[0] = 1.0
        if not english: out[6] = 1.0
        if row in erows: out[7] = 1.0
        national = any(code(ev["actor_country"][a], 4) == cameo and
                       any(code(t, 4) in NATIONAL_TYPES for t in ev["actor_type"][a]) for a in (0, 1))
        in_country = bool(fips) and code(ev["geo_country"], 3) == fips
        if in_country and any(g == x for g in geos for x in seats): national = True
        if national: out[1] = 1.0
        if in_country and 2 <= gtype <= 5 and not national: out[2] = 1.0
        if any(contains_seq(slug, x) for x in names + adjs): out[3] = 1.0
    equal = any(ct == x for x in actors + geos)
    part = any(len(x) > len(ct) and contains_seq(x, ct) for x in actors + geos if x != ct)
    out[4] = float(bool(ct) and part and not equal)
    out[5] = float(bool(ct) and any(ct == x for x in actors))
    return out

def contains_seq(hay, needle):
    if not needle: return False
    for i in range(len(hay) - len(needle) + 1):
        if hay[i:i + len(needle)] == needle: return True
    return False

def features(ev, title, cos_text, field_cos, slug_cos, wiki=None):
    """field_cos: cosine of the title with each of field_texts(ev); slug_cos: with the slug (0 if none)."""
    core, qual = split_title(title)
    ct = tokens(core)
    slug = tokens(url_words(ev["url"]))
    names = [tokens(a) for a in (ev["actor1"], ev["actor2"]) if a]
    geos = [tokens(g) for g in geo_parts(ev["geo"])]
    evtok = set(slug)
    for x in names + geos: evtok.update(x)
    evtok.update(tokens(ev["description"] or ""))
    name_equal = bool(ct) and any(ct == x for x in names + geos)
    # A country page is related only to national affairs: the title is the country of a more
    # specific place (the last of >= 2 geo parts) and no actor is that country.
    country_of_local = (len(geos) >= 2 and ct == geos[-1] and not any(ct == x for x in names))
    content = [t for t in ct if t not in STOP]
    overlap = sum(1 for t in content if t in evtok) / len(content) if content else 0.0
    qt = [t for t in tokens(qual) if t not in STOP]
    qualifier_absent = bool(qt) and not any(t in evtok for t in qt)
    years = [int(t) for t in tokens(title) if len(t) == 4 and t.isdigit() and 1800 <= int(t) <= 2099]
    year_mismatch = bool(years) and not any(y in ev["years"] for y in years)
    low = title.replace("_", " ").lower()
    meta = low.startswith(META) or bool(re.search(r" at the \d{4} ", low + " "))
    year_match = bool(years) and any(y in ev["years"] for y in years)
    fmax = max(field_cos) if len(field_cos) else 0.0
    return [cos_text, fmax, slug_cos, float(name_equal), float(country_of_local),
            float(contains_seq(slug, ct)), overlap, float(qualifier_absent), float(year_mismatch),
            float(meta)] + structured(ev, title, wiki) + story_features(ev, title, year_match) \
        + entity_features(ev, title, year_match, bool(year_mismatch))

# ---- the story's own article (rerank.c: rerank_kinds, kind_features, entity_in_title) --------

KINDS = None  # [(set of words, set of roots)] of rerank.c's rerank_kinds

def read_kinds():
    import os
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../src/correlate/rerank.c")
    rows = re.findall(r'^\s*\{"([a-z0-9;]+)", "([0-9;]*)"\},$', open(src, encoding="utf-8").read(), re.M)
    if len(rows) < 5: sys.exit(f"{src}: rerank_kinds not found")
    return [({w.encode() for w in a.split(";") if w}, {r.encode() for r in b.split(";") if r})
            for a, b in rows]

def story_features(ev, title, year_match):
    """kind_match, kind_other, year_match, entity_in_title (rerank.h)."""
    global KINDS
    if KINDS is None: KINDS = read_kinds()
    whole, slug = tokens(title), set(tokens(url_words(ev["url"])))
    root = code(ev.get("root"), 3).encode()
    anyk = hit = False
    for words, roots in KINDS:
        if not any(t in words for t in whole): continue
        anyk = True
        if (root and root in roots) or any(t in words for t in slug):
            hit = True; break
    ct = tokens(split_title(title)[0])
    names = [tokens(ev["actor1"] or ""), tokens(ev["actor2"] or "")]
    if ev["geo"]: names += [tokens(g) for g in ev["geo"].split(",")][:16]
    ent = any(sum(1 for t in x if t not in STOP) and len(x) < len(ct) and contains_seq(ct, x)
              for x in names)
    evt = set(slug)
    for x in names: evt.update(x)
    evt.update(tokens(ev["description"] or ""))
    allkinds = set().union(*[w for w, _r in KINDS])
    novel = any(t not in STOP and not (len(t) == 4 and t.isdigit()) and t not in allkinds
                and t not in evt for t in whole)
    return [float(hit), float(anyk and not hit), float(year_match), float(ent), float(novel)]

# ASCII folding of the Latin-1 letters (UTF-8 C3 80..C3 BF), rerank.c's fold_latin1: a name
# spelt with diacritics in a title ("Andrés") meets GDELT's ASCII ("ANDRES"). '.' keeps the byte.
FOLD = "AAAAAAACEEEEIIIIDNOOOOO.OUUUUY.saaaaaaaceeeeiiiidnooooo.ouuuuy.y"

def fold(t):
    """A token (bytes) with its Latin-1 letters folded to ASCII lower case."""
    out, i = bytearray(), 0
    while i < len(t):
        if t[i] == 0xC3 and i + 1 < len(t) and 0x80 <= t[i + 1] <= 0xBF and FOLD[t[i + 1] - 0x80] != ".":
            out.append(ord(FOLD[t[i + 1] - 0x80].lower())); i += 2
        else:
            out.append(t[i]); i += 1
    return bytes(out)

def entity_features(ev, title, year_match, year_mismatch):
    """name_in_event, words_in_event, story_entity, entity_clean (rerank.h)."""
    global KINDS
    if KINDS is None: KINDS = read_kinds()
    core, qual = split_title(title)
    ct = [fold(t) for t in tokens(core)]
    whole = [fold(t) for t in tokens(title)]
    slug = [fold(t) for t in tokens(url_words(ev["url"]))]
    actors = [[fold(t) for t in tokens(a or "")] for a in (ev["actor1"], ev["actor2"])]
    geo = [fold(t) for t in tokens(ev["geo"] or "")]
    iskind = lambda t: any(t in w for w, _r in KINDS)
    year_like = lambda t: len(t) == 4 and t.isdigit()
    words = set(slug) | set(geo)
    for x in actors: words |= set(x)
    name = False
    if 2 <= len(ct) <= 3 and not qual and not any(t in STOP for t in ct):
        # a person's name: two or three words, no stop word ("Economy of Iran" is not), its last
        # word (the surname) in the slug or an actor name
        last = ct[-1]
        name = (len(last) >= 4 and not iskind(last) and not year_like(last)
                and (last in slug or any(last in x for x in actors)))
    content = [t for t in ct if t not in STOP]
    allin = bool(content) and all(t in words for t in content)
    anyk = any(iskind(t) for t in whole)
    shared = any(t not in STOP and not iskind(t) and not year_like(t) and len(t) >= 3 and t in words
                 for t in whole)
    story = anyk and shared
    kind_other = story_features(ev, title, year_match)[1]
    clean = (name or story) and not year_mismatch and not kind_other
    return [float(name), float(allin), float(story), float(clean)]

# ---- data ------------------------------------------------------------------------------------

def compose(ev):
    """event_text_compose with the default fields description,actor1,actor2,geo,url."""
    parts = []
    d = ev["description"]
    if d and d.strip():
        if len(d) > 21 and d.lower().endswith(", not specified below"): d = d[:-21]
        parts.append(d)
    a1, a2 = ev["actor1"], ev["actor2"]
    if a1 and a1.strip(): parts.append(title_case(a1))
    if a2 and a2.strip() and not (a1 and a1.lower() == a2.lower()): parts.append(title_case(a2))
    if ev["geo"] and ev["geo"].strip(): parts.append(ev["geo"])
    slug = url_words(ev["url"])
    if slug: parts.append(slug)
    return ". ".join(parts)

# `wikigdelt eval`'s rule for a labelled title's wiki (cmd_correlate.c, wiki_of_title_sql).
WIKI_OF_TITLE = ("SELECT wiki FROM wikimedia_silver WHERE title = ?1 AND is_content = 1 GROUP BY wiki"
                 " ORDER BY COUNT(*) DESC, wiki = 'enwiki' DESC, wiki LIMIT 1")

def story_heldout(story):
    """The split of the story sets (tests/data/README.md, "Story sets"): a story is held out when
    the FNV-1a 32-bit hash of its id (UTF-8) is 0 modulo 3 (`wikigdelt eval --part`)."""
    h = 2166136261
    for c in story.encode():
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h % 3 == 0

def label_lines(path, part=None):
    """(group, EventID, title, label) of a label file: `EventID, title, related` lines (group:
    None, the caller groups by SOURCEURL), or the story form `story, EventID, title, label, kind,
    note` (group: the story; label ? skipped; part dev / heldout / None = all)."""
    out = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n").rstrip("\r")
        if not line or line.startswith("#"): continue
        c = line.split("\t")
        if len(c) == 3:
            if part: sys.exit(f"{path}: a part (--part) needs the story form")
            if c[2] not in ("0", "1"): continue  # a header
            out.append((None, c[0], c[1], int(c[2])))
        elif len(c) == 6 and c[1].isdigit():
            if c[3] == "?": continue
            if c[3] not in ("0", "1"): sys.exit(f"{path}:{n}: label must be 1, 0 or ?")
            if part and (part == "heldout") != story_heldout(c[0]): continue
            out.append((c[0], c[1], c[2], int(c[3])))
        else:
            sys.exit(f"{path}:{n}: expected 3 (EventID, title, related) or 6 tab-separated columns")
    return out

def load_event(con, eid, db):
    """The event's fields from gdelt_silver, as rerank.c's loader reads them."""
    r = con.execute("SELECT event_description, Actor1Name, Actor2Name, ActionGeo_FullName,"
                    " SOURCEURL, SQLDATE, DATEADDED, Actor1CountryCode, Actor2CountryCode,"
                    " Actor1Type1Code, Actor1Type2Code, Actor1Type3Code, Actor2Type1Code,"
                    " Actor2Type2Code, Actor2Type3Code, ActionGeo_Type, ActionGeo_CountryCode,"
                    " EventRootCode FROM gdelt_silver WHERE GLOBALEVENTID=?", (int(eid),)).fetchone()
    if r is None: sys.exit(f"EventID {eid} not in gdelt_silver of {db}")
    ev = dict(id=int(eid), description=r[0], actor1=r[1], actor2=r[2], geo=r[3], url=r[4],
              sqldate=r[5] or 0, dateadded=r[6] or 0,
              years={(r[5] or 0) // 10000, (r[6] or 0) // 10000000000},
              actor_country=[r[7], r[8]], actor_type=[[r[9], r[10], r[11]], [r[12], r[13], r[14]]],
              geo_type=r[15] or 0, geo_country=r[16], root=r[17])
    return ev

def load(db, path, part=None):
    con = sqlite3.connect(db)
    has_wiki = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'wikimedia_silver'").fetchone()
    rows = []
    for story, eid, title, lab in label_lines(path, part):
        ev = load_event(con, eid, db)
        ev["group"] = story if story is not None else "url:" + (ev["url"] or str(eid))
        t = title.replace("_", " ")
        w = con.execute(WIKI_OF_TITLE, (t,)).fetchone() if has_wiki else None
        ev["wiki"] = w[0] if w else None  # the title's wiki (one pair per event row here)
        rows.append((ev, t, int(lab)))
    return rows

class Embedder:
    def __init__(self, model_dir):
        from sentence_transformers import SentenceTransformer
        self.m = SentenceTransformer(model_dir, device="cpu")
        self.cache = {}
    def __call__(self, texts):
        new = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if new:
            for t, v in zip(new, self.m.encode(new, batch_size=64, normalize_embeddings=True)):
                self.cache[t] = v
        return np.array([self.cache[t] for t in texts])

def featurize(rows, emb, field_cos_out=None, inj_out=None, prod_out=None):
    X, y, groups, cos = [], [], [], []
    for ev, title, lab in rows:
        if inj_out is not None: inj_out.append(injected(ev, ev.get("wiki"), title))
        text = compose(ev)
        fields = field_texts(ev)
        slug = url_words(ev["url"])
        v = emb([text, title] + fields)
        c = float(v[0] @ v[1])
        fc = [float(v[1] @ f) for f in v[2:]]
        sc = fc[-1] if slug else 0.0
        if field_cos_out is not None: field_cos_out.append(fc)
        if prod_out is not None: prod_out.append((v[0] * v[1]).astype(np.float32))
        X.append(features(ev, title, c, fc, sc, ev.get("wiki"))); y.append(lab); groups.append(ev["group"]); cos.append(c)
    return np.array(X), np.array(y), np.array(groups), np.array(cos)

# ---- model and protocol ----------------------------------------------------------------------

def prf(pred, y):
    tp = int(((pred == 1) & (y == 1)).sum()); fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0; r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)

THRESHOLDS = np.round(np.arange(0.0, 1.0001, 0.01), 2)

def best_threshold(score, y, cand):
    """Best F1 over the sweep (ties: the higher threshold), as gold_eval_sweep does."""
    best = (-1, 0)
    for t in THRESHOLDS:
        f = prf(((score >= t) & cand).astype(int), y)[2]
        if f >= best[0]: best = (f, t)
    return best[1]

def fit(X, y, C):
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(C=C, max_iter=5000).fit(X, y)

def score(m, X):
    return 1 / (1 + np.exp(-(X @ m.coef_[0] + m.intercept_[0])))

def candidates(cos, cand_thr):
    """The candidate stage: cand_thr is the cosine threshold, or already the candidate mask
    (cosine or a country page injected, main())."""
    return cand_thr if isinstance(cand_thr, np.ndarray) else cos >= cand_thr

def grouped_folds(groups, seed, k):
    """The (train, test) index pairs of a grouped k-fold split: a story's (or an article's) pairs
    in one fold, the groups shuffled by seed (GroupKFold alone is deterministic, so repeated CV
    needs the shuffle)."""
    from sklearn.model_selection import GroupKFold
    rng = np.random.RandomState(seed)
    uniq = np.unique(groups); perm = dict(zip(uniq, rng.permutation(len(uniq))))
    gp = np.array([perm[x] for x in groups])
    return list(GroupKFold(n_splits=k).split(gp, gp, gp))

def cross_validate(X, y, groups, cos, cand_thr, C, k, seeds):
    """Grouped k-fold (all pairs of an event in one fold); threshold chosen on the training
    folds. Returns per-fold (P, R, F1) of the reranker and of cosine alone."""
    out_r, out_c = [], []
    for seed in seeds:
        for tr, te in grouped_folds(groups, seed, k):
            cand = candidates(cos, cand_thr)
            trc = tr[cand[tr]]
            m = fit(X[trc], y[trc], C)
            t = best_threshold(score(m, X[tr]), y[tr], cand[tr])
            out_r.append(prf(((score(m, X[te]) >= t) & cand[te]).astype(int), y[te]))
            tc = best_threshold(cos[tr], y[tr], np.ones(len(tr), bool))
            out_c.append(prf((cos[te] >= tc).astype(int), y[te]))
    return np.array(out_r), np.array(out_c)

GAIN = 0.005  # a feature is added only if it raises the CV F1 mean by at least this much

def forward_select(X, y, groups, cos, cand_thr, C, k, seeds, base, pool, log=None):
    """Forward selection on the grouped CV F1 mean: from base, add the candidate of pool that
    raises it most, while that gain is >= GAIN."""
    cur = list(base)
    cv_f1 = lambda fs: cross_validate(X[:, fs], y, groups, cos, cand_thr, C, k, seeds)[0][:, 2].mean()
    best = cv_f1(cur)
    if log: log(f"  start {best:.4f}")
    while True:
        trials = sorted(((cv_f1(cur + [j]), j) for j in pool if j not in cur), reverse=True)
        if log: log("  " + " ".join(f"{FEATURES[j]}:{f:.4f}" for f, j in trials))
        if not trials or trials[0][0] < best + GAIN: return cur, best
        best = trials[0][0]; cur.append(trials[0][1])
        if log: log(f"  add {FEATURES[trials[0][1]]} -> {best:.4f}")

C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)  # L2 strengths tried by --select

def select_model(X, y, groups, cos, cand_thr, k, seeds, base, pool, log=None):
    """For each C of C_GRID the forward selection; the (C, features) of the best CV F1 mean."""
    best = None
    for C in C_GRID:
        if log: log(f" C = {C}:")
        fs, f1 = forward_select(X, y, groups, cos, cand_thr, C, k, seeds, base, pool, log)
        if best is None or f1 > best[2]: best = (C, fs, f1)
    return best

def nested_cv(X, y, groups, cos, cand_thr, k, repeats, base, pool):
    """The whole procedure (selection, fit, threshold) inside each outer grouped fold: what the
    selected model's CV figure is worth once the selection's own optimism is taken out."""
    out = []
    for seed in range(repeats):
        for tr, te in grouped_folds(groups, 1000 + seed, k):
            cand = candidates(cos, cand_thr)
            C, fs, _ = select_model(X[tr], y[tr], groups[tr], cos[tr], cand[tr], k, range(2),
                                    base, pool)
            trc = tr[cand[tr]]
            m = fit(X[trc][:, fs], y[trc], C)
            t = best_threshold(score(m, X[tr][:, fs]), y[tr], cand[tr])
            out.append(prf(((score(m, X[te][:, fs]) >= t) & cand[te]).astype(int), y[te]))
    return np.array(out)

def dump_country_names(db):
    """Runs `wikigdelt --home HOME eval --country-names` (build/wikigdelt of this tree) into a
    temporary file and returns its path."""
    import os, subprocess, tempfile
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../..")
    out = os.path.join(tempfile.mkdtemp(prefix="fit-names."), "names.tsv")
    subprocess.run([os.path.join(root, "build/wikigdelt"), "--home", os.path.dirname(os.path.abspath(db)),
                    "eval", "--country-names", out], check=True)
    return out

def compiled_model():
    """(intercept, coefficients in C_ORDER, product weights) of the tables in
    src/correlate/rerank_model.c."""
    import os
    src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../src/correlate/rerank_model.c"),
               encoding="utf-8").read()
    b = re.search(r"rerank_intercept = ([+-]?\d+\.\d+);", src).group(1)
    table = src[src.index("rerank_coef[RERANK_NFEATURES] = {"):]
    table = table[:table.index("};")]
    coef = {n: float(w) for w, n in re.findall(r"([+-]\d+\.\d+), /\* (\w+)", table)}
    if list(coef) != C_ORDER: sys.exit("rerank_model.c's table does not list C_ORDER")
    prod = src[src.index("rerank_product[EMBED_DIM] = {"):]
    v = np.array([float(x) for x in re.findall(r"([+-]\d+\.\d+)f", prod[:prod.index("};")])])
    if len(v) != 384: sys.exit(f"rerank_model.c's rerank_product has {len(v)} weights, not 384")
    return float(b), np.array([coef[f] for f in C_ORDER]), v

def check_c(path, rows, X, P, cand):
    """Parity of C and Python on every pair: the same wiki, the same candidate stage, the same
    match_score to 2e-3 (the cosines differ by ~1e-4 between the C engine in fp32 and
    sentence-transformers; a binary feature that differed would move the score by >= 0.02)."""
    b, w, v = compiled_model()
    py = 1 / (1 + np.exp(-(b + X[:, [FEATURES.index(f) for f in C_ORDER]] @ w + P @ v)))
    lines = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8")][1:]
    if len(lines) != len(rows): sys.exit(f"{path}: {len(lines)} pairs, labels {len(rows)}")
    bad, worst = 0, 0.0
    for i, (l, (ev, title, lab)) in enumerate(zip(lines, rows)):
        cm = float(l[4]) if l[4] else None
        wiki = l[5] if len(l) > 5 else ""
        problem = None
        if wiki != (ev.get("wiki") or ""): problem = f"wiki C {wiki!r}, Python {ev.get('wiki')!r}"
        elif (cm is not None) != bool(cand[i]): problem = f"candidate C {cm is not None}, Python {bool(cand[i])}"
        elif cm is not None:
            worst = max(worst, abs(cm - py[i]))
            if abs(cm - py[i]) > 2e-3: problem = f"match_score C {cm:.4f}, Python {py[i]:.4f}"
        if problem:
            bad += 1
            print(f"pair {i + 1} ({ev['id']}, {title}): {problem}")
    print(f"C vs Python on {len(rows)} pairs: {bad} differences; candidates {int(cand.sum())};"
          f" largest match_score difference {worst:.5f}")
    return bad

# ---- several sets: grouped CV across them, chosen by the worst set's F1 -----------------------

def parse_set(spec):
    """NAME=PATH[@PART] -> (name, path, part)."""
    if "=" not in spec: sys.exit(f"{spec}: expected NAME=PATH[@dev|@heldout]")
    name, rest = spec.split("=", 1)
    path, part = (rest.rsplit("@", 1) + [None])[:2] if "@" in rest else (rest, None)
    if part not in (None, "dev", "heldout"): sys.exit(f"{spec}: part must be dev or heldout")
    return name, path, part

class LabelSet:
    def __init__(self, name, db, path, part, emb, cand_thr):
        self.name, self.path, self.part = name, path, part
        self.rows = load(db, path, part)
        if not self.rows: sys.exit(f"{path} ({part or 'all'}): no labelled pairs")
        inj, prod = [], []
        self.X, self.y, self.groups, self.cos = featurize(self.rows, emb, None, inj, prod)
        self.P = np.array(prod)
        self.groups = np.array([name + "|" + str(g) for g in self.groups])
        self.cand = (self.cos >= cand_thr) | np.array(inj, bool)
        if LEXICAL: self.cand |= self.X[:, FEATURES.index("name_in_event")] > 0

def fit_w(X, y, C, w):
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(C=C, max_iter=5000).fit(X, y, sample_weight=w)

def set_weights(sets, which, equal):
    """Sample weights: 1, or each set's pairs weighing as much in all as another set's."""
    if not equal: return np.ones(len(which))
    sid = np.concatenate([np.full(len(st.y), i) for i, st in enumerate(sets)])[which]
    counts = np.bincount(sid, minlength=len(sets)).astype(float)
    return (len(which) / (len(sets) * counts[sid]))

def oof_scores(sets, use, C, equal, k, seeds):
    """Out-of-fold match scores of every pair, per seed: grouped k-fold over the union of the
    sets (a story's, or an article's, pairs in one fold), fitted on the training folds'
    candidates. Non-candidates score -1."""
    X = np.vstack([st.X for st in sets])[:, use]
    y = np.concatenate([st.y for st in sets]); cand = np.concatenate([st.cand for st in sets])
    g = np.concatenate([st.groups for st in sets])
    out = []
    for seed in seeds:
        sc = np.full(len(y), -1.0)
        for tr, te in grouped_folds(g, seed, k):
            trc = tr[cand[tr]]
            m = fit_w(X[trc], y[trc], C, set_weights(sets, trc, equal))
            tec = te[cand[te]]
            sc[tec] = score(m, X[tec])
        out.append(sc)
    return out

def per_set_f1(sets, scores, t):
    """F1 of score >= t on each set (scores: the union's, in set order)."""
    out, o = [], 0
    for st in sets:
        sc = scores[o:o + len(st.y)]; o += len(st.y)
        out.append(prf((sc >= t).astype(int), st.y))
    return out

def worst_choices(sets, runs, tmin=0.0):
    """For every threshold t >= tmin: (t, mean over runs of the worst set's F1, mean over runs of
    the sets' mean F1, sd over runs of the worst set's F1, per-set mean (P, R, F1))."""
    out = []
    for t in THRESHOLDS[THRESHOLDS >= tmin - 1e-9]:
        per = np.array([[f for f in per_set_f1(sets, sc, t)] for sc in runs])  # runs x sets x 3
        w = per[:, :, 2].min(axis=1)
        out.append((t, w.mean(), per[:, :, 2].mean(), w.std(), per.mean(axis=0)))
    return out

def worst_choice(sets, runs, tmin=0.0):
    """The threshold (>= tmin) that maximises the mean over runs of the worst set's F1; (t, that
    value, per-set mean (P, R, F1) at t)."""
    t, worst, _mean, _sd, per = max(worst_choices(sets, runs, tmin), key=lambda r: r[1])  # the first best
    return t, worst, per

NEW4 = ["name_in_event", "words_in_event", "story_entity", "entity_clean"]
FEATURE_SETS = {  # the feature sets --fit-set tries (C_ORDER's order; a left-out one weighs 0)
    "old9": C_ORDER[:9],
    "old9+name": C_ORDER[:9] + ["name_in_event"],
    "old9+words": C_ORDER[:9] + ["words_in_event"],
    "old9+story": C_ORDER[:9] + ["story_entity"],
    "old9+clean": C_ORDER[:9] + ["entity_clean"],
    "old9+new4": C_ORDER[:9] + NEW4,
    "old9+new4+kind": C_ORDER[:9] + ["kind_match", "kind_other"] + NEW4,
    "all18": C_ORDER,
    "no_overlap": [f for f in C_ORDER if f != "word_overlap"],
    "no_novel": [f for f in C_ORDER if f != "title_novel"],
}

# --product K: the element-wise product of the event-text and title embeddings (a weighted
# cosine), reduced to its K main directions over the fit sets' pairs (PCA, scaled by PROD_SCALE
# so a column is on the scale of the cosines). A linear model on the projection is linear in the
# product itself, so the C code holds it as one weight per dimension (rerank_product) and an
# intercept shift: w . (S * C (p - mean)) = (S * C^T w) . p - (S * C^T w) . mean.
PROD_SCALE = 10.0
PROD = []  # the product columns' names once --product adds them to FEATURES

def feature_list(fs):
    """A --feature-sets name: one of FEATURE_SETS, or one of them + "+prod"."""
    if fs.endswith("+prod"):
        if not PROD: sys.exit(f"{fs}: needs --product K")
        return FEATURE_SETS[fs[:-5]] + PROD
    return FEATURE_SETS[fs]

def add_products(pca, sets):
    """Append the product columns to each set's (or pool's) X."""
    for st in sets:
        st.X = np.hstack([st.X[:, :len(FEATURES) - len(PROD)], PROD_SCALE * pca.transform(st.P)])

def bootstrap_f1(pred, y, groups, reps=2000, seed=20261125):
    """95% interval of F1 over resamples of the groups (all a group's pairs together)."""
    rng = np.random.RandomState(seed)
    uniq, inv = np.unique(groups, return_inverse=True)
    idx = [np.where(inv == i)[0] for i in range(len(uniq))]
    f = []
    for _ in range(reps):
        pick = np.concatenate([idx[i] for i in rng.randint(0, len(uniq), len(uniq))])
        f.append(prf(pred[pick], y[pick])[2])
    return np.percentile(f, 2.5), np.percentile(f, 97.5)

def protocol(a, emb):
    fit_sets = [LabelSet(n, a.db, p, pt, emb, a.candidate) for n, p, pt in map(parse_set, a.fit_set)]
    held = [LabelSet(n, a.db, p, pt, emb, a.candidate) for n, p, pt in map(parse_set, a.held_set)]
    pca = None
    if a.product:
        from sklearn.decomposition import PCA
        pca = PCA(a.product, random_state=0).fit(np.vstack([st.P for st in fit_sets]))
        PROD[:] = [f"prod{k}" for k in range(a.product)]
        FEATURES.extend(PROD)
        add_products(pca, fit_sets + held)
    for st in fit_sets + held:
        print(f"{'fit ' if st in fit_sets else 'held'} {st.name:10s} {st.path}@{st.part or 'all'}: "
              f"pairs {len(st.y)} (related {st.y.sum()}), groups {len(set(st.groups))}, candidate "
              f"recall {st.y[st.cand].sum()}/{st.y.sum()}; name_in_event below it: "
              f"{int(((st.X[:, FEATURES.index('name_in_event')] > 0) & ~st.cand).sum())} pairs, related "
              f"{int(((st.X[:, FEATURES.index('name_in_event')] > 0) & ~st.cand & (st.y == 1)).sum())}")
    seeds = range(a.repeats)
    grid = [(fs, C, eq) for fs in (a.feature_sets.split(",")) for C in map(float, a.c_grid.split(","))
            for eq in {"natural": (False,), "equal": (True,), "both": (False, True)}[a.weights]]
    X = np.vstack([st.X for st in fit_sets]); y = np.concatenate([st.y for st in fit_sets])
    cand = np.concatenate([st.cand for st in fit_sets])
    ci = np.where(cand)[0]
    pool = vmax = None
    if a.volume:
        pool = VolumePool(a.volume, emb, a.candidate)
        if pca is not None: add_products(pca, [pool])
        vmax = pool.emitted(pool.cos, a.volume_cosine)
        print(f"volume: {len(pool.cos)} candidate pairs of {a.volume}; cosine >= {a.volume_cosine:.2f}"
              f" emits {vmax}: a threshold must not emit more")
    results = []  # (worst, mean, sd of worst over repeats, fs, C, eq, t, per) per model and threshold
    for fs, C, eq in grid:
        use = [FEATURES.index(f) for f in feature_list(fs)]
        tmin = 0.0
        if pool is not None:  # the lowest threshold at which the final fit emits <= vmax
            m = fit_w(X[ci][:, use], y[ci], C, set_weights(fit_sets, ci, eq))
            ps = score(m, pool.X[:, use])
            tmin = next((t for t in THRESHOLDS if pool.emitted(ps, t) <= vmax), 1.0)
        runs = oof_scores(fit_sets, use, C, eq, a.folds, seeds)
        rows = worst_choices(fit_sets, runs, tmin)
        results += [(w, mn, sd, fs, C, eq, t, per) for t, w, mn, sd, per in rows]
        w, mn, sd, t, per = max(((r[1], r[2], r[3], r[0], r[4]) for r in rows), key=lambda r: (r[0], r[1]))
        print(f"  {fs:15s} C {C:<5} equal-weights {int(eq)}: threshold {t:.2f} (>= {tmin:.2f}) worst-set CV F1 {w:.4f}"
              f" (sd over repeats {sd:.4f}) mean {mn:.4f}  "
              + "  ".join(f"{st.name} {per[i][2]:.3f}" for i, st in enumerate(fit_sets)))
    # the rule (docs/gold.md): the best worst-set figure; among the (model, threshold) choices
    # within TIE of it, the best mean over the sets (then the smaller C)
    top = max(r[0] for r in results)
    near = [r for r in results if r[0] >= top - a.tie - 1e-12]
    worst, mean, sd, fs, C, eq, t, per = max(near, key=lambda r: (round(r[1], 4), -r[4], r[0]))
    print(f"best worst-set CV F1 {top:.4f}; {len(near)} choices within {a.tie:.3f} of it")
    print(f"chosen: features {fs}, C {C}, equal set weights {int(eq)}, threshold {t:.2f} "
          f"(worst-set CV F1 {worst:.4f}, sd over repeats {sd:.4f}; mean over sets {mean:.4f})")
    for i, st in enumerate(fit_sets):
        print(f"  CV {st.name:10s} P {per[i][0]:.4f} R {per[i][1]:.4f} F1 {per[i][2]:.4f}")
    # the final fit on every fit set's candidates; the threshold is the CV's
    use = [FEATURES.index(f) for f in feature_list(fs)]
    m = fit_w(X[ci][:, use], y[ci], C, set_weights(fit_sets, ci, eq))
    if pool is not None:
        ps = score(m, pool.X[:, use])
        print(f"volume: the chosen decision emits {pool.emitted(ps, t)} of the pool's pairs"
              f" (cosine >= {a.volume_cosine:.2f}: {vmax})")
    # cosine alone: its threshold by the same rule on the fit sets (no fitting involved)
    ct, cworst, cper = worst_choice(fit_sets, [np.concatenate([st.cos for st in fit_sets])])
    print(f"cosine alone, threshold by the same rule on the fit sets: {ct:.2f} (worst-set F1 {cworst:.4f})")
    print("coefficients (C table for src/correlate/rerank_model.c; 0: not used):")
    coef = dict(zip(feature_list(fs), m.coef_[0]))
    v = np.zeros(384)
    if any(f in coef for f in PROD):  # collapsed to one weight per dimension (PROD_SCALE above)
        v = PROD_SCALE * (np.array([coef[f] for f in PROD]) @ pca.components_)
    print(f"    intercept {m.intercept_[0] - float(v @ pca.mean_) if pca is not None else m.intercept_[0]:+.4f}")
    for name in C_ORDER:
        print(f"    {name:18s} {coef.get(name, 0.0):+.4f}")
    if v.any():
        print("rerank_product (one weight per embedding dimension, 8 a line):")
        for i in range(0, 384, 8):
            print("    " + " ".join(f"{x:+.5f}f," for x in v[i:i + 8]))
    print(f"threshold {t:.2f}")
    print("held-out parts (never fitted or chosen on): deployed decision and cosine at "
          f"{ct:.2f}, F1 95% interval by resampling the groups")
    for st in held:
        sc = np.where(st.cand, score(m, st.X[:, use]), -1.0)
        pred = (sc >= t).astype(int); cp = (st.cos >= ct).astype(int)
        p, r, f = prf(pred, st.y); lo, hi = bootstrap_f1(pred, st.y, st.groups)
        cp_, cr, cf = prf(cp, st.y); clo, chi = bootstrap_f1(cp, st.y, st.groups)
        print(f"  {st.name:10s} pairs {len(st.y)} related {st.y.sum()}: deployed P {p:.3f} R {r:.3f} "
              f"F1 {f:.3f} ({lo:.3f}-{hi:.3f}); cosine P {cp_:.3f} R {cr:.3f} F1 {cf:.3f} ({clo:.3f}-{chi:.3f})")

C_GRID_WORST = (0.3, 1.0, 3.0)

# ---- volume: what a decision emits in a replayed window ----------------------------------------

class VolumePool:
    """Every candidate pair of a replay (a store kept by `GOLD_E2E_KEEP=DIR bench/gold_e2e.sh
    --set correlate.rerank.threshold=0 --set correlate.top_k=20`: the 1,766 events of 2024-07-15
    against the wikiticker day, nearly all unrelated; tests/data/README.md, "Volume sample").
    What a decision emits there is, to first order, its number of false pairs."""
    TOP_K = 5  # correlate.top_k: pairs kept per event

    def __init__(self, db, emb, cand_thr):
        # the features of 35,000 pairs take minutes in Python: cached beside the pool, keyed by
        # this script's and rerank.c's text (the rules they compute)
        import hashlib, os
        here = os.path.dirname(os.path.abspath(__file__))
        key = hashlib.sha1(open(__file__, "rb").read() + open(os.path.join(
            here, "../../src/correlate/rerank.c"), "rb").read()).hexdigest()[:12]
        cache = f"{db}.fit-{key}.npz"
        if os.path.exists(cache):
            z = np.load(cache)
            self.X, self.cos, self.event, self.P = z["X"], z["cos"], z["event"], z["P"]
        else:
            self._featurize(db, emb)
            np.savez(cache, X=self.X, cos=self.cos, event=self.event, P=self.P)
        _u, self.inv = np.unique(self.event, return_inverse=True)

    def _featurize(self, db, emb):
        con = sqlite3.connect(db)
        pairs = con.execute("SELECT EventID, wiki, title, cosine_sim FROM correlated_gold_events"
                            " ORDER BY EventID, id").fetchall()
        con.close()
        evs = {}
        rows = []
        con = sqlite3.connect(db)
        for eid, wiki, title, c in pairs:
            if eid not in evs:
                evs[eid] = load_event(con, eid, db)
            ev = dict(evs[eid]); ev["wiki"] = wiki; ev["group"] = eid
            rows.append((ev, title, 0))
        con.close()
        texts = set()  # embedded in large batches first (featurize asks pair by pair)
        for ev, title, _l in rows:
            texts.add(title); texts.add(compose(ev)); texts.update(field_texts(ev))
        emb(sorted(texts))
        prod = []
        self.X, _y, _g, self.cos = featurize(rows, emb, None, None, prod)
        self.P = np.array(prod)
        self.event = np.array([r[0]["id"] for r in rows])

    def emitted(self, score, t):
        """Pairs emitted at threshold t: per event, the best TOP_K of those >= t."""
        n = np.bincount(self.inv[score >= t], minlength=self.inv.max() + 1)
        return int(np.minimum(n, self.TOP_K).sum())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db"); ap.add_argument("model_dir"); ap.add_argument("labels", nargs="?")
    ap.add_argument("--fit-set", action="append", default=[], metavar="NAME=PATH[@dev]",
                    help="a set to fit and choose on (repeat): grouped CV across all of them, the"
                         " model of the best worst-set F1 (the story form's @dev part)")
    ap.add_argument("--held-set", action="append", default=[], metavar="NAME=PATH[@heldout]",
                    help="a held-out set (repeat): scored once with the chosen model")
    ap.add_argument("--feature-sets", default=",".join(FEATURE_SETS),
                    help="the feature sets --fit-set tries (FEATURE_SETS)")
    ap.add_argument("--part", choices=("dev", "heldout"), help="the part of a story-form LABELS")
    ap.add_argument("--volume", metavar="POOL.db",
                    help="with --fit-set: a replay's candidate pairs (VolumePool); a threshold may"
                         " not emit more of them than cosine >= --volume-cosine")
    ap.add_argument("--volume-cosine", type=float, default=0.40,
                    help="the cosine threshold whose volume bounds the decision's (correlate.threshold)")
    ap.add_argument("--candidate", type=float, default=0.20)
    ap.add_argument("--tie", type=float, default=0.01,
                    help="with --fit-set: choices whose worst-set CV F1 is within this of the best"
                         " are ranked by the mean over the sets")
    ap.add_argument("--lexical", action="store_true",
                    help="the candidate stage also admits a pair whose title passes name_in_event,"
                         " whatever its cosine (the measurement of docs/experiments/gold-accuracy.md)")
    ap.add_argument("--c-grid", default="0.3,1.0,3.0", help="with --fit-set: the C values tried")
    ap.add_argument("--weights", default="natural", choices=("natural", "equal", "both"))
    ap.add_argument("--product", type=int, default=0, metavar="K",
                    help="with --fit-set: the embedding product's K main directions as columns"
                         " (feature sets NAME+prod use them)")
    ap.add_argument("--C", type=float, default=0.3)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--features", default=",".join(USED))
    ap.add_argument("--test", help="held-out labels (EventID form): evaluated once, no refit")
    ap.add_argument("--dump", type=int, default=0)
    ap.add_argument("--country-names", help="`wikigdelt eval --country-names` output (default: run"
                    " build/wikigdelt on the db's home)")
    ap.add_argument("--no-local", action="store_true", help="no localised country names, no"
                    " country-page candidates (the rules before 2026-11-26)")
    ap.add_argument("--check-c", metavar="SCORES.tsv",
                    help="compare with `wikigdelt --set embed.precision=fp32 eval --scores SCORES.tsv`"
                         " on the same labels: each pair's wiki, candidate stage and match_score (the"
                         " table compiled in rerank_model.c), then exit")
    ap.add_argument("--pool", default=",".join(STRUCTURED),
                    help="the structured features --select may add (default: all of STRUCTURED)")
    ap.add_argument("--select", action="store_true",
                    help="forward selection of the structured features by grouped CV (from the six"
                         " text features), then the nested CV of that procedure")
    a = ap.parse_args()
    global LOCAL, LEXICAL
    LEXICAL = a.lexical
    if not a.no_local: LOCAL = read_country_names(a.country_names or dump_country_names(a.db))
    emb = Embedder(a.model_dir)
    if a.fit_set: return protocol(a, emb)
    if not a.labels: sys.exit("LABELS or --fit-set needed")
    rows = load(a.db, a.labels, a.part)
    fcs, inj = [], []
    prod = []
    X, y, groups, cos = featurize(rows, emb, fcs, inj, prod)
    inj = np.array(inj, bool)
    candm = (cos >= a.candidate) | inj
    if a.check_c: return check_c(a.check_c, rows, X, np.array(prod), candm)
    if a.select:
        base = [FEATURES.index(f) for f in C_ORDER[:6]]
        pool = [FEATURES.index(f) for f in a.pool.split(",")]
        print(f"forward selection per C (grouped {a.folds}-fold CV x {a.repeats}, gain >= {GAIN}):")
        C, fs, f1 = select_model(X, y, groups, cos, candm, a.folds, range(a.repeats), base,
                                 pool, log=print)
        print(f"selected: --C {C} --features " + ",".join(FEATURES[j] for j in fs) + f" (CV F1 {f1:.4f})")
        n = nested_cv(X, y, groups, cos, candm, a.folds, 2, base, pool)
        print(f"nested CV of the selection (outer grouped {a.folds}-fold x 2, inner x 2): "
              f"P {n[:,0].mean():.4f} R {n[:,1].mean():.4f} F1 {n[:,2].mean():.4f} (sd {n[:,2].std():.4f})")
        return
    use = [FEATURES.index(f) for f in a.features.split(",")]
    Xu = X[:, use]
    cand = candm
    print(f"pairs {len(y)} (related {y.sum()}), events {len(set(groups))}")
    print(f"candidate stage cosine >= {a.candidate:.2f} or a country page of the event in its wiki's"
          f" language: keeps {cand.sum()} pairs, recall {y[cand].sum()}/{y.sum()} = "
          f"{y[cand].sum() / y.sum():.4f} (country pages below the cosine: {(inj & (cos < a.candidate)).sum()},"
          f" related {y[inj & (cos < a.candidate)].sum()})")
    r, c = cross_validate(Xu, y, groups, cos, cand, a.C, a.folds, range(a.repeats))
    print(f"grouped {a.folds}-fold CV x {a.repeats} repeats (threshold chosen on training folds):")
    print(f"  reranked : P {r[:,0].mean():.4f} R {r[:,1].mean():.4f} F1 {r[:,2].mean():.4f} (sd {r[:,2].std():.4f})")
    print(f"  cosine   : P {c[:,0].mean():.4f} R {c[:,1].mean():.4f} F1 {c[:,2].mean():.4f} (sd {c[:,2].std():.4f})")
    m = fit(Xu[cand], y[cand], a.C)
    s = score(m, Xu)
    t = best_threshold(s, y, cand)
    p, rr, f = prf(((s >= t) & cand).astype(int), y)
    print(f"final fit on all {cand.sum()} candidates, IN-SAMPLE (optimistic): threshold {t:.2f} "
          f"P {p:.4f} R {rr:.4f} F1 {f:.4f}")
    print("coefficients (C table for src/correlate/rerank_model.c; 0: not used):")
    print(f"    intercept {m.intercept_[0]:+.4f}")
    coef = dict(zip([FEATURES[i] for i in use], m.coef_[0]))
    for name in C_ORDER + [f for f in coef if f not in C_ORDER]:
        print(f"    {name:18s} {coef.get(name, 0.0):+.4f}")
    corder = [FEATURES.index(f) for f in C_ORDER]
    if a.test:
        trows = load(a.db, a.test)
        tinj = []
        TX, ty, tg, tcos = featurize(trows, emb, None, tinj)
        ts = score(m, TX[:, use])
        tcand = (tcos >= a.candidate) | np.array(tinj, bool)
        p, rr, f = prf(((ts >= t) & tcand).astype(int), ty)
        pc, rc, fc = prf((tcos >= 0.40).astype(int), ty)
        print(f"HELD-OUT {a.test}: pairs {len(ty)} (related {ty.sum()}); candidate recall "
              f"{ty[tcand].sum()}/{ty.sum()}; reranked at {t:.2f}: P {p:.4f} R {rr:.4f} F1 {f:.4f};"
              f" cosine at 0.40: P {pc:.4f} R {rc:.4f} F1 {fc:.4f}")
    # C initializers for tests/unit/test_rerank.c: the pair's inputs, the features and the score.
    cstr = lambda v: "NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    # Evenly spread pairs, plus the first with a qualifier and the first with a year.
    picks = set(np.linspace(0, len(rows) - 1, a.dump).astype(int)) if a.dump else set()
    for test in (lambda t: "(" in t, lambda t: re.search(r"\b(1[89]|20)\d\d\b", t)):
        first = next((i for i, (_, t, _l) in enumerate(rows) if test(t) and cand[i]), None)
        if a.dump and first is not None: picks.add(first)
    for j in corder[6:]:  # and the first candidate with each structured feature set
        first = next((i for i in range(len(rows)) if X[i, j] and cand[i]), None)
        if a.dump and first is not None: picks.add(first)
    # and the first country page known only by its localised name, and the first injected pair
    for test in (lambda i: X[i, FEATURES.index("country_localised")], lambda i: inj[i] and cos[i] < a.candidate):
        first = next((i for i in range(len(rows)) if test(i) and cand[i]), None)
        if a.dump and first is not None: picks.add(first)
    # the score of the table compiled in rerank_model.c (the test checks C's features and scoring)
    if picks:
        # the features' part only (rerank_model_score): the dump holds no embeddings
        cb, cw, _v = compiled_model()
        compiled = 1 / (1 + np.exp(-(cb + X[:, corder] @ cw)))
    for i in sorted(picks):
        ev, title, lab = rows[i]
        coded = "{{%s, %s}, {{%s}, {%s}}, %d, %s, %s}" % (
            cstr(ev["actor_country"][0]), cstr(ev["actor_country"][1]),
            ", ".join(cstr(t) for t in ev["actor_type"][0]),
            ", ".join(cstr(t) for t in ev["actor_type"][1]), ev["geo_type"], cstr(ev["geo_country"]),
            cstr(ev.get("root")))
        print("    {%s, %s, %s, %s, %s, %dLL, %dLL, %s, %s, %.6ff, {%s}, %d, {%s}, %.6f, %s}," % (
            cstr(ev["description"]), cstr(ev["actor1"]), cstr(ev["actor2"]), cstr(ev["geo"]),
            cstr(ev["url"]), ev["sqldate"], ev["dateadded"], coded, cstr(title), cos[i],
            ", ".join("%.6ff" % v for v in fcs[i]), len(fcs[i]),
            ", ".join("%.6f" % v for v in X[i, corder]), compiled[i], cstr(ev.get("wiki"))))
    return X, y, groups, cos, rows

if __name__ == "__main__":
    main()
