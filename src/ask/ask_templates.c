/* The assistant's query templates (ask_int.h): each one's SQL with its markers, the reading of
 * its result, and the example questions a question is compared with. */
#include "ask/ask_int.h"

#include <stddef.h>

const char *const ask_dom_names[] = {"gdelt", "wiki", "gold", "gold", "quality", "schema", "", ""};


const tmpl ask_templates[] = {
    /* ---- GDELT events ---- */
    {"events_count", D_GDELT, 0, 0, "number of events",
     "SELECT COUNT(*) AS events FROM gdelt_silver g{W}",
     {"how many category events were there", "count the events", "number of category events in country",
      "how many events happened", "total events involving actor", "how many events were there in country", "how many events involved actor", "how many events had a tone below", "how many category were reported", "count events in country", "how many events involving the actor in country"}},
    {"events_by_country", D_GDELT, 0, 10, "events grouped by action country (ActionGeo_CountryCode)",
     "SELECT g.ActionGeo_CountryCode AS country, COALESCE(f.name, '') AS country_name, COUNT(*) AS events"
     " FROM gdelt_silver g " FIPS_NAME "{W} GROUP BY 1, 2 ORDER BY events DESC, country LIMIT {N}",
     {"which countries had the most category events", "top N countries by number of events",
      "rank countries by event count", "where did most category events happen", "number of events per country",
      "which nations saw the most category"}},
    {"events_by_actor_country", D_GDELT, 0, 10, "events grouped by Actor1's country (Actor1CountryCode)",
     "SELECT g.Actor1CountryCode AS actor_country, COUNT(*) AS events FROM gdelt_silver g{W}"
     " GROUP BY 1 ORDER BY events DESC, actor_country LIMIT {N}",
     {"which actor countries initiated the most category events", "events by actor country",
      "which countries' actors were most active", "rank actor nationalities by number of events"}},
    {"events_by_category", D_GDELT, 0, 10, "events grouped by CAMEO root code",
     "SELECT g.EventRootCode AS cameo_root, g.event_root_description AS category, COUNT(*) AS events"
     " FROM gdelt_silver g{W} GROUP BY 1, 2 ORDER BY events DESC, cameo_root LIMIT {N}",
     {"what were the most common event types", "events by category", "which kinds of events happened most in country",
      "breakdown of events by CAMEO root code", "what types of events did actor take part in"}},
    {"events_by_code", D_GDELT, 0, 10, "events grouped by CAMEO event code",
     "SELECT g.EventCode AS cameo_code, g.event_description AS description, COUNT(*) AS events"
     " FROM gdelt_silver g{W} GROUP BY 1, 2 ORDER BY events DESC, cameo_code LIMIT {N}",
     {"which specific event codes were most frequent", "breakdown of category events by sub-code",
      "most common detailed CAMEO codes", "what sub-types of category events occurred"}},
    {"events_by_actor", D_GDELT, 0, 10, "events grouped by Actor1Name",
     "SELECT g.Actor1Name AS actor, COUNT(*) AS events FROM gdelt_silver g{W} GROUP BY 1"
     " ORDER BY events DESC, actor LIMIT {N}",
     {"which actors were most active", "top actors in category events", "who initiated the most category events",
      "which actors appear most often in country", "most frequent actor names", "which N actors initiated the most category"}},
    {"events_trend", D_GDELT, 0, 0, "events per {B}",
     "SELECT {B} AS period, COUNT(*) AS events FROM gdelt_silver g{W} GROUP BY 1 ORDER BY 1",
     {"how did the number of category events change over time", "daily count of events",
      "trend of category events per day", "events per hour timeline", "category events over time in country"}},
    {"events_avg_measure", D_GDELT, 0, 0, "average {MN}",
     "SELECT ROUND(AVG({M}), 4) AS avg_{MN}, COUNT(*) AS events FROM gdelt_silver g{W}",
     {"what was the average tone of category events", "mean goldstein score of events in country",
      "average sentiment of the news", "how negative was the coverage of category", "what is the mean tone", "mean sentiment of category"}},
    {"events_measure_by_country", D_GDELT, F_ASC, 10, "average {MN} by action country",
     "SELECT g.ActionGeo_CountryCode AS country, COALESCE(f.name, '') AS country_name,"
     " ROUND(AVG({M}), 4) AS avg_{MN}, COUNT(*) AS events FROM gdelt_silver g " FIPS_NAME "{W}"
     " GROUP BY 1, 2 ORDER BY AVG({M}) {D}, country LIMIT {N}",
     {"which countries had the most negative tone", "countries ranked by average tone",
      "where was coverage most hostile", "which countries had the lowest goldstein scale",
      "average tone per country", "countries with the highest average goldstein"}},
    {"events_measure_trend", D_GDELT, 0, 0, "average {MN} per {B}",
     "SELECT {B} AS period, ROUND(AVG({M}), 4) AS avg_{MN}, COUNT(*) AS events FROM gdelt_silver g{W}"
     " GROUP BY 1 ORDER BY 1",
     {"how did the tone change over time", "average tone per hour", "sentiment timeline",
      "goldstein scale over time for category events", "hourly average tone"}},
    {"events_quadclass", D_GDELT, F_NOQUAD, 0, "events by QuadClass, with shares",
     "SELECT g.QuadClass AS quadclass, CASE g.QuadClass WHEN 1 THEN 'verbal cooperation' WHEN 2 THEN"
     " 'material cooperation' WHEN 3 THEN 'verbal conflict' WHEN 4 THEN 'material conflict' END AS kind,"
     " COUNT(*) AS events, ROUND(100.0 * COUNT(*) / SUM(COUNT(*)) OVER (), 2) AS pct"
     " FROM gdelt_silver g{W} GROUP BY 1 ORDER BY 1",
     {"share of category versus category events", "events by quad class",
      "how much verbal versus material category was there", "breakdown by QuadClass",
      "split of events between cooperation and conflict", "what is the split of events between category and category"}},
    {"events_share", D_GDELT, F_CATEGORY, 0, "share of events that are {S}",
     "SELECT ROUND(100.0 * SUM(CASE WHEN {S} THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0), 2) AS pct,"
     " SUM(CASE WHEN {S} THEN 1 ELSE 0 END) AS matching, COUNT(*) AS events FROM gdelt_silver g{W}",
     {"what share of events were category", "what percentage of events in country were category",
      "fraction of events that are category", "what proportion of the news is about category", "share of category events in country"}},
    {"events_top", D_GDELT, F_MEASURE_MENTIONS, 10, "events ordered by {MN}",
     "SELECT g.GLOBALEVENTID AS EventID, g.event_time, g.Actor1Name, g.Actor2Name, g.EventCode,"
     " g.event_description, g.ActionGeo_FullName, g.NumMentions, g.AvgTone, g.GoldsteinScale"
     " FROM gdelt_silver g{W} ORDER BY {M} {D}, g.GLOBALEVENTID LIMIT {N}",
     {"list the most reported category events", "show the top N events by mentions",
      "which events had the most negative tone", "show me category events in country",
      "what were the biggest news events", "list events involving actor", "show the N events with the lowest tone", "list events in country"}},
    /* ---- Wikipedia ---- */
    {"wiki_top_pages", D_WIKI, F_CONTENT, 10, "most edited pages (content edits)",
     "SELECT w.wiki, w.title, COUNT(*) AS edits FROM wikimedia_silver w{W} GROUP BY 1, 2"
     " ORDER BY edits DESC, w.wiki, w.title LIMIT {N}",
     {"what are the most edited pages", "which wikipedia articles got the most edits",
      "top N pages by edit count on wiki", "most edited articles", "which pages did bots edit most"}},
    {"wiki_by_wiki", D_WIKI, F_CONTENT, 10, "content edits per wiki",
     "SELECT w.wiki, COUNT(*) AS edits FROM wikimedia_silver w{W} GROUP BY 1 ORDER BY edits DESC, w.wiki LIMIT {N}",
     {"which wikis have the most edits", "edits per wiki", "rank wikis by activity",
      "which language editions of wikipedia are busiest", "edit counts by wiki"}},
    {"wiki_bots", D_WIKI, F_NOBOT, 0, "changes by bots and by humans, with shares",
     "SELECT CASE WHEN w.bot = 1 THEN 'bot' ELSE 'human' END AS editor, COUNT(*) AS changes,"
     " ROUND(100.0 * COUNT(*) / SUM(COUNT(*)) OVER (), 2) AS pct FROM wikimedia_silver w{W} GROUP BY 1 ORDER BY 1",
     {"how many edits were made by bots versus humans", "share of bot edits", "bots vs humans",
      "what fraction of changes come from bots", "compare bot and human activity"}},
    {"wiki_page_trend", D_WIKI, F_TITLE | F_HOURLY, 0, "edits of one page per {B}",
     "SELECT {B} AS period, COUNT(*) AS edits FROM wikimedia_silver w{W} GROUP BY 1 ORDER BY 1",
     {"how was page edited over time", "edits of page per hour", "timeline of edits to page",
      "how many times was page edited each hour", "show the edit history of page"}},
    {"wiki_top_editors", D_WIKI, F_CONTENT, 10, "most active editors (content edits)",
     "SELECT w.user, COUNT(*) AS edits FROM wikimedia_silver w{W} GROUP BY 1 ORDER BY edits DESC, w.user LIMIT {N}",
     {"who are the most active editors", "which users made the most edits", "top N editors on wiki",
      "most prolific wikipedia contributors"}},
    {"wiki_count", D_WIKI, F_CONTENT, 0, "number of content edits and pages",
     "SELECT COUNT(*) AS edits, COUNT(DISTINCT w.wiki || ':' || w.title) AS pages FROM wikimedia_silver w{W}",
     {"how many edits were made on wiki", "number of wikipedia edits", "how many pages were edited",
      "count the wikipedia changes"}},
    /* ---- gold ---- */
    {"gold_pages", D_GOLD, 0, 10, "Wikipedia pages correlated with the events",
     "SELECT c.wiki, c.title, COUNT(*) AS pairs, COUNT(DISTINCT c.EventID) AS events,"
     " ROUND(MAX(c.cosine_sim), 4) AS best_cosine FROM correlated_gold_events c{W}"
     " GROUP BY 1, 2 ORDER BY pairs DESC, best_cosine DESC, c.wiki, c.title LIMIT {N}",
     {"which wikipedia pages correlate with category events", "pages linked to news about country",
      "what pages were edited in response to category in country", "which articles are correlated with actor",
      "wikipedia pages related to category"}},
    {"gold_pairs", D_GOLD, 0, 10, "strongest event-page pairs by cosine similarity",
     "SELECT c.EventID, c.event_time, c.wiki, c.title, ROUND(c.cosine_sim, 4) AS cosine_sim, e.event_text"
     " FROM correlated_gold_events c LEFT JOIN gold_events e ON e.gdelt_silver_id = c.gdelt_silver_id{W}"
     " ORDER BY c.cosine_sim DESC, c.id LIMIT {N}",
     {"what are the strongest event page pairs", "show the best matches between news and wikipedia",
      "highest similarity correlations", "top correlated pairs", "strongest correlations between news and edits"}},
    {"gold_events_for_page", D_GOLD, F_TITLE, 10, "news events correlated with one page",
     "SELECT c.EventID, c.event_time, c.wiki, ROUND(c.cosine_sim, 4) AS cosine_sim, e.event_text"
     " FROM correlated_gold_events c LEFT JOIN gold_events e ON e.gdelt_silver_id = c.gdelt_silver_id{W}"
     " ORDER BY c.cosine_sim DESC, c.id LIMIT {N}",
     {"which news events correlate with page", "what news is behind the edits to page",
      "events matched to page", "why was page edited, which events"}},
    {"gold_breaking", D_BURST, 0, 20, "breaking-news bursts and the news behind them",
     "SELECT b.wiki, b.title, b.burst_start, b.burst_edits, b.burst_editors, b.EventID,"
     " ROUND(b.match_score, 4) AS match_score, b.event_text FROM breaking_news_gold b{W}"
     " ORDER BY b.burst_start DESC, b.burst_id, b.match_score DESC LIMIT {N}",
     {"which pages had breaking news bursts", "show editing bursts and the news behind them",
      "what is breaking right now", "pages erupting with edits", "breaking news on wikipedia"}},
    {"gold_by_country", D_GOLD, 0, 10, "correlated pairs grouped by action country",
     "SELECT c.ActionGeo_CountryCode AS country, COUNT(*) AS pairs, COUNT(DISTINCT c.wiki || ':' || c.title) AS pages"
     " FROM correlated_gold_events c{W} GROUP BY 1 ORDER BY pairs DESC, country LIMIT {N}",
     {"which countries' events have the most correlated pages", "correlations by country",
      "which countries have the most wikipedia matches", "rank countries by correlated pairs"}},
    {"gold_match_rate", D_GOLD, 0, 0, "match and mismatch rates of the correlation (gold_mismatch)",
     "SELECT events, matched, no_match, no_partner_window, late, mismatch_rate, match_rate FROM gold_mismatch",
     {"what share of events found a wikipedia match", "what is the mismatch rate",
      "how many events were correlated", "match rate of the correlation"}},
    /* ---- data quality ---- */
    {"quality_valid_rate", D_QUALITY, 0, 0, "valid-record rates of both sources",
     "SELECT 'gdelt' AS source, rows_read, rows_valid, rows_quarantined, valid_rate FROM gdelt_quality"
     " UNION ALL SELECT 'wikimedia', s.n + q.n, s.n, q.n, ROUND(1.0 * s.n / NULLIF(s.n + q.n, 0), 6)"
     " FROM (SELECT COUNT(*) AS n FROM wikimedia_silver) s, (SELECT COUNT(*) AS n FROM wikimedia_quarantine) q",
     {"what is the valid record rate", "data quality of the sources", "how many rows passed the expectations",
      "how clean is the data", "percentage of valid records"}},
    {"quality_quarantine", D_QUALITY, 0, 0, "quarantined rows grouped by the rule they failed",
     "SELECT 'gdelt' AS source, rule AS reason, COUNT(*) AS rows, MIN(detail) AS example FROM gdelt_quarantine"
     " GROUP BY 2 UNION ALL SELECT 'wikimedia', stage || ': ' || reason, COUNT(*), MIN(substr(raw, 1, 80))"
     " FROM wikimedia_quarantine GROUP BY 2 ORDER BY rows DESC, reason",
     {"which rows were quarantined and why", "show quarantine reasons", "why were records rejected",
      "what failed the data quality rules", "list quarantined records"}},
    {"quality_expectations", D_QUALITY, 0, 0, "expectation results per flow and rule",
     "SELECT flow, rule, action, SUM(checked) AS checked, SUM(failed) AS failed FROM expectation_counts"
     " GROUP BY 1, 2, 3 ORDER BY failed DESC, flow, rule",
     {"which expectations failed most", "expectation results per rule", "how many rows failed each rule",
      "data quality rule failures"}},
    /* ---- schema discovery ---- */
    {"schema_describe", D_SCHEMA, F_OBJECT, 0, "columns of {O} with their descriptions",
     "SELECT ?1 AS table_name, p.name AS column_name, p.type AS data_type, COALESCE(c.description, '') AS description"
     " FROM pragma_table_xinfo(?1) p LEFT JOIN catalog_columns c ON c.table_name = ?1 AND c.column_name = p.name"
     " ORDER BY p.cid",
     {"describe table", "what columns does table have", "show me the schema for table with descriptions",
      "what is in table", "schema of table"}},
    {"schema_where", D_SCHEMA, F_TERM, 0, "columns whose name or description mentions '{Q}'",
     "SELECT c.table_name, c.column_name, c.description FROM catalog_columns c"
     " WHERE c.column_name LIKE ?1 OR c.description LIKE ?1"
     " ORDER BY (c.column_name LIKE ?1) DESC, c.table_name, c.column_name LIMIT 40",
     {"where is the column stored", "which column holds column", "which table has column",
      "where can i find column", "in which column is column"}},
    {"schema_tables", D_SCHEMA, F_CATALOG, 0, "tables and views of the catalog",
     "SELECT t.table_name, t.layer, t.description FROM catalog_tables t ORDER BY t.layer, t.table_name",
     {"what tables are there", "list the tables", "what data is available", "which tables can i query",
      "show the catalog"}},
    {"help", D_HELP, 0, 0, "what the assistant can answer", NULL,
     {"what can you do", "help", "what questions can i ask", "how do i use this"}},
    /* ---- the null class: questions outside this data ---- */
    {"cannot_write", D_NULL, 0, 0, "", NULL,
     {"delete the category events", "drop table", "update the rows", "insert a new event",
      "remove all the data", "change the tone of events"}},
    {"cannot_other", D_NULL, 0, 0, "", NULL,
     {"what is the weather tomorrow", "write a poem", "who will win the next election",
      "translate this sentence", "what is the meaning of life", "tell me a joke"}},
};
#define NTEMPLATES (sizeof ask_templates / sizeof ask_templates[0])
_Static_assert(NTEMPLATES <= ASK_MAX_TEMPLATES, "raise ASK_MAX_TEMPLATES");
const size_t ask_ntemplates = NTEMPLATES;

size_t ask_template_count(void) { return NTEMPLATES; }
void ask_template_info(size_t i, const char **id, const char **domain, const char **description)
{
    if (i >= NTEMPLATES) return;
    if (id) *id = ask_templates[i].id;
    if (domain) *domain = ask_dom_names[ask_templates[i].dom];
    if (description) *description = ask_templates[i].what;
}

const char *ask_capabilities(void)
{
    return "I can answer, about the data in this lakehouse:\n"
           "  - GDELT events: counts, rankings by action country, actor country, actor, CAMEO category or code;\n"
           "    shares of a category, QuadClass splits, average tone / Goldstein (overall, per country, over time),\n"
           "    the most reported or most negative events; filtered by CAMEO category in words (protest, demand,\n"
           "    threaten, assault, fight, aid...) or code, country, actor, QuadClass, tone/Goldstein thresholds\n"
           "  - time: today, yesterday, last week, past N days, on 15 July 2025, since June, between X and Y,\n"
           "    in the 2024 data\n"
           "  - Wikipedia: most edited pages, edits per wiki, bots vs humans, top editors, a \"page\" over time\n"
           "  - gold: pages correlated with an event type, country or actor; strongest pairs; events behind a\n"
           "    page; breaking-news bursts and the news behind them; match and mismatch rates\n"
           "  - data quality: valid-record rates, quarantined rows and why, expectation failures\n"
           "  - schema: \"describe TABLE\", \"what columns does TABLE have\", \"where is the tone stored\", \"list the tables\"";
}
