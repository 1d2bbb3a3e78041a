/* Internal to aegis_gnss: what one gpsd session has said about its devices.
 * gpsd names the driver and subtype in DEVICES/DEVICE reports and the
 * satellites used in SKY reports, each separately from the TPV that carries
 * the fix; this table joins them by device path. It is bounded: gpsd serves
 * at most MAXUSERDEVS (4) devices, later paths beyond the limit are ignored. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "node-attestor/gnss/gnss_fix.h"

#define AE_GNSS_DEVICES_MAX 8

struct ae_gnss_device {
        char path[AE_GNSS_DEVICE_MAX];
        char driver[AE_GNSS_DRIVER_MAX];
        char subtype[AE_GNSS_SUBTYPE_MAX];
        int satellites_used; /* -1 until a SKY report names it */
};

struct ae_gnss_devices {
        size_t n;
        struct ae_gnss_device dev[AE_GNSS_DEVICES_MAX];
};

/* Copy untrusted text of at most src_size bytes (a NUL may be missing) into
 * dst: truncated to dst_size - 1 bytes, always NUL-terminated, and every
 * byte outside printable ASCII replaced by '?', so it can be logged and
 * compared without surprises. dst_size must be at least 1. */
void ae_gnss_copy_text(char *dst, size_t dst_size, const char *src, size_t src_size);

/* The entry for path (already sanitised, NUL-terminated), or NULL. */
struct ae_gnss_device *ae_gnss_devices_find(struct ae_gnss_devices *t, const char *path);

/* Record what a DEVICE report (or one DEVICES entry) says; each field is
 * untrusted text of at most its *_size bytes (NULL/0 when absent). Empty
 * driver or subtype leave earlier values alone: gpsd announces a device
 * before it has identified it. An empty path is ignored, as is a new path
 * when the table is full. */
void ae_gnss_devices_note(struct ae_gnss_devices *t, const char *path, size_t path_size,
                          const char *driver, size_t driver_size, const char *subtype,
                          size_t subtype_size);

/* Record the satellites used that a SKY report of path gives; values outside
 * [0, max_used] are not believed and recorded as unknown. */
void ae_gnss_devices_note_sky(struct ae_gnss_devices *t, const char *path, size_t path_size,
                              int used, int max_used);
