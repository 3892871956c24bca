/* The settings file parser (core/config.c) and --set pairs. Oracles: a rejected file's error is
 * "FILE:LINE: reason"; an accepted one answers every getter (numbers that do not parse fall back
 * to the default) and a key set by --set afterwards wins. */
#include "fuzz_util.h"
#include "core/config.h"
#include "core/log.h"

/* the getters warn once per value that does not parse: keep the fuzzer's output readable */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    log_set_level(LOG_ERROR);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[1024];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0) return 0;
    config *cfg = config_new();
    if (config_load_file(cfg, path, err, sizeof err) == 0) {
        /* every line's key, looked up */
        char *text = fuzz_strdup(data, size);
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
            char *eq = strchr(line, '=');
            if (!eq) continue;
            *eq = '\0';
            (void)config_get_str(cfg, line, NULL);
            (void)config_get_int(cfg, line, 1);
            (void)config_get_double(cfg, line, 1.0);
            (void)config_get_bool(cfg, line, 0);
        }
        free(text);
        FUZZ_CHECK(config_set_pair(cfg, "fuzz.key=1", err, sizeof err) == 0, "set_pair: %s", err);
        FUZZ_CHECK(config_get_int(cfg, "fuzz.key", 0) == 1, "--set did not win");
    } else {
        FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':',
                   "error does not name the file and line: %s", err);
    }
    config_free(cfg);
    close(fd);
    /* the input as one --set pair */
    char *pair = fuzz_strdup(data, size);
    config *c2 = config_new();
    if (config_set_pair(c2, pair, err, sizeof err) == 0) {
        char *eq = strchr(pair, '=');
        FUZZ_CHECK(eq != NULL, "a pair without '=' was accepted");
    }
    config_free(c2);
    free(pair);
    return 0;
}
