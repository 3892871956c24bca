/* Schema of the embed component (migrations, forward-only; append, never edit an applied one). */
#include "store/store.h"

static const store_migration embed_migrations[] = {
    {1, "embedding cache",
     "CREATE TABLE embedding_cache ("
     "  model TEXT NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL, created_at TEXT NOT NULL,"
     "  PRIMARY KEY (model, text)) WITHOUT ROWID;"
     STORE_DOC_TABLE("embedding_cache", "system", "embed",
                     "Sentence embeddings already computed, keyed by the model (name and precision) and the exact text, so a text is embedded once across runs.")
     STORE_DOC_COLUMN("embedding_cache", "model", "Embedding model and precision, e.g. all-MiniLM-L6-v2 (fp32).")
     STORE_DOC_COLUMN("embedding_cache", "text", "The exact text that was embedded (the key).")
     STORE_DOC_COLUMN("embedding_cache", "vector", "384 little-endian float32 values, L2-normalised (1536 bytes).")
     STORE_DOC_COLUMN("embedding_cache", "created_at", "When the vector was computed (UTC).")},
};

STORE_COMPONENT(embed_store_component, "embed", embed_migrations);
