/* Unit tests for the command-line option tables (cli/opts) and the process's stop flag
 * (core/stop): both spellings of a value, the parsing modes, the usage errors and --help, and a
 * signal reaching the flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/opts.h"
#include "core/stop.h"

enum { O_FILE = 256, O_LIVE, O_WATCH, O_RANGE };
static const cli_opt opts[] = {
    {"file", O_FILE, required_argument, "PATH", "a file"},
    {"live", O_LIVE, no_argument, NULL, "a flag"},
    {"watch", O_WATCH, optional_argument, "S", "an optional value"},
    {"range", O_RANGE, required_argument, "FROM TO", "two values"},
    {"verbose", 'v', no_argument, NULL, "a short flag"},
    {0},
};

/* Runs the parser over a NULL-terminated word list and records what it returned, one token per
 * result ("FILE=x", "LIVE", "ARG=y", "END@3", "EXIT=2"), joined by spaces. */
static char *parse(const cli_command *cmd, const char *const *words, char *out, size_t len)
{
    char *argv[32];
    int argc = 0;
    for (; words[argc]; argc++) argv[argc] = (char *)words[argc];
    argv[argc] = NULL;
    cli_parser p;
    cli_begin(&p, cmd, argc, argv);
    out[0] = '\0';
    for (;;) {
        int o = cli_next(&p);
        char t[128];
        switch (o) {
        case CLI_END: snprintf(t, sizeof t, "END@%d", p.ind); break;
        case CLI_EXIT: snprintf(t, sizeof t, "EXIT=%d", p.status); break;
        case CLI_ARG: snprintf(t, sizeof t, "ARG=%s", p.arg); break;
        case O_FILE: snprintf(t, sizeof t, "FILE=%s", p.arg); break;
        case O_LIVE: snprintf(t, sizeof t, "LIVE"); break;
        case O_WATCH: {
            const char *w = p.arg ? p.arg : cli_take_word(&p);
            snprintf(t, sizeof t, "WATCH=%s", w ? w : "-");
            break;
        }
        case O_RANGE: {
            const char *to = cli_take_word(&p);
            snprintf(t, sizeof t, "RANGE=%s..%s", p.arg, to ? to : "?");
            break;
        }
        case 'v': snprintf(t, sizeof t, "V"); break;
        default: snprintf(t, sizeof t, "?%d", o); break;
        }
        size_t n = strlen(out);
        snprintf(out + n, len - n, "%s%s", n ? " " : "", t);
        if (o == CLI_END || o == CLI_EXIT) break;
    }
    return out;
}

static const cli_command first = {.path = "t", .usage = "[OPTIONS] ARGS", .opts = opts};
static const cli_command in_order = {.path = "t", .usage = "[OPTIONS] ARGS", .opts = opts, .flags = CLI_IN_ORDER};
static const cli_command dash = {.path = "t", .usage = "[OPTIONS] ARGS", .opts = opts,
                                 .flags = CLI_IN_ORDER | CLI_DASH_ARGS};
/* cli_parse: one or two arguments after the options */
static const cli_command one_or_two = {.path = "t", .usage = "A [B]", .opts = opts, .min_args = 1, .max_args = 2};

#define PARSE(cmd, ...) parse(&(cmd), (const char *const[]){"t", __VA_ARGS__, NULL}, buf, sizeof buf)

static void silence_stderr(void)
{
    fflush(stderr);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        dup2(fileno(null), 2);
        fclose(null);
    }
}

static void test_values(void **state)
{
    (void)state;
    char buf[512];
    assert_string_equal(PARSE(first, "--file", "a", "--live"), "FILE=a LIVE END@4");
    assert_string_equal(PARSE(first, "--file=a", "--live"), "FILE=a LIVE END@3");
    assert_string_equal(PARSE(first, "--file=", "x"), "FILE= END@2");   /* an empty value is a value */
    assert_string_equal(PARSE(first, "--file=a=b"), "FILE=a=b END@2");
    assert_string_equal(PARSE(first, "-v", "--file", "-x"), "V FILE=-x END@4");
    /* optional value: --watch=S, --watch S, or none before an option */
    assert_string_equal(PARSE(first, "--watch=5"), "WATCH=5 END@2");
    assert_string_equal(PARSE(first, "--watch", "5"), "WATCH=5 END@3");
    assert_string_equal(PARSE(first, "--watch", "--live"), "WATCH=- LIVE END@3");
    /* two values */
    assert_string_equal(PARSE(first, "--range", "1", "2", "--live"), "RANGE=1..2 LIVE END@5");
    assert_string_equal(PARSE(first, "--range=1", "2"), "RANGE=1..2 END@3");
}

static void test_modes(void **state)
{
    (void)state;
    char buf[512];
    /* default: options first, stop at the first argument (a sub-command's words stay intact) */
    assert_string_equal(PARSE(first, "--live", "gdelt", "--file", "x"), "LIVE END@2");
    assert_string_equal(PARSE(first, "--", "--live"), "END@2");
    /* in order: arguments and options mix, nothing is permuted */
    assert_string_equal(PARSE(in_order, "q1", "--file", "a", "q2"), "ARG=q1 FILE=a ARG=q2 END@5");
    assert_string_equal(PARSE(in_order, "--live", "--", "--file", "-v"), "LIVE ARG=--file ARG=-v END@5");
    /* dash words that are not declared short flags are arguments */
    assert_string_equal(PARSE(dash, "-5", "-v", "x"), "ARG=-5 V ARG=x END@4");
    assert_string_equal(PARSE(dash, "-"), "ARG=- END@2");
    /* the parser can run again over another argv (the global options, then the command's) */
    assert_string_equal(PARSE(first, "--file", "b"), "FILE=b END@3");
    assert_string_equal(PARSE(first, "--file", "c"), "FILE=c END@3");
}

static void test_errors(void **state)
{
    (void)state;
    char buf[512];
    int saved = dup(2);
    silence_stderr();
    assert_string_equal(PARSE(first, "--bogus"), "EXIT=2");
    assert_string_equal(PARSE(first, "--fil", "a"), "EXIT=2");      /* no abbreviations */
    assert_string_equal(PARSE(first, "--li"), "EXIT=2");
    assert_string_equal(PARSE(first, "--file"), "EXIT=2");          /* missing value */
    assert_string_equal(PARSE(first, "--live=1"), "EXIT=2");        /* value on a flag */
    assert_string_equal(PARSE(first, "-x"), "EXIT=2");
    assert_string_equal(PARSE(in_order, "a", "-x"), "ARG=a EXIT=2");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
}

static void test_help(void **state)
{
    (void)state;
    char buf[512], text[4096] = "";
    fflush(stdout);
    int saved = dup(1);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    dup2(fileno(tmp), 1);
    assert_string_equal(PARSE(first, "--live", "--help", "--bogus"), "LIVE EXIT=0");
    assert_string_equal(PARSE(first, "-h"), "EXIT=0");
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    rewind(tmp);
    size_t n = fread(text, 1, sizeof text - 1, tmp);
    text[n] = '\0';
    fclose(tmp);
    assert_non_null(strstr(text, "usage: wikigdelt t [OPTIONS] ARGS\n"));
    assert_non_null(strstr(text, "--file PATH"));
    assert_non_null(strstr(text, "--watch[=S]"));
    assert_non_null(strstr(text, "-v, --verbose"));
    assert_non_null(strstr(text, "-h, --help"));
}

/* The handler cli_parse calls: counts --live, stops at --file stop with exit status 7. */
static int count_live(cli_parser *p, int key, void *ctx)
{
    if (key == O_FILE && !strcmp(p->arg, "stop")) return 7;
    if (key == O_LIVE) ++*(int *)ctx;
    return CLI_GO;
}

static int run_parse(const cli_command *cmd, const char *const *words, int *lives, int *first)
{
    char *argv[32];
    int argc = 0;
    for (; words[argc]; argc++) argv[argc] = (char *)words[argc];
    argv[argc] = NULL;
    *lives = 0;
    *first = -1;
    return cli_parse(cmd, argc, argv, count_live, lives, first);
}

#define RUN(cmd, ...) run_parse(&(cmd), (const char *const[]){"t", __VA_ARGS__, NULL}, &lives, &at)

static void test_parse(void **state)
{
    (void)state;
    int lives, at;
    assert_int_equal(RUN(one_or_two, "--live", "a", "b"), CLI_GO);
    assert_int_equal(lives, 1);
    assert_int_equal(at, 2);
    int saved = dup(2);
    silence_stderr();
    assert_int_equal(RUN(one_or_two, "--live", "--live=x", "a"), 2); /* the parser's own error */
    assert_int_equal(RUN(one_or_two, "--live", "--file", "stop", "a"), 7); /* the handler's */
    assert_int_equal(lives, 1);
    assert_int_equal(RUN(one_or_two, "--live"), 2);            /* an argument is missing */
    assert_int_equal(RUN(one_or_two, "a", "b", "c"), 2);       /* one too many */
    assert_int_equal(RUN(first, "a"), 2);                      /* max_args 0: none */
    assert_int_equal(RUN(first, "--help"), 0);
    assert_int_equal(at, -1);
    /* the same error, named by the command after its parse */
    assert_int_equal(cli_command_error(&first, "%s", "both"), 2);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    int flag = 0;
    char *argv[] = {"t", "--live", NULL};
    assert_int_equal(cli_parse(&first, 2, argv, cli_set_flag, &flag, NULL), CLI_GO);
    assert_int_equal(flag, 1);
}

static void test_stop_flag(void **state)
{
    (void)state;
    stop_reset();
    assert_false(stop_requested());
    stop_request();
    assert_true(stop_requested());
    stop_reset();
    assert_false(stop_requested());
    stop_install_signals();
    raise(SIGTERM);
    assert_true(stop_requested());
    stop_reset();
    raise(SIGINT);
    assert_true(stop_requested());
    stop_reset();
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_stop_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
