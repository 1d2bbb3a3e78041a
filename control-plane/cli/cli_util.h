/* Small pieces the aegis subcommands share: usage errors, numbers from
 * options, one-line certificate summaries. */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include <openssl/x509.h>

#include "common/guard.h"

#define AE_CLI_EXIT_USAGE 2

/* "aegis <cmd>: <what>", the synopsis and a --help hint on stderr;
 * returns AE_CLI_EXIT_USAGE. */
int ae_cli_usage_error(const char *cmd, const char *what, const char *synopsis);

/* A positive number of seconds, at most 20 years. -EINVAL otherwise. */
AE_MUST_USE int ae_cli_parse_seconds(const char *s, int64_t *ret);

/* "<label> <URI SAN or subject>  <notBefore> .. <notAfter> (UTC)". */
void ae_cli_print_cert_line(const char *label, X509 *cert);

/* The certificate's first URI SAN into buf ("" when it has none). */
void ae_cli_cert_uri(X509 *cert, char *buf, size_t cap);

/* An ASN1_TIME as "YYYY-MM-DDTHH:MM:SSZ" into buf (cap >= 21). */
void ae_cli_format_time(const ASN1_TIME *t, char *buf, size_t cap);
