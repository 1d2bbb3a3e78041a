/* The X.509 half of the Workload API as bytes: what FetchX509SVID and
 * FetchX509Bundles send (SPIFFE workload.proto), from the entries a caller
 * matched and an SVID source. Transport-free: the gRPC handlers send these
 * bytes and call again when the source's or the entries' generation
 * changes. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/guard.h"
#include "control-plane/agent/reg_entry.h"
#include "control-plane/agent/svid_source.h"

/* A packed X509SVIDResponse: one X509SVID per entry, in order (the first is
 * the workload's default), each with its DER chain, PKCS#8 key, its trust
 * domain's DER bundle and the entry's hint. *ret is malloc'd; the caller
 * wipes and frees it (it holds private keys). -ENOENT for no entries (the
 * caller answers PermissionDenied), errors of the source otherwise. */
AE_MUST_USE int ae_workload_x509_svid_response(const struct ae_svid_source *src,
                                               const struct ae_reg_entry *entries, size_t n,
                                               time_t now, uint8_t **ret, size_t *ret_len);

/* A packed X509BundlesResponse: the source's trust domain, keyed by its
 * SPIFFE ID ("spiffe://td"), to its DER roots. */
AE_MUST_USE int ae_workload_x509_bundles_response(const struct ae_svid_source *src,
                                                  uint8_t **ret, size_t *ret_len);
