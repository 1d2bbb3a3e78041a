/* Logging for the hosts (daemons and CLI). Library code never logs: it
 * returns errors and reasons, and the host decides what to say.
 *
 * One event is one line, written with a single write(2) so concurrent threads
 * and processes sharing the fd do not interleave. Two formats:
 *   text  2026-11-21T05:35:47.123Z aegis-agent[812] info: node attested spiffe_id=spiffe://x
 *   json  {"ts":"2026-11-21T05:35:47.123Z","level":"info","ident":"aegis-agent","pid":812,
 *          "msg":"node attested","spiffe_id":"spiffe://x"}
 * Untrusted text in messages and values is escaped (common/log_escape.h).
 * Lines longer than AE_LOG_LINE_MAX are cut and marked "truncated". */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/guard.h"

#define AE_LOG_LINE_MAX 4096

enum ae_log_level {
        AE_LOG_ERROR,
        AE_LOG_WARNING,
        AE_LOG_INFO,
        AE_LOG_DEBUG,
};

enum ae_log_format {
        AE_LOG_TEXT,
        AE_LOG_JSON,
};

struct ae_log_field {
        const char *key;   /* [A-Za-z0-9_.-]; other bytes are written as '_' */
        const char *value; /* any bytes, NUL-terminated; NULL is written as "" */
};

/* Process-wide settings; call before starting threads. Defaults: ident
 * "aegis", text, info, fd 2. ident is copied (up to 63 bytes). */
void ae_log_configure(const char *ident, enum ae_log_format format, enum ae_log_level max_level,
                      int fd);

/* "error", "warning", "info", "debug" / "text", "json"; else -EINVAL. */
AE_MUST_USE int ae_log_level_parse(const char *s, enum ae_log_level *ret);
AE_MUST_USE int ae_log_format_parse(const char *s, enum ae_log_format *ret);
const char *ae_log_level_name(enum ae_log_level level);

bool ae_log_enabled(enum ae_log_level level);

/* Log a printf-formatted message with n key/value fields. */
void ae_log_fields(enum ae_log_level level, const struct ae_log_field *fields, size_t n,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Render one event into buf (no newline), as ae_log_fields would write it.
 * ts is the timestamp text; exposed for tests and fuzzing. Returns the length. */
size_t ae_log_render(char *buf, size_t size, enum ae_log_format format, const char *ts,
                     const char *ident, long pid, enum ae_log_level level, const char *msg,
                     const struct ae_log_field *fields, size_t n);

/* ae_log(AE_LOG_INFO, "started on %s", path);
 * ae_log_fields(AE_LOG_WARNING, AE_LOG_KV({"reason", r}, {"node", id}), "rejected"); */
#define ae_log(level, ...) ae_log_fields((level), NULL, 0, __VA_ARGS__)
#define AE_LOG_KV(...)                                                         \
        ((const struct ae_log_field[]){ __VA_ARGS__ }),                        \
        (sizeof((const struct ae_log_field[]){ __VA_ARGS__ }) /                \
         sizeof(struct ae_log_field))
