/* Schema of the wiki component (the Wikimedia silver flow; migrations, forward-only; append,
 * never edit an applied one): wikimedia_silver (typed, deduped by meta.id, per the shared
 * contract). The bronze, quarantine and stream-state tables the source writes are
 * source/wiki_schema.c's (wiki_source); migration 1 created them too until they moved, and
 * wiki_source adopts them in stores where it ran. */
#include "store/store.h"

static const store_migration wiki_migrations[] = {
    {1, "wikimedia silver",
     "CREATE TABLE wikimedia_silver ("
     "  silver_id INTEGER PRIMARY KEY AUTOINCREMENT, bronze_id INTEGER,"
     "  event_id TEXT NOT NULL UNIQUE, event_time TEXT, time_bucket TEXT, wiki TEXT,"
     "  server_name TEXT, namespace INTEGER, title TEXT, page_url TEXT, type TEXT, bot INTEGER,"
     "  user TEXT, comment TEXT, length_old INTEGER, length_new INTEGER, revision_old INTEGER,"
     "  revision_new INTEGER, minor INTEGER, patrolled INTEGER, is_content INTEGER NOT NULL);"
     "CREATE INDEX wikimedia_silver_bucket ON wikimedia_silver(time_bucket, is_content);"
     "INSERT INTO catalog_tables VALUES ('wikimedia_silver','silver',"
     "  '" "Wikipedia and sister-project changes from the recentchange stream: typed, one row per "
        "meta.id (duplicates from replays and reconnects removed), with is_content marking the edits "
        "that count for the correlation with news (settings wiki.content_*)." "', 'wiki');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','silver_id','Insertion order (only grows); downstream flows checkpoint on it. Not event time order.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','bronze_id','The wikimedia_bronze row this came from.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','event_id','meta.id: unique id of the change event; the dedupe key.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','event_time','meta.dt, the time of the change, YYYY-MM-DD HH:MM:SS UTC.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','time_bucket','Start of the time bucket holding event_time (width pipeline.bucket_seconds, default 4 h).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','wiki','Wiki database name, e.g. enwiki, dewiki, commonswiki, wikidatawiki.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','server_name','Host name of the wiki, e.g. en.wikipedia.org.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','namespace','Namespace number: 0 articles, 1 talk, 2 user, 4 project, 6 file, 10 template, 14 category; NULL if unknown.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','title','Page title with its namespace prefix, spaces not underscores.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','page_url','URL of the page (meta.uri).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','type','Kind of change: edit, new (page creation), log, categorize.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','bot','1 when the change was made by a bot account (kept, flagged), else 0.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','user','User name, or IP address for anonymous edits.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','comment','Edit summary as written by the user.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','length_old','Page length in bytes before the change (NULL for new pages and logs).');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','length_new','Page length in bytes after the change.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','revision_old','Revision id before the change.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','revision_new','Revision id created by the change.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','minor','1 when marked as a minor edit, 0 if not, NULL if not sent.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','patrolled','1 when patrolled, 0 if not, NULL if the wiki does not send it.');"
     "INSERT INTO catalog_columns VALUES ('wikimedia_silver','is_content','1 when the configured filters (wiki.content_servers, wiki.content_namespaces, wiki.content_types) count the change as content for the correlation; default: articles (namespace 0) edited or created on *.wikipedia.org.');"},
    /* The report's correlation matrix joins gold pairs to wikimedia_silver ON title; without this
       index the join scans the edits once per pair. Gold used to create its own copy of it
       (gold_wikimedia_silver_title); that one is dropped so the table carries one index, here. */
    {2, "index wikimedia_silver by title",
     "CREATE INDEX IF NOT EXISTS wikimedia_silver_title ON wikimedia_silver(title);"
     "DROP INDEX IF EXISTS gold_wikimedia_silver_title;"},
};

STORE_COMPONENT(wiki_store_component, "wiki", wiki_migrations);
