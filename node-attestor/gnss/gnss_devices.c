#include "node-attestor/gnss/gnss_devices.h"

#include <string.h>

void ae_gnss_copy_text(char *dst, size_t dst_size, const char *src, size_t src_size)
{
        size_t n = src ? strnlen(src, src_size) : 0;

        if (n > dst_size - 1)
                n = dst_size - 1;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)src[i];

                dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
        }
        dst[n] = '\0';
}

struct ae_gnss_device *ae_gnss_devices_find(struct ae_gnss_devices *t, const char *path)
{
        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->dev[i].path, path) == 0)
                        return &t->dev[i];
        return NULL;
}

static struct ae_gnss_device *find_or_add(struct ae_gnss_devices *t, const char *raw,
                                          size_t raw_size)
{
        char path[AE_GNSS_DEVICE_MAX];
        struct ae_gnss_device *d;

        ae_gnss_copy_text(path, sizeof(path), raw, raw_size);
        if (path[0] == '\0')
                return NULL;
        d = ae_gnss_devices_find(t, path);
        if (d || t->n >= AE_GNSS_DEVICES_MAX)
                return d;
        d = &t->dev[t->n++];
        memset(d, 0, sizeof(*d));
        memcpy(d->path, path, sizeof(path));
        d->satellites_used = -1;
        return d;
}

void ae_gnss_devices_note(struct ae_gnss_devices *t, const char *path, size_t path_size,
                          const char *driver, size_t driver_size, const char *subtype,
                          size_t subtype_size)
{
        struct ae_gnss_device *d = find_or_add(t, path, path_size);

        if (!d)
                return;
        if (driver && driver_size > 0 && driver[0] != '\0')
                ae_gnss_copy_text(d->driver, sizeof(d->driver), driver, driver_size);
        if (subtype && subtype_size > 0 && subtype[0] != '\0')
                ae_gnss_copy_text(d->subtype, sizeof(d->subtype), subtype, subtype_size);
}

void ae_gnss_devices_note_sky(struct ae_gnss_devices *t, const char *path, size_t path_size,
                              int used, int max_used)
{
        struct ae_gnss_device *d = find_or_add(t, path, path_size);

        if (!d)
                return;
        d->satellites_used = (used >= 0 && used <= max_used) ? used : -1;
}
