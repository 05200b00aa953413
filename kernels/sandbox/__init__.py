"""The jail around one kernel process, wherever it is launched from (our local provider or a
Kernel Gateway through the `pairboard-sandbox` provisioner): uids, cgroups, the command line,
the layer probes. Depends on nothing else in `kernels` but the settings."""
