/* Schema of the governance component (migrations, forward-only; append, never edit an applied
 * one): principals with the SHA-256 of their token, groups and their members, grants, the columns
 * masked outside a group, the audit log, and the views made for the groups that may not read the
 * silver tables (secure_gdelt as the report's listing 9 writes it, business_gold,
 * business_wiki_edits). Listed last in store/schema_list.c: its views read the silver and gold
 * tables. Its own tables are in the catalog layer 'govern', which no layer wildcard covers. */
#include "store/store.h"

#define GROUP(name, desc) "INSERT INTO govern_groups VALUES ('" name "','" desc "',strftime('%Y-%m-%d %H:%M:%S','now'));"
#define GRANT(object, group) "INSERT INTO govern_grants VALUES ('" object "','" group "','select',strftime('%Y-%m-%d %H:%M:%S','now'));"
#define BUMP(table, ev, EV) "CREATE TRIGGER " table "_" ev "_govern_version AFTER " EV " ON " table \
    " BEGIN UPDATE govern_state SET version = version + 1; END;"
#define MASK(table, col) "INSERT INTO govern_masks VALUES ('" table "','" col "','compliance');"

static const store_migration govern_migrations[] = {
    {1, "principals, groups, members, grants, masks, audit; secure_gdelt and the business views",
     "CREATE TABLE govern_principals ("
     "  name TEXT PRIMARY KEY,"
     "  token_sha256 TEXT NOT NULL,"
     "  created_at TEXT NOT NULL,"
     "  rotated_at TEXT);"
     "CREATE TABLE govern_groups ("
     "  name TEXT PRIMARY KEY,"
     "  description TEXT NOT NULL,"
     "  created_at TEXT NOT NULL);"
     "CREATE TABLE govern_members ("
     "  group_name TEXT NOT NULL,"
     "  principal TEXT NOT NULL,"
     "  added_at TEXT NOT NULL,"
     "  PRIMARY KEY (group_name, principal));"
     "CREATE INDEX govern_members_principal ON govern_members(principal);"
     "CREATE TABLE govern_grants ("
     "  object TEXT NOT NULL,"
     "  group_name TEXT NOT NULL,"
     "  privilege TEXT NOT NULL,"
     "  granted_at TEXT NOT NULL,"
     "  PRIMARY KEY (object, group_name, privilege));"
     "CREATE TABLE govern_masks ("
     "  table_name TEXT NOT NULL,"
     "  column_name TEXT NOT NULL,"
     "  unmasked_group TEXT NOT NULL,"
     "  PRIMARY KEY (table_name, column_name));"
     "CREATE TABLE govern_audit ("
     "  id INTEGER PRIMARY KEY,"
     "  ts TEXT NOT NULL,"
     "  principal TEXT,"
     "  client TEXT,"
     "  route TEXT,"
     "  sql TEXT,"
     "  outcome TEXT NOT NULL,"
     "  reason TEXT,"
     "  rows INTEGER,"
     "  duration_ms REAL);"
     "CREATE INDEX govern_audit_ts ON govern_audit(ts);"
     /* Listing 9 of the report, as written. */
     "CREATE VIEW secure_gdelt AS\n"
     "SELECT\n"
     "    EventID,\n"
     "    EventCode,\n"
     "    CASE\n"
     "        WHEN is_member('compliance') THEN Actor1Name\n"
     "        ELSE 'REDACTED'\n"
     "    END AS Actor,\n"
     "    is_member('executive') AS is_executive\n"
     "FROM gdelt_silver;"
     "CREATE VIEW business_gold AS"
     "  SELECT c.EventID, c.event_time, c.time_bucket, c.EventCode, e.event_description,"
     "         c.AvgTone, e.GoldsteinScale, e.ActionGeo_FullName, c.ActionGeo_CountryCode,"
     "         c.ActionGeo_Lat, c.ActionGeo_Long, c.wiki, c.title, c.edit_count,"
     "         c.cosine_sim, c.match_score, c.rank"
     "  FROM correlated_gold_events c"
     "  LEFT JOIN gold_events e ON e.gdelt_silver_id = c.gdelt_silver_id;"
     "CREATE VIEW business_wiki_edits AS"
     "  SELECT silver_id, event_time, time_bucket, wiki, server_name, namespace, title, page_url,"
     "         type, bot, minor,"
     "         CASE WHEN is_member('compliance') THEN user ELSE 'REDACTED' END AS user,"
     "         CASE WHEN is_member('compliance') THEN comment ELSE 'REDACTED' END AS comment,"
     "         length_old, length_new, is_content"
     "  FROM wikimedia_silver;"
     GROUP("data_scientists", "Read the bronze, silver and gold layers (personal columns masked).")
     GROUP("business_users", "Read the gold layer and the views made for them (secure_gdelt, business_gold, business_wiki_edits).")
     GROUP("compliance", "Read everything, personal data unmasked, and the audit log.")
     GROUP("executive", "Grants nothing by itself; secure_gdelt.is_executive follows membership.")
     GRANT("layer:bronze", "data_scientists")
     GRANT("layer:silver", "data_scientists")
     GRANT("layer:gold", "data_scientists")
     GRANT("layer:gold", "business_users")
     GRANT("secure_gdelt", "business_users")
     GRANT("business_gold", "business_users")
     GRANT("business_wiki_edits", "business_users")
     GRANT("*", "compliance")
     GRANT("govern_audit", "compliance")
     GRANT("govern_groups", "compliance")
     GRANT("govern_members", "compliance")
     GRANT("govern_grants", "compliance")
     GRANT("govern_masks", "compliance")
     MASK("wikimedia_silver", "user")
     MASK("wikimedia_silver", "comment")
     MASK("wikimedia_bronze", "raw")
     MASK("wikimedia_quarantine", "raw")
     MASK("gold_page_activity", "editors")
     "INSERT INTO catalog_tables VALUES ('govern_principals','govern',"
     "  '" "Principals (API and sql --as users): name and the SHA-256 of their bearer token; the token itself is never stored. Readable by no group." "', 'govern');"
     "INSERT INTO catalog_columns VALUES ('govern_principals','name','Principal name (letters, digits, . _ - @).');"
     "INSERT INTO catalog_columns VALUES ('govern_principals','token_sha256','Hex SHA-256 of the principal''s current bearer token (compared in constant time).');"
     "INSERT INTO catalog_columns VALUES ('govern_principals','created_at','When the principal was added (UTC).');"
     "INSERT INTO catalog_columns VALUES ('govern_principals','rotated_at','When its token was last replaced (UTC), NULL if never.');"
     "INSERT INTO catalog_tables VALUES ('govern_groups','govern',"
     "  '" "Groups that grants are given to: data_scientists, business_users, compliance and executive exist by default." "', 'govern');"
     "INSERT INTO catalog_columns VALUES ('govern_groups','name','Group name, as is_member() takes it.');"
     "INSERT INTO catalog_columns VALUES ('govern_groups','description','What the group is for.');"
     "INSERT INTO catalog_columns VALUES ('govern_groups','created_at','When the group was created (UTC).');"
     "INSERT INTO catalog_tables VALUES ('govern_members','govern',"
     "  '" "Which principal belongs to which group." "', 'govern');"
     "INSERT INTO catalog_columns VALUES ('govern_members','group_name','govern_groups.name.');"
     "INSERT INTO catalog_columns VALUES ('govern_members','principal','govern_principals.name.');"
     "INSERT INTO catalog_columns VALUES ('govern_members','added_at','When the membership was added (UTC).');"
     "INSERT INTO catalog_tables VALUES ('govern_grants','govern',"
     "  '" "SELECT grants: a group may read an object: a table or view name, layer:NAME (every table and view of that catalog layer), layer:view (every view) or * (every catalogued table and view outside the govern layer). Nobody may write through a principal." "', 'govern');"
     "INSERT INTO catalog_columns VALUES ('govern_grants','object','Table or view name, layer:bronze|silver|gold|system|ledger|quarantine|view, or *.');"
     "INSERT INTO catalog_columns VALUES ('govern_grants','group_name','govern_groups.name.');"
     "INSERT INTO catalog_columns VALUES ('govern_grants','privilege','Always select.');"
     "INSERT INTO catalog_columns VALUES ('govern_grants','granted_at','When the grant was given (UTC).');"
     "INSERT INTO catalog_tables VALUES ('govern_masks','govern',"
     "  '" "Personal columns read as NULL by every principal outside unmasked_group, wherever they are read (directly or inside a view)." "', 'govern');"
     "INSERT INTO catalog_columns VALUES ('govern_masks','table_name','Table holding the column.');"
     "INSERT INTO catalog_columns VALUES ('govern_masks','column_name','The masked column.');"
     "INSERT INTO catalog_columns VALUES ('govern_masks','unmasked_group','Members of this group read the column as stored.');"
     "INSERT INTO catalog_tables VALUES ('govern_audit','govern',"
     "  '" "Audit log: every query made on behalf of a principal (API, sql --as, describe --as), allowed or refused, and failed authentications. Readable by compliance only; pruned by govern.audit.retention_days and govern.audit.max_rows." "', 'govern');"
     "INSERT INTO catalog_columns VALUES ('govern_audit','id','Row id (order of writing).');"
     "INSERT INTO catalog_columns VALUES ('govern_audit','ts','When the request ended (UTC, milliseconds).');"
     "INSERT INTO catalog_columns VALUES ('govern_audit','principal','Principal name; NULL for a request without a valid token.');"
     "INSERT INTO catalog_columns VALUES ('govern_audit','client','Client address and port, or cli.');"
     "INSERT INTO catalog_columns VALUES ('govern_audit','route','API route or command, e.g. /api/sql or sql --as.');"
     "INSERT INTO catalog_columns VALUES ('govern_audit','sql','The SQL text as given.');"
     "INSERT INTO catalog_columns VALUES ('govern_audit','outcome','allowed, refused or error.');"
     "INSERT INTO catalog_columns VALUES ('govern_audit','reason','Why it was refused or failed (names the object or the rule); NULL when allowed.');"
     "INSERT INTO catalog_columns VALUES ('govern_audit','rows','Rows returned.');"
     "INSERT INTO catalog_columns VALUES ('govern_audit','duration_ms','Time spent preparing and running the query, in milliseconds.');"
     "INSERT INTO catalog_tables VALUES ('secure_gdelt','gold',"
     "  '" "The report''s secure view (listing 9): GDELT events with Actor1Name shown only to members of compliance (REDACTED to everyone else) and is_executive telling whether the caller is in the executive group." "', 'govern');"
     "INSERT INTO catalog_columns VALUES ('secure_gdelt','EventID','GDELT GLOBALEVENTID.');"
     "INSERT INTO catalog_columns VALUES ('secure_gdelt','EventCode','CAMEO event code.');"
     "INSERT INTO catalog_columns VALUES ('secure_gdelt','Actor','Actor1Name for members of compliance, the text REDACTED for everyone else.');"
     "INSERT INTO catalog_columns VALUES ('secure_gdelt','is_executive','1 when the caller is a member of executive, else 0.');"
     "INSERT INTO catalog_tables VALUES ('business_gold','gold',"
     "  '" "Correlated pairs for business users: each news event paired with a related Wikipedia page (correlated_gold_events) with the event''s description, place and tone from gold_events. No personal data." "', 'govern');"
     "INSERT INTO catalog_columns VALUES ('business_gold','EventID','GDELT GLOBALEVENTID.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','event_time','Time the event was added to GDELT (UTC).');"
     "INSERT INTO catalog_columns VALUES ('business_gold','time_bucket','Start of the event''s time bucket (UTC).');"
     "INSERT INTO catalog_columns VALUES ('business_gold','EventCode','CAMEO event code.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','event_description','CAMEO description of EventCode.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','AvgTone','GDELT average tone of the event''s articles.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','GoldsteinScale','Goldstein scale of the event code (-10..10).');"
     "INSERT INTO catalog_columns VALUES ('business_gold','ActionGeo_FullName','Name of the action location.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','ActionGeo_CountryCode','FIPS 10-4 country code of the action location.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','ActionGeo_Lat','Latitude of the action location.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','ActionGeo_Long','Longitude of the action location.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','wiki','Wiki of the related page, e.g. enwiki.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','title','Title of the related page.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','edit_count','Content edits of the page in its bucket.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','cosine_sim','Cosine similarity of the event text and the page title.');"
     "INSERT INTO catalog_columns VALUES ('business_gold','match_score','Score the pair is ranked by (reranker probability, or the cosine with the reranker off).');"
     "INSERT INTO catalog_columns VALUES ('business_gold','rank','Rank of the page among the event''s matches, 1 = best.');"
     "INSERT INTO catalog_tables VALUES ('business_wiki_edits','gold',"
     "  '" "Wikipedia changes (wikimedia_silver) for business users: user names and edit comments are REDACTED for everyone outside compliance." "', 'govern');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','silver_id','wikimedia_silver.silver_id.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','event_time','Time of the change (UTC).');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','time_bucket','Start of the change''s time bucket (UTC).');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','wiki','Wiki database name, e.g. enwiki.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','server_name','Host name of the wiki.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','namespace','Namespace number (0 articles).');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','title','Page title.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','page_url','URL of the page.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','type','edit, new, log or categorize.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','bot','1 when made by a bot.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','minor','1 for a minor edit.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','user','User name for members of compliance, REDACTED for everyone else.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','comment','Edit summary for members of compliance, REDACTED for everyone else.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','length_old','Page length in bytes before the change.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','length_new','Page length in bytes after the change.');"
     "INSERT INTO catalog_columns VALUES ('business_wiki_edits','is_content','1 for the content edits that count for the correlation.');"},
    /* A counter every change of grants, masks or the catalog's layers bumps (by trigger, so
       direct SQL counts too): a governed session reloads what its principal may read only
       when it or the schema changed, instead of on every request. */
    {2, "govern_state: a version of the grants, so sessions reload them only after a change",
     "CREATE TABLE govern_state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);"
     "INSERT INTO govern_state VALUES (1, 1);"
     BUMP("govern_grants", "insert", "INSERT") BUMP("govern_grants", "update", "UPDATE") BUMP("govern_grants", "delete", "DELETE")
     BUMP("govern_masks", "insert", "INSERT") BUMP("govern_masks", "update", "UPDATE") BUMP("govern_masks", "delete", "DELETE")
     BUMP("catalog_tables", "insert", "INSERT") BUMP("catalog_tables", "update", "UPDATE") BUMP("catalog_tables", "delete", "DELETE")
     "INSERT INTO catalog_tables VALUES ('govern_state','govern',"
     "  '" "Version of the grants, masks and catalog layers: bumped by triggers on every change, so API workers reload a principal''s rights only after one." "', 'govern');"
     "INSERT INTO catalog_columns VALUES ('govern_state','id','Always 1 (one row).');"
     "INSERT INTO catalog_columns VALUES ('govern_state','version','Incremented on every insert, update or delete in govern_grants, govern_masks and catalog_tables.');"},
    /* The catalog (descriptions of every table and column, the same text as the docs) is the
       schema discovery of the report's Genie section: every reading group may read it.
       Compliance reads everything else uncatalogued too, but not the token digests. */
    {3, "grants: the catalog to every reading group; the migrations and the grants' version to compliance",
     GRANT("catalog_tables", "data_scientists") GRANT("catalog_columns", "data_scientists")
     GRANT("catalog_tables", "business_users") GRANT("catalog_columns", "business_users")
     GRANT("catalog_tables", "compliance") GRANT("catalog_columns", "compliance")
     GRANT("schema_migrations", "compliance") GRANT("govern_state", "compliance")},
};

STORE_COMPONENT(govern_store_component, "govern", govern_migrations);
