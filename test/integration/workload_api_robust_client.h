/* The workload side of workload_api_robust: each role runs in a fresh image
 * of the test binary ("--role ROLE ARGS...", started by robust_spawn) and
 * prints one line per result on stdout:
 *   SVID <spiffe id>          an X.509-SVID response arrived
 *   JWT <spiffe id>           a JWT-SVID response arrived
 *   STATUS <code> <message>   the call ended with that gRPC status
 * and role-specific lines, documented in workload_api_robust_client.c. */
#pragma once

/* argv[0] is the role. The process's exit status. */
int robust_client_main(int argc, char **argv);
