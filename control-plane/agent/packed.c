#include "control-plane/agent/packed.h"

#include <stdlib.h>

#include <openssl/crypto.h>

int ae_packed_message(const ProtobufCMessage *m, uint8_t **ret, size_t *ret_len)
{
        size_t len = protobuf_c_message_get_packed_size(m);
        uint8_t *buf = malloc(len ? len : 1);

        ENSURE_ALLOC(buf);
        if (protobuf_c_message_pack(m, buf) != len) {
                OPENSSL_clear_free(buf, len);
                return -EIO;
        }
        *ret = buf;
        *ret_len = len;
        return 0;
}
