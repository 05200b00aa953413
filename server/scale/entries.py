"""Pure helpers for the Redis layout: key names and stream entries <-> `LogEntry`.

Layout under a prefix `P` (one deployment, or one test, per prefix):
- `P{seq}:<session>:<doc>`  the doc's last assigned seq (INCR'd by the append script);
- `P{log}:<session>:<doc>`  the doc's stream: the commit point and the fan-out;
- `Pdocs`                    the set of docs whose stream may hold entries not yet moved;
- `Paw:<session>:<doc>`      the doc's awareness pub/sub channel;
- `Psessions`                pub/sub channel of session ids whose record changed;
- `Pmover`                   the mover's lease (one instance moves at a time);
- `Pwake:<instance>`         a tiny stream that wakes an instance's tail reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.store.base import LogEntry

FIELDS = (b"seq", b"ts", b"author", b"role", b"kind", b"data", b"origin")


class BadEntry(ValueError):
    """A stream entry that cannot be turned into a log entry (corrupt or foreign)."""


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str

    def seq(self, session_id: str, doc: str) -> str:
        return f"{self.prefix}seq:{session_id}:{doc}"

    def stream(self, session_id: str, doc: str) -> str:
        return f"{self.prefix}log:{session_id}:{doc}"

    def awareness(self, session_id: str, doc: str) -> str:
        return f"{self.prefix}aw:{session_id}:{doc}"

    @property
    def docs(self) -> str:
        return f"{self.prefix}docs"

    @property
    def sessions(self) -> str:
        return f"{self.prefix}sessions"

    @property
    def mover(self) -> str:
        return f"{self.prefix}mover"

    def wake(self, instance_id: str) -> str:
        return f"{self.prefix}wake:{instance_id}"


def doc_member(session_id: str, doc: str) -> str:
    """The member of the `docs` set naming one doc (session ids are url-safe: no '/')."""
    return f"{session_id}/{doc}"


def parse_member(member: bytes | str) -> tuple[str, str]:
    text = member.decode() if isinstance(member, bytes) else member
    session_id, _, doc = text.partition("/")
    if not session_id or not doc:
        raise BadEntry(f"bad docs member {text!r}")
    return session_id, doc


def decode_entry(session_id: str, doc: str, fields: dict[bytes, bytes]) -> tuple[LogEntry, str]:
    """A stream entry as (log entry, origin instance id); `BadEntry` if any field is wrong."""
    try:
        entry = LogEntry(
            session_id=session_id,
            doc=doc,
            seq=int(fields[b"seq"]),
            ts_ms=int(fields[b"ts"]),
            author=fields[b"author"].decode(),
            role=fields[b"role"].decode(),
            kind=fields[b"kind"].decode(),
            data=bytes(fields[b"data"]),
        )
        origin = fields[b"origin"].decode()
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise BadEntry(f"undecodable stream entry in {session_id}/{doc}: {exc!r}") from exc
    if entry.seq < 1:
        raise BadEntry(f"stream entry with seq {entry.seq} in {session_id}/{doc}")
    return entry, origin


def id_after(stream_id: bytes | str) -> str:
    """The smallest stream id greater than `stream_id` (XTRIM MINID keeps ids >= its argument)."""
    text = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    ms, _, counter = text.partition("-")
    return f"{int(ms)}-{int(counter or 0) + 1}"


def _id_key(stream_id: str) -> tuple[int, int]:
    ms, _, counter = stream_id.partition("-")
    return int(ms), int(counter or 0)


def min_id(a: str, b: str) -> str:
    """The smaller of two stream ids (compared as (ms, counter), not as text)."""
    return a if _id_key(a) <= _id_key(b) else b


def merge_by_seq(*sources: list[LogEntry]) -> list[LogEntry]:
    """Entries of several reads of one doc, each seq once, in seq order."""
    by_seq: dict[int, LogEntry] = {}
    for source in sources:
        for entry in source:
            by_seq.setdefault(entry.seq, entry)
    return [by_seq[s] for s in sorted(by_seq)]
