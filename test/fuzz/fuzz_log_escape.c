/* Log rendering of untrusted text. Properties: a JSON line always parses
 * (jansson, which we did not write), a text line never contains a newline,
 * and valid UTF-8 without NUL survives a JSON round trip unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/log.h"
#include "common/log_escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int valid_utf8(const uint8_t *s, size_t n)
{
        for (size_t i = 0; i < n;) {
                size_t len = ae_utf8_valid_prefix(s + i, n - i);

                if (len == 0 || s[i] == 0)
                        return 0;
                i += len;
        }
        return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1), line[1024];
        size_t cut;
        json_t *j;

        if (!text)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';
        /* The first byte picks the line size, so truncation is explored too. */
        cut = size ? 40 + (size_t)data[0] * 4 : sizeof(line);
        if (cut > sizeof(line))
                cut = sizeof(line);

        ae_log_render(line, cut, AE_LOG_JSON, "2026-01-01T00:00:00.000Z", "fuzz", 1,
                      AE_LOG_INFO, text, AE_LOG_KV({ "k", text }));
        j = json_loads(line, 0, NULL);
        if (!j)
                abort();
        if (!json_object_get(j, "truncated") && valid_utf8(data, size) &&
            strcmp(json_string_value(json_object_get(j, "msg")), text) != 0)
                abort();
        json_decref(j);

        ae_log_render(line, cut, AE_LOG_TEXT, "2026-01-01T00:00:00.000Z", "fuzz", 1,
                      AE_LOG_INFO, text, AE_LOG_KV({ "k", text }));
        if (strchr(line, '\n') || strchr(line, '\r'))
                abort();
        free(text);
        return 0;
}
