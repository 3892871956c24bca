/* `config list`: every declared setting (core/settings.c) with its current value, where the
 * value came from (default, file, --set) and its description. Families (expect.<flow>.*) are
 * listed once, followed by each key of the family that is set. */
#include "cli/commands.h"
#include "cli/cmd_table.h"

#include "core/settings.h"

#include <stdio.h>
#include <string.h>

static void print_row(const char *name, const char *value, const char *source, const char *desc)
{
    printf("%-38s  %-22s  %-8s  %s\n", name, value, source, desc);   /* columns: 2+ spaces apart */
}

int cli_config_list_cmd(app *a, int argc, char **argv)
{
    int rc = cli_parse(&cli_config_list, argc, argv, NULL, NULL, NULL);
    if (rc != CLI_GO) return rc;
    size_t n;
    const setting *t = settings_table(&n);
    print_row("name", "value", "source", "description");
    for (size_t i = 0; i < n; i++) {
        const setting *s = &t[i];
        size_t len = strlen(s->name);
        int family = len && s->name[len - 1] == '*';
        const char *v = family ? NULL : config_get_str(a->cfg, s->name, NULL);
        const char *origin = v ? config_origin(a->cfg, s->name) : "default";
        if (!origin) origin = "default";
        if (!strcmp(origin, "command")) origin = "default"; /* set by the command itself */
        const char *shown = v ? v : s->def ? s->def : "(auto)";
        print_row(s->name, *shown ? shown : "(empty)", origin, s->desc);
        if (!family) continue;
        for (size_t k = 0; k < config_count(a->cfg); k++) {
            const char *key = config_key(a->cfg, k);
            if (settings_find(key) == s)
                print_row(key, config_value(a->cfg, k), config_origin(a->cfg, key), s->desc);
        }
    }
    return 0;
}

int cmd_config(app *a, int argc, char **argv)
{
    return cli_dispatch(a, &cli_config, argc, argv);
}
