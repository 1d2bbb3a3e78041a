/* aegis: the operator's command-line tool. Each subcommand lives in its own
 * cmd_<name>.c; this file only dispatches. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

int main(int argc, char **argv);

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} commands[] = {
        { "tpm", ae_cli_tpm, "inspect this host's TPM (EK certificates and their chain)" },
        { "gnss", ae_cli_gnss, "read a location fix from gpsd" },
        { "attest", ae_cli_attest, "attest this machine's TPM against a policy (both halves)" },
        { "policy", ae_cli_policy, "validate a policy file ('policy check FILE')" },
        { "ca", ae_cli_ca, "create, rotate and show a trust domain's signing CA" },
        { "svid", ae_cli_svid, "mint, inspect and verify SVIDs" },
        { "entry", ae_cli_entry, "create, show and delete registration entries on aegis-server" },
        { "agent", ae_cli_agent, "ban or evict an attested agent on aegis-server" },
        { "bundle", ae_cli_bundle, "show aegis-server's trust bundle (PEM or SPIFFE JSON)" },
};

static void usage(FILE *f)
{
        fprintf(f, "usage: aegis <command> [options]\n\ncommands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  %-6s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\n'aegis <command> --help' describes a command's options. 'entry', 'agent'\n"
                   "and 'bundle' talk to aegis-server's admin socket (-socketPath, default\n"
                   "$AEGIS_SERVER_SOCKET or /run/aegis/server.sock) and take spire-server's\n"
                   "flags (-spiffeID, -parentID, -selector, ...).\n");
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "help") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("aegis %s\n", AEGIS_VERSION);
                return 0;
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        return commands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "aegis: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 2;
}
