#include "common/log_escape.h"

#include <stdio.h>
#include <string.h>

void ae_textbuf_init(struct ae_textbuf *t, char *buf, size_t cap)
{
        t->buf = buf;
        t->cap = cap;
        t->len = 0;
        t->truncated = cap == 0;
        if (cap)
                buf[0] = '\0';
}

void ae_textbuf_put(struct ae_textbuf *t, const char *s, size_t n)
{
        if (t->truncated)
                return;
        if (n >= t->cap - t->len) {
                t->truncated = true;
                return;
        }
        memcpy(t->buf + t->len, s, n);
        t->len += n;
        t->buf[t->len] = '\0';
}

void ae_textbuf_puts(struct ae_textbuf *t, const char *s)
{
        ae_textbuf_put(t, s, strlen(s));
}

size_t ae_utf8_valid_prefix(const unsigned char *s, size_t n)
{
        unsigned char c = s[0];
        size_t len;
        unsigned lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
                len = 3;
                if (c == 0xe0)
                        lo = 0xa0; /* overlong */
                else if (c == 0xed)
                        hi = 0x9f; /* UTF-16 surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4;
                if (c == 0xf0)
                        lo = 0x90; /* overlong */
                else if (c == 0xf4)
                        hi = 0x8f; /* above U+10FFFF */
        } else {
                return 0;
        }
        if (n < len)
                return 0;
        if (s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < len; i++)
                if (s[i] < 0x80 || s[i] > 0xbf)
                        return 0;
        return len;
}

void ae_log_escape_json(struct ae_textbuf *t, const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;

        while (i < n && !t->truncated) {
                unsigned char c = p[i];
                char esc[8];

                if (c == '"' || c == '\\') {
                        esc[0] = '\\';
                        esc[1] = (char)c;
                        ae_textbuf_put(t, esc, 2);
                        i++;
                } else if (c == '\n') {
                        ae_textbuf_put(t, "\\n", 2);
                        i++;
                } else if (c == '\t') {
                        ae_textbuf_put(t, "\\t", 2);
                        i++;
                } else if (c < 0x20 || c == 0x7f) {
                        snprintf(esc, sizeof(esc), "\\u%04x", c);
                        ae_textbuf_put(t, esc, 6);
                        i++;
                } else {
                        size_t len = ae_utf8_valid_prefix(p + i, n - i);

                        if (len == 0) {
                                ae_textbuf_put(t, "\\ufffd", 6);
                                i++;
                        } else {
                                ae_textbuf_put(t, s + i, len);
                                i += len;
                        }
                }
        }
}

void ae_log_escape_text(struct ae_textbuf *t, const char *s, size_t n, bool quoted)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;

        while (i < n && !t->truncated) {
                unsigned char c = p[i];
                char esc[8];
                size_t len;

                if (quoted && (c == '"' || c == '\\')) {
                        esc[0] = '\\';
                        esc[1] = (char)c;
                        ae_textbuf_put(t, esc, 2);
                        i++;
                } else if (c == '\n') {
                        ae_textbuf_put(t, "\\n", 2);
                        i++;
                } else if (c == '\t') {
                        ae_textbuf_put(t, "\\t", 2);
                        i++;
                } else if (c < 0x20 || c == 0x7f) {
                        snprintf(esc, sizeof(esc), "\\x%02x", c);
                        ae_textbuf_put(t, esc, 4);
                        i++;
                } else if ((len = ae_utf8_valid_prefix(p + i, n - i)) == 0) {
                        snprintf(esc, sizeof(esc), "\\x%02x", c);
                        ae_textbuf_put(t, esc, 4);
                        i++;
                } else {
                        ae_textbuf_put(t, s + i, len);
                        i += len;
                }
        }
}
