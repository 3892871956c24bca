/* Schema of the embed component (migrations, forward-only; append, never edit an applied one). */
#include "store/store.h"

const store_component embed_store_component = {"embed", NULL, 0};
