#include "node-attestor/location_claim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"

static struct ae_location_claim sample(void)
{
        struct ae_location_claim c;

        memset(&c, 0, sizeof(c));
        c.latitude = 52.52;
        c.longitude = 13.405;
        c.has_altitude = true;
        c.altitude = 73.5;
        c.has_accuracy = true;
        c.accuracy = 17.1;
        c.has_altitude_accuracy = true;
        c.altitude_accuracy = 29.9;
        c.timestamp_ms = 1795238298000;
        c.mode = 3;
        c.satellites = 9;
        strcpy(c.sensor.device, "/dev/ttyACM0");
        strcpy(c.sensor.driver, "u-blox");
        strcpy(c.sensor.serial, "F9P-0042");
        return c;
}

static const char canonical[] =
        "{\"v\":1,\"latitude\":52.5200000,\"longitude\":13.4050000,\"altitude\":73.50,"
        "\"accuracy\":17.10,\"altitude_accuracy\":29.90,\"timestamp\":1795238298000,"
        "\"mode\":3,\"satellites\":9,\"sensor\":{\"device\":\"/dev/ttyACM0\","
        "\"driver\":\"u-blox\",\"subtype\":\"\",\"serial\":\"F9P-0042\"}}";

START_TEST(encodes_canonically)
{
        struct ae_location_claim c = sample(), back;
        uint8_t buf[AE_ATTEST_LOCATION_CLAIM_MAX];
        size_t n;

        ck_assert_int_eq(ae_location_claim_encode(&c, buf, sizeof(buf), &n), 0);
        ck_assert_uint_eq(n, strlen(canonical));
        ck_assert_mem_eq(buf, canonical, n);
        ck_assert_int_eq(ae_location_claim_decode(buf, n, &back), 0);
        ck_assert(fabs(back.latitude - 52.52) < 1e-9);
        ck_assert_int_eq(back.mode, 3);
        ck_assert_int_eq(back.satellites, 9);
        ck_assert(back.timestamp_ms == 1795238298000);
        ck_assert_str_eq(back.sensor.serial, "F9P-0042");
        ck_assert(ae_sensor_id_equal(&back.sensor, &c.sensor));
}
END_TEST

START_TEST(optional_fields_and_signs)
{
        struct ae_location_claim c = sample(), back;
        uint8_t buf[AE_ATTEST_LOCATION_CLAIM_MAX];
        size_t n;

        c.has_altitude = c.has_accuracy = c.has_altitude_accuracy = false;
        c.satellites = -1;
        c.mode = 2;
        c.latitude = -33.8688;
        c.longitude = -0.00000001; /* rounds to zero: written without a sign */
        ck_assert_int_eq(ae_location_claim_encode(&c, buf, sizeof(buf), &n), 0);
        buf[n] = '\0';
        ck_assert_ptr_nonnull(strstr((char *)buf, "\"latitude\":-33.8688000"));
        ck_assert_ptr_nonnull(strstr((char *)buf, "\"longitude\":0.0000000"));
        ck_assert_ptr_null(strstr((char *)buf, "altitude"));
        ck_assert_ptr_null(strstr((char *)buf, "satellites"));
        ck_assert_int_eq(ae_location_claim_decode(buf, n, &back), 0);
        ck_assert(!back.has_altitude && !back.has_accuracy && back.satellites == -1);
}
END_TEST

/* Valid JSON meaning the same claim, but not the canonical bytes. */
static const char *const not_canonical[] = {
        "{\"v\":1,\"latitude\":52.52,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
        "{\"latitude\":52.5200000,\"v\":1,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
        "{\"v\":1, \"latitude\":52.5200000,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
        "{\"v\":1,\"latitude\":52.5200000,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"},"
        "\"extra\":1}",
        "{\"v\":1,\"latitude\":52.5200000,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}\n",
        "{\"v\":1,\"latitude\":52.5200000,\"longitude\":-0.0000000,\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
};

/* Broken or out of range. */
static const char *const invalid[] = {
        "",
        "[]",
        "{\"v\":2,\"latitude\":52.5200000,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
        "{\"v\":1,\"latitude\":91.0000000,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
        "{\"v\":1,\"latitude\":52.5200000,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":1,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
        "{\"v\":1,\"latitude\":52.5200000,\"longitude\":13.4050000,\"timestamp\":-1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
        "{\"v\":1,\"latitude\":52.5200000,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":3.0,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
        "{\"v\":1,\"latitude\":52.5200000,\"longitude\":13.4050000,\"accuracy\":-1.00,"
        "\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
        "{\"v\":1,\"latitude\":52.5200000,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\"}}",
        "{\"v\":1,\"latitude\":52.5200000,\"longitude\":13.4050000,\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"\\u0007\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
        "{\"v\":1,\"latitude\":52.5200000,\"latitude\":52.5200000,\"longitude\":13.4050000,"
        "\"timestamp\":1,\"mode\":3,"
        "\"sensor\":{\"device\":\"d\",\"driver\":\"\",\"subtype\":\"\",\"serial\":\"\"}}",
};

START_TEST(rejects_non_canonical)
{
        struct ae_location_claim c;
        const char *s = not_canonical[_i];

        ck_assert_int_eq(ae_location_claim_decode((const uint8_t *)s, strlen(s), &c), -EBADMSG);
}
END_TEST

START_TEST(rejects_invalid)
{
        struct ae_location_claim c;
        const char *s = invalid[_i];

        ck_assert_int_eq(ae_location_claim_decode((const uint8_t *)s, strlen(s), &c), -EBADMSG);
}
END_TEST

START_TEST(limits)
{
        static uint8_t big[AE_ATTEST_LOCATION_CLAIM_MAX + 1];
        struct ae_location_claim c = sample();
        uint8_t buf[16];
        size_t n;

        ck_assert_int_eq(ae_location_claim_decode(big, sizeof(big), &c), -EMSGSIZE);
        ck_assert_int_eq(ae_location_claim_encode(&c, buf, sizeof(buf), &n), -ENOBUFS);
        c.latitude = NAN;
        ck_assert_int_eq(ae_location_claim_encode(&c, buf, sizeof(buf), &n), -EINVAL);
        c = sample();
        strcpy(c.sensor.serial, "quote\"inside");
        ck_assert_int_eq(ae_location_claim_encode(&c, buf, sizeof(buf), &n), -EINVAL);
        c = sample();
        c.mode = 1;
        ck_assert_int_eq(ae_location_claim_encode(&c, buf, sizeof(buf), &n), -EINVAL);
}
END_TEST

START_TEST(sensor_id)
{
        struct ae_location_claim c = sample();
        struct ae_sensor_id back;
        uint8_t buf[AE_ATTEST_LOCATION_SENSOR_MAX];
        size_t n;

        ck_assert_int_eq(ae_sensor_id_encode(&c.sensor, buf, sizeof(buf), &n), 0);
        ck_assert_int_eq(ae_sensor_id_decode(buf, n, &back), 0);
        ck_assert(ae_sensor_id_equal(&back, &c.sensor));
        strcpy(back.serial, "other");
        ck_assert(!ae_sensor_id_equal(&back, &c.sensor));
        ck_assert_int_eq(ae_sensor_id_decode(buf, n - 1, &back), -EBADMSG);
        ck_assert_int_eq(ae_sensor_id_decode((const uint8_t *)"{}", 2, &back), -EBADMSG);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("location_claim");
        TCase *tc = tcase_create("location_claim");

        tcase_add_test(tc, encodes_canonically);
        tcase_add_test(tc, optional_fields_and_signs);
        tcase_add_loop_test(tc, rejects_non_canonical, 0,
                            (int)(sizeof(not_canonical) / sizeof(not_canonical[0])));
        tcase_add_loop_test(tc, rejects_invalid, 0, (int)(sizeof(invalid) / sizeof(invalid[0])));
        tcase_add_test(tc, limits);
        tcase_add_test(tc, sensor_id);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
