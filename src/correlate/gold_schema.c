/* Schema of the gold component (migrations, forward-only; append, never edit an applied one). */
#include "store/store.h"

const store_component gold_store_component = {"gold", NULL, 0};
