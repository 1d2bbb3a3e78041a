/* Subcommands of the aegis CLI. Each takes the arguments after its own name
 * (argv[0] is the subcommand's name) and returns the process exit code. */
#pragma once

int ae_cli_tpm(int argc, char **argv);
int ae_cli_gnss(int argc, char **argv);
int ae_cli_attest(int argc, char **argv);
int ae_cli_policy(int argc, char **argv);
int ae_cli_ca(int argc, char **argv);
int ae_cli_svid(int argc, char **argv);
int ae_cli_entry(int argc, char **argv);
int ae_cli_agent(int argc, char **argv);
int ae_cli_bundle(int argc, char **argv);
