/* The generated Workload API messages carry the standard's field numbers:
 * checked against wire bytes written out by hand from the protobuf encoding
 * rules (tag = field_number << 3 | wire_type), then a full round trip. */
#include "spiffe/workload.pb-c.h"

#include <string.h>

#include "check_util.h"

START_TEST(x509svid_field_numbers)
{
        X509SVID svid = X509_SVID__INIT;
        uint8_t buf[64];
        size_t n;
        /* spiffe_id=1 (0x0a), x509_svid=2 (0x12), x509_svid_key=3 (0x1a),
         * bundle=4 (0x22), hint=5 (0x2a); all length-delimited. */
        static const uint8_t want[] = { 0x0a, 0x01, 'i', 0x12, 0x01, 'c', 0x1a, 0x01, 'k',
                                        0x22, 0x01, 'b', 0x2a, 0x01, 'h' };

        svid.spiffe_id = "i";
        svid.x509_svid = (ProtobufCBinaryData){ 1, (uint8_t *)"c" };
        svid.x509_svid_key = (ProtobufCBinaryData){ 1, (uint8_t *)"k" };
        svid.bundle = (ProtobufCBinaryData){ 1, (uint8_t *)"b" };
        svid.hint = "h";
        n = x509_svid__pack(&svid, buf);
        ck_assert_uint_eq(n, sizeof(want));
        ck_assert_mem_eq(buf, want, n);
}
END_TEST

START_TEST(bundles_response_field_numbers)
{
        X509BundlesResponse resp = X509_BUNDLES_RESPONSE__INIT;
        X509BundlesResponse__BundlesEntry entry = X509_BUNDLES_RESPONSE__BUNDLES_ENTRY__INIT;
        X509BundlesResponse__BundlesEntry *entries[] = { &entry };
        ProtobufCBinaryData crl = { 1, (uint8_t *)"r" };
        uint8_t buf[64];
        size_t n;
        /* crl=1 (0x0a); bundles=2 (0x12) holding a map entry {key=1, value=2}. */
        static const uint8_t want[] = { 0x0a, 0x01, 'r', 0x12, 0x06, 0x0a, 0x01, 't',
                                        0x12, 0x01, 'B' };

        resp.n_crl = 1;
        resp.crl = &crl;
        entry.key = "t";
        entry.value = (ProtobufCBinaryData){ 1, (uint8_t *)"B" };
        resp.n_bundles = 1;
        resp.bundles = entries;
        n = x509_bundles_response__pack(&resp, buf);
        ck_assert_uint_eq(n, sizeof(want));
        ck_assert_mem_eq(buf, want, n);
}
END_TEST

START_TEST(jwt_messages_field_numbers)
{
        JWTSVID jwt = JWTSVID__INIT;
        JWTSVIDRequest req = JWTSVIDREQUEST__INIT;
        char *aud[] = { "a" };
        uint8_t buf[64];
        static const uint8_t want_jwt[] = { 0x0a, 0x01, 'i', 0x12, 0x01, 's', 0x1a, 0x01, 'h' };
        static const uint8_t want_req[] = { 0x0a, 0x01, 'a', 0x12, 0x01, 'i' };

        jwt.spiffe_id = "i";
        jwt.svid = "s";
        jwt.hint = "h";
        ck_assert_uint_eq(jwtsvid__pack(&jwt, buf), sizeof(want_jwt));
        ck_assert_mem_eq(buf, want_jwt, sizeof(want_jwt));

        req.n_audience = 1;
        req.audience = aud;
        req.spiffe_id = "i";
        ck_assert_uint_eq(jwtsvidrequest__pack(&req, buf), sizeof(want_req));
        ck_assert_mem_eq(buf, want_req, sizeof(want_req));
}
END_TEST

START_TEST(svid_response_round_trip)
{
        X509SVIDResponse resp = X509_SVIDRESPONSE__INIT, *back;
        X509SVID a = X509_SVID__INIT, b = X509_SVID__INIT;
        X509SVID *svids[] = { &a, &b };
        X509SVIDResponse__FederatedBundlesEntry fed =
                X509_SVIDRESPONSE__FEDERATED_BUNDLES_ENTRY__INIT;
        X509SVIDResponse__FederatedBundlesEntry *feds[] = { &fed };
        uint8_t buf[256];
        size_t n;

        a.spiffe_id = "spiffe://example.org/edge/metrics";
        a.x509_svid = (ProtobufCBinaryData){ 3, (uint8_t *)"\x30\x03\x01" };
        b.spiffe_id = "spiffe://example.org/edge/inference";
        b.hint = "external";
        fed.key = "spiffe://other.org";
        fed.value = (ProtobufCBinaryData){ 2, (uint8_t *)"\x30\x00" };
        resp.n_svids = 2;
        resp.svids = svids;
        resp.n_federated_bundles = 1;
        resp.federated_bundles = feds;

        n = x509_svidresponse__pack(&resp, buf);
        ck_assert_uint_eq(n, x509_svidresponse__get_packed_size(&resp));
        back = x509_svidresponse__unpack(NULL, n, buf);
        ck_assert_ptr_nonnull(back);
        ck_assert_uint_eq(back->n_svids, 2);
        ck_assert_str_eq(back->svids[0]->spiffe_id, a.spiffe_id);
        ck_assert_uint_eq(back->svids[0]->x509_svid.len, 3);
        ck_assert_str_eq(back->svids[1]->hint, "external");
        ck_assert_uint_eq(back->n_federated_bundles, 1);
        ck_assert_str_eq(back->federated_bundles[0]->key, "spiffe://other.org");
        x509_svidresponse__free_unpacked(back, NULL);

        /* Truncated bytes are refused, not half-read. */
        ck_assert_ptr_null(x509_svidresponse__unpack(NULL, n - 1, buf));
}
END_TEST

START_TEST(struct_claims_round_trip)
{
        ValidateJWTSVIDResponse resp = VALIDATE_JWTSVIDRESPONSE__INIT, *back;
        Google__Protobuf__Struct claims = GOOGLE__PROTOBUF__STRUCT__INIT;
        Google__Protobuf__Struct__FieldsEntry e = GOOGLE__PROTOBUF__STRUCT__FIELDS_ENTRY__INIT;
        Google__Protobuf__Struct__FieldsEntry *es[] = { &e };
        Google__Protobuf__Value v = GOOGLE__PROTOBUF__VALUE__INIT;
        uint8_t buf[128];
        size_t n;

        v.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
        v.string_value = "pog";
        e.key = "level";
        e.value = &v;
        claims.n_fields = 1;
        claims.fields = es;
        resp.spiffe_id = "spiffe://example.org/w";
        resp.claims = &claims;

        n = validate_jwtsvidresponse__pack(&resp, buf);
        back = validate_jwtsvidresponse__unpack(NULL, n, buf);
        ck_assert_ptr_nonnull(back);
        ck_assert_uint_eq(back->claims->n_fields, 1);
        ck_assert_str_eq(back->claims->fields[0]->key, "level");
        ck_assert_int_eq(back->claims->fields[0]->value->kind_case,
                         GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE);
        ck_assert_str_eq(back->claims->fields[0]->value->string_value, "pog");
        validate_jwtsvidresponse__free_unpacked(back, NULL);
}
END_TEST

START_TEST(service_descriptor_paths)
{
        const ProtobufCServiceDescriptor *d = &spiffe_workload_api__descriptor;

        /* gRPC method paths are /<service full name>/<method>. */
        ck_assert_str_eq(d->name, "SpiffeWorkloadAPI");
        ck_assert_uint_eq(d->n_methods, 5);
        ck_assert_str_eq(d->methods[0].name, "FetchJWTSVID");
        ck_assert_str_eq(d->methods[3].name, "FetchX509SVID");
}
END_TEST

int main(void)
{
        Suite *s = suite_create("proto_workload");
        TCase *tc = tcase_create("proto_workload");

        tcase_add_test(tc, x509svid_field_numbers);
        tcase_add_test(tc, bundles_response_field_numbers);
        tcase_add_test(tc, jwt_messages_field_numbers);
        tcase_add_test(tc, svid_response_round_trip);
        tcase_add_test(tc, struct_claims_round_trip);
        tcase_add_test(tc, service_descriptor_paths);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
