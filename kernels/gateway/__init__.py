"""Kernels on a Jupyter Kernel Gateway / Enterprise Gateway, reached over REST and websockets."""
