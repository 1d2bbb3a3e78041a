#include "common/proto_strings.h"

#include <string.h>

/* A varint at *p (before end); false when it runs past end or 10 bytes. */
static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *ret)
{
        uint64_t v = 0;

        for (unsigned shift = 0; shift < 70 && *p < end; shift += 7) {
                uint8_t b = *(*p)++;

                v |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80)) {
                        *ret = v;
                        return true;
                }
        }
        return false;
}

static bool walk(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len, int depth)
{
        const uint8_t *end = p + len;

        while (p < end) {
                const ProtobufCFieldDescriptor *f;
                uint64_t key, n;

                if (!varint(&p, end, &key))
                        return false;
                switch (key & 7) {
                case 0: /* varint */
                        if (!varint(&p, end, &n))
                                return false;
                        break;
                case 1: /* 64-bit */
                        if (end - p < 8)
                                return false;
                        p += 8;
                        break;
                case 5: /* 32-bit */
                        if (end - p < 4)
                                return false;
                        p += 4;
                        break;
                case 2: /* length-delimited */
                        if (!varint(&p, end, &n) || n > (uint64_t)(end - p))
                                return false;
                        f = key >> 3 <= UINT32_MAX
                                    ? protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3))
                                    : NULL;
                        if (f && f->type == PROTOBUF_C_TYPE_STRING && memchr(p, 0, n))
                                return true;
                        if (f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
                            depth < AE_PROTO_STRINGS_DEPTH_MAX &&
                            walk(f->descriptor, p, (size_t)n, depth + 1))
                                return true;
                        p += n;
                        break;
                default: /* groups and invalid wire types: not ours to judge */
                        return false;
                }
        }
        return false;
}

bool ae_proto_has_nul_string(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len)
{
        if (!d || (!p && len))
                return false;
        return walk(d, p, len, 0);
}
