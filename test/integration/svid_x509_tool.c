/* ae-svid-x509-tool: the CA and minting library as commands, so the
 * integration test can judge what it writes with the openssl CLI (a tool
 * Aegis did not write). Not the operator's CLI: it takes `now` as an
 * argument, so the test can move time, and prints the reason id of a
 * refusal.
 *
 *   init    DIR TD KEYTYPE NOW [TTL]
 *   csr     DIR TD KEYTYPE
 *   install DIR CERT CHAIN NOW
 *   rotate  DIR NOW
 *   bundle  DIR NOW OUT
 *   mint    CADIR ID KEYTYPE OUTDIR NOW [TTL [claims]]
 *             writes OUTDIR/svid.pem, OUTDIR/svid.key, OUTDIR/bundle.pem
 *
 * Exit 0 on success, 1 on a refusal (reason id on stderr), 2 on usage. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_test_util.h"
#include "common/ossl.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/x509_svid.h"

static int refused(const char *what, int r, enum ae_svid_reason why)
{
        fprintf(stderr, "%s: %s (%s, %s)\n", what, ae_svid_reason_id(why), ae_svid_reason_str(why),
                strerror(-r));
        return 1;
}

static int usage(void)
{
        fprintf(stderr, "usage: ae-svid-x509-tool init|csr|install|rotate|bundle|mint ...\n");
        return 2;
}

static int key_type(const char *name, enum ae_ca_key_type *ret)
{
        if (ae_ca_key_type_from_name(name, ret) < 0) {
                fprintf(stderr, "unknown key type %s\n", name);
                return -1;
        }
        return 0;
}

static int cmd_mint(int argc, char **argv)
{
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_claims claims;
        struct ae_x509_svid_request req = { 0 };
        enum ae_svid_reason why;
        enum ae_ca_key_type type;
        char cert[PATH_MAX], keyf[PATH_MAX], bundle[PATH_MAX];
        time_t now;
        int r;

        if (argc < 7 || key_type(argv[4], &type) < 0)
                return usage();
        now = (time_t)strtoll(argv[6], NULL, 10);
        r = ae_ca_load(argv[2], now, &ca, &why);
        if (r < 0)
                return refused("load", r, why);
        if (ae_svid_key_generate(type, &key) < 0)
                return 1;
        req.spiffe_id = argv[3];
        req.public_key = key;
        req.ttl_s = argc > 7 ? strtoll(argv[7], NULL, 10) : 0;
        if (argc > 8 && strcmp(argv[8], "claims") == 0) {
                ctu_claims(&claims, argv[3]);
                req.claims = &claims;
        }
        r = ae_x509_svid_mint(ca, &req, now, &leaf, &why);
        if (r < 0)
                return refused("mint", r, why);
        snprintf(cert, sizeof(cert), "%s/svid.pem", argv[5]);
        snprintf(keyf, sizeof(keyf), "%s/svid.key", argv[5]);
        snprintf(bundle, sizeof(bundle), "%s/bundle.pem", argv[5]);
        r = ae_x509_svid_write_files(cert, keyf, leaf, key, ca);
        if (r == 0)
                r = ae_ca_write_bundle(ca, bundle);
        if (r < 0) {
                fprintf(stderr, "write: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        enum ae_svid_reason why = AE_SVID_OK;
        struct ae_ca_options o = { 0 };
        int r;

        if (argc < 2)
                return usage();
        if (strcmp(argv[1], "init") == 0 && argc >= 6) {
                o.trust_domain = argv[3];
                if (key_type(argv[4], &o.key_type) < 0)
                        return usage();
                o.ttl_s = argc > 6 ? strtoll(argv[6], NULL, 10) : 0;
                r = ae_ca_init(argv[2], &o, (time_t)strtoll(argv[5], NULL, 10), &why);
                return r < 0 ? refused("init", r, why) : 0;
        }
        if (strcmp(argv[1], "csr") == 0 && argc == 5) {
                o.trust_domain = argv[3];
                if (key_type(argv[4], &o.key_type) < 0)
                        return usage();
                r = ae_ca_csr(argv[2], &o, &why);
                return r < 0 ? refused("csr", r, why) : 0;
        }
        if (strcmp(argv[1], "install") == 0 && argc == 6) {
                r = ae_ca_install(argv[2], argv[3], argv[4], (time_t)strtoll(argv[5], NULL, 10),
                                  &why);
                return r < 0 ? refused("install", r, why) : 0;
        }
        if (strcmp(argv[1], "rotate") == 0 && argc == 4) {
                r = ae_ca_rotate(argv[2], (time_t)strtoll(argv[3], NULL, 10), &why);
                return r < 0 ? refused("rotate", r, why) : 0;
        }
        if (strcmp(argv[1], "bundle") == 0 && argc == 5) {
                _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;

                r = ae_ca_load(argv[2], (time_t)strtoll(argv[3], NULL, 10), &ca, &why);
                if (r < 0)
                        return refused("load", r, why);
                r = ae_ca_write_bundle(ca, argv[4]);
                return r < 0 ? refused("bundle", r, AE_SVID_INTERNAL) : 0;
        }
        if (strcmp(argv[1], "mint") == 0)
                return cmd_mint(argc, argv);
        return usage();
}
