/* Command-line options over glibc getopt_long, declared once per command (cli/opts.h). */
#include "cli/opts.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

static const cli_opt help_opt = {"help", 'h', no_argument, NULL, "print this help and exit"};

static int is_short(int key) { return key > 0 && key < 128 && isalnum(key); }

void cli_begin(cli_parser *p, const cli_command *cmd, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    p->ind = argc;
    p->cluster = -1;
    /* '+': stop at the first argument; '-': return arguments in order; ':' missing values
     * are reported as ':' (the messages are ours, opterr is off) */
    size_t s = 0, n = 0;
    p->so[s++] = cmd->flags & CLI_IN_ORDER ? '-' : '+';
    p->so[s++] = ':';
    p->so[s++] = 'h';
    for (const cli_opt *o = cmd->opts; o && o->name && n < CLI_MAX_OPTS; o++, n++) {
        p->lo[n] = (struct option){o->name, o->has_arg, NULL, o->key};
        if (is_short(o->key)) {
            p->so[s++] = (char)o->key;
            if (o->has_arg == required_argument) p->so[s++] = ':';
            if (o->has_arg == optional_argument) p->so[s++] = ':', p->so[s++] = ':';
        }
    }
    p->lo[n++] = (struct option){help_opt.name, no_argument, NULL, 'h'};
    p->lo[n] = (struct option){0, 0, 0, 0};
    p->so[s] = '\0';
    optind = 0; /* glibc: a full re-initialisation for the new argv and option string */
    opterr = 0;
}

int cli_command_error(const cli_command *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *path = cmd->path && *cmd->path ? cmd->path : NULL;
    if (path)
        return app_usage_error("%s: %s (see wikigdelt %s --help)", path, msg, path);
    return app_usage_error("%s (see wikigdelt --help)", msg);
}

int cli_unexpected(const cli_parser *p, const char *arg)
{
    return cli_usage_error(p, "unexpected argument '%s'", arg);
}

static const cli_opt *find_opt(const cli_parser *p, const char *name, size_t len)
{
    for (const cli_opt *o = p->cmd->opts; o && o->name; o++)
        if (strlen(o->name) == len && !strncmp(o->name, name, len)) return o;
    if (len == 4 && !strncmp(name, "help", 4)) return &help_opt;
    return NULL;
}

static int declared_short(const cli_parser *p, int c)
{
    if (c == 'h') return 1;
    for (const cli_opt *o = p->cmd->opts; o && o->name; o++)
        if (is_short(o->key) && o->key == c) return 1;
    return 0;
}

/* The option as written (up to '='), for messages: "--file" or "-x". */
static void written(const cli_parser *p, int at, int short_key, char *out, size_t len)
{
    const char *e = at < p->argc ? p->argv[at] : "";
    if (!strncmp(e, "--", 2))
        snprintf(out, len, "%.*s", (int)strcspn(e, "="), e);
    else
        snprintf(out, len, "-%c", short_key ? short_key : '?');
}

int cli_next(cli_parser *p)
{
    for (;;) {
        int at = optind ? optind : 1;
        if (p->tail && at < p->argc) {   /* after "--" every word is an argument */
            optind = at + 1;
            p->arg = p->argv[at];
            return CLI_ARG;
        }
        if (at >= p->argc) {
            p->ind = p->argc;
            return CLI_END;
        }
        const char *e = p->argv[at];
        if ((p->cmd->flags & CLI_DASH_ARGS) && p->cluster != at && e[0] == '-' && e[1] &&
            e[1] != '-' && !declared_short(p, (unsigned char)e[1])) {
            if (!(p->cmd->flags & CLI_IN_ORDER)) {
                p->ind = at;
                return CLI_END;
            }
            optind = at + 1;
            p->arg = e;
            return CLI_ARG;
        }
        int li = -1;
        optarg = NULL;
        int c = getopt_long(p->argc, p->argv, p->so, p->lo, &li);
        p->cluster = (c != -1 && li < 0 && optind == at) ? at : -1;
        p->arg = optarg;
        char name[128];
        if (c == -1 && (p->cmd->flags & CLI_IN_ORDER) && optind < p->argc) {
            p->tail = 1;
            continue;
        }
        if (c == -1) {
            p->ind = optind;
            return CLI_END;
        }
        if (c == 1) return CLI_ARG;
        if (c == ':') {
            written(p, at, optopt, name, sizeof name);
            p->status = cli_usage_error(p, "%s needs a value", name);
            return CLI_EXIT;
        }
        if (c == '?') {
            written(p, at, optopt, name, sizeof name);
            const char *eq = strchr(e, '=');
            const cli_opt *o = !strncmp(e, "--", 2) && eq ? find_opt(p, e + 2, (size_t)(eq - e - 2)) : NULL;
            if (o && o->has_arg == no_argument)
                p->status = cli_usage_error(p, "%s takes no value", name);
            else
                p->status = cli_usage_error(p, "unknown option %s", name);
            return CLI_EXIT;
        }
        /* getopt_long accepts any unambiguous abbreviation; the contract is the full name */
        if (li >= 0 && !strncmp(e, "--", 2) && !find_opt(p, e + 2, strcspn(e + 2, "="))) {
            written(p, at, 0, name, sizeof name);
            p->status = cli_usage_error(p, "unknown option %s", name);
            return CLI_EXIT;
        }
        if (c == 'h') {
            cli_print_help(p->cmd, stdout);
            p->status = 0;
            return CLI_EXIT;
        }
        return c;
    }
}

const char *cli_take_word(cli_parser *p)
{
    int at = optind ? optind : 1;
    if (at >= p->argc || p->argv[at][0] == '-') return NULL;
    optind = at + 1;
    return p->argv[at];
}

void cli_print_subcommands(const cli_subcommand *subs, FILE *out)
{
    fprintf(out, "\ncommands:\n");
    for (const cli_subcommand *s = subs; s && s->name; s++)
        if (s->help) fprintf(out, "  %-13s %s\n", s->name, s->help);
}

void cli_print_help(const cli_command *cmd, FILE *out)
{
    const char *path = cmd->path && *cmd->path ? cmd->path : NULL;
    const char *u = cmd->usage ? cmd->usage : "";
    for (int first = 1;; first = 0) {
        size_t n = strcspn(u, "\n");
        fprintf(out, "%s wikigdelt%s%s%s%.*s\n", first ? "usage:" : "      ", path ? " " : "",
                path ? path : "", n ? " " : "", (int)n, u);
        if (!u[n]) break;
        u += n + 1;
    }
    if (cmd->about) fprintf(out, "%s\n", cmd->about);
    fprintf(out, "\noptions:\n");
    for (const cli_opt *o = cmd->opts;; o++) {
        if (!o || !o->name) o = &help_opt;
        char left[96], flag[8] = "    ";
        if (is_short(o->key)) snprintf(flag, sizeof flag, "-%c, ", o->key);
        snprintf(left, sizeof left, "%s--%s%s%s%s", flag, o->name, o->arg ? (o->has_arg == optional_argument ? "[=" : " ") : "",
                 o->arg ? o->arg : "", o->arg && o->has_arg == optional_argument ? "]" : "");
        fprintf(out, "  %-28s %s\n", left, o->help ? o->help : "");
        if (o == &help_opt) break;
    }
    if (cmd->subs) cli_print_subcommands(cmd->subs, out);
    if (cmd->settings) fprintf(out, "\nsettings read: %s\n", cmd->settings);
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_handler on_opt, void *ctx,
              int *first)
{
    cli_parser p;
    cli_begin(&p, cmd, argc, argv);
    for (int o; (o = cli_next(&p)) != CLI_END;) {
        if (o == CLI_EXIT) return p.status;
        int rc = on_opt ? on_opt(&p, o, ctx) : CLI_GO;
        if (rc != CLI_GO) return rc;
    }
    int n = argc - p.ind, min = cmd->min_args, max = cmd->max_args;
    if (max >= 0 && n > max) return cli_unexpected(&p, argv[p.ind + max]);
    if (n < min)
        return cli_usage_error(&p, "%s", min - n == 1 && min == 1 ? "an argument is missing"
                                                                   : "arguments are missing");
    if (first) *first = p.ind;
    return CLI_GO;
}

int cli_set_flag(cli_parser *p, int key, void *ctx)
{
    (void)p, (void)key;
    *(int *)ctx = 1;
    return CLI_GO;
}

int cli_dispatch(app *a, const cli_command *parent, int argc, char **argv)
{
    cli_parser p;
    cli_begin(&p, parent, argc, argv);
    for (int o; (o = cli_next(&p)) != CLI_END;)
        if (o == CLI_EXIT) return p.status;
    if (p.ind >= argc) {
        cli_print_help(parent, stderr);
        return cli_usage_error(&p, "a sub-command is needed");
    }
    const char *name = argv[p.ind];
    for (const cli_subcommand *s = parent->subs; s->name; s++)
        if (!strcmp(s->name, name)) return s->fn(a, argc - p.ind, argv + p.ind);
    return cli_usage_error(&p, "unknown command '%s'", name);
}
