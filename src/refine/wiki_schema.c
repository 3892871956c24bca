/* Schema of the wiki component (migrations, forward-only; append, never edit an applied one). */
#include "store/store.h"

const store_component wiki_store_component = {"wiki", NULL, 0};
