"""The grading RPC's values as JSON: plain data only, encoded explicitly, decoded strictly.

Grading runs hidden tests in a trusted process that calls the candidate's code in the sandboxed
grader kernel (`grading.py`). This codec is all that crosses between the two, in both directions:
None, bool, int, float, str, bytes, complex, list, tuple, set, frozenset, dict, datetime values,
NumPy arrays and scalars (dtype + shape + base64 bytes, never pickle), pandas DataFrames, Series,
Index and their scalars. Everything else crosses as a reference node, which each side resolves in
its own way (`refer` when encoding, `resolve` when decoding): the kernel hands out numbered
references to the candidate's objects, the trusted side turns them into remote handles
(`remote.py`). A candidate-defined class therefore never becomes a value on the trusted side: a
decoded value is always a genuine builtin, NumPy or pandas object, whatever the kernel sent.

The decoder is strict because the kernel's replies are hostile input: every node must have
exactly the expected keys and types, sizes must agree, and anything else raises `Malformed`.
This module runs in both processes (its source is sent into the grader kernel), so it imports
only the standard library, and NumPy/pandas lazily, when a value needs them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Callable
from typing import Any

Node = Any
"""A JSON value: a plain scalar, or a dict with a "t" tag."""

MAX_DEPTH = 64
REFERENCE_TAGS = frozenset({"ref", "method", "setup"})
PANDAS_TAGS = frozenset(
    {"NaT", "NA", "timestamp", "pd_timedelta", "ext", "cat", "dttz"}
    | {"index", "range", "multi", "series", "frame"}
)
"""Tags decoded by `rpc_pandas` (imported only when a message carries one)."""
NUMPY_DTYPE = re.compile(
    r"^[<>|=](b1|i[1248]|u[1248]|f[248]|c(8|16)|[mM]8(\[[a-zA-Z]+\])?|U[1-9]\d{0,5}|S[1-9]\d{0,5})$"
)
"""The NumPy dtypes whose arrays cross as bytes (never object, structured or void dtypes)."""


class Malformed(ValueError):
    """A node that does not follow the format: a forged or broken message."""


class Unencodable(TypeError):
    """A value that is not plain data and that the caller's `refer` would not refer to."""


Refer = Callable[[Any], Node]
Resolve = Callable[[dict[str, Any]], Any]
Decoder = Callable[[dict[str, Any], Resolve, int], Any]
"""Decodes one tagged node (its keys already checked) at a nesting depth."""


def dumps(node: Node) -> str:
    return json.dumps(node, allow_nan=False, separators=(",", ":"))


def loads(text: str) -> Node:
    """Parse one message; NaN/Infinity literals (not JSON) and malformed text raise Malformed."""

    def no_constants(name: str) -> Any:
        raise Malformed(f"{name} is not JSON")

    try:
        return json.loads(text, parse_constant=no_constants)
    except (ValueError, RecursionError) as exc:
        raise Malformed(f"not readable JSON: {exc}") from None


# --- encoding ---------------------------------------------------------------------------------


def encode(value: Any, refer: Refer, depth: int = 0) -> Node:
    """`value` as a node; values that are not plain data go to `refer` (which may raise)."""
    if depth > MAX_DEPTH:
        raise Unencodable("the value is nested too deeply to send")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"t": "float", "v": repr(value)}
    if kind is bytes:
        return {"t": "bytes", "v": b64(value)}
    if kind is complex:
        return {"t": "complex", "v": [encode(value.real, refer), encode(value.imag, refer)]}
    node = _encode_library(value, refer, depth)
    if node is not None:
        return node
    if isinstance(value, dict):
        items = dict.items(value)
        pairs = [[encode(k, refer, depth + 1), encode(v, refer, depth + 1)] for k, v in items]
        return {"t": "dict", "v": pairs}
    for base, tag in _CONTAINERS:
        if isinstance(value, base):  # subclasses too, by the base's own iteration
            return {"t": tag, "v": [encode(v, refer, depth + 1) for v in base.__iter__(value)]}
    if kind is dt.datetime:
        return {"t": "datetime", "v": value.isoformat()}
    if kind is dt.date:
        return {"t": "date", "v": value.isoformat()}
    if kind is dt.timedelta:
        return {"t": "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    return refer(value)


_CONTAINERS: tuple[tuple[Any, str], ...] = (
    (list, "list"),
    (tuple, "tuple"),
    (set, "set"),
    (frozenset, "frozenset"),
)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _encode_library(value: Any, refer: Refer, depth: int) -> Node | None:
    """NumPy and pandas values (None: neither). Only modules already imported are looked at."""
    if "pandas" in sys.modules:
        from server.scenarios import rpc_pandas

        node = rpc_pandas.encode_pandas(value, refer, depth)
        if node is not None:
            return node
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.ndarray):
            return encode_array(np, value, refer, depth)
        if isinstance(value, np.generic):
            if not NUMPY_DTYPE.match(value.dtype.str):
                return refer(value)
            return {"t": "np", "dtype": value.dtype.str, "data": b64(value.tobytes())}
    return None


def encode_array(np: Any, value: Any, refer: Refer, depth: int) -> Node:
    shape = [int(n) for n in value.shape]
    if value.dtype == np.dtype(object):
        items = [encode(v, refer, depth + 1) for v in value.ravel(order="C").tolist()]
        return {"t": "nd", "dtype": "|O", "shape": shape, "items": items}
    if not NUMPY_DTYPE.match(value.dtype.str):
        return refer(value)
    return {"t": "nd", "dtype": value.dtype.str, "shape": shape, "data": b64(value.tobytes())}


# --- decoding ---------------------------------------------------------------------------------


def decode(node: Node, resolve: Resolve, depth: int = 0) -> Any:
    """The value of `node`; reference nodes go to `resolve`. Anything unexpected: Malformed."""
    try:
        return decode_at(node, resolve, depth)
    except Malformed:
        raise
    except Exception as exc:  # NumPy/pandas refusing what the node asked for, and friends
        raise Malformed(f"{type(exc).__name__}: {exc}") from None


def decode_at(node: Node, resolve: Resolve, depth: int) -> Any:
    """`decode` at a nesting depth (for the pandas decoders); errors are not converted."""
    if depth > MAX_DEPTH:
        raise Malformed("nested too deeply")
    kind = type(node)
    if node is None or kind in (bool, int, str):
        return node
    if kind is float:
        if not math.isfinite(node):
            raise Malformed("a bare non-finite float")
        return node
    if kind is not dict:
        raise Malformed(f"an untagged {kind.__name__}")
    tag = node.get("t")
    if tag in REFERENCE_TAGS:
        return resolve(node)
    decoder = _DECODERS.get(tag) if isinstance(tag, str) else None
    if decoder is None and tag in PANDAS_TAGS:
        from server.scenarios import rpc_pandas

        decoder = rpc_pandas.DECODERS.get(tag)
    if decoder is None:
        raise Malformed(f"unknown tag {tag!r}")
    keys, fn = decoder
    if set(node) != keys and not (tag == "nd" and set(node) == _OBJECT_ARRAY_KEYS):
        raise Malformed(f"{tag} node with keys {sorted(node)}")
    return fn(node, resolve, depth + 1)


def expect(node: Any, kind: type, what: str) -> Any:
    if type(node) is not kind:
        raise Malformed(f"{what}: expected {kind.__name__}, got {type(node).__name__}")
    return node


def _items(node: dict[str, Any], resolve: Resolve, depth: int) -> list[Any]:
    return [decode_at(v, resolve, depth) for v in expect(node["v"], list, node["t"])]


def hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        raise Malformed(f"an unhashable {type(value).__name__} as a key or set item") from None
    return value


def _dict(node: dict[str, Any], resolve: Resolve, depth: int) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for pair in expect(node["v"], list, "dict"):
        if type(pair) is not list or len(pair) != 2:
            raise Malformed("a dict item that is not a [key, value] pair")
        out[hashable(decode_at(pair[0], resolve, depth))] = decode_at(pair[1], resolve, depth)
    return out


def _float(node: dict[str, Any], resolve: Resolve, depth: int) -> float:
    if node["v"] not in ("nan", "inf", "-inf"):
        raise Malformed(f"float {node['v']!r}")
    return float(node["v"])


def from_b64(text: Any) -> bytes:
    try:
        return base64.b64decode(expect(text, str, "base64 data"), validate=True)
    except ValueError:
        raise Malformed("invalid base64") from None


def _complex(node: dict[str, Any], resolve: Resolve, depth: int) -> complex:
    parts = expect(node["v"], list, "complex")
    values = [decode_at(p, resolve, depth) for p in parts]
    if len(values) != 2 or any(type(v) is not float for v in values):
        raise Malformed("complex needs two floats")
    return complex(values[0], values[1])


def numpy_dtype(np: Any, text: Any) -> Any:
    if not isinstance(text, str) or not NUMPY_DTYPE.match(text):
        raise Malformed(f"dtype {text!r}")
    dtype = np.dtype(text)
    if dtype.str != text and dtype.str[1:] != text[1:]:
        raise Malformed(f"dtype {text!r} is not canonical")
    return dtype


def decode_array(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import numpy as np

    shape = expect(node["shape"], list, "shape")
    if len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
        raise Malformed(f"shape {shape!r}")
    count = math.prod(shape)
    if node["dtype"] == "|O":
        if "items" not in node:
            raise Malformed("an object array carries items")
        items = [decode_at(v, resolve, depth) for v in expect(node["items"], list, "items")]
        if len(items) != count:
            raise Malformed(f"{len(items)} items for shape {shape}")
        out = np.empty(count, dtype=object)
        for i, item in enumerate(items):
            out[i] = item
        return out.reshape(shape)
    if "data" not in node:
        raise Malformed("an array carries data")
    dtype = numpy_dtype(np, node["dtype"])
    raw = from_b64(node["data"])
    if len(raw) != count * dtype.itemsize:
        raise Malformed(f"{len(raw)} bytes for {count} items of {dtype.str}")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _numpy_scalar(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import numpy as np

    dtype = numpy_dtype(np, node["dtype"])
    raw = from_b64(node["data"])
    if len(raw) != dtype.itemsize:
        raise Malformed(f"{len(raw)} bytes for one {dtype.str}")
    return np.frombuffer(raw, dtype=dtype)[0]


def _iso(node: dict[str, Any], kind: Any) -> Any:
    return kind.fromisoformat(expect(node["v"], str, node["t"]))


def _timedelta(node: dict[str, Any], resolve: Resolve, depth: int) -> dt.timedelta:
    parts = expect(node["v"], list, "timedelta")
    if len(parts) != 3 or any(type(p) is not int for p in parts):
        raise Malformed("timedelta needs [days, seconds, microseconds]")
    return dt.timedelta(days=parts[0], seconds=parts[1], microseconds=parts[2])


_DECODERS: dict[str, tuple[frozenset[str], Decoder]] = {
    "list": (frozenset({"t", "v"}), _items),
    "tuple": (frozenset({"t", "v"}), lambda n, r, d: tuple(_items(n, r, d))),
    "set": (frozenset({"t", "v"}), lambda n, r, d: {hashable(v) for v in _items(n, r, d)}),
    "frozenset": (
        frozenset({"t", "v"}),
        lambda n, r, d: frozenset(hashable(v) for v in _items(n, r, d)),
    ),
    "dict": (frozenset({"t", "v"}), _dict),
    "float": (frozenset({"t", "v"}), _float),
    "bytes": (frozenset({"t", "v"}), lambda n, r, d: from_b64(n["v"])),
    "complex": (frozenset({"t", "v"}), _complex),
    "datetime": (frozenset({"t", "v"}), lambda n, r, d: _iso(n, dt.datetime)),
    "date": (frozenset({"t", "v"}), lambda n, r, d: _iso(n, dt.date)),
    "timedelta": (frozenset({"t", "v"}), _timedelta),
    "nd": (frozenset({"t", "dtype", "shape", "data"}), decode_array),
    "np": (frozenset({"t", "dtype", "data"}), _numpy_scalar),
}
_OBJECT_ARRAY_KEYS = frozenset({"t", "dtype", "shape", "items"})
"""The keys of an object array's node (its items are nodes, not bytes)."""
