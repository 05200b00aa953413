"""Text that enters through the API: a `str` the rest of the server can store and encode.

JSON may spell a lone UTF-16 surrogate (`"\\udc80"`), and Python's JSON parser turns it into a
`str` that no UTF-8 encoder accepts: SQLite, PostgreSQL, Redis and pycrdt all fail on it, far from
the request that brought it in (a reviewer so named made every group commit that carried one of
their cursor samples fail). NUL is refused too: PostgreSQL's text type cannot hold it. `Text`
refuses both at the boundary, where a 422 can say which field.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


class BadText(ValueError):
    """A string that is not valid Unicode text (it holds a lone surrogate)."""


def encodable(value: str) -> str:
    """`value` unchanged if every store can keep it; `BadText` (a ValueError) otherwise."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadText(
            f"not valid Unicode text: a lone surrogate {value[exc.start]!r} at {exc.start}"
        ) from None
    if "\x00" in value:  # PostgreSQL's text type refuses NUL
        raise BadText(f"text may not contain NUL (at {value.index(chr(0))})")
    return value


# A `str` field that rejects lone surrogates (pydantic reports the message as a 422).
Text = Annotated[str, AfterValidator(encodable)]
