/*
 * cli.h: entry points of the moderation subcommands, called by hearthctl's main() and by modtool.
 * argv[0] is the subcommand name (used in messages); the return value is the exit status:
 * 0 success, 1 failure (rules do not load, an example fails, I/O error), 2 usage error.
 */
#ifndef HEARTH_MOD_CLI_H
#define HEARTH_MOD_CLI_H

int mod_cli_screen(int argc, char **argv);
int mod_cli_rules_check(int argc, char **argv);

#endif
