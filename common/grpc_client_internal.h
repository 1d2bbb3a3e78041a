/* Shared by grpc_client.c (channels, unary calls) and
 * grpc_client_stream.c. Not for use outside common/grpc_client*.c. */
#pragma once

#include <grpc/grpc.h>

#include "common/grpc_client.h"

struct ae_grpc_client {
        grpc_channel *ch;
        uint32_t max_send;
};

/* Request metadata as gRPC wants it: copied slices, released by
 * ae_grpc_client_md_release once the batch that sent them completed. */
struct ae_grpc_client_md {
        grpc_metadata *md;
        size_t n;
};

/* -EINVAL for a key or value HTTP/2 cannot carry. */
AE_MUST_USE int ae_grpc_client_md_build(const struct ae_grpc_call_opts *opts,
                                        struct ae_grpc_client_md *ret);
void ae_grpc_client_md_release(struct ae_grpc_client_md *m);

/* A call on c's channel, completing on cq. */
AE_MUST_USE int ae_grpc_client_call(struct ae_grpc_client *c, grpc_completion_queue *cq,
                                    const char *method, const struct ae_grpc_call_opts *opts,
                                    grpc_call **ret);

/* Blocks until tag completes on a pluck queue; its success. */
bool ae_grpc_client_wait(grpc_completion_queue *cq, void *tag);

/* Fills ret (if any) from what RECV_STATUS_ON_CLIENT returned. */
void ae_grpc_client_status_set(struct ae_grpc_status *ret, grpc_status_code code,
                               grpc_slice details);

/* Shuts down and destroys a pluck queue whose tags have all completed. */
void ae_grpc_client_cq_free(grpc_completion_queue *cq);
