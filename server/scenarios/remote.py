"""The trusted side of the grading RPC: remote handles on the candidate's objects.

The hidden tests run in the trusted process (`trusted_runner.py`) and see the candidate's
top-level names as they were written for: `LRUCache(2)`, `attention(q, k, v)`. Behind those names
are handles: calling one, reading an attribute, `len`, `bool`, iteration, indexing and `in` each
become one request to the grader kernel, with the arguments encoded as plain data (`rpc_codec`),
and the answer comes back as plain data or as another handle. What a handle never does is let the
candidate's code decide anything on this side: `==` and `hash` are identity (a candidate object
whose `__eq__` always says True compares equal to nothing here), `repr` is local, dunder
attributes are refused, and `len`/`bool`/`in` accept only a genuine int/bool back.

Whatever the kernel replies is decoded strictly. A reply that cannot be read raises
`ProtocolError`, and the time running out raises `TimedOut`: both are BaseExceptions, so a test's
`except Exception` (or `except ValueError`) can never turn a forged reply into a pass.
"""

from __future__ import annotations

import builtins
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from server.scenarios import rpc_codec as codec

MESSAGE_MAX_CHARS = 2000
REF_KEYS = frozenset({"t", "id", "type", "callable", "methods"})
_NOT_MAPPED = (StopIteration, StopAsyncIteration)
BUILTIN_EXCEPTIONS: dict[str, type[Exception]] = {
    name: value
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Exception) and value not in _NOT_MAPPED
}
"""An exception the candidate's code raised is raised here as the first of these in its MRO, so a
test's `except ValueError` works as it would locally (never StopIteration: it would end loops)."""

Exchange = Callable[[dict[str, Any], float], dict[str, Any]]
"""Send one request to the grader kernel (through the server) within a timeout; the server's
envelope back: {"id", "status": "ok" | "timeout" | "lost", "text" (ok), "detail" (lost)}."""


class TimedOut(BaseException):
    """The test's time ran out (the alarm here, or the server gave up on the kernel)."""


class ProtocolError(BaseException):
    """The grader kernel's reply could not be read: forged, truncated, or the kernel is gone."""


class RemoteError(Exception):
    """The candidate's code raised an exception that is no builtin one (its text says which)."""


class Client:
    """Requests for one grading; `deadline` (monotonic seconds) bounds every request's wait."""

    def __init__(self, exchange: Exchange, setup: dict[str, Any]) -> None:
        self._exchange = exchange
        # Setup objects that are not plain data (a retriever function) cross by name: the
        # kernel ran the same setup and uses its own copy.
        self._setup = {id(v): (k, v) for k, v in setup.items() if not k.startswith("__")}
        self._handles: dict[int, RemoteObject] = {}
        self._next_id = 1
        self._keep = 0
        self.deadline = math.inf

    # --- requests ---------------------------------------------------------------------------

    def request(self, op: str, **fields: Any) -> Any:
        request_id, self._next_id = self._next_id, self._next_id + 1
        timeout = self.deadline - time.monotonic()
        if timeout <= 0:
            raise TimedOut()
        reply = self._exchange({"id": request_id, "op": op, **fields}, min(timeout, 86400.0))
        if reply["status"] == "timeout":
            raise TimedOut()
        if reply["status"] != "ok":
            raise ProtocolError(f"no readable reply from the grader kernel ({reply['detail']})")
        try:
            return self._read(request_id, reply["text"])
        except codec.Malformed as exc:
            raise ProtocolError(f"a malformed reply from the grader kernel: {exc}") from None

    def _read(self, request_id: int, text: str) -> Any:
        envelope = codec.loads(text)
        if type(envelope) is not dict or envelope.get("id") != request_id:
            raise codec.Malformed("the reply does not answer this request")
        if set(envelope) == {"id", "ok"}:
            return codec.decode(envelope["ok"], self._resolve)
        if set(envelope) == {"id", "raised"}:
            raise raised_exception(envelope["raised"])
        raise codec.Malformed(f"a reply with keys {sorted(envelope)}")

    def encode(self, value: Any) -> codec.Node:
        return codec.encode(value, self._refer)

    def call(self, fn: Any, args: Sequence[Any], kwargs: dict[str, Any], strict: bool) -> Any:
        return self.request("call", strict=strict, **self._call_fields(fn, args, kwargs))

    def _call_fields(self, fn: Any, args: Sequence[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "fn": self.encode(fn),
            "args": [self.encode(a) for a in args],
            "kwargs": [[str(k), self.encode(v)] for k, v in kwargs.items()],
        }

    def load(
        self, source: str, modules: Sequence[str] = ()
    ) -> tuple[dict[str, Any], dict[str, dict[str, Any] | BaseException]]:
        """Run the candidate's entry file in the kernel, then import the project's `modules`
        there: the entry's top-level names, and each module's names (as values or handles) or
        the exception importing it raised (not raised here: only a test importing it fails)."""
        reply = self.request("load", source=source, modules=list(modules))
        if type(reply) is not dict or set(reply) != {"names", "modules"}:
            raise ProtocolError("the candidate's code did not come back as names and modules")
        names = _names(reply["names"], "the candidate's names")
        loaded = reply["modules"]
        if type(loaded) is not dict or list(loaded) != list(modules):
            raise ProtocolError("the project's modules did not come back as asked")
        out: dict[str, dict[str, Any] | BaseException] = {}
        for name, module in loaded.items():
            if type(module) is dict and set(module) == {"names"}:
                out[name] = _names(module["names"], f"the names of module {name}")
            elif type(module) is dict and set(module) == {"raised"}:
                try:
                    out[name] = raised_exception(module["raised"])
                except codec.Malformed as exc:
                    raise ProtocolError(
                        f"a malformed reply from the grader kernel: {exc}"
                    ) from None
            else:
                raise ProtocolError(f"module {name} did not come back as names or an error")
        return names, out

    def keep_current(self) -> None:
        """References made so far (the candidate's names, helpers' objects) outlive each test."""
        self._keep = self._next_handle_floor()

    def forget(self) -> None:
        """Drop the references one test made (its caches and models), here and in the kernel."""
        for number in [n for n in self._handles if n > self._keep]:
            del self._handles[number]
        self.request("forget", keep=self._keep)

    def _next_handle_floor(self) -> int:
        return max(self._handles, default=0)

    # --- what tests get ---------------------------------------------------------------------

    def batch(self, calls: Sequence[Sequence[Any]], strict: bool = False) -> list[Any]:
        """`remote_calls` in tests: [(fn, args) or (fn, args, kwargs), ...] in one round trip,
        in order; the list of their results (the first exception raised stops the batch)."""
        encoded = []
        for call in calls:
            kwargs = call[2] if len(call) > 2 else {}
            encoded.append(self._call_fields(call[0], call[1], kwargs))
        results = self.request("batch", calls=encoded, strict=strict)
        if type(results) is not list or len(results) != len(calls):
            raise ProtocolError("a batch's results are not one per call")
        return results

    def strict(self, fn: Any) -> Callable[..., Any]:
        """`warnings_as_errors` in tests: `fn` called with warnings and NumPy floating point
        errors raised in the kernel (the test's own `errstate` holds only on this side)."""

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.call(fn, args, kwargs, strict=True)

        return call

    # --- references -------------------------------------------------------------------------

    def _refer(self, value: Any) -> codec.Node:
        if isinstance(value, RemoteObject) and value._pb_client is self:
            return {"t": "ref", "id": value._pb_id}
        if isinstance(value, RemoteMethod) and value._pb_owner._pb_client is self:
            return {"t": "method", "ref": value._pb_owner._pb_id, "name": value._pb_name}
        named = self._setup.get(id(value))
        if named is not None and named[1] is value:
            return {"t": "setup", "name": named[0]}
        raise codec.Unencodable(
            f"only plain data can be passed to the candidate's code, not {type(value).__name__}"
        )

    def _resolve(self, node: dict[str, Any]) -> Any:
        if node.get("t") != "ref" or set(node) != REF_KEYS:
            raise codec.Malformed("the kernel may only refer to its own objects")
        number = codec.expect(node["id"], int, "reference number")
        type_name = codec.expect(node["type"], str, "type name")[:100]
        is_callable = codec.expect(node["callable"], bool, "callable")
        methods = codec.expect(node["methods"], list, "methods")
        if number < 1 or len(methods) > 200 or not all(_identifier(m) for m in methods):
            raise codec.Malformed("a malformed reference")
        handle = self._handles.get(number)
        if handle is None:
            kind = RemoteCallable if is_callable else RemoteObject
            handle = self._handles[number] = kind(self, number, type_name, frozenset(methods))
        return handle


def _names(value: Any, what: str) -> dict[str, Any]:
    if type(value) is not dict or any(type(k) is not str for k in value):
        raise ProtocolError(f"{what} did not come back as a dict of names")
    return value


def _identifier(name: Any) -> bool:
    return type(name) is str and len(name) <= 100 and name.isidentifier()


def raised_exception(raised: Any) -> BaseException:
    """The exception to raise here for what the candidate's code raised there."""
    if type(raised) is not dict or set(raised) != {"types", "message"}:
        raise codec.Malformed("a malformed exception")
    types = codec.expect(raised["types"], list, "exception types")
    message = codec.expect(raised["message"], str, "exception message")[:MESSAGE_MAX_CHARS]
    if not 1 <= len(types) <= 16 or not all(_identifier(t) for t in types):
        raise codec.Malformed("malformed exception types")
    label = types[0]
    for name in types:
        cls = BUILTIN_EXCEPTIONS.get(name)
        if cls is None or cls is Exception:
            continue
        text = message if name == label else f"{label}: {message}"
        try:
            return cls(text)
        except Exception:  # a builtin that wants more arguments (UnicodeDecodeError, ...)
            break
    return RemoteError(f"{label}: {message}" if message else label)


class RemoteObject:
    """A handle on one of the candidate's objects in the grader kernel (see the module doc)."""

    __slots__ = ("_pb_client", "_pb_id", "_pb_methods", "_pb_type")

    def __init__(
        self, client: Client, number: int, type_name: str, methods: frozenset[str]
    ) -> None:
        self._pb_client = client
        self._pb_id = number
        self._pb_type = type_name
        self._pb_methods = methods

    def _pb_op(self, op: str, **fields: Any) -> Any:
        return self._pb_client.request(op, obj={"t": "ref", "id": self._pb_id}, **fields)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        if name in self._pb_methods:
            return RemoteMethod(self, name)
        return self._pb_op("getattr", name=name)

    def __len__(self) -> int:
        return int(_exactly(int, self._pb_op("len"), "len()"))

    def __bool__(self) -> bool:
        return bool(_exactly(bool, self._pb_op("bool"), "bool()"))

    def __iter__(self) -> Any:
        return iter(_exactly(list, self._pb_op("list"), "iteration"))

    def __getitem__(self, key: Any) -> Any:
        return self._pb_op("getitem", key=self._pb_client.encode(key))

    def __contains__(self, item: Any) -> bool:
        found = self._pb_op("contains", item=self._pb_client.encode(item))
        return bool(_exactly(bool, found, "in"))

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"<the candidate's {self._pb_type} #{self._pb_id}>"


class RemoteCallable(RemoteObject):
    """A handle on a function or class of the candidate's: calling it calls it there."""

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._pb_client.call(self, args, kwargs, strict=False)


class RemoteMethod:
    """`handle.method`, called in one round trip (no separate attribute read)."""

    __slots__ = ("_pb_name", "_pb_owner")

    def __init__(self, owner: RemoteObject, name: str) -> None:
        self._pb_owner = owner
        self._pb_name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._pb_owner._pb_client.call(self, args, kwargs, strict=False)

    def __repr__(self) -> str:
        return f"<method {self._pb_name} of {self._pb_owner!r}>"


def _exactly(kind: type, value: Any, what: str) -> Any:
    if type(value) is not kind:
        raise TypeError(f"{what} of the candidate's object gave {type(value).__name__}")
    return value
