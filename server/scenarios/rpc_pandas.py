"""pandas values in the grading RPC (see `rpc_codec`): DataFrame, Series, Index and scalars.

A frame crosses as its column labels, index and one array node per column, each keeping its
dtype exactly (a test on dtypes, such as a data-validation scenario's, sees what was sent):
NumPy dtypes as bytes, tz-aware datetimes as int64 + unit + zone, categoricals as codes +
categories, and a short list of extension dtypes (`EXTENSION_DTYPES`) as their items. Zones cross
by IANA name (only names the system knows) or as a fixed offset. Decoding is as strict as in
`rpc_codec`: exact keys, agreeing lengths, nothing parsed that is not on a list.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from server.scenarios.rpc_codec import (
    Decoder,
    Malformed,
    Node,
    Refer,
    Resolve,
    Unencodable,
    decode_at,
    encode,
    encode_array,
    expect,
    hashable,
)

EXTENSION_DTYPES = frozenset(
    {"str", "string", "boolean", "Float32", "Float64"}
    | {f"{sign}Int{bits}" for sign in ("", "U") for bits in (8, 16, 32, 64)}
)
"""pandas extension dtypes that cross, by name (a name outside this set is never parsed)."""
UNITS = ("s", "ms", "us", "ns")

_zones: set[str] = set()


def known_zones() -> set[str]:
    if not _zones:
        import zoneinfo

        _zones.update(zoneinfo.available_timezones())
    return _zones


# --- encoding ---------------------------------------------------------------------------------


def encode_pandas(value: Any, refer: Refer, depth: int) -> Node | None:
    """The node of a pandas value (None: `value` is not one)."""
    pd = sys.modules["pandas"]
    if isinstance(value, (pd.DataFrame, pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        try:
            return _container(value, refer, depth)
        except Unencodable:  # a dtype that does not cross: the whole value is referred to
            return refer(value)
    if value is pd.NaT:
        return {"t": "NaT"}
    if value is pd.NA:
        return {"t": "NA"}
    if isinstance(value, pd.Timestamp):
        return {"t": "timestamp", "v": int(value.value), "unit": value.unit, "tz": _zone(value.tz)}
    if isinstance(value, pd.Timedelta):
        return {"t": "pd_timedelta", "v": int(value.value), "unit": value.unit}
    return None


def _container(value: Any, refer: Refer, depth: int) -> Node:
    pd = sys.modules["pandas"]
    if isinstance(value, pd.DataFrame):
        data = [_values(value.iloc[:, i], refer, depth) for i in range(value.shape[1])]
        return {
            "t": "frame",
            "columns": _index(value.columns, refer, depth),
            "data": data,
            "index": _index(value.index, refer, depth),
        }
    if isinstance(value, pd.Series):
        return {
            "t": "series",
            "values": _values(value, refer, depth),
            "index": _index(value.index, refer, depth),
            "name": encode(value.name, refer, depth + 1),
        }
    if isinstance(value, pd.Index):
        return _index(value, refer, depth)
    return _values(pd.Series(value), refer, depth)


def _zone(tz: Any) -> Node:
    if tz is None:
        return None
    name = getattr(tz, "key", None) or getattr(tz, "zone", None) or str(tz)
    if name == "UTC" or name in known_zones():
        return str(name)
    offset = tz.utcoffset(None)
    if offset is None:
        raise Unencodable(f"time zone {tz!r} has neither a known name nor a fixed offset")
    return {"offset": int(offset.total_seconds())}


def _values(values: Any, refer: Refer, depth: int) -> Node:
    """The values of a Series or Index as an array node that keeps their dtype."""
    np, pd = sys.modules["numpy"], sys.modules["pandas"]
    dtype = values.dtype
    if isinstance(dtype, np.dtype):
        return encode_array(np, values.to_numpy(), refer, depth)
    if isinstance(dtype, pd.DatetimeTZDtype):
        i8 = np.asarray(values.array.asi8, dtype=np.int64)
        return {
            "t": "dttz",
            "i8": encode_array(np, i8, refer, depth),
            "unit": dtype.unit,
            "tz": _zone(dtype.tz),
        }
    if isinstance(dtype, pd.CategoricalDtype):
        cat = pd.Categorical(values)
        return {
            "t": "cat",
            "codes": encode_array(np, np.asarray(cat.codes), refer, depth),
            "categories": _index(cat.categories, refer, depth),
            "ordered": bool(cat.ordered),
        }
    if str(dtype) in EXTENSION_DTYPES:
        items = [encode(v, refer, depth + 1) for v in list(values.array)]
        return {"t": "ext", "dtype": str(dtype), "items": items}
    raise Unencodable(f"pandas dtype {dtype} does not cross")


def _index(index: Any, refer: Refer, depth: int) -> Node:
    np, pd = sys.modules["numpy"], sys.modules["pandas"]
    if isinstance(index, pd.MultiIndex):
        return {
            "t": "multi",
            "levels": [_index(level, refer, depth + 1) for level in index.levels],
            "codes": [encode_array(np, np.asarray(c), refer, depth) for c in index.codes],
            "names": [encode(n, refer, depth + 1) for n in index.names],
        }
    name = encode(index.name, refer, depth + 1)
    if isinstance(index, pd.RangeIndex):
        start, stop, step = int(index.start), int(index.stop), int(index.step)
        return {"t": "range", "start": start, "stop": stop, "step": step, "name": name}
    return {"t": "index", "values": _values(index, refer, depth), "name": name}


# --- decoding ---------------------------------------------------------------------------------


def _decode_zone(node: Any) -> Any:
    if type(node) is str:
        if node != "UTC" and node not in known_zones():
            raise Malformed(f"time zone {node!r}")
        return node
    if type(node) is dict and set(node) == {"offset"} and type(node["offset"]) is int:
        if abs(node["offset"]) >= 86400:
            raise Malformed("time zone offset out of range")
        return dt.timezone(dt.timedelta(seconds=node["offset"]))
    raise Malformed(f"time zone {node!r}")


def _unit(text: Any) -> str:
    if text not in UNITS:
        raise Malformed(f"time unit {text!r}")
    return str(text)


def _timestamp(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import pandas as pd

    value = expect(node["v"], int, "timestamp")
    if node["tz"] is None:
        return pd.Timestamp(value, unit="ns").as_unit(_unit(node["unit"]))
    ts = pd.Timestamp(value, unit="ns", tz="UTC").tz_convert(_decode_zone(node["tz"]))
    return ts.as_unit(_unit(node["unit"]))


def _timedelta(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import pandas as pd

    value = expect(node["v"], int, "timedelta")
    return pd.Timedelta(value, unit="ns").as_unit(_unit(node["unit"]))


def _array_like(node: Any, resolve: Resolve, depth: int) -> Any:
    """A Series' or Index's values: a one-dimensional ndarray or pandas extension array."""
    if type(node) is not dict or node.get("t") not in ("nd", "ext", "cat", "dttz"):
        raise Malformed("an array of values was expected")
    values = decode_at(node, resolve, depth)
    if getattr(values, "ndim", 1) != 1:
        raise Malformed("values must be one-dimensional")
    return values


def _ext(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import pandas as pd

    if node["dtype"] not in EXTENSION_DTYPES:
        raise Malformed(f"extension dtype {node['dtype']!r}")
    items = [decode_at(v, resolve, depth) for v in expect(node["items"], list, "items")]
    return pd.array(items, dtype=pd.api.types.pandas_dtype(node["dtype"]))


def _categorical(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import pandas as pd

    codes = _array_like(node["codes"], resolve, depth)
    categories = _index_of(node["categories"], resolve, depth)
    ordered = expect(node["ordered"], bool, "ordered")
    return pd.Categorical.from_codes(codes, categories=categories, ordered=ordered)


def _datetime_tz(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import numpy as np
    import pandas as pd

    i8 = _array_like(node["i8"], resolve, depth)
    if i8.dtype != np.dtype("int64"):
        raise Malformed("tz-aware datetimes cross as int64")
    index = pd.DatetimeIndex(i8.view(f"M8[{_unit(node['unit'])}]")).tz_localize("UTC")
    return index.tz_convert(_decode_zone(node["tz"])).array


def _keep_dtype(values: Any) -> dict[str, Any]:
    """Keyword arguments that stop pandas from inferring another dtype (object stays object)."""
    return {"dtype": values.dtype}


def _index_of(node: Any, resolve: Resolve, depth: int) -> Any:
    if type(node) is not dict or node.get("t") not in ("index", "range", "multi"):
        raise Malformed("an index was expected")
    return decode_at(node, resolve, depth)


def _name(node: Any, resolve: Resolve, depth: int) -> Any:
    return hashable(decode_at(node, resolve, depth))


def _plain_index(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import pandas as pd

    values = _array_like(node["values"], resolve, depth)
    return pd.Index(values, name=_name(node["name"], resolve, depth), **_keep_dtype(values))


def _range(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import pandas as pd

    start, stop, step = (expect(node[k], int, k) for k in ("start", "stop", "step"))
    return pd.RangeIndex(start, stop, step, name=_name(node["name"], resolve, depth))


def _multi(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import pandas as pd

    levels = [_index_of(v, resolve, depth) for v in expect(node["levels"], list, "levels")]
    codes = [_array_like(v, resolve, depth) for v in expect(node["codes"], list, "codes")]
    names = [_name(v, resolve, depth) for v in expect(node["names"], list, "names")]
    return pd.MultiIndex(levels=levels, codes=codes, names=names)


def _series(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import pandas as pd

    values = _array_like(node["values"], resolve, depth)
    index = _index_of(node["index"], resolve, depth)
    if len(values) != len(index):
        raise Malformed("series values and index differ in length")
    name = _name(node["name"], resolve, depth)
    series = pd.Series(values, name=name, copy=False, **_keep_dtype(values))
    series.index = index
    return series


def _frame(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
    import pandas as pd

    columns = _index_of(node["columns"], resolve, depth)
    index = _index_of(node["index"], resolve, depth)
    data = [_array_like(v, resolve, depth) for v in expect(node["data"], list, "data")]
    if len(data) != len(columns):
        raise Malformed(f"{len(data)} columns of data for {len(columns)} column labels")
    if any(len(v) != len(index) for v in data):
        raise Malformed("a column's length differs from the index")
    by_position = {i: pd.Series(v, copy=False, **_keep_dtype(v)) for i, v in enumerate(data)}
    frame = pd.DataFrame(by_position, index=pd.RangeIndex(len(index)))
    frame.index = index
    frame.columns = columns
    return frame


def _constant(name: str) -> Decoder:
    def make(node: dict[str, Any], resolve: Resolve, depth: int) -> Any:
        import pandas as pd

        return getattr(pd, name)

    return make


DECODERS: dict[str, tuple[frozenset[str], Decoder]] = {
    "NaT": (frozenset({"t"}), _constant("NaT")),
    "NA": (frozenset({"t"}), _constant("NA")),
    "timestamp": (frozenset({"t", "v", "unit", "tz"}), _timestamp),
    "pd_timedelta": (frozenset({"t", "v", "unit"}), _timedelta),
    "ext": (frozenset({"t", "dtype", "items"}), _ext),
    "cat": (frozenset({"t", "codes", "categories", "ordered"}), _categorical),
    "dttz": (frozenset({"t", "i8", "unit", "tz"}), _datetime_tz),
    "index": (frozenset({"t", "values", "name"}), _plain_index),
    "range": (frozenset({"t", "start", "stop", "step", "name"}), _range),
    "multi": (frozenset({"t", "levels", "codes", "names"}), _multi),
    "series": (frozenset({"t", "values", "index", "name"}), _series),
    "frame": (frozenset({"t", "columns", "data", "index"}), _frame),
}
