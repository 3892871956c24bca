/* Schema of the gdelt component (migrations, forward-only; append, never edit an applied one). */
#include "store/store.h"

const store_component gdelt_store_component = {"gdelt", NULL, 0};
