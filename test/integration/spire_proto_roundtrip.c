/* The protobuf-c side of spire_proto_interop.py: reads lines
 * "<message full name> <hex>" on stdin, unpacks each with the matching
 * protobuf-c descriptor from aegis_proto_spire and answers
 *
 *   BEGIN <full name>
 *   F <path>=<value>        every field present after unpack, nested ones too
 *   UNKNOWN <path> <number> every field the descriptor did not know
 *   HEX <hex>               the message packed again
 *   END
 *
 * or "ERR <reason>" for a line it could not handle. protobuf-c keeps unknown
 * fields and packs them again, so equal bytes alone would not show that C
 * knows a field number: the UNKNOWN lines and the field dump do.
 *
 * Values: strings "s:<hex of the bytes>", bytes "b:<hex>", bools
 * "true"/"false", enums and integers in decimal, floating point "%.17g", a
 * present submessage "msg". Repeated elements are "<name>[<i>]". Proto3
 * scalars at their default are absent, as in the Python runtime's ListFields. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "google/protobuf/empty.pb-c.h"
#include "google/protobuf/wrappers.pb-c.h"
#include "spire/api/server/agent/v1/agent.pb-c.h"
#include "spire/api/server/bundle/v1/bundle.pb-c.h"
#include "spire/api/server/entry/v1/entry.pb-c.h"
#include "spire/api/server/svid/v1/svid.pb-c.h"
#include "spire/api/types/attestation.pb-c.h"
#include "spire/api/types/bundle.pb-c.h"
#include "spire/api/types/entry.pb-c.h"
#include "spire/api/types/federateswith.pb-c.h"
#include "spire/api/types/jwtsvid.pb-c.h"
#include "spire/api/types/selector.pb-c.h"
#include "spire/api/types/spiffeid.pb-c.h"
#include "spire/api/types/status.pb-c.h"
#include "spire/api/types/x509svid.pb-c.h"

#define LINE_MAX_BYTES (1u << 20) /* one input line, hex included */
#define PATH_MAX_BYTES 512u       /* a field path in the dump */

/* Every top-level message of aegis_proto_spire; nested ones are reached
 * through their parents. */
static const ProtobufCMessageDescriptor *const descriptors[] = {
  &google__protobuf__double_value__descriptor,
  &google__protobuf__float_value__descriptor,
  &google__protobuf__int64_value__descriptor,
  &google__protobuf__uint64_value__descriptor,
  &google__protobuf__int32_value__descriptor,
  &google__protobuf__uint32_value__descriptor,
  &google__protobuf__bool_value__descriptor,
  &google__protobuf__string_value__descriptor,
  &google__protobuf__bytes_value__descriptor,
  &google__protobuf__empty__descriptor,
  &spire__api__types__spiffeid__descriptor,
  &spire__api__types__selector__descriptor,
  &spire__api__types__selector_match__descriptor,
  &spire__api__types__federates_with_match__descriptor,
  &spire__api__types__attestation_data__descriptor,
  &spire__api__types__status__descriptor,
  &spire__api__types__permission_denied_details__descriptor,
  &spire__api__types__x509_svid__descriptor,
  &spire__api__types__jwtsvid__descriptor,
  &spire__api__types__bundle__descriptor,
  &spire__api__types__x509_certificate__descriptor,
  &spire__api__types__jwtkey__descriptor,
  &spire__api__types__bundle_mask__descriptor,
  &spire__api__types__entry__descriptor,
  &spire__api__types__entry_mask__descriptor,
  &spire__api__server__agent__v1__delete_agent_request__descriptor,
  &spire__api__server__agent__v1__ban_agent_request__descriptor,
  &spire__api__server__agent__v1__attest_agent_request__descriptor,
  &spire__api__server__agent__v1__attest_agent_response__descriptor,
  &spire__api__server__agent__v1__renew_agent_request__descriptor,
  &spire__api__server__agent__v1__renew_agent_response__descriptor,
  &spire__api__server__agent__v1__agent_x509_svidparams__descriptor,
  &spire__api__server__entry__v1__list_entries_request__descriptor,
  &spire__api__server__entry__v1__list_entries_response__descriptor,
  &spire__api__server__entry__v1__get_entry_request__descriptor,
  &spire__api__server__entry__v1__batch_create_entry_request__descriptor,
  &spire__api__server__entry__v1__batch_create_entry_response__descriptor,
  &spire__api__server__entry__v1__batch_delete_entry_request__descriptor,
  &spire__api__server__entry__v1__batch_delete_entry_response__descriptor,
  &spire__api__server__entry__v1__get_authorized_entries_request__descriptor,
  &spire__api__server__entry__v1__get_authorized_entries_response__descriptor,
  &spire__api__server__svid__v1__batch_new_x509_svidrequest__descriptor,
  &spire__api__server__svid__v1__batch_new_x509_svidresponse__descriptor,
  &spire__api__server__svid__v1__new_jwtsvidrequest__descriptor,
  &spire__api__server__svid__v1__new_jwtsvidresponse__descriptor,
  &spire__api__server__svid__v1__new_x509_svidparams__descriptor,
  &spire__api__server__bundle__v1__get_bundle_request__descriptor,
};

static const ProtobufCMessageDescriptor *find_descriptor(const char *name) {
  for (size_t i = 0; i < sizeof(descriptors) / sizeof(descriptors[0]); i++)
    if (strcmp(descriptors[i]->name, name) == 0)
      return descriptors[i];
  return NULL;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes hex of length len into out (room for len / 2 bytes). */
__attribute__((warn_unused_result)) static int hex_decode(const char *hex, size_t len,
                                                         uint8_t *out) {
  if (len % 2 != 0)
    return -EINVAL;
  for (size_t i = 0; i < len / 2; i++) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return -EINVAL;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

static void print_hex(const uint8_t *data, size_t len) {
  for (size_t i = 0; i < len; i++)
    printf("%02x", data[i]);
}

static size_t element_size(ProtobufCType type) {
  switch (type) {
  case PROTOBUF_C_TYPE_INT32:
  case PROTOBUF_C_TYPE_SINT32:
  case PROTOBUF_C_TYPE_SFIXED32:
  case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_FIXED32:
    return 4;
  case PROTOBUF_C_TYPE_INT64:
  case PROTOBUF_C_TYPE_SINT64:
  case PROTOBUF_C_TYPE_SFIXED64:
  case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
    return 8;
  case PROTOBUF_C_TYPE_FLOAT:
    return sizeof(float);
  case PROTOBUF_C_TYPE_DOUBLE:
    return sizeof(double);
  case PROTOBUF_C_TYPE_BOOL:
    return sizeof(protobuf_c_boolean);
  case PROTOBUF_C_TYPE_ENUM:
    return sizeof(int);
  case PROTOBUF_C_TYPE_STRING:
    return sizeof(char *);
  case PROTOBUF_C_TYPE_BYTES:
    return sizeof(ProtobufCBinaryData);
  case PROTOBUF_C_TYPE_MESSAGE:
    return sizeof(ProtobufCMessage *);
  }
  return 0;
}

/* Whether a singular proto3 field (no presence) holds a non-default value. */
static int nondefault(const ProtobufCFieldDescriptor *f, const void *v) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32:
  case PROTOBUF_C_TYPE_SINT32:
  case PROTOBUF_C_TYPE_SFIXED32:
  case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_FIXED32:
    return *(const uint32_t *)v != 0;
  case PROTOBUF_C_TYPE_INT64:
  case PROTOBUF_C_TYPE_SINT64:
  case PROTOBUF_C_TYPE_SFIXED64:
  case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
    return *(const uint64_t *)v != 0;
  case PROTOBUF_C_TYPE_FLOAT:
    return *(const float *)v != 0;
  case PROTOBUF_C_TYPE_DOUBLE:
    return *(const double *)v != 0;
  case PROTOBUF_C_TYPE_BOOL:
    return *(const protobuf_c_boolean *)v != 0;
  case PROTOBUF_C_TYPE_ENUM:
    return *(const int *)v != 0;
  case PROTOBUF_C_TYPE_STRING: {
    const char *s = *(char *const *)v;
    return s != NULL && s[0] != '\0';
  }
  case PROTOBUF_C_TYPE_BYTES:
    return ((const ProtobufCBinaryData *)v)->len != 0;
  case PROTOBUF_C_TYPE_MESSAGE:
    return *(ProtobufCMessage *const *)v != NULL;
  }
  return 0;
}

static int dump_message(const ProtobufCMessage *m, const char *prefix);

/* A path that does not fit is reported and counted like an unknown field, so
 * the caller fails rather than compare a truncated dump. */
static int path_too_long(void) {
  printf("ERR path too long\n");
  return 1;
}

/* Prints one value; recurses into submessages. Returns the number of unknown
 * fields found below it. */
static int dump_value(const ProtobufCFieldDescriptor *f, const void *v, const char *path) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32:
  case PROTOBUF_C_TYPE_SINT32:
  case PROTOBUF_C_TYPE_SFIXED32:
    printf("F %s=%d\n", path, *(const int32_t *)v);
    return 0;
  case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_FIXED32:
    printf("F %s=%u\n", path, *(const uint32_t *)v);
    return 0;
  case PROTOBUF_C_TYPE_INT64:
  case PROTOBUF_C_TYPE_SINT64:
  case PROTOBUF_C_TYPE_SFIXED64:
    printf("F %s=%lld\n", path, (long long)*(const int64_t *)v);
    return 0;
  case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
    printf("F %s=%llu\n", path, (unsigned long long)*(const uint64_t *)v);
    return 0;
  case PROTOBUF_C_TYPE_FLOAT:
    printf("F %s=%.17g\n", path, (double)*(const float *)v);
    return 0;
  case PROTOBUF_C_TYPE_DOUBLE:
    printf("F %s=%.17g\n", path, *(const double *)v);
    return 0;
  case PROTOBUF_C_TYPE_BOOL:
    printf("F %s=%s\n", path, *(const protobuf_c_boolean *)v ? "true" : "false");
    return 0;
  case PROTOBUF_C_TYPE_ENUM:
    printf("F %s=%d\n", path, *(const int *)v);
    return 0;
  case PROTOBUF_C_TYPE_STRING: {
    const char *s = *(char *const *)v;
    printf("F %s=s:", path);
    print_hex((const uint8_t *)s, s ? strlen(s) : 0);
    printf("\n");
    return 0;
  }
  case PROTOBUF_C_TYPE_BYTES: {
    const ProtobufCBinaryData *b = v;
    printf("F %s=b:", path);
    print_hex(b->data, b->len);
    printf("\n");
    return 0;
  }
  case PROTOBUF_C_TYPE_MESSAGE: {
    char sub[PATH_MAX_BYTES];
    printf("F %s=msg\n", path);
    if ((size_t)snprintf(sub, sizeof(sub), "%s.", path) >= sizeof(sub))
      return path_too_long();
    return dump_message(*(ProtobufCMessage *const *)v, sub);
  }
  }
  return 0;
}

/* Prints every present field of m and its UNKNOWN fields; returns the number
 * of unknown fields in m and below. */
static int dump_message(const ProtobufCMessage *m, const char *prefix) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  const uint8_t *base = (const uint8_t *)m;
  int unknown = 0;
  char path[PATH_MAX_BYTES];

  for (unsigned i = 0; i < m->n_unknown_fields; i++, unknown++)
    printf("UNKNOWN %s %u\n", prefix[0] ? prefix : ".", m->unknown_fields[i].tag);

  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    const void *v = base + f->offset;

    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = *(const size_t *)(base + f->quantifier_offset);
      const uint8_t *arr = *(uint8_t *const *)v;
      for (size_t k = 0; k < n; k++) {
        if ((size_t)snprintf(path, sizeof(path), "%s%s[%zu]", prefix, f->name, k) >=
            sizeof(path))
          return unknown + path_too_long();
        unknown += dump_value(f, arr + k * element_size(f->type), path);
      }
      continue;
    }

    int present;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
      present = *(const uint32_t *)(base + f->quantifier_offset) == f->id;
    else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_MESSAGE &&
             f->type != PROTOBUF_C_TYPE_STRING)
      present = *(const protobuf_c_boolean *)(base + f->quantifier_offset);
    else
      present = nondefault(f, v);
    if (!present)
      continue;
    if ((size_t)snprintf(path, sizeof(path), "%s%s", prefix, f->name) >= sizeof(path))
      return unknown + path_too_long();
    unknown += dump_value(f, v, path);
  }
  return unknown;
}

/* Handles one input line (without its newline). */
static void handle_line(char *line) {
  char *sp = strchr(line, ' ');
  if (sp == NULL) {
    printf("ERR no space\n");
    return;
  }
  *sp = '\0';
  const char *hex = sp + 1;
  size_t hex_len = strlen(hex);

  const ProtobufCMessageDescriptor *d = find_descriptor(line);
  if (d == NULL) {
    printf("ERR unknown message %s\n", line);
    return;
  }

  uint8_t *wire = malloc(hex_len / 2 + 1);
  if (wire == NULL) {
    printf("ERR out of memory\n");
    return;
  }
  if (hex_decode(hex, hex_len, wire) < 0) {
    printf("ERR bad hex\n");
    free(wire);
    return;
  }

  ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, hex_len / 2, wire);
  free(wire);
  if (m == NULL) {
    printf("ERR unpack %s\n", d->name);
    return;
  }

  printf("BEGIN %s\n", d->name);
  (void)dump_message(m, "");

  size_t n = protobuf_c_message_get_packed_size(m);
  uint8_t *out = malloc(n + 1);
  if (out == NULL) {
    printf("ERR out of memory\n");
  } else if (protobuf_c_message_pack(m, out) != n) {
    printf("ERR pack size\n");
  } else {
    printf("HEX ");
    print_hex(out, n);
    printf("\nEND\n");
  }
  free(out);
  protobuf_c_message_free_unpacked(m, NULL);
}

int main(void) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;

  while ((len = getline(&line, &cap, stdin)) >= 0) {
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';
    if (len == 0)
      continue;
    if ((size_t)len > LINE_MAX_BYTES)
      printf("ERR line too long\n");
    else
      handle_line(line);
    fflush(stdout);
  }
  free(line);
  return 0;
}
