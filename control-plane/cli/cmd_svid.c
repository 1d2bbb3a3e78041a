/* aegis svid <action>: dispatch only. */
#include "control-plane/cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "control-plane/cli/cli_util.h"
#include "control-plane/cli/svid_commands.h"

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} actions[] = {
        { "mint", ae_cli_svid_mint, "mint an X.509-SVID with a CA directory" },
        { "inspect", ae_cli_svid_inspect, "show an SVID's identity, validity and claims" },
        { "verify", ae_cli_svid_verify, "accept or refuse an SVID as a relying party would" },
};

static void usage(FILE *out)
{
        fputs("usage: aegis svid <action> [options]\n\nactions:\n", out);
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
                fprintf(out, "  %-8s %s\n", actions[i].name, actions[i].summary);
        fputs("\n'aegis svid <action> --help' describes an action's options.\n", out);
}

int ae_cli_svid(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return AE_CLI_EXIT_USAGE;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                usage(stdout);
                return 0;
        }
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
                if (strcmp(argv[1], actions[i].name) == 0)
                        return actions[i].run(argc - 1, argv + 1);
        fprintf(stderr, "aegis svid: unknown action '%s'\n", argv[1]);
        usage(stderr);
        return AE_CLI_EXIT_USAGE;
}
