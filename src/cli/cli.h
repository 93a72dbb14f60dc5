/* The command line: one function per command, each returning the process
 * exit status. Only this layer prints. */
#ifndef CBX_CLI_H
#define CBX_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "lab/cboxlab.h"

int cmd_validate(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_impair(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_partition(int argc, char **argv);
int cmd_heal(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_chaos(int argc, char **argv);

/* The library's context, made once by main(). */
extern struct cbx_ctx cli_cbx;

/* Print "cboxlab: <message>" to stderr; return the exit status for it. */
int cli_fail(const struct cbx_error *err);
/* Print a usage error; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Is argv[i] the given flag? Consumes flags in any position before "--". */
bool cli_take_flag(int *argc, char **argv, const char *flag);

/* A node's interfaces as JSON: [{"name", "network"|"link", "host_interface",
 * "mac", "addresses": [...]}]. */
json_t *cli_ifaces_json(const struct cbx_node *n);
/* "eth0 10.0.0.2/24 fd00::2/64, eth1 ..." */
void cli_ifaces_text(const struct cbx_node *n, char *buf, size_t size);
/* Print and free a JSON value, indented. */
void cli_print_json(json_t *v);

#endif
