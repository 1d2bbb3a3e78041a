#include "common/grpc_msg.h"

#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>
#include <openssl/crypto.h>
#include <protobuf-c/protobuf-c.h>

#include "common/proto_strings.h"

/* gRPC calls this once nothing refers to the slice any more. */
static void wipe_free(void *p, size_t len)
{
        OPENSSL_cleanse(p, len);
        free(p);
}

/* Hands buf (malloc'd, len bytes) to a new byte buffer; buf is always
 * consumed. */
static int wrap_owned(uint8_t *buf, size_t len, grpc_byte_buffer **ret)
{
        grpc_slice slice;
        grpc_byte_buffer *bb;

        /* An empty message (proto3 with every field default) packs to zero
         * bytes; gRPC still sends it as a message. */
        if (len == 0) {
                free(buf);
                slice = grpc_empty_slice();
        } else {
                slice = grpc_slice_new_with_len(buf, len, wipe_free);
        }
        bb = grpc_raw_byte_buffer_create(&slice, 1);
        grpc_slice_unref(slice);
        ENSURE_ALLOC(bb);
        *ret = bb;
        return 0;
}

int ae_grpc_msg_pack(const ProtobufCMessage *msg, size_t max, grpc_byte_buffer **ret)
{
        uint8_t *buf;
        size_t len, packed;

        ENSURE(msg && ret, -EINVAL);
        len = protobuf_c_message_get_packed_size(msg);
        ENSURE(len <= max, -EMSGSIZE);
        buf = malloc(len ? len : 1);
        ENSURE_ALLOC(buf);
        packed = protobuf_c_message_pack(msg, buf);
        if (packed != len) {
                wipe_free(buf, len);
                return -EIO;
        }
        return wrap_owned(buf, len, ret);
}

int ae_grpc_msg_wrap(const uint8_t *data, size_t len, size_t max, grpc_byte_buffer **ret)
{
        uint8_t *buf;

        ENSURE(ret && (data || len == 0), -EINVAL);
        ENSURE(len <= max, -EMSGSIZE);
        buf = malloc(len ? len : 1);
        ENSURE_ALLOC(buf);
        if (len)
                memcpy(buf, data, len);
        return wrap_owned(buf, len, ret);
}

int ae_grpc_msg_unpack(grpc_byte_buffer *bb, const ProtobufCMessageDescriptor *type,
                       ProtobufCMessage **ret)
{
        grpc_byte_buffer_reader reader;
        grpc_slice all;
        ProtobufCMessage *m;

        ENSURE(bb && type && ret, -EINVAL);
        /* Fails only for a compressed buffer it cannot inflate. */
        ENSURE(grpc_byte_buffer_reader_init(&reader, bb), -EBADMSG);
        all = grpc_byte_buffer_reader_readall(&reader);
        grpc_byte_buffer_reader_destroy(&reader);
        m = protobuf_c_message_unpack(type, NULL, GRPC_SLICE_LENGTH(all),
                                      GRPC_SLICE_START_PTR(all));
        /* A string cut short at a NUL is not the string that was sent. */
        if (m && ae_proto_has_nul_string(type, GRPC_SLICE_START_PTR(all), GRPC_SLICE_LENGTH(all))) {
                protobuf_c_message_free_unpacked(m, NULL);
                m = NULL;
        }
        grpc_slice_unref(all);
        ENSURE(m, -EBADMSG);
        *ret = m;
        return 0;
}
