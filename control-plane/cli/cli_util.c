#include "control-plane/cli/cli_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509v3.h>

#include "common/log_escape.h"

int ae_cli_usage_error(const char *cmd, const char *what, const char *synopsis)
{
        fprintf(stderr, "aegis %s: %s\n%sTry 'aegis %s --help'.\n", cmd, what, synopsis, cmd);
        return AE_CLI_EXIT_USAGE;
}

int ae_cli_parse_seconds(const char *s, int64_t *ret)
{
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno || end == s || *end || v <= 0 || v > 20LL * 365 * 24 * 3600)
                return -EINVAL;
        *ret = v;
        return 0;
}

void ae_cli_format_time(const ASN1_TIME *t, char *buf, size_t cap)
{
        struct tm tm;

        if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, cap, "?");
}

void ae_cli_cert_uri(X509 *cert, char *buf, size_t cap)
{
        GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);

        buf[0] = '\0';
        for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
                const GENERAL_NAME *n = sk_GENERAL_NAME_value(names, i);

                if (n->type == GEN_URI) {
                        const ASN1_IA5STRING *u = n->d.uniformResourceIdentifier;
                        struct ae_textbuf t;

                        /* A peer's certificate: its bytes reach a terminal. */
                        ae_textbuf_init(&t, buf, cap);
                        ae_log_escape_text(&t, (const char *)ASN1_STRING_get0_data(u),
                                           (size_t)ASN1_STRING_length(u), false);
                        break;
                }
        }
        GENERAL_NAMES_free(names);
}

void ae_cli_print_cert_line(const char *label, X509 *cert)
{
        char uri[512], from[32], to[32];

        ae_cli_cert_uri(cert, uri, sizeof(uri));
        if (!uri[0])
                X509_NAME_oneline(X509_get_subject_name(cert), uri, sizeof(uri));
        ae_cli_format_time(X509_get0_notBefore(cert), from, sizeof(from));
        ae_cli_format_time(X509_get0_notAfter(cert), to, sizeof(to));
        printf("%s %s  %s .. %s\n", label, uri, from, to);
}
