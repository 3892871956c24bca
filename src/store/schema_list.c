/* The components whose schemas the store migrates, in dependency order: a component's tables may
 * refer only to those of components listed before it. */
#include "store/store.h"

extern const store_component store_core_component;
extern const store_component gdelt_source_store_component;
extern const store_component wiki_source_store_component;
extern const store_component gdelt_store_component;
extern const store_component wiki_store_component;
extern const store_component embed_store_component;
extern const store_component gold_store_component;
extern const store_component export_store_component;
extern const store_component observe_store_component;
extern const store_component govern_store_component;

const store_component *const store_components[] = {
    &store_core_component,
    &gdelt_source_store_component, &wiki_source_store_component,
    &gdelt_store_component, &wiki_store_component,
    &embed_store_component, &gold_store_component,
    &export_store_component,
    &observe_store_component,
    &govern_store_component,
};
const size_t store_component_count = sizeof store_components / sizeof store_components[0];
