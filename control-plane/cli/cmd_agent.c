/* aegis agent ban|evict: ban or evict an attested agent on aegis-server,
 * through its admin socket (SPIRE's spire.api.server.agent.v1.Agent/BanAgent
 * and DeleteAgent), with spire-server's flags and output. */
#include "control-plane/cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "common/spiffe_id.h"
#include "control-plane/cli/admin_client.h"
#include "control-plane/cli/cli_util.h"
#include "google/protobuf/empty.pb-c.h"
#include "spire/api/server/agent/v1/agent.pb-c.h"

#define AGENT_SERVICE "/spire.api.server.agent.v1.Agent/"

#define SYNOPSIS "usage: aegis agent ban|evict [-socketPath PATH] -spiffeID ID\n"

static void usage(FILE *out)
{
        fputs(SYNOPSIS
              "\n"
              "Agents on aegis-server, through its admin socket (mode 0600: root and the\n"
              "server's own user). Flags are spelled as spire-server's; --flag works too.\n"
              "\n"
              "  ban      ban the attested agent with that SPIFFE ID\n"
              "           (spiffe://<td>/spire/agent/aegis_tpm/<EK hash>). Its SVID is refused\n"
              "           from its next call on, and it cannot attest again while banned\n"
              "  evict    forget the agent: its SVID is refused from its next call on, and\n"
              "           it may attest again as a new node. Lifts a ban\n"
              "\n"
              "  -socketPath PATH  the server's admin socket; default $" AE_ADMIN_SOCKET_ENV "\n"
              "                    when set, else " AE_ADMIN_SOCKET_DEFAULT "\n"
              "\n"
              "Not supported from SPIRE: 'agent count|list|show|purge'.\n"
              "\n"
              "Exit status: 0 done, 1 refused by the server (its reason on stderr), not\n"
              "found, or the server unreachable, 2 usage error.\n",
              out);
}

static int usage_error(const char *what)
{
        return ae_cli_usage_error("agent", what, SYNOPSIS);
}

enum { OPT_SOCKET = 1, OPT_SPIFFE_ID, OPT_HELP };

static const struct option longopts[] = {
        { "socketPath", required_argument, NULL, OPT_SOCKET },
        { "spiffeID", required_argument, NULL, OPT_SPIFFE_ID },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
};

/* One action: its name on the command line, its method, and what
 * spire-server prints when it is done. */
struct action {
        const char *name;
        const char *method;
        const char *done;
};

static const struct action ban = { "ban", AGENT_SERVICE "BanAgent", "Agent banned successfully" };
static const struct action evict = { "evict", AGENT_SERVICE "DeleteAgent",
                                     "Agent evicted successfully" };

static int call(const struct action *a, const char *socket_path, const struct ae_spiffe_id *id)
{
        _cleanup_(ae_admin_client_freep) struct ae_admin_client *c = NULL;
        Spire__Api__Server__Agent__V1__BanAgentRequest ban_req =
                SPIRE__API__SERVER__AGENT__V1__BAN_AGENT_REQUEST__INIT;
        Spire__Api__Server__Agent__V1__DeleteAgentRequest delete_req =
                SPIRE__API__SERVER__AGENT__V1__DELETE_AGENT_REQUEST__INIT;
        Spire__Api__Types__SPIFFEID msg = SPIRE__API__TYPES__SPIFFEID__INIT;
        ProtobufCMessage *req = a == &ban ? &ban_req.base : &delete_req.base;
        ProtobufCMessage *m = NULL;
        char err[AE_ADMIN_ERROR_MAX];

        if (ae_admin_client_new(socket_path, &c, err, sizeof(err)) < 0) {
                fprintf(stderr, "aegis agent %s: %s\n", a->name, err);
                return 1;
        }
        msg.trust_domain = (char *)id->trust_domain;
        msg.path = (char *)id->path;
        ban_req.id = &msg;
        delete_req.id = &msg;
        if (ae_admin_call(c, a->method, req, &google__protobuf__empty__descriptor, &m, NULL,
                          err, sizeof(err)) < 0) {
                fprintf(stderr, "aegis agent %s: %s\n", a->name, err);
                return 1;
        }
        protobuf_c_message_free_unpacked(m, NULL);
        printf("%s\n", a->done);
        return 0;
}

static int run(const struct action *a, int argc, char **argv)
{
        const char *socket = NULL, *text = NULL;
        enum ae_spiffe_id_error why;
        struct ae_spiffe_id *id;
        int c, rc;

        optind = 1;
        while ((c = getopt_long_only(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'h':
                case OPT_HELP: usage(stdout); return 0;
                case OPT_SOCKET: socket = optarg; break;
                case OPT_SPIFFE_ID: text = optarg; break;
                default: return usage_error("unknown option or missing value");
                }
        }
        if (optind != argc)
                return usage_error("unexpected argument");
        if (!text || !text[0])
                return usage_error("-spiffeID is required");
        id = malloc(sizeof(*id));
        if (!id) {
                fprintf(stderr, "aegis agent %s: out of memory\n", a->name);
                return 1;
        }
        if (ae_spiffe_id_parse(text, strlen(text), id, &why) < 0) {
                fprintf(stderr, "aegis agent %s: -spiffeID \"%s\": not a SPIFFE ID: %s\n", a->name,
                        text, ae_spiffe_id_error_str(why));
                rc = 1;
        } else {
                rc = call(a, ae_admin_socket_path(socket), id);
        }
        free(id);
        return rc;
}

int ae_cli_agent(int argc, char **argv)
{
        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                          strcmp(argv[1], "-help") == 0)) {
                usage(stdout);
                return 0;
        }
        if (argc < 2)
                return usage_error("which action?");
        if (strcmp(argv[1], ban.name) == 0)
                return run(&ban, argc - 1, argv + 1);
        if (strcmp(argv[1], evict.name) == 0)
                return run(&evict, argc - 1, argv + 1);
        return usage_error("unknown action");
}
