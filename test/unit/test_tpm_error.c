#include "node-attestor/tpm/tpm_error.h"

#include <errno.h>
#include <string.h>

#include <tss2/tss2_common.h>
#include <tss2/tss2_tpm2_types.h>

#include "check_util.h"
#include "node-attestor/tpm/tpm.h"

START_TEST(success_is_zero)
{
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_RC_SUCCESS), 0);
        ck_assert_int_eq(ae_tpm_rc(NULL, "op", TSS2_RC_SUCCESS), 0);
}
END_TEST

START_TEST(tpm_format_one_codes)
{
        /* NV_ReadPublic of an undefined index: TPM_RC_HANDLE on handle 1. */
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_HANDLE | TPM2_RC_1), -ENOENT);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_HANDLE | TPM2_RC_H | TPM2_RC_2), -ENOENT);
        /* Session 1 (S bit set, which overlaps the warning bits). */
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_AUTH_FAIL | TPM2_RC_S | TPM2_RC_1), -EACCES);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_BAD_AUTH | TPM2_RC_S | TPM2_RC_1), -EACCES);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_POLICY_FAIL | TPM2_RC_S | TPM2_RC_2), -EACCES);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_HIERARCHY | TPM2_RC_1), -EACCES);
        /* Parameter 1. */
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_SIZE | TPM2_RC_P | TPM2_RC_1), -EMSGSIZE);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_INSUFFICIENT | TPM2_RC_P | TPM2_RC_3), -EMSGSIZE);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_VALUE | TPM2_RC_P | TPM2_RC_1), -EINVAL);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_RANGE | TPM2_RC_P | TPM2_RC_1), -ERANGE);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_CURVE | TPM2_RC_P | TPM2_RC_2), -EOPNOTSUPP);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_SIGNATURE | TPM2_RC_P | TPM2_RC_2), -EPROTO);
}
END_TEST

START_TEST(tpm_format_zero_codes)
{
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_NV_UNINITIALIZED), -ENODATA);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_NV_DEFINED), -EEXIST);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_NV_AUTHORIZATION), -EACCES);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_NV_LOCKED), -EACCES);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_AUTH_MISSING), -EACCES);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_NV_RANGE), -ERANGE);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_NV_SIZE), -EMSGSIZE);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_COMMAND_SIZE), -EMSGSIZE);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_NV_SPACE), -ENOSPC);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_COMMAND_CODE), -EOPNOTSUPP);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_INITIALIZE), -EIO);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_FAILURE), -EIO);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_DISABLED), -EPROTO);
}
END_TEST

START_TEST(tpm_warnings)
{
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_RETRY), -EAGAIN);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_TESTING), -EAGAIN);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_YIELDED), -EAGAIN);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_NV_RATE), -EAGAIN);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_LOCKOUT), -EACCES);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_CANCELED), -ECANCELED);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_OBJECT_MEMORY), -ENOSPC);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_SESSION_MEMORY), -ENOSPC);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_REFERENCE_H0), -ENOENT);
}
END_TEST

START_TEST(tpm_codes_without_portable_meaning)
{
        /* Vendor-specific (bit 10) and TPM 1.2 style codes. */
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_VER1 | 0x400 | 0x01), -EPROTO);
        ck_assert_int_eq(ae_tpm_rc_errno(0x001), -EPROTO);
        ck_assert_int_eq(ae_tpm_rc_errno(TPM2_RC_BAD_TAG), -EPROTO);
}
END_TEST

START_TEST(resource_manager_relays_tpm_codes)
{
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_RESMGR_TPM_RC_LAYER | TPM2_RC_HANDLE | TPM2_RC_1),
                         -ENOENT);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_RESMGR_TPM_RC_LAYER | TPM2_RC_RETRY), -EAGAIN);
}
END_TEST

START_TEST(software_layer_codes)
{
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_TCTI_RC_IO_ERROR), -EIO);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_TCTI_RC_NO_CONNECTION), -ECONNREFUSED);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_TCTI_RC_TRY_AGAIN), -EAGAIN);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_TCTI_RC_NOT_SUPPORTED), -EOPNOTSUPP);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_TCTI_RC_MALFORMED_RESPONSE), -EBADMSG);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_ESYS_RC_MEMORY), -ENOMEM);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_ESYS_RC_BAD_VALUE), -EINVAL);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_ESYS_RC_BAD_TR), -EINVAL);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_ESYS_RC_RSP_AUTH_FAILED), -EBADMSG);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_ESYS_RC_INSUFFICIENT_RESPONSE), -EMSGSIZE);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_SYS_RC_INSUFFICIENT_CONTEXT), -EMSGSIZE);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_MU_RC_BAD_SIZE), -EMSGSIZE);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_ESYS_RC_GENERAL_FAILURE), -EPROTO);
        ck_assert_int_eq(ae_tpm_rc_errno(TSS2_RESMGR_RC_LAYER | TSS2_BASE_RC_GENERAL_FAILURE),
                         -EPROTO);
}
END_TEST

START_TEST(every_failure_is_negative)
{
        static const TSS2_RC layers[] = {
                TSS2_TPM_RC_LAYER,  TSS2_FEATURE_RC_LAYER, TSS2_ESAPI_RC_LAYER,
                TSS2_SYS_RC_LAYER,  TSS2_MU_RC_LAYER,      TSS2_TCTI_RC_LAYER,
                TSS2_RESMGR_RC_LAYER, TSS2_RESMGR_TPM_RC_LAYER, TSS2_RC_LAYER(0xff),
        };

        for (size_t l = 0; l < sizeof(layers) / sizeof(layers[0]); l++)
                for (TSS2_RC code = 1; code <= 0xffff; code++)
                        ck_assert_int_lt(ae_tpm_rc_errno(layers[l] | code), 0);
}
END_TEST

START_TEST(text_is_kept)
{
        const char *text;

        ck_assert_int_eq(ae_tpm_rc(NULL, "Esys_NV_ReadPublic", TPM2_RC_HANDLE | TPM2_RC_1),
                         -ENOENT);
        text = ae_tpm_last_error(NULL);
        ck_assert_ptr_nonnull(strstr(text, "Esys_NV_ReadPublic: "));
        ck_assert_ptr_nonnull(strstr(text, "handle"));
        ck_assert_ptr_nonnull(strstr(text, "0x18b"));

        /* Success leaves the last failure's text alone. */
        ck_assert_int_eq(ae_tpm_rc(NULL, "Esys_NV_Read", TSS2_RC_SUCCESS), 0);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(NULL), "Esys_NV_ReadPublic"));

        ck_assert_int_eq(ae_tpm_errorf(NULL, -EMSGSIZE, "index holds %u bytes", 5000u),
                         -EMSGSIZE);
        ck_assert_str_eq(ae_tpm_last_error(NULL), "index holds 5000 bytes");
}
END_TEST

START_TEST(text_is_bounded)
{
        char longop[2 * AE_TPM_ERROR_MAX];

        memset(longop, 'x', sizeof(longop) - 1);
        longop[sizeof(longop) - 1] = '\0';
        ck_assert_int_eq(ae_tpm_rc(NULL, longop, TSS2_TCTI_RC_IO_ERROR), -EIO);
        ck_assert_uint_eq(strlen(ae_tpm_last_error(NULL)), AE_TPM_ERROR_MAX - 1);
}
END_TEST

START_TEST(open_unknown_tcti)
{
        struct ae_tpm *tpm = NULL;
        int r = ae_tpm_open("aegis-no-such-tcti:whatever", &tpm);

        ck_assert_int_lt(r, 0);
        ck_assert_ptr_null(tpm);
        ck_assert_ptr_nonnull(strstr(ae_tpm_last_error(NULL), "Tss2_TctiLdr_Initialize"));
        ck_assert_int_eq(ae_tpm_open("x", NULL), -EINVAL);
        ae_tpm_close(NULL);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("tpm_error");
        TCase *tc = tcase_create("tpm_error");

        tcase_add_test(tc, success_is_zero);
        tcase_add_test(tc, tpm_format_one_codes);
        tcase_add_test(tc, tpm_format_zero_codes);
        tcase_add_test(tc, tpm_warnings);
        tcase_add_test(tc, tpm_codes_without_portable_meaning);
        tcase_add_test(tc, resource_manager_relays_tpm_codes);
        tcase_add_test(tc, software_layer_codes);
        tcase_add_test(tc, every_failure_is_negative);
        tcase_add_test(tc, text_is_kept);
        tcase_add_test(tc, text_is_bounded);
        tcase_add_test(tc, open_unknown_tcti);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
