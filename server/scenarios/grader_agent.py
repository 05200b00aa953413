"""The grader kernel's side of the grading RPC: it loads the candidate's code and answers calls.

This module's source is sent into the grader kernel and runs there, next to the candidate's
code, so nothing here is trusted: a candidate can patch it, and whatever it replies is only
"what the candidate's code answered". The trusted process decodes every reply strictly
(`rpc_codec`) and decides every verdict itself (`trusted_runner.py`). What this side does is be
useful to an honest candidate: run each request's candidate code with its prints swallowed,
reply with exactly one marked line, and refer to objects that are not plain data by number.

Requests (one per kernel execution, `Agent.serve`): {"id": n, "op": ..., ...}
  load {source, modules}             the candidate's entry file, then each of the project's
                                     modules imported (from the files in the kernel's working
                                     directory); the reply: {"names": {name: value},
                                     "modules": {module: {"names": ...} | {"raised": ...}}}
  call {fn, args, kwargs, strict}    fn(*args, **kwargs); strict: warnings and NumPy overflow,
                                     invalid and divide errors raise
  batch {calls: [{fn, args, kwargs}], strict}    several calls, one round trip; a list
  getattr {obj, name} | len {obj} | bool {obj} | list {obj} | getitem {obj, key}
  contains {obj, item} | forget {keep}           drop references numbered above `keep`
Replies: {"id": n, "ok": node} or {"id": n, "raised": {"types": [class names, MRO order],
"message": str}}, printed on one line after `MARKER`.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import sys
import warnings
from collections.abc import Iterator
from typing import Any, TextIO

MARKER = "@@pairboard-rpc@@"
"""Starts the line of each reply (the server reads only such lines of an execution's stdout)."""
EXPORT_VALUE_MAX_CHARS = 256 * 1024
"""A top-level plain value of the candidate's larger than this (encoded) is sent as a reference:
the load reply must fit in one execution's output."""
MESSAGE_MAX_CHARS = 2000


class _Discard:
    """Where the candidate's prints go while a request runs their code."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class Agent:
    """Serves requests against the candidate's code loaded into a copy of `namespace`."""

    def __init__(self, codec: Any, namespace: dict[str, Any], out: TextIO) -> None:
        self._codec = codec  # `rpc_codec`, passed in: in the kernel no package imports it
        self._setup = dict(namespace)  # the kernel's globals after the scenario's setup
        self._out = out
        self._solution: dict[str, Any] = {}
        self._refs: dict[int, Any] = {}
        self._numbers: dict[int, int] = {}  # id(object) -> its reference number
        self._next = 1

    def serve(self, text: str) -> None:
        request_id = None
        try:
            request = json.loads(text)
            request_id = request["id"]
            reply = {"id": request_id, "ok": self._dispatch(request)}
        except BaseException as exc:  # the candidate's code may raise anything, SystemExit too
            reply = {"id": request_id, "raised": _raised(exc)}
        line = self._codec.dumps(reply)
        self._out.write("\n" + MARKER + line + "\n")
        self._out.flush()

    # --- requests ---------------------------------------------------------------------------

    def _dispatch(self, request: dict[str, Any]) -> Any:
        op = request["op"]
        if op == "load":
            return self._load(str(request["source"]), [str(m) for m in request["modules"]])
        if op == "forget":
            self._forget(int(request["keep"]))
            return None
        with self._quiet(), self._strict(bool(request.get("strict"))):
            value = self._run(op, request)
        return self._codec.encode(value, self._refer)

    def _run(self, op: str, request: dict[str, Any]) -> Any:
        if op == "call":
            return self._call(request)
        if op == "batch":
            return [self._call(call) for call in request["calls"]]
        target = self._decode(request["obj"])
        if op == "getattr":
            return getattr(target, str(request["name"]))
        if op == "len":
            return len(target)
        if op == "bool":
            return bool(target)
        if op == "list":
            return list(target)
        if op == "getitem":
            return target[self._decode(request["key"])]
        if op == "contains":
            return self._decode(request["item"]) in target
        raise ValueError(f"unknown request {op!r}")

    def _call(self, call: dict[str, Any]) -> Any:
        fn = self._decode(call["fn"])
        args = [self._decode(a) for a in call["args"]]
        kwargs = {str(k): self._decode(v) for k, v in call["kwargs"]}
        return fn(*args, **kwargs)

    def _load(self, source: str, modules: list[str]) -> Any:
        namespace = dict(self._setup)
        namespace.pop("__pairboard_agent", None)
        namespace["__name__"] = "solution"
        with self._quiet():
            exec(compile(source, "solution.py", "exec"), namespace)
        self._solution = namespace
        exports = []
        for name in sorted(namespace):
            value = namespace[name]
            if name.startswith("__") or (name in self._setup and self._setup[name] is value):
                continue
            exports.append([name, self._export(value)])
        imported = [[name, self._import(name)] for name in modules]  # in the order asked
        return {
            "t": "dict",
            "v": [
                ["names", {"t": "dict", "v": exports}],
                ["modules", {"t": "dict", "v": imported}],
            ],
        }

    def _import(self, name: str) -> Any:
        """One project module's names, or how importing it failed (a test that imports it
        raises that)."""
        import importlib

        try:
            with self._quiet():
                module = importlib.import_module(name)
            public = sorted((k, v) for k, v in vars(module).items() if not k.startswith("__"))
            names = [[k, self._export(v)] for k, v in public]
            return {"t": "dict", "v": [["names", {"t": "dict", "v": names}]]}
        except BaseException as exc:
            raised = self._codec.encode(_raised(exc), _refuse)
            return {"t": "dict", "v": [["raised", raised]]}

    def _export(self, value: Any) -> Any:
        codec = self._codec
        if _surely_too_big(value):
            return self._refer(value)
        try:
            node = codec.encode(value, _refuse)
            if len(codec.dumps(node)) <= EXPORT_VALUE_MAX_CHARS:
                return node
        except (TypeError, ValueError):  # not plain data (Unencodable is a TypeError)
            pass
        return self._refer(value)

    def _forget(self, keep: int) -> None:
        for number in [n for n in self._refs if n > keep]:
            self._numbers.pop(id(self._refs.pop(number)), None)
        self._next = max(keep, max(self._refs, default=0)) + 1

    # --- references -------------------------------------------------------------------------

    def _refer(self, value: Any) -> dict[str, Any]:
        number = self._numbers.get(id(value))
        if number is None or self._refs.get(number) is not value:
            number, self._next = self._next, self._next + 1
            self._refs[number] = value
            self._numbers[id(value)] = number
        return {
            "t": "ref",
            "id": number,
            "type": _type_name(value),
            "callable": callable(value),
            "methods": _methods(value),
        }

    def _resolve(self, node: dict[str, Any]) -> Any:
        if node["t"] == "ref":
            return self._refs[int(node["id"])]
        if node["t"] == "method":
            return getattr(self._refs[int(node["ref"])], str(node["name"]))
        return self._setup[str(node["name"])]  # "setup": the kernel's own copy of a setup name

    def _decode(self, node: Any) -> Any:
        return self._codec.decode(node, self._resolve)

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        with contextlib.redirect_stdout(_Discard()), contextlib.redirect_stderr(_Discard()):
            yield

    @contextlib.contextmanager
    def _strict(self, strict: bool) -> Iterator[None]:
        if not strict:
            yield
            return
        import numpy

        errors = numpy.errstate(over="raise", invalid="raise", divide="raise")
        with warnings.catch_warnings(), errors:
            warnings.simplefilter("error")
            yield


def _surely_too_big(value: Any) -> bool:
    """An array or pandas object with more elements than the export limit has characters: every
    element encodes to at least one, so it would be a reference anyway. Known from its size
    alone; encoding a notebook's 30,000-row frames only to throw the text away took seconds of
    the load's time limit. Exact types only (a candidate's subclass takes the general path)."""
    kinds: list[type] = []
    numpy, pandas = sys.modules.get("numpy"), sys.modules.get("pandas")
    if numpy is not None:
        kinds.append(numpy.ndarray)
    if pandas is not None:
        kinds.extend((pandas.DataFrame, pandas.Series, pandas.Index))
    return type(value) in kinds and int(value.size) > EXPORT_VALUE_MAX_CHARS


def _refuse(value: Any) -> Any:
    raise TypeError("not plain data")


def _type_name(value: Any) -> str:
    try:
        return str(type(value).__qualname__)[:100]
    except Exception:
        return "object"


def _methods(value: Any) -> list[str]:
    """Public methods of an instance's class: the trusted side calls them in one round trip."""
    if isinstance(value, type) or inspect.isroutine(value):
        return []
    try:
        kind = type(value)
        names = [n for n in dir(kind) if not n.startswith("_")]
        return [n for n in names if callable(getattr(kind, n, None))][:200]
    except Exception:
        return []


def _raised(exc: BaseException) -> dict[str, Any]:
    try:
        types = [c.__name__ for c in type(exc).__mro__][:16]
        message = str(exc)[:MESSAGE_MAX_CHARS]
    except BaseException:
        types, message = ["Exception"], "an exception that could not be described"
    return {"types": types, "message": message}
