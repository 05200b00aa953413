"""Where the kernel gateway is and how long to wait for it, read from `PAIRBOARD_GATEWAY_*`.

Run limits (wall time, output cap, grace period) are not here: they are the same for both
providers and live with the local provider's settings, so a run is bounded the same way wherever
its kernel lives.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAIRBOARD_GATEWAY_", extra="ignore")

    url: str = Field(
        default="http://127.0.0.1:8888",
        description="Base URL of Jupyter Kernel Gateway / Enterprise Gateway (http or https).",
    )
    auth_token: str = Field(
        default="",
        description="The gateway's KG_AUTH_TOKEN, sent as an Authorization header; empty: none.",
    )
    kernel_name: str = Field(
        default="",
        description="Kernelspec to start; empty means the gateway's default kernel.",
    )
    request_timeout_s: float = Field(
        default=10.0,
        description=(
            "Timeout of one REST call (interrupt, restart, shutdown, status) and of opening the "
            "kernel websocket. A gateway slower than this is reported as unreachable."
        ),
    )
    start_timeout_s: float = Field(
        default=60.0,
        description=(
            "Timeout of `POST /api/kernels`: the gateway answers only once the kernel is up, which "
            "on a cluster includes scheduling a pod."
        ),
    )
    pool_size: int = Field(
        default=2,
        ge=0,
        description=(
            "Kernels started ahead on the gateway so a new session's first run does not wait for a "
            "cold start. 0 disables the pool. Pooled kernels are never reused across sessions."
        ),
    )
    liveness_poll_s: float = Field(
        default=1.0,
        gt=0,
        description=(
            "While a run is active, how often the gateway is asked whether the kernel is still "
            "alive, so a kernel killed mid-run (out of memory) ends the run as `killed` promptly "
            "instead of at the wall-time limit."
        ),
    )
    max_message_bytes: int = Field(
        default=128 * 1024 * 1024,
        description=(
            "Largest single websocket message accepted from the gateway. One `print` of a huge "
            "string arrives as one message; above this the kernel's socket is closed, the run ends "
            "with an error and the socket reopens on the next run. Output beyond the per-run cap "
            "is dropped anyway; this bounds the memory one message can take before that."
        ),
    )
    binary_protocol: bool = Field(
        default=True,
        description=(
            "Offer the binary `v1.kernel.websocket.jupyter.org` framing, which the gateway relays "
            "without decoding and re-encoding each message as JSON. Off: the legacy JSON framing "
            "(for gateways that predate Jupyter Server 2)."
        ),
    )
