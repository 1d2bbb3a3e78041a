#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/log_escape.h"

static struct {
        char ident[64];
        enum ae_log_format format;
        enum ae_log_level max_level;
        int fd;
} cfg = { "aegis", AE_LOG_TEXT, AE_LOG_INFO, 2 };

static const char *const level_names[] = {
        [AE_LOG_ERROR] = "error",
        [AE_LOG_WARNING] = "warning",
        [AE_LOG_INFO] = "info",
        [AE_LOG_DEBUG] = "debug",
};

void ae_log_configure(const char *ident, enum ae_log_format format, enum ae_log_level max_level,
                      int fd)
{
        snprintf(cfg.ident, sizeof(cfg.ident), "%s", ident ? ident : "aegis");
        cfg.format = format;
        cfg.max_level = max_level;
        cfg.fd = fd;
}

const char *ae_log_level_name(enum ae_log_level level)
{
        if ((size_t)level >= sizeof(level_names) / sizeof(level_names[0]))
                return "unknown";
        return level_names[level];
}

int ae_log_level_parse(const char *s, enum ae_log_level *ret)
{
        ENSURE(s, -EINVAL);
        for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
                if (strcasecmp(s, level_names[i]) == 0) {
                        *ret = (enum ae_log_level)i;
                        return 0;
                }
        return -EINVAL;
}

int ae_log_format_parse(const char *s, enum ae_log_format *ret)
{
        ENSURE(s, -EINVAL);
        if (strcasecmp(s, "text") == 0) {
                *ret = AE_LOG_TEXT;
                return 0;
        }
        if (strcasecmp(s, "json") == 0) {
                *ret = AE_LOG_JSON;
                return 0;
        }
        return -EINVAL;
}

bool ae_log_enabled(enum ae_log_level level)
{
        return level <= cfg.max_level;
}

static void put_key(struct ae_textbuf *t, const char *key)
{
        for (const char *k = key ? key : ""; *k; k++) {
                char c = *k;
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
                ae_textbuf_put(t, ok ? &c : "_", 1);
        }
}

/* A text value is written bare only when it cannot be misread. */
static bool text_needs_quotes(const char *v)
{
        if (!*v)
                return true;
        for (const unsigned char *p = (const unsigned char *)v; *p; p++)
                if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '=' || *p == '\\')
                        return true;
        return false;
}

static void render_text(struct ae_textbuf *t, const char *ts, const char *ident, long pid,
                        enum ae_log_level level, const char *msg,
                        const struct ae_log_field *fields, size_t n)
{
        char head[128];

        snprintf(head, sizeof(head), "%s ", ts);
        ae_textbuf_puts(t, head);
        ae_log_escape_text(t, ident, strlen(ident), false);
        snprintf(head, sizeof(head), "[%ld] %s: ", pid, ae_log_level_name(level));
        ae_textbuf_puts(t, head);
        ae_log_escape_text(t, msg, strlen(msg), false);
        for (size_t i = 0; i < n; i++) {
                const char *v = fields[i].value ? fields[i].value : "";
                bool q = text_needs_quotes(v);

                ae_textbuf_put(t, " ", 1);
                put_key(t, fields[i].key);
                ae_textbuf_put(t, q ? "=\"" : "=", q ? 2 : 1);
                ae_log_escape_text(t, v, strlen(v), true);
                if (q)
                        ae_textbuf_put(t, "\"", 1);
        }
}

/* JSON rendering keeps the line valid even when it is cut: every member is
 * either written whole, cut inside its string value (at a character
 * boundary), or rolled back entirely; the marker then closes accordingly. */
struct json_out {
        struct ae_textbuf t;
        bool cut_in_string;
};

static bool json_raw(struct json_out *j, size_t mark, const char *text)
{
        ae_textbuf_puts(&j->t, text);
        if (j->t.truncated) {
                j->t.len = mark;
                j->t.buf[mark] = '\0';
                return false;
        }
        return true;
}

static bool json_member(struct json_out *j, const char *key, const char *value)
{
        size_t mark = j->t.len;

        ae_textbuf_puts(&j->t, mark == 0 ? "{\"" : ",\"");
        put_key(&j->t, key);
        ae_textbuf_puts(&j->t, "\":\"");
        if (j->t.truncated) {
                j->t.len = mark;
                j->t.buf[mark] = '\0';
                return false;
        }
        ae_log_escape_json(&j->t, value, strlen(value));
        ae_textbuf_puts(&j->t, "\"");
        if (j->t.truncated) {
                j->cut_in_string = true;
                return false;
        }
        return true;
}

static void render_json(struct json_out *j, const char *ts, const char *ident, long pid,
                        enum ae_log_level level, const char *msg,
                        const struct ae_log_field *fields, size_t n)
{
        char num[32];

        snprintf(num, sizeof(num), ",\"pid\":%ld", pid);
        if (!json_member(j, "ts", ts) || !json_member(j, "level", ae_log_level_name(level)) ||
            !json_member(j, "ident", ident) || !json_raw(j, j->t.len, num) ||
            !json_member(j, "msg", msg))
                return;
        for (size_t i = 0; i < n; i++)
                if (!json_member(j, fields[i].key, fields[i].value ? fields[i].value : ""))
                        return;
        json_raw(j, j->t.len, "}");
}

size_t ae_log_render(char *buf, size_t size, enum ae_log_format format, const char *ts,
                     const char *ident, long pid, enum ae_log_level level, const char *msg,
                     const struct ae_log_field *fields, size_t n)
{
        /* Room is reserved for the truncation marker, so a cut line still says
         * so (and, in JSON, still closes as a valid object). */
        static const char text_mark[] = " [truncated]";
        static const char json_mark_in_string[] = "\",\"truncated\":true}";
        static const char json_mark_member[] = ",\"truncated\":true}";
        static const char json_mark_empty[] = "{\"truncated\":true}";
        size_t reserve = sizeof(json_mark_in_string);
        struct json_out j = { .cut_in_string = false };
        struct ae_textbuf *t = &j.t;

        if (size <= reserve + 1) {
                if (size)
                        buf[0] = '\0';
                return 0;
        }
        ae_textbuf_init(t, buf, size - reserve);
        if (format == AE_LOG_JSON)
                render_json(&j, ts, ident, pid, level, msg, fields, n);
        else
                render_text(t, ts, ident, pid, level, msg, fields, n);
        if (t->truncated) {
                const char *mark = text_mark;

                if (format == AE_LOG_JSON)
                        mark = j.cut_in_string ? json_mark_in_string
                               : t->len == 0   ? json_mark_empty
                                               : json_mark_member;
                t->cap = size; /* release the reserve for the marker */
                t->truncated = false;
                ae_textbuf_puts(t, mark);
        }
        return t->len;
}

static void timestamp(char *buf, size_t size)
{
        struct timespec now;
        struct tm tm;

        clock_gettime(CLOCK_REALTIME, &now);
        gmtime_r(&now.tv_sec, &tm);
        size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);

        snprintf(buf + n, size - n, ".%03dZ", (int)(now.tv_nsec / 1000000) % 1000);
}

void ae_log_fields(enum ae_log_level level, const struct ae_log_field *fields, size_t n,
                   const char *fmt, ...)
{
        char msg[AE_LOG_LINE_MAX], line[AE_LOG_LINE_MAX + 1], ts[40];
        size_t len;
        va_list ap;

        if (!ae_log_enabled(level))
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        timestamp(ts, sizeof(ts));
        len = ae_log_render(line, sizeof(line) - 1, cfg.format, ts, cfg.ident, (long)getpid(),
                            level, msg, fields, n);
        line[len++] = '\n';
        /* One write per event; a short write to a full pipe loses the rest of
         * this line rather than blocking the caller on retries. */
        (void)!write(cfg.fd, line, len);
}
