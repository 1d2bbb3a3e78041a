/* aegis ca: create, rotate and show a trust domain's signing CA (a
 * directory, svid-issuer/ca.h), self-signed or signed by an upstream CA
 * through a CSR. */
#include "control-plane/cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control-plane/cli/cli_util.h"
#include "svid-issuer/ca.h"

#define SYNOPSIS                                                                          \
        "usage: aegis ca init   --dir DIR --trust-domain TD [--key p256|p384|rsa2048]\n"     \
        "                       [--ttl SECONDS]\n"                                            \
        "       aegis ca csr    --dir DIR --trust-domain TD [--key p256|p384|rsa2048]\n"     \
        "       aegis ca install --dir DIR --cert FILE --chain FILE\n"                        \
        "       aegis ca rotate --dir DIR\n"                                                  \
        "       aegis ca show   --dir DIR\n"

struct ca_opts {
        const char *dir, *cert, *chain;
        struct ae_ca_options ca;
};

static void usage(FILE *out)
{
        fputs(SYNOPSIS
              "\n"
              "A trust domain's signing CA lives in a directory: ca-key.pem (0600),\n"
              "ca-cert.pem, bundle.pem (the roots relying parties trust), and for an\n"
              "upstream-signed CA chain.pem.\n"
              "\n"
              "  init     create a self-signed CA (P-256 unless --key says otherwise;\n"
              "           lifetime --ttl seconds, default one year)\n"
              "  csr      create the key and ca.csr for an upstream CA to sign\n"
              "  install  install the certificate the upstream issued for ca.csr and the\n"
              "           chain above it (ending with the upstream root)\n"
              "  rotate   new key and root; bundle.pem keeps the old root until it expires\n"
              "  show     the CA's trust domain, certificate and bundle\n"
              "\n"
              "Exit status: 0 done, 1 refused or failed, 2 usage error.\n",
              out);
}

static int parse_opts(int argc, char **argv, struct ca_opts *o)
{
        static const struct option longopts[] = {
                { "dir", required_argument, NULL, 'd' },
                { "trust-domain", required_argument, NULL, 't' },
                { "key", required_argument, NULL, 'k' },
                { "ttl", required_argument, NULL, 'T' },
                { "cert", required_argument, NULL, 'c' },
                { "chain", required_argument, NULL, 'C' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        memset(o, 0, sizeof(*o));
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'd': o->dir = optarg; break;
                case 't': o->ca.trust_domain = optarg; break;
                case 'c': o->cert = optarg; break;
                case 'C': o->chain = optarg; break;
                case 'k':
                        if (ae_ca_key_type_from_name(optarg, &o->ca.key_type) < 0)
                                return ae_cli_usage_error("ca", "--key takes p256, p384 or rsa2048",
                                                          SYNOPSIS);
                        break;
                case 'T':
                        if (ae_cli_parse_seconds(optarg, &o->ca.ttl_s) < 0)
                                return ae_cli_usage_error("ca", "--ttl takes seconds", SYNOPSIS);
                        break;
                case 'h': usage(stdout); return -1;
                default: return ae_cli_usage_error("ca", "unknown option", SYNOPSIS);
                }
        }
        if (!o->dir)
                return ae_cli_usage_error("ca", "--dir is required", SYNOPSIS);
        return 0;
}

/* The outcome of a CA call: a line on stdout when done, the reason when not. */
static int report(const char *verb, const char *dir, int r, enum ae_svid_reason reason)
{
        if (r == 0) {
                printf("%s: %s\n", dir, verb);
                return 0;
        }
        fprintf(stderr, "aegis ca: %s: %s (%s)\n", dir,
                reason != AE_SVID_OK ? ae_svid_reason_str(reason) : strerror(-r),
                reason != AE_SVID_OK ? ae_svid_reason_id(reason) : "internal");
        return 1;
}

static int show(const char *dir)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        enum ae_svid_reason reason;
        STACK_OF(X509) *bundle;
        int r;

        r = ae_ca_load(dir, time(NULL), &ca, &reason);
        if (r < 0)
                return report("loaded", dir, r, reason);
        printf("trust domain  %s\n", ae_ca_trust_domain(ca));
        printf("key           %s\n", ae_ca_key_type_name(ae_ca_key_type(ca)));
        ae_cli_print_cert_line("signing cert ", ae_ca_cert(ca));
        printf("upstream      %s\n", sk_X509_num(ae_ca_chain(ca)) > 0 || ae_ca_root(ca) != ae_ca_cert(ca)
                                             ? "yes (chain.pem)"
                                             : "no (self-signed)");
        bundle = ae_ca_bundle(ca);
        for (int i = 0; i < sk_X509_num(bundle); i++)
                ae_cli_print_cert_line("bundle root  ", sk_X509_value(bundle, i));
        return 0;
}

int ae_cli_ca(int argc, char **argv)
{
        enum ae_svid_reason reason = AE_SVID_OK;
        const char *verb = argc > 1 ? argv[1] : "";
        struct ca_opts o;
        int r;

        if (argc == 2 && (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0)) {
                usage(stdout);
                return 0;
        }
        if (argc < 2)
                return ae_cli_usage_error("ca", "which action?", SYNOPSIS);
        r = parse_opts(argc - 1, argv + 1, &o);
        if (r != 0)
                return r < 0 ? 0 : r;
        if (optind != argc - 1)
                return ae_cli_usage_error("ca", "unexpected argument", SYNOPSIS);

        if (strcmp(verb, "init") == 0 || strcmp(verb, "csr") == 0) {
                if (!o.ca.trust_domain)
                        return ae_cli_usage_error("ca", "--trust-domain is required", SYNOPSIS);
                if (verb[0] == 'i') {
                        r = ae_ca_init(o.dir, &o.ca, time(NULL), &reason);
                        return report("self-signed CA created", o.dir, r, reason);
                }
                r = ae_ca_csr(o.dir, &o.ca, &reason);
                if (r == 0)
                        printf("%s/%s: have the upstream CA sign it, then 'aegis ca install'\n",
                               o.dir, AE_CA_CSR_FILE);
                return r == 0 ? 0 : report("", o.dir, r, reason);
        }
        if (strcmp(verb, "install") == 0) {
                if (!o.cert || !o.chain)
                        return ae_cli_usage_error("ca", "--cert and --chain are required",
                                                  SYNOPSIS);
                r = ae_ca_install(o.dir, o.cert, o.chain, time(NULL), &reason);
                return report("upstream-signed CA installed", o.dir, r, reason);
        }
        if (strcmp(verb, "rotate") == 0) {
                r = ae_ca_rotate(o.dir, time(NULL), &reason);
                return report("rotated (bundle.pem keeps the old root until it expires)", o.dir,
                              r, reason);
        }
        if (strcmp(verb, "show") == 0)
                return show(o.dir);
        return ae_cli_usage_error("ca", "unknown action", SYNOPSIS);
}
