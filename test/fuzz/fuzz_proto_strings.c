/* The gRPC layer's NUL-in-string scan (common/proto_strings.c) walks every
 * message received, before protobuf-c's result is used. Property: it never
 * reads out of bounds, and where it finds a NUL in a message protobuf-c
 * parses, the parsed message really lost bytes: packed again it is
 * shorter than it came in. Run on a message with nested messages and a
 * map (X509SVIDResponse) and on one made of strings (JWTSVIDRequest). */
#include <stdint.h>
#include <stdlib.h>

#include "common/proto_strings.h"
#include "spiffe/workload.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t size)
{
        bool nul = ae_proto_has_nul_string(d, data, size);
        ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, size, data);

        if (!m)
                return;
        /* JWTSVIDRequest has strings only: one cut at its NUL packs
         * shorter, whatever else the encoding holds. */
        if (d == &jwtsvidrequest__descriptor && nul && protobuf_c_message_get_packed_size(m) >= size)
                abort();
        protobuf_c_message_free_unpacked(m, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        check(&x509_svidresponse__descriptor, data, size);
        check(&jwtsvidrequest__descriptor, data, size);
        return 0;
}
