#include "common/ossl.h"

#include <string.h>

#include <openssl/err.h>

#include "check_util.h"

START_TEST(empty_queue)
{
        char buf[64];

        ERR_clear_error();
        ck_assert_str_eq(ae_ossl_error_text(buf, sizeof(buf)), "no OpenSSL error");
}
END_TEST

START_TEST(collects_and_clears)
{
        const unsigned char garbage[] = { 0x30, 0x82, 0x01 };
        const unsigned char *p = garbage;
        char buf[1024];

        ERR_clear_error();
        ck_assert_ptr_null(d2i_X509(NULL, &p, sizeof(garbage)));
        ae_ossl_error_text(buf, sizeof(buf));
        ck_assert_msg(strstr(buf, "asn1") || strstr(buf, "ASN1"), "got: %s", buf);
        ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(truncates_safely)
{
        char buf[8];

        ERR_clear_error();
        ERR_raise(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE);
        ERR_raise(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE);
        ae_ossl_error_text(buf, sizeof(buf));
        ck_assert_uint_lt(strlen(buf), sizeof(buf));
        ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(cleanup_helpers)
{
        _cleanup_(X509_freep) X509 *x = X509_new();
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *s = sk_X509_new_null();
        _cleanup_(BIO_free_allp) BIO *b = BIO_new(BIO_s_mem());

        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_nonnull(s);
        ck_assert_ptr_nonnull(b);
        ck_assert_int_eq(sk_X509_push(s, X509_new()), 1);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("ossl");
        TCase *tc = tcase_create("ossl");

        tcase_add_test(tc, empty_queue);
        tcase_add_test(tc, collects_and_clears);
        tcase_add_test(tc, truncates_safely);
        tcase_add_test(tc, cleanup_helpers);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
