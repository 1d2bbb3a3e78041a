/* aegis entry create|show|delete: registration entries on aegis-server,
 * through its admin socket (SPIRE's spire.api.server.entry.v1.Entry). The
 * flags are spire-server's (single dash, camelCase), so an operator's SPIRE
 * commands carry over. */
#include "control-plane/cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "control-plane/cli/admin_client.h"
#include "control-plane/cli/cli_util.h"
#include "control-plane/cli/entry_commands.h"
#include "spire/api/server/entry/v1/entry.pb-c.h"

#define ENTRY_SERVICE "/spire.api.server.entry.v1.Entry/"

#define SYNOPSIS                                                                             \
        "usage: aegis entry create [-socketPath PATH] -spiffeID ID -parentID ID\n"             \
        "                          -selector TYPE:VALUE [-selector ...] [-x509SVIDTTL S]\n"    \
        "                          [-jwtSVIDTTL S] [-dns NAME ...] [-hint H] [-admin]\n"       \
        "                          [-downstream]\n"                                             \
        "       aegis entry show   [-socketPath PATH] [-entryID ID] [-parentID ID]\n"          \
        "                          [-spiffeID ID] [-selector TYPE:VALUE ...]\n"                \
        "       aegis entry delete [-socketPath PATH] -entryID ID\n"

static void usage(FILE *out)
{
        fputs(SYNOPSIS
              "\n"
              "Registration entries on aegis-server, through its admin socket (mode 0600:\n"
              "root and the server's own user). Flags are spelled as spire-server's\n"
              "(-spiffeID, -parentID, ...) so SPIRE commands carry over; --flag works too.\n"
              "\n"
              "  create   add an entry; prints it as 'entry show' does. TYPE:VALUE splits at\n"
              "           the first ':' (aegis_exe:sha256:<hex> is type aegis_exe). TTLs in\n"
              "           seconds (default: the server's). -dns repeats; -hint is the\n"
              "           Workload API hint; -admin and -downstream as in SPIRE\n"
              "  show     'Found N entries', then each entry. -entryID shows that entry\n"
              "           (GetEntry); otherwise every entry, a page at a time (ListEntries),\n"
              "           filtered by -parentID on the server. -spiffeID and -selector\n"
              "           filter here: an entry must have that SPIFFE ID and every\n"
              "           -selector given (it may have more). Filters combine\n"
              "  delete   remove the entry with that ID\n"
              "\n"
              "  -socketPath PATH  the server's admin socket; default $" AE_ADMIN_SOCKET_ENV
              "\n"
              "                    when set, else " AE_ADMIN_SOCKET_DEFAULT "\n"
              "\n"
              "Each call has a 10 s deadline. Not supported from SPIRE: -node, -ttl, -data,\n"
              "-federatesWith, -entryExpiry, -storeSVID, -output, 'entry update|count'.\n"
              "\n"
              "Exit status: 0 done, 1 refused by the server (its reason on stderr), not\n"
              "found, or the server unreachable, 2 usage error.\n",
              out);
}

static int usage_error(const char *what)
{
        return ae_cli_usage_error("entry", what, SYNOPSIS);
}

enum {
        OPT_SOCKET = 1 << 0,
        OPT_SPIFFE_ID = 1 << 1,
        OPT_PARENT_ID = 1 << 2,
        OPT_SELECTOR = 1 << 3,
        OPT_X509_TTL = 1 << 4,
        OPT_JWT_TTL = 1 << 5,
        OPT_DNS = 1 << 6,
        OPT_HINT = 1 << 7,
        OPT_ADMIN = 1 << 8,
        OPT_DOWNSTREAM = 1 << 9,
        OPT_ENTRY_ID = 1 << 10,
        OPT_HELP = 1 << 11,
};

static const struct option longopts[] = {
        { "socketPath", required_argument, NULL, OPT_SOCKET },
        { "spiffeID", required_argument, NULL, OPT_SPIFFE_ID },
        { "parentID", required_argument, NULL, OPT_PARENT_ID },
        { "selector", required_argument, NULL, OPT_SELECTOR },
        { "x509SVIDTTL", required_argument, NULL, OPT_X509_TTL },
        { "jwtSVIDTTL", required_argument, NULL, OPT_JWT_TTL },
        { "dns", required_argument, NULL, OPT_DNS },
        { "hint", required_argument, NULL, OPT_HINT },
        { "admin", no_argument, NULL, OPT_ADMIN },
        { "downstream", no_argument, NULL, OPT_DOWNSTREAM },
        { "entryID", required_argument, NULL, OPT_ENTRY_ID },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
};

static const char *opt_name(int bit)
{
        for (const struct option *o = longopts; o->name; o++)
                if (o->val == bit)
                        return o->name;
        return "?";
}

static void opts_clear(struct ae_cli_entry_opts *o)
{
        for (size_t i = 0; i < o->n_selectors; i++)
                free(o->selectors[i].type);
        o->n_selectors = 0;
}

/* -1 when the value is not a SPIFFE ID (the reason printed): exit 1. */
static int parse_id(const char *verb, const char *flag, const char *text, struct ae_cli_id *id)
{
        enum ae_spiffe_id_error why;

        if (ae_spiffe_id_parse(text, strlen(text), &id->parts, &why) < 0) {
                fprintf(stderr, "aegis entry %s: -%s \"%s\": not a SPIFFE ID: %s\n", verb, flag,
                        text, ae_spiffe_id_error_str(why));
                return -1;
        }
        spire__api__types__spiffeid__init(&id->msg);
        id->msg.trust_domain = id->parts.trust_domain;
        id->msg.path = id->parts.path;
        id->set = true;
        return 0;
}

/* TYPE:VALUE, split at the first ':' (values may hold more). */
static int add_selector(struct ae_cli_entry_opts *o, const char *arg)
{
        const char *colon = strchr(arg, ':');
        Spire__Api__Types__Selector *s;
        char what[96];

        if (!colon) {
                snprintf(what, sizeof(what), "selector \"%.40s\" must be formatted as type:value",
                         arg);
                return usage_error(what);
        }
        if (o->n_selectors == AE_CLI_ENTRY_SELECTORS_MAX)
                return usage_error("too many -selector options");
        s = &o->selectors[o->n_selectors];
        spire__api__types__selector__init(s);
        s->type = strndup(arg, (size_t)(colon - arg));
        if (!s->type) {
                fprintf(stderr, "aegis entry: out of memory\n");
                return 1;
        }
        s->value = (char *)colon + 1;
        o->selector_ptrs[o->n_selectors++] = s;
        return 0;
}

/* 0, or the exit code (-1: --help shown, exit 0). Flags outside allowed
 * are usage errors. */
static int parse_opts(const char *verb, unsigned allowed, int argc, char **argv,
                      struct ae_cli_entry_opts *o)
{
        const char *socket = NULL;
        char what[96];
        int c, r;

        optind = 1;
        while ((c = getopt_long_only(argc, argv, "h", longopts, NULL)) != -1) {
                if (c == 'h' || c == OPT_HELP) {
                        usage(stdout);
                        return -1;
                }
                if (c == '?')
                        return usage_error("unknown option or missing value");
                if (!((unsigned)c & allowed)) {
                        snprintf(what, sizeof(what), "-%s is not an option of 'entry %s'",
                                 opt_name(c), verb);
                        return usage_error(what);
                }
                r = 0;
                switch (c) {
                case OPT_SOCKET: socket = optarg; break;
                case OPT_ENTRY_ID: o->entry_id = optarg; break;
                case OPT_HINT: o->hint = optarg; break;
                case OPT_ADMIN: o->admin = true; break;
                case OPT_DOWNSTREAM: o->downstream = true; break;
                case OPT_SPIFFE_ID: r = parse_id(verb, "spiffeID", optarg, &o->spiffe_id); break;
                case OPT_PARENT_ID: r = parse_id(verb, "parentID", optarg, &o->parent_id); break;
                case OPT_SELECTOR: r = add_selector(o, optarg); break;
                case OPT_DNS:
                        if (o->n_dns == AE_CLI_ENTRY_DNS_MAX)
                                return usage_error("too many -dns options");
                        o->dns[o->n_dns++] = optarg;
                        break;
                case OPT_X509_TTL:
                case OPT_JWT_TTL:
                        if (ae_cli_parse_seconds(optarg, c == OPT_X509_TTL ? &o->x509_svid_ttl
                                                                           : &o->jwt_svid_ttl) < 0)
                                return usage_error("-x509SVIDTTL and -jwtSVIDTTL take seconds");
                        break;
                }
                if (r != 0)
                        return r < 0 ? 1 : r;
        }
        if (optind != argc)
                return usage_error("unexpected argument");
        o->socket_path = ae_admin_socket_path(socket);
        return 0;
}

/* The status of a batch's one result (NULL: the server sent none): 0 for
 * OK, else 1 with the server's reason printed. */
static int batch_status(const char *verb, const Spire__Api__Types__Status *status)
{
        char msg[AE_ADMIN_ERROR_MAX];

        if (!status) {
                fprintf(stderr, "aegis entry %s: aegis-server answered without the result\n",
                        verb);
                return 1;
        }
        if (status->code == 0)
                return 0;
        ae_admin_status_text(status->code, status->message, msg, sizeof(msg));
        fprintf(stderr, "aegis entry %s: %s\n", verb, msg);
        return 1;
}

static int create(struct ae_admin_client *c, const struct ae_cli_entry_opts *o)
{
        Spire__Api__Server__Entry__V1__BatchCreateEntryRequest req =
                SPIRE__API__SERVER__ENTRY__V1__BATCH_CREATE_ENTRY_REQUEST__INIT;
        Spire__Api__Server__Entry__V1__BatchCreateEntryResponse *resp;
        Spire__Api__Types__Entry e = SPIRE__API__TYPES__ENTRY__INIT, *ep = &e;
        const Spire__Api__Types__Status *status;
        ProtobufCMessage *m = NULL;
        char err[AE_ADMIN_ERROR_MAX];
        int rc;

        e.spiffe_id = (Spire__Api__Types__SPIFFEID *)&o->spiffe_id.msg;
        e.parent_id = (Spire__Api__Types__SPIFFEID *)&o->parent_id.msg;
        e.n_selectors = o->n_selectors;
        e.selectors = (Spire__Api__Types__Selector **)o->selector_ptrs;
        e.x509_svid_ttl = (int32_t)o->x509_svid_ttl;
        e.jwt_svid_ttl = (int32_t)o->jwt_svid_ttl;
        e.n_dns_names = o->n_dns;
        e.dns_names = (char **)o->dns;
        e.hint = (char *)(o->hint ? o->hint : "");
        e.admin = o->admin;
        e.downstream = o->downstream;
        req.n_entries = 1;
        req.entries = &ep;
        if (ae_admin_call(c, ENTRY_SERVICE "BatchCreateEntry", &req.base,
                          &spire__api__server__entry__v1__batch_create_entry_response__descriptor,
                          &m, NULL, err, sizeof(err)) < 0) {
                fprintf(stderr, "aegis entry create: %s\n", err);
                return 1;
        }
        resp = (Spire__Api__Server__Entry__V1__BatchCreateEntryResponse *)m;
        status = resp->n_results == 1 && resp->results[0] ? resp->results[0]->status : NULL;
        rc = batch_status("create", status);
        if (rc == 0 && !resp->results[0]->entry) {
                fprintf(stderr, "aegis entry create: created, but aegis-server did not return "
                                "the entry; see 'aegis entry show'\n");
                rc = 1;
        }
        if (rc == 0)
                ae_cli_entry_print(resp->results[0]->entry);
        protobuf_c_message_free_unpacked(m, NULL);
        return rc;
}

static int delete_entry(struct ae_admin_client *c, const struct ae_cli_entry_opts *o)
{
        Spire__Api__Server__Entry__V1__BatchDeleteEntryRequest req =
                SPIRE__API__SERVER__ENTRY__V1__BATCH_DELETE_ENTRY_REQUEST__INIT;
        Spire__Api__Server__Entry__V1__BatchDeleteEntryResponse *resp;
        const Spire__Api__Types__Status *status;
        char *id = (char *)o->entry_id;
        ProtobufCMessage *m = NULL;
        char err[AE_ADMIN_ERROR_MAX];
        int rc;

        req.n_ids = 1;
        req.ids = &id;
        if (ae_admin_call(c, ENTRY_SERVICE "BatchDeleteEntry", &req.base,
                          &spire__api__server__entry__v1__batch_delete_entry_response__descriptor,
                          &m, NULL, err, sizeof(err)) < 0) {
                fprintf(stderr, "aegis entry delete: %s\n", err);
                return 1;
        }
        resp = (Spire__Api__Server__Entry__V1__BatchDeleteEntryResponse *)m;
        status = resp->n_results == 1 && resp->results[0] ? resp->results[0]->status : NULL;
        rc = batch_status("delete", status);
        if (rc == 0)
                printf("Deleted entry with ID: %s\n", o->entry_id);
        protobuf_c_message_free_unpacked(m, NULL);
        return rc;
}

static int run(const char *verb, int argc, char **argv, struct ae_cli_entry_opts *o)
{
        static const unsigned common = OPT_SOCKET | OPT_HELP;
        _cleanup_(ae_admin_client_freep) struct ae_admin_client *c = NULL;
        char err[AE_ADMIN_ERROR_MAX];
        int r;

        if (strcmp(verb, "create") == 0) {
                r = parse_opts(verb,
                               common | OPT_SPIFFE_ID | OPT_PARENT_ID | OPT_SELECTOR |
                                       OPT_X509_TTL | OPT_JWT_TTL | OPT_DNS | OPT_HINT |
                                       OPT_ADMIN | OPT_DOWNSTREAM,
                               argc, argv, o);
                if (r != 0)
                        return r < 0 ? 0 : r;
                if (!o->spiffe_id.set || !o->parent_id.set)
                        return usage_error("-spiffeID and -parentID are required");
                if (o->n_selectors == 0)
                        return usage_error("at least one -selector is required");
        } else if (strcmp(verb, "show") == 0) {
                r = parse_opts(verb, common | OPT_ENTRY_ID | OPT_PARENT_ID | OPT_SPIFFE_ID |
                                             OPT_SELECTOR,
                               argc, argv, o);
                if (r != 0)
                        return r < 0 ? 0 : r;
                return ae_cli_entry_show(o);
        } else if (strcmp(verb, "delete") == 0) {
                r = parse_opts(verb, common | OPT_ENTRY_ID, argc, argv, o);
                if (r != 0)
                        return r < 0 ? 0 : r;
                if (!o->entry_id || !o->entry_id[0])
                        return usage_error("-entryID is required");
        } else {
                return usage_error("unknown action");
        }
        if (ae_admin_client_new(o->socket_path, &c, err, sizeof(err)) < 0) {
                fprintf(stderr, "aegis entry %s: %s\n", verb, err);
                return 1;
        }
        return verb[0] == 'c' ? create(c, o) : delete_entry(c, o);
}

int ae_cli_entry(int argc, char **argv)
{
        struct ae_cli_entry_opts *o;
        int rc;

        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                          strcmp(argv[1], "-help") == 0)) {
                usage(stdout);
                return 0;
        }
        if (argc < 2)
                return usage_error("which action?");
        o = calloc(1, sizeof(*o));
        if (!o) {
                fprintf(stderr, "aegis entry: out of memory\n");
                return 1;
        }
        rc = run(argv[1], argc - 1, argv + 1, o);
        opts_clear(o);
        free(o);
        return rc;
}
