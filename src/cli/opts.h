/* Command-line options over glibc getopt_long. One table per command gives both getopt_long's
 * `struct option[]` and the --help text, so the two cannot drift apart; the commands' tables
 * all live in cli/cmd_table.c. A command then parses with one call and a small handler:
 *
 *   static int on_opt(cli_parser *p, int key, void *ctx)
 *   {
 *       struct gdelt_args *g = ctx;
 *       if (key == O_FILE) g->file = p->arg;
 *       return CLI_GO;                            (or an exit status, which ends the parse)
 *   }
 *   int rc = cli_parse(&cli_ingest_gdelt_spec, argc, argv, on_opt, &g, &first);
 *   if (rc != CLI_GO) return rc;                 (--help printed: 0; usage error printed: 2)
 *   remaining arguments: argv[first .. argc-1]
 *
 * (cli_begin and cli_next are the loop underneath, for a caller that wants to drive it.)
 *
 * Every option takes both `--opt value` and `--opt=value`; long names must be given in full
 * (no abbreviations); -h and --help are added to every command. A key below 128 is also the
 * option's short flag (-v); long-only options use keys from 256 up. */
#ifndef WG_CLI_OPTS_H
#define WG_CLI_OPTS_H

#include "cli/app.h"

#include <getopt.h>
#include <stdio.h>

#define CLI_MAX_OPTS 24

typedef struct cli_opt {
    const char *name;   /* long name without the dashes; NULL ends the table */
    int key;            /* what cli_next returns; < 128: also the short flag */
    int has_arg;        /* no_argument, required_argument or optional_argument (--opt=VALUE only) */
    const char *arg;    /* the value's name in the help, e.g. "PATH" */
    const char *help;   /* one line */
} cli_opt;

/* Parsing modes (cli_command.flags). Default: options come first and parsing stops at the first
 * argument (p.ind points at it), so a sub-command's own options are left to it. */
#define CLI_IN_ORDER 1   /* options and arguments mix; each argument is returned as CLI_ARG */
#define CLI_DASH_ARGS 2  /* a word such as "-5" that is not a declared short flag is an argument */

typedef struct cli_command {
    const char *path;     /* "ingest gdelt"; NULL or "" for the global options */
    const char *usage;    /* synopsis after "wikigdelt PATH ", one form per line ('\n') */
    const char *about;    /* a few lines printed under the synopsis, or NULL */
    const cli_opt *opts;  /* NULL or a table ending with {0} */
    const char *settings; /* the settings it reads, e.g. "wiki.url, wiki.batch_events", or NULL */
    int flags;            /* CLI_IN_ORDER | CLI_DASH_ARGS */
    int min_args;         /* cli_parse: how many arguments follow the options, at least ... */
    int max_args;         /* ... and at most (-1: no limit) */
    const struct cli_subcommand *subs; /* its sub-commands (cli_dispatch), or NULL */
} cli_command;

enum { CLI_END = -1, CLI_ARG = -2, CLI_EXIT = -3 };
/* What cli_parse and its handlers return to go on (any other value is an exit status). */
enum { CLI_GO = -1 };

typedef struct cli_parser {
    const cli_command *cmd;
    int argc;
    char **argv;
    const char *arg;   /* the value of the option just returned, or the argument (CLI_ARG) */
    int ind;           /* after CLI_END: index of the first argument not parsed */
    int status;        /* after CLI_EXIT: the command's exit status (0 help, 2 usage error) */
    int tail;          /* CLI_IN_ORDER: past "--" */
    int cluster;       /* index of an element whose short flags are being read, else -1 */
    struct option lo[CLI_MAX_OPTS + 2];
    char so[3 * CLI_MAX_OPTS + 8];
} cli_parser;

void cli_begin(cli_parser *p, const cli_command *cmd, int argc, char **argv);
/* The next option's key, CLI_ARG (an argument, CLI_IN_ORDER only), CLI_END (done: the
 * arguments left start at p->ind) or CLI_EXIT (help printed or a usage error reported). */
int cli_next(cli_parser *p);
/* The next word as the extra value of an option (--backfill FROM TO, --watch [S]) when there is
 * one that does not start with '-': consumed and returned; else NULL. */
const char *cli_take_word(cli_parser *p);
/* Prints the command's help (synopsis, about, options, sub-commands, settings) to out. */
void cli_print_help(const cli_command *cmd, FILE *out);
/* "wikigdelt: PATH: MESSAGE (see wikigdelt PATH --help)" on stderr; returns 2. */
int cli_command_error(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same while parsing. */
#define cli_usage_error(p, ...) cli_command_error((p)->cmd, __VA_ARGS__)
/* The usual error for a stray argument; returns 2. */
int cli_unexpected(const cli_parser *p, const char *arg);

/* A command whose first argument names a sub-command (ingest gdelt, model fetch, ...). */
typedef struct cli_subcommand {
    const char *name;
    app_command_fn fn;
    const char *help;     /* one line for the parent's --help; NULL: an alias not listed */
} cli_subcommand;

/* Parses the parent's own options (only --help), finds the sub-command named by the first
 * argument in parent->subs and runs it with argv starting at its name. */
int cli_dispatch(app *a, const cli_command *parent, int argc, char **argv);
/* Prints "commands:" and one line per listed sub-command (the form the tests read). */
void cli_print_subcommands(const cli_subcommand *subs, FILE *out);
/* Called for every option (key, value in p->arg) and, for a CLI_IN_ORDER command, every
 * argument (CLI_ARG). Returns CLI_GO, or the exit status that ends the parse. */
typedef int (*cli_handler)(cli_parser *p, int key, void *ctx);
/* Parses argv against cmd, calling on_opt (NULL: a command with no options of its own), then
 * checks that between cmd->min_args and cmd->max_args arguments follow. Returns CLI_GO with
 * the first argument's index in *first (may be NULL), else the exit status to return. */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_handler on_opt, void *ctx,
              int *first);
/* A handler for a command whose only option is a flag: sets *(int *)ctx to 1. */
int cli_set_flag(cli_parser *p, int key, void *ctx);

#endif
