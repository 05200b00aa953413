"""A Kernel Gateway plugin: turn off Nagle's algorithm on kernel websockets.

Jupyter Server's kernel websocket never sets TCP_NODELAY, so after the first small frame of a
reply (the `busy` status) every following frame waits for the client's ACK, which Linux delays by
up to 40 ms. A `1+1` round trip through the gateway then costs ~45 ms instead of ~3 ms
(docs/PERFORMANCE.md, "Kernels"). Start the gateway with

    --KernelGatewayApp.kernel_websocket_connection_class=kernels.gateway.kg_nodelay.NoDelayConnection

This module runs inside the gateway process (it needs `jupyter_server`, a dependency of
`jupyter-kernel-gateway`), never inside Pairboard's server.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """The stock kernel websocket connection with TCP_NODELAY set once the socket is open."""

    def connect(self) -> Any:
        handler = self.websocket_handler
        if handler is not None and handler.ws_connection is not None:
            handler.set_nodelay(True)
        return super().connect()
