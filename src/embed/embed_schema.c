/* Schema of the embed component (migrations, forward-only; append, never edit an applied one). */
#include "store/store.h"

static const store_migration embed_migrations[] = {
    {1, "embedding cache",
     "CREATE TABLE embedding_cache ("
     "  model TEXT NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL, created_at TEXT NOT NULL,"
     "  PRIMARY KEY (model, text)) WITHOUT ROWID;"
     "INSERT INTO catalog_tables VALUES ('embedding_cache','system',"
     "  '" "Sentence embeddings already computed, keyed by the model (name and precision) and the exact text, so a text is embedded once across runs." "', 'embed');"
     "INSERT INTO catalog_columns VALUES ('embedding_cache','model','Embedding model and precision, e.g. all-MiniLM-L6-v2 (fp32).');"
     "INSERT INTO catalog_columns VALUES ('embedding_cache','text','The exact text that was embedded (the key).');"
     "INSERT INTO catalog_columns VALUES ('embedding_cache','vector','384 little-endian float32 values, L2-normalised (1536 bytes).');"
     "INSERT INTO catalog_columns VALUES ('embedding_cache','created_at','When the vector was computed (UTC).');"},
};

STORE_COMPONENT(embed_store_component, "embed", embed_migrations);
