"""Every knob of the server, read from `PAIRBOARD_*` environment variables.

Each limit documents its default and why; exceeding a limit always yields an explicit error to the
one connection or request that exceeded it, never to anyone else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAIRBOARD_", extra="ignore")

    # --- where and how to serve -------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Interface to bind.")
    port: int = Field(8000, description="TCP port to bind.")
    public_url: str | None = Field(
        None,
        description="Base URL printed in session links; defaults to http://{host}:{port}.",
    )
    data_dir: Path = Field(
        Path("data"), description="SQLite file, admin token and signing secret live here."
    )
    admin_token: str | None = Field(
        None, description="Admin bearer token; generated once and kept in the data dir if unset."
    )
    secret: str | None = Field(
        None, description="Token signing secret; generated once and kept in the data dir if unset."
    )
    web_dist: Path = Field(
        Path(__file__).resolve().parent.parent / "web" / "dist",
        description="Built browser client served at / (make web builds it).",
    )
    log_level: str = Field("info", description="Python logging level name.")

    # --- sync limits ------------------------------------------------------------------------
    max_frame_bytes: int = Field(
        2 * 1024 * 1024,
        description=(
            "Largest websocket frame accepted (bytes). A typed edit is tens of bytes; a large "
            "paste "
            "or a whiteboard image is the big case. Over it the socket closes with 1009. Memory "
            "cost: one frame of this size per receiving connection at worst."
        ),
    )
    max_connections_per_session: int = Field(
        32,
        description=(
            "Websockets open at once per session, over all four docs (a participant opens up to "
            "four). Beyond it the handshake is refused with HTTP 403."
        ),
    )
    send_queue_frames: int = Field(
        1024,
        description=(
            "Frames queued for one slow reader before it is disconnected (close 1013) so it "
            "resyncs on reconnect instead of holding memory. Memory cost: at most this many frames "
            "per connection, typically tens of bytes each."
        ),
    )
    awareness_per_second: float = Field(
        20.0,
        description=(
            "Awareness (cursor) updates accepted per connection per second; faster ones are "
            "coalesced so only the latest state is relayed."
        ),
    )
    keepalive_seconds: float = Field(
        10.0,
        description=(
            "A connection that has been sent nothing for this long gets an empty awareness "
            "message: the stock y-websocket client reconnects after 30 s of silence."
        ),
    )
    awareness_timeout_seconds: float = Field(
        30.0,
        description="Awareness states not renewed for this long are dropped (y-protocols' rule).",
    )

    # --- storage ------------------------------------------------------------------------------
    checkpoint_interval: int = Field(
        400,
        description=(
            "Updates between two checkpoints of a doc. Loading costs one checkpoint plus at most "
            "this many merged updates."
        ),
    )
    room_unload_grace_seconds: float = Field(
        30.0,
        description="An empty room stays in memory this long (a reload is cheap, a flap is not).",
    )
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        "NORMAL",
        description=(
            "SQLite WAL durability. NORMAL survives any process crash (kill -9); FULL also "
            "survives power loss at the cost of an fsync per group commit."
        ),
    )

    # --- auth ---------------------------------------------------------------------------------
    token_lifetime_seconds: int = Field(
        7 * 24 * 3600, description="Capability tokens expire this long after they are issued."
    )
    max_title_length: int = Field(200, description="Longest session title accepted.")
    max_name_length: int = Field(64, description="Longest display name accepted.")

    # --- recording and replay (server/replay) -------------------------------------------------
    awareness_samples_per_second: float = Field(
        5.0,
        description=(
            "Cursor/selection samples written to the log per awareness client id per second (the "
            "latest state wins in between). Sampling runs off the relay path: it never delays it."
        ),
    )
    awareness_sample_max_bytes: int = Field(
        4096,
        description="Awareness states larger than this are recorded without their content.",
    )
    signals_per_minute: int = Field(
        120,
        description=(
            "Integrity signals (paste, blur, focus) accepted per participant per minute; beyond "
            "it the request gets HTTP 429."
        ),
    )
    signal_max_size: int = Field(
        50_000_000,
        description="Largest paste size (characters) a signal may report; larger is HTTP 422.",
    )
    comment_max_chars: int = Field(2000, description="Longest reviewer comment accepted.")
    comments_per_session: int = Field(
        1000, description="Comments a session's recording may hold; beyond it HTTP 409."
    )
    replay_log_chunk: int = Field(
        5000,
        description="Most log entries one `GET .../log` chunk returns (the player pages through).",
    )
    reviewer_token_lifetime_seconds: int = Field(
        30 * 24 * 3600, description="Reviewer share links expire this long after they are issued."
    )
    recording_retention_days: float | None = Field(
        None,
        description=(
            "Delete recordings whose session ended (or, if never ended, started) more than this "
            "many days ago. Unset (the default) keeps every recording."
        ),
    )
    retention_check_seconds: float = Field(
        3600.0, description="How often the retention task looks for expired recordings."
    )
    import_max_bytes: int = Field(
        1024 * 1024 * 1024,
        description="Largest recording file accepted by `POST /api/recordings` (HTTP 413 above).",
    )

    # --- scenarios (server/scenarios) ---------------------------------------------------------
    scenario_test_timeout_seconds: float = Field(
        10.0,
        description=(
            "Wall time of one hidden test (and of loading the candidate's code) when grading; "
            'a test over it fails alone with "timed out after N s". The whole grading run is '
            "also bounded by PAIRBOARD_KERNEL_RUN_TIMEOUT_SECONDS."
        ),
    )
    scenario_rescan_seconds: float = Field(
        5.0,
        description=(
            "How often an instance looks in the store for scenario clocks it does not drive yet "
            "(started through another instance). Timed events are claimed in the store, so "
            "several instances never fire one event twice."
        ),
    )

    # --- scale-out (server/scale, docs/DEPLOY.md) ---------------------------------------------
    redis_url: str | None = Field(
        None,
        description=(
            "Redis for scale-out (redis://host:6379/0). Unset (the default): one process, "
            "SQLite. Set on every instance: they share docs, sessions and claims through it. Run "
            "Redis with AOF `appendfsync always`: an edit is acknowledged once Redis has it."
        ),
    )
    redis_prefix: str = Field(
        "pairboard:", description="Prefix of every Redis key and channel (one per deployment)."
    )
    database_url: str | None = Field(
        None,
        description=(
            "Durable store: postgresql://user@host/db or sqlite:////abs/path.sqlite3. Unset: "
            "pairboard.sqlite3 in the data dir. With Redis, every instance must name the same one."
        ),
    )
    database_pool_size: int = Field(10, description="PostgreSQL connections per instance.")
    redis_retry_seconds: float = Field(
        15.0,
        description=(
            "How long an edit waits for an unreachable Redis (a restart) before its sender is "
            "disconnected (close 1011; the client reconnects and resends)."
        ),
    )
    mover_interval_seconds: float = Field(
        0.5,
        description=(
            "How often committed stream entries are moved to the durable store (and those older "
            "than the retention trimmed from Redis)."
        ),
    )
    redis_stream_retention_seconds: float = Field(
        30.0,
        description=(
            "Moved entries stay in their Redis stream this long, so an instance whose tail lags "
            "behind the mover still reads them there (a longer lag is repaired from the durable "
            "store). Redis memory: about this many seconds of edits."
        ),
    )
    redis_batch: int = Field(
        1000, description="Stream entries read (tail) or moved (mover) per Redis round trip."
    )
    awareness_publish_queue: int = Field(
        10000,
        description=(
            "Awareness frames waiting to be published to other instances; beyond it they are "
            "dropped (presence is best-effort; the next cursor move repairs it)."
        ),
    )

    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
