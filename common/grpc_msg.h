/* protobuf-c messages in and out of gRPC byte buffers, for the gRPC layer's
 * server and client (not for handlers: they see messages). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

struct grpc_byte_buffer;
struct ProtobufCMessage;
struct ProtobufCMessageDescriptor;

/* A byte buffer holding msg packed, at most max bytes (-EMSGSIZE). The
 * packed copy is ours, not copied again by gRPC, and wiped when gRPC drops
 * it: responses carry private keys. */
AE_MUST_USE int ae_grpc_msg_pack(const struct ProtobufCMessage *msg, size_t max,
                                 struct grpc_byte_buffer **ret);
/* The same for len already packed bytes (copied). */
AE_MUST_USE int ae_grpc_msg_wrap(const uint8_t *data, size_t len, size_t max,
                                 struct grpc_byte_buffer **ret);
/* Parses bb as type: -EBADMSG when it does not parse, or when a string
 * field in it holds a NUL byte (proto_strings.h). bb stays the caller's. */
AE_MUST_USE int ae_grpc_msg_unpack(struct grpc_byte_buffer *bb,
                                   const struct ProtobufCMessageDescriptor *type,
                                   struct ProtobufCMessage **ret);
