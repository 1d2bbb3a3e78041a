#include "control-plane/cli/admin_client.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include "common/grpc_client.h"
#include "common/log_escape.h"

/* sockaddr_un's sun_path holds 107 bytes and the NUL. */
#define SOCKET_PATH_MAX 107

struct ae_admin_client {
        struct ae_grpc_client *grpc;
        char path[SOCKET_PATH_MAX + 1];
};

static const char *const code_names[] = {
        [GRPC_STATUS_OK] = "OK",
        [GRPC_STATUS_CANCELLED] = "CANCELLED",
        [GRPC_STATUS_UNKNOWN] = "UNKNOWN",
        [GRPC_STATUS_INVALID_ARGUMENT] = "INVALID_ARGUMENT",
        [GRPC_STATUS_DEADLINE_EXCEEDED] = "DEADLINE_EXCEEDED",
        [GRPC_STATUS_NOT_FOUND] = "NOT_FOUND",
        [GRPC_STATUS_ALREADY_EXISTS] = "ALREADY_EXISTS",
        [GRPC_STATUS_PERMISSION_DENIED] = "PERMISSION_DENIED",
        [GRPC_STATUS_RESOURCE_EXHAUSTED] = "RESOURCE_EXHAUSTED",
        [GRPC_STATUS_FAILED_PRECONDITION] = "FAILED_PRECONDITION",
        [GRPC_STATUS_ABORTED] = "ABORTED",
        [GRPC_STATUS_OUT_OF_RANGE] = "OUT_OF_RANGE",
        [GRPC_STATUS_UNIMPLEMENTED] = "UNIMPLEMENTED",
        [GRPC_STATUS_INTERNAL] = "INTERNAL",
        [GRPC_STATUS_UNAVAILABLE] = "UNAVAILABLE",
        [GRPC_STATUS_DATA_LOSS] = "DATA_LOSS",
        [GRPC_STATUS_UNAUTHENTICATED] = "UNAUTHENTICATED",
};

static const char *code_name(int32_t code)
{
        if (code >= 0 && (size_t)code < sizeof(code_names) / sizeof(code_names[0]) &&
            code_names[code])
                return code_names[code];
        return "unknown status";
}

static int failf(char *err, size_t cap, int r, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int failf(char *err, size_t cap, int r, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
        return r;
}

/* Text from the server (or gRPC about it) escaped for a terminal. */
static void escaped(const char *s, char *buf, size_t cap)
{
        struct ae_textbuf t;

        ae_textbuf_init(&t, buf, cap);
        ae_log_escape_text(&t, s ? s : "", s ? strlen(s) : 0, false);
}

const char *ae_admin_socket_path(const char *flag)
{
        const char *env = getenv(AE_ADMIN_SOCKET_ENV);

        if (flag)
                return flag;
        return env && *env ? env : AE_ADMIN_SOCKET_DEFAULT;
}

static int absolute(const char *path, char out[SOCKET_PATH_MAX + 1], char *err, size_t cap)
{
        char cwd[PATH_MAX];
        int n;

        if (!path[0])
                return failf(err, cap, -EINVAL, "socket path is empty");
        if (path[0] == '/')
                n = snprintf(out, SOCKET_PATH_MAX + 1, "%s", path);
        else if (getcwd(cwd, sizeof(cwd)))
                n = snprintf(out, SOCKET_PATH_MAX + 1, "%s/%s", cwd, path);
        else
                return failf(err, cap, -errno, "%s: working directory: %s", path,
                             strerror(errno));
        if (n < 0 || n > SOCKET_PATH_MAX)
                return failf(err, cap, -ENAMETOOLONG,
                             "socket path %s is longer than a Unix socket's %d bytes", path,
                             SOCKET_PATH_MAX);
        return 0;
}

int ae_admin_client_new(const char *path, struct ae_admin_client **ret, char *err, size_t err_cap)
{
        struct ae_grpc_client_config cfg;
        struct ae_admin_client *c;
        struct stat st;
        int r;

        ENSURE(path && ret && err && err_cap > 0, -EINVAL);
        c = calloc(1, sizeof(*c));
        if (!c)
                return failf(err, err_cap, -ENOMEM, "out of memory");
        r = absolute(path, c->path, err, err_cap);
        if (r == 0 && stat(c->path, &st) < 0) {
                r = -errno;
                if (r == -ENOENT)
                        failf(err, err_cap, r,
                              "no aegis-server socket at %s (is aegis-server running? "
                              "-socketPath or $" AE_ADMIN_SOCKET_ENV " names another)",
                              c->path);
                else
                        failf(err, err_cap, r, "%s: %s", c->path, strerror(-r));
        } else if (r == 0 && !S_ISSOCK(st.st_mode)) {
                r = failf(err, err_cap, -ENOTSOCK, "%s is not a socket", c->path);
        }
        if (r == 0) {
                ae_grpc_client_config_default(&cfg);
                cfg.max_recv_message = AE_ADMIN_RECV_MAX;
                r = ae_grpc_client_new_unix(c->path, &cfg, &c->grpc);
                if (r < 0)
                        failf(err, err_cap, r, "%s: %s", c->path, strerror(-r));
        }
        if (r < 0) {
                free(c);
                return r;
        }
        *ret = c;
        return 0;
}

void ae_admin_client_free(struct ae_admin_client *c)
{
        if (!c)
                return;
        ae_grpc_client_free(c->grpc);
        free(c);
}

void ae_admin_status_text(int32_t code, const char *message, char *buf, size_t cap)
{
        if (message && *message)
                escaped(message, buf, cap);
        else
                snprintf(buf, cap, "%s", code_name(code));
}

/* The line for a call that ended with a status other than OK. */
static void call_failed(const struct ae_admin_client *c, const char *method,
                        const struct ae_grpc_status *st, char *err, size_t cap)
{
        char msg[AE_GRPC_CLIENT_STATUS_MAX * 4];

        escaped(st->message, msg, sizeof(msg));
        switch (st->code) {
        case GRPC_STATUS_INVALID_ARGUMENT:
        case GRPC_STATUS_NOT_FOUND:
        case GRPC_STATUS_ALREADY_EXISTS:
        case GRPC_STATUS_PERMISSION_DENIED:
        case GRPC_STATUS_FAILED_PRECONDITION:
                /* The server's own refusals say what was wrong. */
                snprintf(err, cap, "%s", msg[0] ? msg : code_name(st->code));
                break;
        case GRPC_STATUS_DEADLINE_EXCEEDED:
                snprintf(err, cap, "aegis-server at %s did not answer within %u s", c->path,
                         AE_ADMIN_TIMEOUT_MS / 1000);
                break;
        case GRPC_STATUS_UNIMPLEMENTED:
                snprintf(err, cap, "the server at %s does not offer %s", c->path, method);
                break;
        case GRPC_STATUS_UNAVAILABLE:
                snprintf(err, cap, "aegis-server at %s unavailable: %s", c->path, msg);
                break;
        default:
                snprintf(err, cap, "aegis-server at %s: %s: %s", c->path, code_name(st->code),
                         msg);
                break;
        }
}

int ae_admin_call(struct ae_admin_client *c, const char *method, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *resp_type, ProtobufCMessage **ret_resp,
                  int32_t *ret_code, char *err, size_t err_cap)
{
        const struct ae_grpc_call_opts opts = { .timeout_ms = AE_ADMIN_TIMEOUT_MS };
        struct ae_grpc_status st = { .code = GRPC_STATUS_OK };
        int r;

        ENSURE(c && method && req && resp_type && ret_resp && err && err_cap > 0, -EINVAL);
        r = ae_grpc_client_unary(c->grpc, method, &opts, req, resp_type, ret_resp, &st);
        if (ret_code)
                *ret_code = (int32_t)st.code;
        if (r == -EREMOTEIO)
                call_failed(c, method, &st, err, err_cap);
        else if (r == -EBADMSG)
                snprintf(err, err_cap, "aegis-server at %s sent an answer that does not parse",
                         c->path);
        else if (r < 0)
                snprintf(err, err_cap, "%s: %s", method, strerror(-r));
        return r;
}
