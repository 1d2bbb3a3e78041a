/* The actions of 'aegis svid', one file each (cmd_svid_<action>.c). Each
 * takes the arguments after its own name and returns the exit code. */
#pragma once

int ae_cli_svid_mint(int argc, char **argv);
int ae_cli_svid_inspect(int argc, char **argv);
int ae_cli_svid_verify(int argc, char **argv);
