/* gRPC core writes its own log lines (gpr_log: failed TLS handshakes,
 * transport errors, ...) to stderr. A host that logs through common/log.h
 * routes them there instead, so they get its format, level filter and
 * fd, one event per line, with gRPC's source location as fields. */
#pragma once

/* Process-wide; call before the first server or client, as
 * ae_log_configure. gRPC's ERROR, INFO and DEBUG become AE_LOG_ERROR,
 * AE_LOG_INFO and AE_LOG_DEBUG, with fields "grpc_file" and "grpc_line".
 * gRPC's own filter (GRPC_VERBOSITY, default ERROR) still applies first. */
void ae_grpc_log_to_ae_log(void);
