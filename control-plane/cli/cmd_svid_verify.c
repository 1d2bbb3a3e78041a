/* aegis svid verify: a relying party's verdict on an X.509-SVID, as a
 * service would reach it during mTLS (svid-issuer/rp_verify.h): the leaf's
 * SPIFFE ID, a chain to its trust domain's roots, then the rule. */
#include "control-plane/cli/svid_commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/ossl.h"
#include "control-plane/cli/cli_util.h"
#include "svid-issuer/rp_bundle.h"
#include "svid-issuer/rp_pem.h"
#include "svid-issuer/rp_rule.h"
#include "svid-issuer/rp_verify.h"

#define SYNOPSIS                                                                           \
        "usage: aegis svid verify --bundle [TD=]FILE... [--require RULE] [--at UNIXTIME]\n"   \
        "                         [--json] FILE\n"

struct verify_opts {
        const char *rule_text, *file;
        bool json;
        int64_t at;
};

static void usage(FILE *out)
{
        fputs(SYNOPSIS
              "\n"
              "Decide, as a relying party would, whether to accept the X.509-SVID in FILE\n"
              "(PEM: the leaf first, then its intermediates).\n"
              "\n"
              "  --bundle [TD=]FILE  trusted roots (PEM, or SPIFFE bundle JSON with TD=);\n"
              "                      repeat for several trust domains. Without TD= each\n"
              "                      root names its trust domain in its URI SAN.\n"
              "  --require RULE      what the SVID's ID and claims must say, e.g.\n"
              "                      level=pog,zone=eu-de|eu-fr,code_hash=<hex>,max_age=600\n"
              "                      keys: trust_domain id level zone code_hash ek_hash max_age\n"
              "  --at UNIXTIME       judge at this time instead of now\n"
              "  --json              machine-readable verdict\n"
              "\n"
              "Exit status: 0 accepted, 1 refused or unreadable, 2 usage error.\n",
              out);
}

static int usage_error(const char *what)
{
        return ae_cli_usage_error("svid verify", what, SYNOPSIS);
}

/* The rule from its text; a usage error naming the clause otherwise. */
static int parse_rule(const char *text, struct ae_rp_rule *rule)
{
        struct ae_rp_rule_parse_error err;
        char why[256], msg[300];

        if (ae_rp_rule_parse(text, strlen(text), rule, &err) == 0)
                return 0;
        ae_rp_rule_error_format(&err, why, sizeof(why));
        snprintf(msg, sizeof(msg), "--require: %s", why);
        return usage_error(msg);
}

static int parse_opts(int argc, char **argv, struct verify_opts *o, struct ae_rp_bundle *bundle,
                      struct ae_rp_rule *rule)
{
        static const struct option longopts[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "require", required_argument, NULL, 'r' },
                { "at", required_argument, NULL, 'a' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *why = NULL;
        char *end;
        int c;

        memset(o, 0, sizeof(*o));
        o->at = (int64_t)time(NULL);
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'b':
                        if (ae_rp_bundle_load_arg(bundle, optarg, &why) < 0) {
                                fprintf(stderr, "aegis svid verify: bundle %s: %s\n", optarg,
                                        why ? why : "unreadable");
                                return 1;
                        }
                        break;
                case 'r': o->rule_text = optarg; break;
                case 'j': o->json = true; break;
                case 'a':
                        errno = 0;
                        o->at = strtoll(optarg, &end, 10);
                        if (errno || *end || o->at < 0)
                                return usage_error("--at takes seconds since the epoch");
                        break;
                case 'h': usage(stdout); return -1;
                default: return usage_error("unknown option");
                }
        }
        if (optind != argc - 1)
                return usage_error("one FILE, please");
        o->file = argv[optind];
        if (ae_rp_bundle_count(bundle) == 0)
                return usage_error("--bundle is required");
        return o->rule_text ? parse_rule(o->rule_text, rule) : 0;
}

/* The leaf and the certificates after it (the strict, bounded PEM reader
 * bundles use: certificates only). */
static int read_svid(const char *path, X509 **ret_leaf, STACK_OF(X509) **ret_chain,
                     const char **ret_why)
{
        STACK_OF(X509) *chain = NULL;

        GUARD(ae_rp_pem_file_certs(path, &chain, ret_why));
        *ret_leaf = sk_X509_shift(chain);
        *ret_chain = chain;
        return 0;
}

static void print_verdict(const struct verify_opts *o, int r, const struct ae_rp_result *res)
{
        char line[1024], id[AE_SPIFFE_ID_SIZE] = "";

        ae_rp_result_describe(res, line, sizeof(line));
        if (res->has_id && ae_spiffe_id_format(&res->id, id, sizeof(id), NULL) < 0)
                id[0] = '\0';
        if (o->json) {
                json_t *j = json_pack("{s:b,s:s,s:s,s:s}", "accepted", r == 0, "reason",
                                      ae_rp_reason_id(res->reason), "detail", line, "spiffe_id",
                                      id);

                if (j && res->has_claims)
                        json_object_set_new(j, "level",
                                            json_string(ae_claims_level_name(res->claims.level)));
                if (j)
                        json_dumpf(j, stdout, JSON_COMPACT);
                putchar('\n');
                json_decref(j);
                return;
        }
        if (r == 0)
                printf("accepted: %s%s%s\n", id, res->has_claims ? ", level " : "",
                       res->has_claims ? ae_claims_level_name(res->claims.level) : "");
        else
                printf("refused: %s\n", line);
}

int ae_cli_svid_verify(int argc, char **argv)
{
        _cleanup_(ae_rp_bundle_unrefp) struct ae_rp_bundle *bundle = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *chain = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_rp_rule rule = { 0 };
        struct ae_rp_result res;
        struct verify_opts o;
        const char *why = NULL;
        int r;

        if (ae_rp_bundle_new(&bundle) < 0)
                return 1;
        r = parse_opts(argc, argv, &o, bundle, &rule);
        if (r != 0)
                return r < 0 ? 0 : r;
        r = read_svid(o.file, &leaf, &chain, &why);
        if (r < 0) {
                fprintf(stderr, "aegis svid verify: %s: %s\n", o.file,
                        why ? why : strerror(-r));
                return 1;
        }
        r = ae_rp_verify(bundle, &rule, leaf, chain, o.at, &res);
        if (r < 0 && r != -EACCES) {
                fprintf(stderr, "aegis svid verify: internal failure: %s\n", strerror(-r));
                return 1;
        }
        print_verdict(&o, r, &res);
        return r == 0 ? 0 : 1;
}
