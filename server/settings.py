"""Every knob of the server, read from `PAIRBOARD_*` environment variables.

Each limit documents its default and why; exceeding a limit always yields an explicit error to the
one connection or request that exceeded it, never to anyone else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from server.webhooks.settings import WebhookSettings


class Settings(WebhookSettings):  # the PAIRBOARD_WEBHOOK_* knobs live beside their code
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
    web_asset_cache_bytes: int = Field(
        32 * 1024 * 1024,
        ge=0,
        description=(
            "Memory for the built client's hashed assets, kept once read (bytes, all encodings "
            "counted). Past it assets are served from disk. The room's first visit needs about "
            "1 MiB; the whole build with its brotli and gzip copies is about 12 MiB."
        ),
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
            "four). Beyond it the handshake is refused with HTTP 403. Counted from the moment a "
            "handshake is admitted, so concurrent handshakes cannot overshoot it. Per instance "
            "in a scale-out deployment. Memory cost: one connection's send queue each."
        ),
    )
    max_connections_per_role: int = Field(
        8,
        description=(
            "Websockets one role may hold open per session (two tabs of one participant). The "
            "other roles together may never take the interviewer's share: they are refused once "
            "the session's count reaches max_connections_per_session minus this, so the "
            "interviewer can always join however many candidate or observer sockets are open."
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

    # --- document size (enforced on every client update; refusals tell that writer why) --------
    doc_max_bytes: int = Field(
        24 * 1024 * 1024,
        description=(
            "Largest state of one doc of a session (bytes of its full Yjs update). A client update "
            "that would take a doc over it is refused with a permission-denied message naming "
            "the limit; nobody else is affected. Memory cost: a loaded room holds its doc (about "
            "this much at worst) and a joining client is sent it once."
        ),
    )
    board_max_files: int = Field(
        32,
        description="Images (Excalidraw files) one whiteboard may hold; more are refused.",
    )
    board_max_file_bytes: int = Field(
        1536 * 1024,
        description=(
            "Largest single whiteboard image entry (its JSON, base64 data URL included): a 1 MiB "
            "image, the browser's own cap, is about 1.4 MiB once encoded."
        ),
    )
    board_max_files_bytes: int = Field(
        16 * 1024 * 1024,
        description=(
            "All images of one whiteboard together (bytes of their entries). Memory cost: part of "
            "the board doc, held by its room and sent to every joining client."
        ),
    )

    # --- request bodies (server/http_limits.py) -------------------------------------------------
    api_max_body_bytes: int = Field(
        1024 * 1024,
        description=(
            "Largest request body of a JSON API route (everything but the recording import); "
            "checked on Content-Length and counted while reading (HTTP 413). Requests to /api/ "
            "without a token are refused (401) before any body is read. Memory cost: one body "
            "of this size per request in flight."
        ),
    )
    run_max_code_bytes: int = Field(
        512 * 1024,
        description=(
            "Largest code one Run executes (UTF-8 bytes), whether sent in POST .../runs or read "
            "from the editor: HTTP 413 above it. The code is copied into the console doc's run "
            "entry, so this bounds what a run adds to it."
        ),
    )

    # --- projects: the code doc's files (server/project_files.py) ------------------------------
    project_max_files: int = Field(
        32, description="Files a project may hold besides its entry file (a Run above: HTTP 413)."
    )
    project_max_file_bytes: int = Field(
        256 * 1024, description="Largest project file (UTF-8 bytes) a Run writes into the kernel."
    )
    project_max_bytes: int = Field(
        1024 * 1024,
        description=(
            "All of a project's files together (UTF-8 bytes), the entry file included: a Run of "
            "a larger project is refused with HTTP 413. Memory cost: the files are copied once "
            "per run into the kernel's working directory (its private tmpfs)."
        ),
    )

    run_trace_file: Path | None = Field(
        None,
        description=(
            "Benchmarking only: append one JSON line per run started from POST .../runs with "
            "the times of its phases (request, console entry, execute sent, first kernel "
            "message, first output written and relayed; server/run_trace.py). Unset: no trace "
            "is made."
        ),
    )

    run_max_input_bytes: int = Field(
        4096,
        description=(
            "Longest answer to a run's input() (UTF-8 bytes), in POST .../runs/{id}/input: HTTP "
            "413 above it. A line typed at a prompt; the answer is recorded in the console doc "
            "(except a getpass password), so this bounds what one answer adds to it."
        ),
    )

    # --- notebooks (server/notebook.py) ---------------------------------------------------------
    notebook_max_bytes: int = Field(
        8 * 1024 * 1024,
        description=(
            "Largest .ipynb file an interviewer may import (PUT .../notebook): HTTP 413 above it, "
            "counted while reading. Outputs in it are dropped; the cells go into the notebook "
            "doc, so `doc_max_bytes` bounds them too."
        ),
    )
    notebook_max_cells: int = Field(
        1000,
        description=(
            "Most cells a notebook may hold: an import or seed above it is HTTP 422, a client "
            "update that would leave more is refused (`server/sync/notebook_guard.py`)."
        ),
    )
    notebook_max_cell_source_bytes: int = Field(
        256 * 1024,
        description=(
            "Largest source of one cell (UTF-8 bytes): an import or seed above it is HTTP 422, a "
            "client edit that would leave a longer cell is refused."
        ),
    )
    notebook_max_metadata_bytes: int = Field(
        64 * 1024,
        description=(
            "Largest metadata of one cell (and, separately, its attachments), and of the "
            "notebook's `meta` and `state` maps, as JSON bytes: a client edit over it is refused. "
            "Memory cost of the notebook checks: each notebook room a client has written to keeps "
            "a shadow copy of its doc, as much memory again as the loaded doc (777 KiB RSS for 200 "
            "cells, docs/PERFORMANCE.md)."
        ),
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
    session_list_max_limit: int = Field(
        200,
        ge=1,
        description=(
            "The most sessions one page of `GET /api/sessions` holds (`limit`, default 50): a "
            "larger `limit` is refused with 422, so a page never costs more than this."
        ),
    )

    # --- accounts and sign-in (server/accounts, docs/DEPLOY.md "Accounts") --------------------
    sign_in_lifetime_seconds: int = Field(
        12 * 3600,
        description=(
            "A browser sign-in (the `pairboard_session` cookie) lasts this long; signing out "
            "revokes it on the server at once."
        ),
    )
    cookie_secure: bool | None = Field(
        None,
        description=(
            "Mark the sign-in cookie `Secure`. Unset: when PAIRBOARD_PUBLIC_URL is https:// "
            "(behind an HTTPS proxy), which is what a deployment should be."
        ),
    )
    invite_lifetime_seconds: int = Field(
        7 * 24 * 3600,
        description="A one-time invite link (`pairboard users add`) expires after this.",
    )
    password_min_chars: int = Field(12, description="Shortest password accepted (HTTP 422 below).")
    password_max_chars: int = Field(
        1024,
        description="Longest password accepted (HTTP 422 above): argon2 hashes whatever it gets.",
    )
    email_max_chars: int = Field(254, description="Longest e-mail address accepted (RFC 5321).")
    auth_max_body_bytes: int = Field(
        16 * 1024,
        description=(
            "Largest request body of the sign-in routes (/api/auth/), which take no credential: "
            "HTTP 413 above it."
        ),
    )
    sign_in_attempts_per_minute: int = Field(
        10,
        description=(
            "Password sign-ins tried per e-mail address per minute (per instance); beyond it "
            "HTTP 429, so a password cannot be guessed at speed."
        ),
    )
    oidc_starts_per_minute: int = Field(
        30,
        description=(
            "OpenID sign-ins started per client address per minute (each keeps a row until it "
            "returns or `oidc_login_ttl_seconds` passes; expired rows are purged); beyond it 429."
        ),
    )
    api_token_max_lifetime_days: int = Field(
        365, description="Longest lifetime a personal API token may be given (HTTP 422 above)."
    )
    api_tokens_per_user: int = Field(
        50, description="Live (unrevoked, unexpired) API tokens one user may hold; HTTP 409 above."
    )
    oidc_issuer: str | None = Field(
        None,
        description=(
            "OpenID Connect issuer (https://id.example.com): its discovery document is read "
            "from {issuer}/.well-known/openid-configuration. Unset: no single sign-on."
        ),
    )
    oidc_client_id: str | None = Field(None, description="The client id registered at the issuer.")
    oidc_client_secret: str | None = Field(
        None, description="The client secret (client_secret_basic at the token endpoint)."
    )
    oidc_default_role: Literal["owner", "interviewer", "reviewer"] = Field(
        "reviewer",
        description=(
            "The organisation role of a user created on first OpenID sign-in (an owner can "
            "change it); reviewer, the least, by default."
        ),
    )
    oidc_allowed_domains: str = Field(
        "",
        description=(
            "Comma-separated e-mail domains whose users may sign in through OpenID (the ID "
            "token's verified `email`); empty allows any domain the issuer vouches for."
        ),
    )
    oidc_login_ttl_seconds: int = Field(
        600, description="An OpenID sign-in must come back from the provider within this."
    )

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
    scorecard_summary_max_chars: int = Field(
        4000,
        description="Longest notes summary a submitted scorecard may carry (HTTP 422 above).",
    )
    scorecards_per_session: int = Field(
        20,
        description=(
            "Scorecards one session may hold (every submission is kept, the latest is the "
            "decision); beyond it HTTP 409."
        ),
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
            "many days ago. Unset (the default) keeps every recording. The default of the "
            "organisation's settings: once an owner saved them, theirs applies."
        ),
    )
    retention_check_seconds: float = Field(
        3600.0,
        description=(
            "How often the retention task looks for expired recordings and integrity signals "
            "(the organisation's settings say how old: `PUT /api/org/settings`)."
        ),
    )
    org_notice_max_bytes: int = Field(
        16 * 1024,
        description=(
            "Longest candidate notice (Markdown, UTF-8 bytes) an owner may save in the "
            "organisation's settings; longer is HTTP 422. Every candidate page downloads it once."
        ),
    )
    import_max_bytes: int = Field(
        1024 * 1024 * 1024,
        description=(
            "Largest recording file (compressed bytes) accepted by `POST /api/recordings` "
            "(HTTP 413 above). Memory cost: 16 MiB at most; the rest spools to a temporary file."
        ),
    )
    import_max_expanded_bytes: int = Field(
        256 * 1024 * 1024,
        description=(
            "Largest recording once decompressed (a 60-minute session is about 10 MB). Counted "
            "while decompressing, so a gzip bomb stops here (HTTP 413). Memory cost: the parsed "
            "recording is held until it is written, about twice this at worst."
        ),
    )
    import_max_entries: int = Field(
        2_000_000,
        description=(
            "Most records (log entries plus checkpoints) one imported recording may hold (a "
            "60-minute session has about 55,000); more is HTTP 413. Memory cost: ~200 bytes of "
            "bookkeeping per record besides its data."
        ),
    )

    # --- data files (server/attachments.py, server/scenarios/datasets.py) ----------------------
    attachment_max_bytes: int = Field(
        8 * 1024 * 1024,
        description=(
            "Largest file an interviewer can attach to a live session (PUT .../data/{name}); "
            "refused with 413 on Content-Length or while the body arrives. The type must match "
            "the name (CSV/TSV/text/JSON as UTF-8, Parquet, NPZ/NPY, PNG/JPEG), else 415."
        ),
    )
    attachments_per_session: int = Field(
        16, description="Attached files per session (a same-named upload replaces one); 409 past."
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
