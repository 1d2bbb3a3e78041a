/* 'aegis entry': the options its actions share (parsed in cmd_entry.c),
 * 'entry show' (cmd_entry_show.c), and the entry printout in SPIRE's layout
 * that create and show both use. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/spiffe_id.h"
#include "spire/api/types/entry.pb-c.h"

/* Most -selector and -dns options taken (the server holds fewer and says
 * so). */
#define AE_CLI_ENTRY_SELECTORS_MAX 64
#define AE_CLI_ENTRY_DNS_MAX 64
/* Most entries 'entry show' collects before it gives up (narrow with
 * -parentID). */
#define AE_CLI_ENTRY_SHOW_MAX 100000

/* A SPIFFE ID option, parsed, and as SPIRE's message (pointing into parts). */
struct ae_cli_id {
        bool set;
        struct ae_spiffe_id parts;
        Spire__Api__Types__SPIFFEID msg;
};

struct ae_cli_entry_opts {
        const char *socket_path; /* resolved: flag, environment or default */
        const char *entry_id, *hint;
        struct ae_cli_id spiffe_id, parent_id;
        size_t n_selectors;
        /* type malloc'd (ae_cli_entry_opts_clear frees it), value in argv */
        Spire__Api__Types__Selector selectors[AE_CLI_ENTRY_SELECTORS_MAX];
        Spire__Api__Types__Selector *selector_ptrs[AE_CLI_ENTRY_SELECTORS_MAX];
        size_t n_dns;
        char *dns[AE_CLI_ENTRY_DNS_MAX]; /* in argv */
        int64_t x509_svid_ttl, jwt_svid_ttl; /* 0: the server's default */
        bool admin, downstream;
};

/* 'aegis entry show' with parsed options; the exit code. */
int ae_cli_entry_show(const struct ae_cli_entry_opts *o);

/* The entry as 'spire-server entry show' prints it ("Entry ID         : ..."
 * lines, then an empty line), every text from the server escaped. */
void ae_cli_entry_print(const Spire__Api__Types__Entry *e);
