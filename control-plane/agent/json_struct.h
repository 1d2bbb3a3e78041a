/* A JSON object as a google.protobuf.Struct (what ValidateJWTSVID returns
 * as a token's claims), built with malloc so protobuf-c's
 * google__protobuf__struct__free_unpacked(s, NULL) frees it whole. */
#pragma once

#include <jansson.h>

#include "common/guard.h"
#include "google/protobuf/struct.pb-c.h"

/* Deepest nesting converted; a token's payload is far shallower. */
#define AE_JSON_STRUCT_DEPTH_MAX 32

/* -EINVAL when obj is not an object, -ELOOP past the depth limit, -ENOMEM.
 * Integers become doubles, as Struct has only number_value. */
AE_MUST_USE int ae_json_to_struct(const json_t *obj, Google__Protobuf__Struct **ret);
