# Workload attestor: /proc status, stat, cgroup and pidfd fdinfo parsers.
aegis_fuzz_target(fuzz_proc_parsers SOURCES fuzz_proc_parsers.c LIBS aegis_workload)
