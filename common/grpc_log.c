#include "common/grpc_log.h"

#include <stdio.h>

#include <grpc/support/log.h>

#include "common/log.h"

static void to_ae_log(gpr_log_func_args *args)
{
        enum ae_log_level level = args->severity == GPR_LOG_SEVERITY_ERROR ? AE_LOG_ERROR
                                  : args->severity == GPR_LOG_SEVERITY_INFO ? AE_LOG_INFO
                                                                           : AE_LOG_DEBUG;
        char line[16];

        if (!ae_log_enabled(level))
                return;
        snprintf(line, sizeof(line), "%d", args->line);
        /* gRPC's text is untrusted as any: ae_log escapes it. */
        ae_log_fields(level, AE_LOG_KV({ "grpc_file", args->file }, { "grpc_line", line }), "%s",
                      args->message);
}

void ae_grpc_log_to_ae_log(void)
{
        gpr_set_log_function(to_ae_log);
}
