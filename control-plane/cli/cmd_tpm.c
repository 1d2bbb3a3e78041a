/* aegis tpm ek-certs: show the EK certificates a TPM holds, the identity
 * Aegis derives from each, and whether they chain to a manufacturer CA. */
#include "control-plane/cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/hex.h"
#include "common/ossl.h"
#include "node-attestor/tpm/ek_cert.h"
#include "node-attestor/tpm/tpm.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/verify/ek_id.h"
#include "node-attestor/verify/ek_parse.h"
#include "node-attestor/verify/ek_trust.h"

#define EXIT_USAGE 2

/* Field labels are padded to this width so the values line up. */
#define LABEL_WIDTH 28

struct tpm_opts {
        const char *tcti;
        const char *ca_bundle;
};

#define SYNOPSIS "usage: aegis tpm ek-certs [--tcti CONF] [--ca-bundle FILE]\n"

static void usage_error(void)
{
        fputs(SYNOPSIS "Try 'aegis tpm --help'.\n", stderr);
}

static void usage(FILE *out)
{
        fprintf(out,
                SYNOPSIS
                "\n"
                "Read the TPM's EK certificates (RSA-2048 at NV 0x01c00002, ECC P-256 at\n"
                "0x01c0000a) and show subject, issuer, validity and the SHA-256 of the\n"
                "SubjectPublicKeyInfo (the EK identity Aegis uses).\n"
                "\n"
                "  --tcti CONF        tpm2-tss TCTI, e.g. swtpm:host=127.0.0.1,port=2321\n"
                "                     (default %s)\n"
                "  --ca-bundle FILE   PEM manufacturer CA bundle: also check that each\n"
                "                     certificate chains to it\n"
                "\n"
                "Exit status: 0 when at least one EK certificate was read and, with\n"
                "--ca-bundle, every one present chains; 1 otherwise; 2 for usage errors.\n",
                AE_TPM_TCTI_DEFAULT);
}

static void field(const char *label, const char *value)
{
        printf("  %-*s %s\n", LABEL_WIDTH, label, value);
}

/* One-line form of a name, "C=DE, O=Vendor, CN=..."; "(empty)" for the empty
 * subject the TCG profile gives EK certificates. */
static void name_field(const char *label, const X509_NAME *name)
{
        _cleanup_(BIO_free_allp) BIO *bio = BIO_new(BIO_s_mem());
        char *text = NULL;
        long len;

        if (!bio || X509_NAME_entry_count(name) == 0 ||
            X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ) < 0) {
                field(label, "(empty)");
                return;
        }
        len = BIO_get_mem_data(bio, &text);
        printf("  %-*s %.*s\n", LABEL_WIDTH, label, (int)len, text);
}

/* The TPM named in the subjectAltName directoryName (manufacturer, model,
 * firmware version), where the TCG profile puts it. */
static void tpm_san_field(const X509 *cert)
{
        GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);

        for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

                if (gn->type == GEN_DIRNAME)
                        name_field("tpm (subjectAltName):", gn->d.directoryName);
        }
        GENERAL_NAMES_free(names);
}

static void time_field(const char *label, const ASN1_TIME *t)
{
        struct tm tm;
        char buf[32];

        if (!t || ASN1_TIME_to_tm(t, &tm) != 1 ||
            strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
                field(label, "(unreadable)");
                return;
        }
        field(label, buf);
}

static void spki_field(const X509 *cert)
{
        uint8_t id[AE_EK_ID_LEN];
        char hex[AE_HEX_SIZE(AE_EK_ID_LEN)];

        if (ae_ek_spki_sha256(cert, id) < 0 ||
            ae_hex_encode(id, sizeof(id), hex, sizeof(hex)) < 0) {
                field("spki sha256:", "(cannot compute)");
                return;
        }
        field("spki sha256:", hex);
}

/* Returns true when this certificate passes (with a trust, when it chains). */
static bool show_chain(const struct ae_ek_trust *trust, const uint8_t *der, size_t len)
{
        enum ae_ek_reason reason;
        char verdict[128];
        int r;

        r = ae_ek_trust_check_chain(trust, der, len, time(NULL), &reason);
        if (r < 0) {
                snprintf(verdict, sizeof(verdict), "no (check failed: %s)", strerror(-r));
                field("chains to manufacturer CA:", verdict);
                return false;
        }
        if (reason == AE_EK_OK) {
                field("chains to manufacturer CA:", "yes");
                return true;
        }
        snprintf(verdict, sizeof(verdict), "no (%s)", ae_ek_reason_str(reason));
        field("chains to manufacturer CA:", verdict);
        return false;
}

/* Show one algorithm's certificate. *ret_read is set when a certificate was
 * read and parsed; the result is false when anything about it failed (read
 * error, malformed, not chaining). A missing certificate is not a failure. */
static bool show_ek(struct ae_tpm *tpm, enum ae_tpm_ek_alg alg, const struct ae_ek_trust *trust,
                    bool *ret_read)
{
        _cleanup_free_ uint8_t *der = NULL;
        _cleanup_(X509_freep) X509 *cert = NULL;
        char buf[AE_TPM_ERROR_MAX + 64];
        size_t len = 0;
        bool ok = true;
        int r;

        printf("EK certificate %s (NV 0x%08x)\n", ae_tpm_ek_alg_name(alg),
               ae_tpm_ek_cert_nv_index(alg));
        r = ae_tpm_ek_cert_read(tpm, alg, &der, &len);
        if (r == -ENOENT) {
                field("present:", "no");
                return true;
        }
        if (r < 0) {
                snprintf(buf, sizeof(buf), "unknown (read failed: %s; %s)", strerror(-r),
                         ae_tpm_last_error(tpm));
                field("present:", buf);
                return false;
        }
        snprintf(buf, sizeof(buf), "yes (%zu bytes)", len);
        field("present:", buf);

        r = ae_ek_cert_parse(der, len, &cert);
        if (r < 0) {
                snprintf(buf, sizeof(buf), "not a single DER X.509 certificate (%s)",
                         strerror(-r));
                field("certificate:", buf);
                ok = false;
        } else {
                name_field("subject:", X509_get_subject_name(cert));
                tpm_san_field(cert);
                name_field("issuer:", X509_get_issuer_name(cert));
                time_field("not before:", X509_get0_notBefore(cert));
                time_field("not after:", X509_get0_notAfter(cert));
                spki_field(cert);
                *ret_read = true;
        }
        if (trust && !show_chain(trust, der, len))
                ok = false;
        return ok;
}

static int ek_certs(const struct tpm_opts *opts)
{
        _cleanup_ek_trust_ struct ae_ek_trust *trust = NULL;
        _cleanup_tpm_ struct ae_tpm *tpm = NULL;
        bool any_read = false, all_ok = true;
        int r;

        if (opts->ca_bundle) {
                r = ae_ek_trust_load_file(opts->ca_bundle, &trust);
                if (r < 0) {
                        fprintf(stderr, "aegis tpm: cannot load CA bundle %s: %s\n",
                                opts->ca_bundle, strerror(-r));
                        return EXIT_FAILURE;
                }
        }
        r = ae_tpm_open(opts->tcti, &tpm);
        if (r < 0) {
                fprintf(stderr, "aegis tpm: cannot open TPM %s: %s (%s)\n",
                        opts->tcti ? opts->tcti : AE_TPM_TCTI_DEFAULT, strerror(-r),
                        ae_tpm_last_error(NULL));
                return EXIT_FAILURE;
        }

        for (int alg = 0; alg < AE_TPM_EK_ALG_COUNT; alg++) {
                if (alg > 0)
                        printf("\n");
                if (!show_ek(tpm, (enum ae_tpm_ek_alg)alg, trust, &any_read))
                        all_ok = false;
        }
        return any_read && all_ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

int ae_cli_tpm(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "tcti", required_argument, NULL, 't' },
                { "ca-bundle", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct tpm_opts opts = { 0 };
        int c;

        if (argc < 2) {
                usage_error();
                return EXIT_USAGE;
        }
        if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
                usage(stdout);
                return EXIT_SUCCESS;
        }
        if (strcmp(argv[1], "ek-certs") != 0) {
                fprintf(stderr, "aegis tpm: unknown command '%s'\n", argv[1]);
                usage_error();
                return EXIT_USAGE;
        }

        /* Options follow the sub-subcommand: parse argv[1..] with "ek-certs"
         * in the program-name slot. optind 0 makes glibc start afresh even if
         * the caller's main already ran getopt. */
        optind = 0;
        while ((c = getopt_long(argc - 1, argv + 1, "+t:c:h", longopts, NULL)) != -1) {
                switch (c) {
                case 't':
                        opts.tcti = optarg;
                        break;
                case 'c':
                        opts.ca_bundle = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                default:
                        usage_error();
                        return EXIT_USAGE;
                }
        }
        if (optind != argc - 1) {
                fprintf(stderr, "aegis tpm ek-certs: unexpected argument '%s'\n",
                        argv[optind + 1]);
                usage_error();
                return EXIT_USAGE;
        }
        return ek_certs(&opts);
}
