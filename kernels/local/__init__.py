"""Kernels on this host: the local provider, its jupyter-client kernels and their warm pool."""
