/* modtool.c: a noinst test driver for the moderation filter: "modtool screen|check [--rules DIR]".
 * hearthctl offers the same subcommands; this one builds without the rest of Hearth. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "screen") == 0)
		return mod_cli_screen(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return mod_cli_rules_check(argc - 1, argv + 1);
	fprintf(stderr, "usage: modtool screen [--rules DIR] [--explain] < posts\n"
	                "       modtool check [--rules DIR]\n");
	return 2;
}
