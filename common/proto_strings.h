/* protobuf-c gives a string field to C as a NUL-terminated char *, so a
 * string holding a NUL byte on the wire ("aud\0ience") reaches the code as
 * its first part alone. The gRPC layer refuses such messages outright
 * (grpc_msg.c): nothing downstream can then see a string other than the
 * one that was sent. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/* Nesting followed at most; deeper messages are not looked into (protobuf-c
 * itself parses them, so this only bounds the walk). */
#define AE_PROTO_STRINGS_DEPTH_MAX 32

/* True when a string field of message type d anywhere in the encoding
 * p[0..len) (nested messages and map entries included) holds a NUL byte.
 * Bytes that are not a valid encoding give false: the parser rejects
 * them. */
bool ae_proto_has_nul_string(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len);
