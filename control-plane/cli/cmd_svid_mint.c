/* aegis svid mint: an X.509-SVID from a CA directory, for operators and
 * tests. With --node (the JSON of an accepted 'aegis attest --json') and
 * the workload's code hash (--pid attests a running process, or
 * --code-hash), the SVID carries the attestation claims: PoR or PoG as the
 * node's attestation found. */
#include "control-plane/cli/svid_commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/hex.h"
#include "common/ossl.h"
#include "control-plane/cli/cli_util.h"
#include "control-plane/cli/node_result_json.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/x509_svid.h"
#include "workload-attestor/workload_attestor.h"

#define SYNOPSIS                                                                          \
        "usage: aegis svid mint --ca DIR --id SPIFFE_ID --out DIR [--key p256|p384|rsa2048]\n" \
        "                       [--ttl SECONDS] [--node FILE (--pid PID | --code-hash HEX)]\n"

struct mint_opts {
        const char *ca_dir, *id, *out, *node, *code_hash;
        enum ae_ca_key_type key_type;
        int64_t ttl_s;
        long pid;
};

static void usage(FILE *out)
{
        fputs(SYNOPSIS
              "\n"
              "Mint an X.509-SVID for SPIFFE_ID with the CA in --ca and a fresh key, and\n"
              "write OUT/svid.pem (leaf and chain), OUT/svid.key (0600) and\n"
              "OUT/bundle.pem (the trust domain's roots).\n"
              "\n"
              "  --key TYPE       the workload key (default p256)\n"
              "  --ttl SECONDS    lifetime (default 3600, never past the CA's)\n"
              "  --node FILE      an accepted node attestation ('aegis attest --json'):\n"
              "                   the SVID carries its claims (level por or pog, TPM\n"
              "                   identity, zones); needs the workload's code hash from\n"
              "  --pid PID        a running process, hashed by the workload attestor, or\n"
              "  --code-hash HEX  the sha256 of the workload's executable\n"
              "\n"
              "Exit status: 0 minted, 1 refused or failed, 2 usage error.\n",
              out);
}

static int usage_error(const char *what)
{
        return ae_cli_usage_error("svid mint", what, SYNOPSIS);
}

static int parse_opts(int argc, char **argv, struct mint_opts *o)
{
        static const struct option longopts[] = {
                { "ca", required_argument, NULL, 'c' },   { "id", required_argument, NULL, 'i' },
                { "out", required_argument, NULL, 'o' },  { "key", required_argument, NULL, 'k' },
                { "ttl", required_argument, NULL, 'T' },  { "node", required_argument, NULL, 'n' },
                { "pid", required_argument, NULL, 'p' },
                { "code-hash", required_argument, NULL, 'H' },
                { "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
        };
        char *end;
        int c;

        memset(o, 0, sizeof(*o));
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'c': o->ca_dir = optarg; break;
                case 'i': o->id = optarg; break;
                case 'o': o->out = optarg; break;
                case 'n': o->node = optarg; break;
                case 'H': o->code_hash = optarg; break;
                case 'k':
                        if (ae_ca_key_type_from_name(optarg, &o->key_type) < 0)
                                return usage_error("--key takes p256, p384 or rsa2048");
                        break;
                case 'T':
                        if (ae_cli_parse_seconds(optarg, &o->ttl_s) < 0)
                                return usage_error("--ttl takes seconds");
                        break;
                case 'p':
                        errno = 0;
                        o->pid = strtol(optarg, &end, 10);
                        if (errno || *end || o->pid <= 0 || o->pid > 4194304)
                                return usage_error("--pid takes a process id");
                        break;
                case 'h': usage(stdout); return -1;
                default: return usage_error("unknown option");
                }
        }
        if (optind != argc)
                return usage_error("unexpected argument");
        if (!o->ca_dir || !o->id || !o->out)
                return usage_error("--ca, --id and --out are required");
        if ((o->pid || o->code_hash) && !o->node)
                return usage_error("--pid and --code-hash go with --node");
        if (o->node && !o->pid == !o->code_hash)
                return usage_error("--node needs exactly one of --pid and --code-hash");
        return 0;
}

static int fail(const char *what, const char *detail)
{
        fprintf(stderr, "aegis svid mint: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
        return 1;
}

/* The workload's code hash: the sha256 selector the workload attestor
 * finds for pid, exactly as the agent would. */
static int code_hash_of(pid_t pid, char *hex, size_t cap)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a = NULL;
        _cleanup_(ae_workload_result_freep) struct ae_workload_result *res = NULL;
        enum ae_workload_reason reason;
        int r;

        r = ae_workload_attestor_new(NULL, &a);
        if (r == 0)
                r = ae_workload_attest(a, pid, -1, &res, &reason);
        if (r < 0)
                return fail("workload attestor", strerror(-r));
        if (reason != AE_WORKLOAD_OK)
                return fail("workload refused", ae_workload_reason_str(reason));
        if (ae_hex_encode(res->sha256, sizeof(res->sha256), hex, cap) < 0)
                return fail("workload", "hash");
        return 0;
}

/* Claims from the node's result file and the workload. */
static int build_claims(const struct mint_opts *o, struct ae_claims *c)
{
        _cleanup_(json_decrefp) json_t *node = NULL;
        json_error_t jerr;
        const char *why = NULL;

        memset(c, 0, sizeof(*c));
        node = json_load_file(o->node, JSON_REJECT_DUPLICATES, &jerr);
        if (!node)
                return fail(o->node, jerr.text);
        if (ae_cli_node_result_claims(node, c, &why) < 0) {
                fprintf(stderr, "aegis svid mint: %s: not an accepted node attestation (member %s)\n",
                        o->node, why);
                return 1;
        }
        snprintf(c->workload.workload_id, sizeof(c->workload.workload_id), "%s", o->id);
        if (o->code_hash) {
                snprintf(c->workload.code_hash, sizeof(c->workload.code_hash), "%s", o->code_hash);
                return 0;
        }
        return code_hash_of((pid_t)o->pid, c->workload.code_hash, sizeof(c->workload.code_hash));
}

static int write_files(const struct mint_opts *o, X509 *leaf, EVP_PKEY *key,
                       const struct ae_ca *ca)
{
        char cert[4096], keyf[4096], bundle[4096];
        int r;

        if (snprintf(cert, sizeof(cert), "%s/svid.pem", o->out) >= (int)sizeof(cert) ||
            snprintf(keyf, sizeof(keyf), "%s/svid.key", o->out) >= (int)sizeof(keyf) ||
            snprintf(bundle, sizeof(bundle), "%s/bundle.pem", o->out) >= (int)sizeof(bundle))
                return fail(o->out, "path too long");
        r = ae_x509_svid_write_files(cert, keyf, leaf, key, ca);
        if (r == 0)
                r = ae_ca_write_bundle(ca, bundle);
        if (r < 0)
                return fail(o->out, strerror(-r));
        return 0;
}

int ae_cli_svid_mint(int argc, char **argv)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_claims claims;
        struct ae_x509_svid_request req = { 0 };
        enum ae_svid_reason reason;
        struct mint_opts o;
        time_t now = time(NULL);
        int r;

        r = parse_opts(argc, argv, &o);
        if (r != 0)
                return r < 0 ? 0 : r;
        r = ae_ca_load(o.ca_dir, now, &ca, &reason);
        if (r < 0)
                return fail(o.ca_dir, reason != AE_SVID_OK ? ae_svid_reason_str(reason)
                                                           : strerror(-r));
        if (o.node && build_claims(&o, &claims) != 0)
                return 1;
        r = ae_svid_key_generate(o.key_type, &key);
        if (r < 0)
                return fail("key", strerror(-r));
        req.spiffe_id = o.id;
        req.public_key = key;
        req.ttl_s = o.ttl_s;
        req.claims = o.node ? &claims : NULL;
        r = ae_x509_svid_mint(ca, &req, now, &leaf, &reason);
        if (r < 0) {
                fprintf(stderr, "aegis svid mint: refused: %s (%s)\n", ae_svid_reason_str(reason),
                        ae_svid_reason_id(reason));
                return 1;
        }
        r = write_files(&o, leaf, key, ca);
        if (r != 0)
                return r;
        printf("%s/svid.pem: %s%s%s\n", o.out, o.id, o.node ? ", level " : "",
               o.node ? ae_claims_level_name(claims.level) : "");
        return 0;
}
