"""Which durable store a deployment uses, from its settings: the server and the CLI ask here.

`PAIRBOARD_DATABASE_URL` names it (postgresql://... or sqlite:////abs/path.sqlite3); unset, it is
`pairboard.sqlite3` in the data dir. With Redis (server/scale) this is the store the mover copies
stream entries into.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from server.accounts.store import AccountStore
from server.audit.store import AuditStore
from server.org.store import OrgStore
from server.session_query import SessionListing
from server.settings import Settings
from server.store.base import Store
from server.store.sqlite import SQLiteStore
from server.webhooks.store import WebhookStore


class DurableStore(
    Store, AccountStore, AuditStore, OrgStore, WebhookStore, SessionListing, Protocol
):
    """What SQLite and PostgreSQL both are: the log's store, the accounts', the audit log's,
    the organisation settings', the webhooks' delivery queue, and the dashboard's listing."""


def durable_store(settings: Settings) -> DurableStore:
    """`database_url` if set (postgresql://... or sqlite:///path), else SQLite in the data dir."""
    url = settings.database_url
    if url is None:
        return SQLiteStore(
            settings.data_dir / "pairboard.sqlite3", synchronous=settings.sqlite_synchronous
        )
    if url.startswith(("postgres://", "postgresql://")):
        from server.store.postgres import PostgresStore

        return PostgresStore(url, pool_size=settings.database_pool_size)
    if url.startswith("sqlite:///"):
        return SQLiteStore(
            Path(url.removeprefix("sqlite://")), synchronous=settings.sqlite_synchronous
        )
    raise ValueError(f"PAIRBOARD_DATABASE_URL must be postgresql://... or sqlite:///...: {url!r}")
