/* The JWT half of the Workload API as bytes: what FetchJWTSVID,
 * FetchJWTBundles and ValidateJWTSVID answer (SPIFFE workload.proto), from
 * the entries a caller matched and an SVID source. Transport-free, like
 * workload_x509.h. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/guard.h"
#include "control-plane/agent/reg_entry.h"
#include "control-plane/agent/svid_source.h"
#include "svid-issuer/jwt_reason.h"

/* A packed JWTSVIDResponse for the audiences: one JWT-SVID per matched
 * entry, or only the one for spiffe_id when it is not "" (the request's
 * choice). -ENOENT when nothing matched or spiffe_id is not among the
 * entries (the caller answers PermissionDenied), -EINVAL for no audience
 * or one the token format refuses (InvalidArgument). */
AE_MUST_USE int ae_workload_jwt_svid_response(const struct ae_svid_source *src,
                                              const struct ae_reg_entry *entries, size_t n,
                                              const char *spiffe_id, const char *const *aud,
                                              size_t n_aud, time_t now, uint8_t **ret,
                                              size_t *ret_len);

/* A packed JWTBundlesResponse: "spiffe://td" to its JWK Set. */
AE_MUST_USE int ae_workload_jwt_bundles_response(const struct ae_svid_source *src,
                                                 uint8_t **ret, size_t *ret_len);

/* A packed ValidateJWTSVIDResponse: the token validated against the
 * source's JWT bundle for audience at now; its SPIFFE ID and its payload
 * as a Struct. A refused token is -EBADMSG with *ret_reason (may be NULL)
 * saying why (the caller answers InvalidArgument). */
AE_MUST_USE int ae_workload_validate_jwt_response(const struct ae_svid_source *src,
                                                  const char *token, const char *audience,
                                                  time_t now, uint8_t **ret, size_t *ret_len,
                                                  enum ae_jwt_reason *ret_reason);
