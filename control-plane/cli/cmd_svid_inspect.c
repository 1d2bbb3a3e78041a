/* aegis svid inspect FILE: what an X.509-SVID says, readable (or JSON):
 * SPIFFE ID, validity, key, issuer, and the attestation claims. It reads;
 * it does not judge trust (that is 'aegis svid verify'). */
#include "control-plane/cli/svid_commands.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/ossl.h"
#include "control-plane/cli/cli_util.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/key_gen.h"
#include "svid-issuer/rp_pem.h"

#define SYNOPSIS "usage: aegis svid inspect [--json] FILE\n"

static void usage(FILE *out)
{
        fputs(SYNOPSIS
              "\n"
              "Show an X.509-SVID (PEM: the leaf first, then its chain): its SPIFFE ID,\n"
              "validity, key, issuer and attestation claims. Nothing is verified here;\n"
              "'aegis svid verify' decides whether to trust it.\n"
              "\n"
              "Exit status: 0 shown (claims refused are shown as such), 1 unreadable,\n"
              "2 usage error.\n",
              out);
}

static void format_epoch(int64_t t, char *buf, size_t cap)
{
        time_t tt = (time_t)t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, cap, "?");
}

static const char *key_name(X509 *cert)
{
        enum ae_ca_key_type t;

        if (ae_svid_key_classify(X509_get0_pubkey(cert), &t) < 0)
                return "unsupported";
        return ae_ca_key_type_name(t);
}

static void print_claims(const struct ae_claims *c)
{
        char when[32];

        printf("  claims      level %s (%s)\n", ae_claims_level_name(c->level),
               c->level == AE_CLAIMS_POG ? "Proof of Geofencing" : "Proof of Residency");
        printf("    workload  %s\n              code sha256 %s\n", c->workload.workload_id,
               c->workload.code_hash);
        if (c->tpm.present) {
                format_epoch(c->tpm.attested_at, when, sizeof(when));
                printf("    tpm       EK sha256 %s\n              AK name %s\n"
                       "              PCR policy %s, digest %s\n              attested %s\n",
                       c->tpm.ek_hash, c->tpm.ak_name, c->tpm.pcr_policy, c->tpm.pcr_digest,
                       when);
        }
        if (c->geo.present) {
                format_epoch(c->geo.fix_time, when, sizeof(when));
                printf("    location  zones");
                for (size_t i = 0; i < c->geo.n_zones; i++)
                        printf("%s%s", i ? ", " : " ", c->geo.zones[i]);
                if (!c->geo.n_zones)
                        printf(" none");
                printf("\n              sensor %s, fix %s\n              policy sha256 %s\n",
                       c->geo.sensor_id, when, c->geo.policy_digest);
                if (c->geo.has_coordinates)
                        printf("              at %.7f, %.7f (±%.1f m)\n", c->geo.latitude,
                               c->geo.longitude, c->geo.accuracy);
        }
}

/* The claims as their own JSON (the schema of claims.h), or NULL. */
static json_t *claims_json(const struct ae_claims *c)
{
        char text[AE_CLAIMS_MAX + 1];
        size_t len;

        if (ae_claims_encode(c, text, sizeof(text), &len) < 0)
                return NULL;
        return json_loadb(text, len, 0, NULL);
}

static int show(X509 *leaf, int n_chain, bool json)
{
        char uri[AE_CLAIMS_MAX], issuer[512], from[32], to[32], serial[80] = "?";
        const ASN1_INTEGER *sn = X509_get0_serialNumber(leaf);
        _cleanup_(BN_freep) BIGNUM *bn = ASN1_INTEGER_to_BN(sn, NULL);
        struct ae_claims claims;
        enum ae_svid_reason reason;
        bool present = false;
        int r;

        ae_cli_cert_uri(leaf, uri, sizeof(uri));
        X509_NAME_oneline(X509_get_issuer_name(leaf), issuer, sizeof(issuer));
        ae_cli_format_time(X509_get0_notBefore(leaf), from, sizeof(from));
        ae_cli_format_time(X509_get0_notAfter(leaf), to, sizeof(to));
        if (bn) {
                char *hex = BN_bn2hex(bn);

                if (hex)
                        snprintf(serial, sizeof(serial), "%s", hex);
                OPENSSL_free(hex);
        }
        r = ae_claims_from_cert_explain(leaf, &claims, &present, &reason);
        if (json) {
                json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "spiffe_id", uri,
                                      "not_before", from, "not_after", to, "serial", serial,
                                      "key", key_name(leaf), "issuer", issuer, "chain", n_chain);

                if (!j)
                        return 1;
                if (r < 0)
                        json_object_set_new(j, "claims_refused",
                                            json_string(ae_svid_reason_id(reason)));
                else
                        json_object_set_new(j, "claims", present ? claims_json(&claims)
                                                                 : json_null());
                json_dumpf(j, stdout, JSON_COMPACT);
                putchar('\n');
                json_decref(j);
                return 0;
        }
        printf("X.509-SVID\n  spiffe id   %s\n  valid       %s .. %s\n  serial      %s\n"
               "  key         %s\n  issuer      %s\n  chain       %d certificate%s\n",
               uri[0] ? uri : "(none)", from, to, serial, key_name(leaf), issuer, n_chain,
               n_chain == 1 ? "" : "s");
        if (r < 0)
                printf("  claims      refused: %s (%s)\n", ae_svid_reason_str(reason),
                       ae_svid_reason_id(reason));
        else if (!present)
                printf("  claims      none\n");
        else
                print_claims(&claims);
        return 0;
}

int ae_cli_svid_inspect(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *certs = NULL;
        const char *why = NULL;
        bool json = false;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'j': json = true; break;
                case 'h': usage(stdout); return 0;
                default: return ae_cli_usage_error("svid inspect", "unknown option", SYNOPSIS);
                }
        }
        if (optind != argc - 1)
                return ae_cli_usage_error("svid inspect", "one FILE, please", SYNOPSIS);
        r = ae_rp_pem_file_certs(argv[optind], &certs, &why);
        if (r < 0) {
                fprintf(stderr, "aegis svid inspect: %s: %s\n", argv[optind],
                        why ? why : strerror(-r));
                return 1;
        }
        return show(sk_X509_value(certs, 0), sk_X509_num(certs) - 1, json);
}
