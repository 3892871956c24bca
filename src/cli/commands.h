/* Every sub-command's entry point; each lives in the cli/cmd_*.c file of its owner. */
#ifndef WG_COMMANDS_H
#define WG_COMMANDS_H

#include "cli/app.h"

int cmd_run(app *a, int argc, char **argv);        /* cmd_demo.c */
int cmd_demo(app *a, int argc, char **argv);       /* cmd_demo.c */
int cmd_simulate(app *a, int argc, char **argv);   /* cmd_simulate.c */
int cmd_ingest(app *a, int argc, char **argv);     /* cmd_ingest.c -> cli_ingest_gdelt / cli_ingest_wiki */
int cli_ingest_gdelt(app *a, int argc, char **argv); /* cmd_gdelt.c */
int cli_ingest_wiki(app *a, int argc, char **argv);  /* cmd_wiki.c */
int cli_ingest_kafka(app *a, int argc, char **argv); /* cmd_export.c */
int cmd_refine(app *a, int argc, char **argv);     /* cmd_refine.c */
int cmd_correlate(app *a, int argc, char **argv);  /* cmd_correlate.c */
int cmd_eval(app *a, int argc, char **argv);       /* cmd_eval.c */
int cmd_embed(app *a, int argc, char **argv);      /* cmd_embed.c */
int cmd_model(app *a, int argc, char **argv);      /* cmd_embed.c */
int cmd_sql(app *a, int argc, char **argv);        /* cmd_sql.c */
int cmd_describe(app *a, int argc, char **argv);   /* cmd_sql.c */
int cmd_status(app *a, int argc, char **argv);     /* cmd_status.c */
int cmd_export(app *a, int argc, char **argv);     /* cmd_export.c */
int cmd_ask(app *a, int argc, char **argv);        /* cmd_ask.c */
int cmd_explain(app *a, int argc, char **argv);    /* cmd_ask.c */
int cmd_metrics(app *a, int argc, char **argv);    /* cmd_metrics.c */
int cmd_check(app *a, int argc, char **argv);      /* cmd_check.c */
int cmd_principal(app *a, int argc, char **argv);  /* cmd_govern.c */
int cmd_group(app *a, int argc, char **argv);      /* cmd_govern.c */
int cmd_grant(app *a, int argc, char **argv);      /* cmd_govern.c */
int cmd_revoke(app *a, int argc, char **argv);     /* cmd_govern.c */
int cmd_config(app *a, int argc, char **argv);     /* cmd_config.c */
int cmd_serve(app *a, int argc, char **argv);      /* cmd_serve.c */
/* Sub-commands listed in cli/cmd_table.c */
int cli_model_fetch_cmd(app *a, int argc, char **argv);  /* cmd_embed.c */
int cli_model_info_cmd(app *a, int argc, char **argv);   /* cmd_embed.c */
int cli_export_delta_cmd(app *a, int argc, char **argv); /* cmd_export.c */
int cli_export_kafka_cmd(app *a, int argc, char **argv); /* cmd_export.c */
int cli_config_list_cmd(app *a, int argc, char **argv);  /* cmd_config.c */
int cli_principal_sub(app *a, int argc, char **argv);    /* cmd_govern.c */
int cli_group_sub(app *a, int argc, char **argv);        /* cmd_govern.c */

#endif
