/* The bounded cursor driven by untrusted bytes: the input is both the program
 * (which read to do next) and the data, so every read path meets every kind
 * of truncation. Property: the cursor never moves past its end and a failed
 * read never moves it. */
#include <stdint.h>
#include <stdlib.h>

#include "common/cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ae_cursor c;
        uint8_t op, buf[64];

        ae_cursor_init(&c, data, size);
        while (ae_cursor_read_u8(&c, &op) == 0) {
                size_t before = c.pos, n = 0;
                const uint8_t *p;
                uint16_t u16;
                uint32_t u32;
                uint64_t u64;
                int r;

                switch (op % 6) {
                case 0: r = ae_cursor_read_u16(&c, &u16); break;
                case 1: r = ae_cursor_read_u32(&c, &u32); break;
                case 2: r = ae_cursor_read_u64(&c, &u64); break;
                case 3: r = ae_cursor_read_sized16(&c, op, &p, &n); break;
                case 4: r = ae_cursor_copy(&c, buf, op % sizeof(buf)); break;
                default: r = ae_cursor_skip(&c, op); break;
                }
                if (c.pos > c.size || (r < 0 && c.pos != before))
                        abort();
                if (r == 0 && op % 6 == 3 && p + n > data + size)
                        abort();
        }
        return 0;
}
