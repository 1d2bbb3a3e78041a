/* Escaping of untrusted text for log lines, into a bounded text buffer.
 *
 * Log values often carry untrusted bytes (a workload's path, a peer's SPIFFE
 * ID, a policy file's content). Escaping guarantees one log event is one line
 * and JSON lines stay valid JSON whatever the bytes are: control characters
 * are escaped and invalid UTF-8 never reaches the output. Appends are whole
 * units: a full escape sequence or UTF-8 character, or nothing (then the
 * buffer is marked truncated and refuses further appends). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct ae_textbuf {
        char *buf;   /* always NUL-terminated */
        size_t cap;  /* bytes in buf, including room for the NUL */
        size_t len;
        bool truncated;
};

void ae_textbuf_init(struct ae_textbuf *t, char *buf, size_t cap);
/* Append n bytes verbatim (trusted text only). */
void ae_textbuf_put(struct ae_textbuf *t, const char *s, size_t n);
void ae_textbuf_puts(struct ae_textbuf *t, const char *s);

/* JSON string contents (no surrounding quotes), RFC 8259: '"', '\\' and
 * controls escaped, valid UTF-8 copied, each invalid byte becomes \ufffd. */
void ae_log_escape_json(struct ae_textbuf *t, const char *s, size_t n);

/* Human log text: controls and invalid UTF-8 bytes become \n, \t, \xNN;
 * with quoted, '"' and '\\' are backslash-escaped too (for "..." values). */
void ae_log_escape_text(struct ae_textbuf *t, const char *s, size_t n, bool quoted);

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 when the
 * bytes there are not valid UTF-8 (overlong, surrogate, above U+10FFFF,
 * truncated). n is the number of bytes available. */
size_t ae_utf8_valid_prefix(const unsigned char *s, size_t n);
