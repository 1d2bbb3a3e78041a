/* The operator's end of aegis-server's admin socket (control-plane/server/
 * api_admin.c, api_bundle.c) for 'aegis entry' and 'aegis bundle': which
 * socket, one unary call with a deadline, and every failure as one line of
 * text an operator can act on. Prints nothing itself. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/cleanup.h"
#include "common/guard.h"

struct ProtobufCMessage;
struct ProtobufCMessageDescriptor;

/* Where aegis-server listens for operators unless told otherwise (its
 * configuration's "admin_socket"), and the variable that overrides it. */
#define AE_ADMIN_SOCKET_DEFAULT "/run/aegis/server.sock"
#define AE_ADMIN_SOCKET_ENV "AEGIS_SERVER_SOCKET"
/* Each call's deadline. */
#define AE_ADMIN_TIMEOUT_MS 10000u
/* Largest response accepted. A page of AE_ADMIN_LIST_PAGE entries of the
 * largest size the server stores (two 2 KiB IDs, 32 selectors of 512 bytes,
 * 16 DNS names) stays under 3 MiB. */
#define AE_ADMIN_RECV_MAX (8u * 1024 * 1024)
#define AE_ADMIN_LIST_PAGE 100
/* Room for any text written to err. */
#define AE_ADMIN_ERROR_MAX 1024

struct ae_admin_client;

/* flag when given, else $AEGIS_SERVER_SOCKET when set and not empty, else
 * AE_ADMIN_SOCKET_DEFAULT. */
const char *ae_admin_socket_path(const char *flag);

/* A client for the socket at path (a relative path is taken from the
 * working directory). Checks that a socket is there; nothing connects
 * before the first call. -ENOENT, -ENOTSOCK, -ENAMETOOLONG, -ENOMEM, ...
 * with one line in err (cap AE_ADMIN_ERROR_MAX). */
AE_MUST_USE int ae_admin_client_new(const char *path, struct ae_admin_client **ret, char *err,
                                    size_t err_cap);

/* NULL-safe. */
void ae_admin_client_free(struct ae_admin_client *c);
AE_DEFINE_CLEANUP(struct ae_admin_client *, ae_admin_client_free)

/* One unary call of method ("/spire.api.server.entry.v1.Entry/GetEntry")
 * with a deadline of AE_ADMIN_TIMEOUT_MS. 0 with *ret_resp (free with
 * protobuf_c_message_free_unpacked). -EREMOTEIO when the call ended with a
 * status other than OK, *ret_code (may be NULL) set to it; -EBADMSG for a
 * response that does not parse; other -errno for local failures. On every
 * failure err gets one line: the server's message as it sent it for the
 * refusals it makes (invalid argument, not found, already exists,
 * permission denied), otherwise what went wrong with reaching it. */
AE_MUST_USE int ae_admin_call(struct ae_admin_client *c, const char *method,
                              const struct ProtobufCMessage *req,
                              const struct ProtobufCMessageDescriptor *resp_type,
                              struct ProtobufCMessage **ret_resp, int32_t *ret_code, char *err,
                              size_t err_cap);

/* One line for a per-item status of a batch result (BatchCreateEntry,
 * BatchDeleteEntry): the server's message, escaped for a terminal, or the
 * code's name when the message is empty. */
void ae_admin_status_text(int32_t code, const char *message, char *buf, size_t cap);
