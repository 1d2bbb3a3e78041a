/* gpsd's JSON reports are untrusted: whatever lines arrive, the collector
 * checks, decodes and judges them, exactly as ae_gnss_read_fix does with
 * what it reads. Input: lines separated by '\n'; a
 * first byte of '@' makes the collector watch /dev/pts/1 only (the device of
 * the seeds). Properties: nothing crashes, and a fix the collector returns
 * passed its checks (sane coordinates, mode 2 or 3, printable strings). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node-attestor/gnss/gnss_line.h"
#include "node-attestor/gnss/gnss_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void check_text(const char *s, size_t size)
{
        size_t n = strnlen(s, size);

        if (n == size)
                abort();
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
                        abort();
}

static void check_fix(const struct ae_gnss_fix *fix)
{
        if (fix->mode != 2 && fix->mode != 3)
                abort();
        if (!isfinite(fix->latitude_deg) || fabs(fix->latitude_deg) > 90.0 ||
            !isfinite(fix->longitude_deg) || fabs(fix->longitude_deg) > 180.0)
                abort();
        if (fix->has_eph && !(fix->eph_m >= 0.0 && fix->eph_m <= AE_GNSS_ERR_MAX_M))
                abort();
        if (fix->mode == 3 && !fix->has_alt_hae && !fix->has_alt_msl)
                abort();
        if (fix->device[0] == '\0')
                abort();
        check_text(fix->device, sizeof(fix->device));
        check_text(fix->driver, sizeof(fix->driver));
        check_text(fix->subtype, sizeof(fix->subtype));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ae_gnss_collector c;
        struct ae_gnss_fix fix;
        char line[AE_GNSS_LINE_MAX + 1];
        size_t at = 0;
        int r = 0;

        if (size > 0 && data[0] == '@') {
                ae_gnss_collector_init(&c, "/dev/pts/1", 3, 20.0);
                at = 1;
        } else {
                ae_gnss_collector_init(&c, NULL, 2, 0.0);
        }
        while (at < size && r == 0) {
                const uint8_t *nl = memchr(data + at, '\n', size - at);
                size_t len = nl ? (size_t)(nl - (data + at)) : size - at;

                /* Longer lines are dropped whole by the reader; cutting them
                 * here instead also tries the checks on truncated lines. */
                if (len > AE_GNSS_LINE_MAX)
                        len = AE_GNSS_LINE_MAX;
                memcpy(line, data + at, len);
                line[len] = '\0';
                at = nl ? (size_t)(nl - data) + 1 : size;

                r = ae_gnss_collector_feed(&c, line, len, &fix);
                if (r == 1)
                        check_fix(&fix);
        }
        if (r == 0 && ae_gnss_collector_timeout(&c, &fix) == 0)
                check_fix(&fix);
        return 0;
}
