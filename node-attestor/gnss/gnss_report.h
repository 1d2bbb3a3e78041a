/* Internal to aegis_gnss: what to make of gpsd's stream of reports, apart
 * from the I/O. The collector checks each JSON line (gnss_line.h), decodes
 * the reports it needs and decides whether a fix is ready.
 *
 * gpsd reports a fix (TPV), the satellites (SKY) and the device's identity
 * (DEVICES, DEVICE) separately; the collector joins them by device path. A
 * TPV good enough but without any SKY seen yet for its device is held until
 * that device's next SKY (gpsd sends SKY a fraction of a second after TPV in
 * the same cycle) or its next TPV (then the device evidently reports no
 * satellites, and the newer fix is returned without a count). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "node-attestor/gnss/gnss_devices.h"
#include "node-attestor/gnss/gnss_fix.h"

struct ae_gnss_collector {
        struct ae_gnss_devices devices;
        const char *device; /* only this device's reports count; NULL: any */
        int min_mode;       /* 2 or 3 */
        double max_eph_m;   /* > 0: eph bound; 0: none */
        bool pending;       /* pending_fix qualified, waiting for its SKY */
        struct ae_gnss_fix pending_fix;
        bool saw_bad; /* a TPV claimed a fix but failed the checks */
};

/* device (may be NULL) is borrowed and must outlive the collector. */
void ae_gnss_collector_init(struct ae_gnss_collector *c, const char *device, int min_mode,
                            double max_eph_m);

/* One line from gpsd: len bytes without CR LF. A line that fails
 * ae_gnss_line_parse() is skipped. Returns 1 with *ret_fix set when a fix is
 * ready, 0 to read on, -ENODEV when gpsd answered with ERROR to a watch of
 * one device, -EPROTO for any other ERROR. */
AE_MUST_USE int ae_gnss_collector_feed(struct ae_gnss_collector *c, const char *line,
                                       size_t len, struct ae_gnss_fix *ret_fix);

/* The deadline passed: 0 with the held fix (its satellite count never
 * came), else -EBADMSG if fixes were seen but failed the checks, else
 * -ETIMEDOUT. */
AE_MUST_USE int ae_gnss_collector_timeout(const struct ae_gnss_collector *c,
                                          struct ae_gnss_fix *ret_fix);
