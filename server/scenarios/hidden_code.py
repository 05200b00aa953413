"""Hidden code in a kernel that leaves no source behind (a scenario's setup, its faults).

Sent as it is, hidden code would stay readable in the kernel after it ran: IPython puts every
cell's text into `linecache` (so `inspect.getsource` of a setup function, or a traceback through
it, shows its lines and comments) and keeps the last cell in `get_ipython().last_execution_result`.
`silent=True` (see `KernelHandle.execute`) already keeps it out of `In`, `_ih`, `Out` and the
history. So the cell sent is a small wrapper that compiles the hidden source under a filename
`linecache` never caches, removes the wrapper's own `linecache` entry (found by a nonce), reports
how the code ended on stdout instead of raising (a raised exception would keep the wrapper's
frame, the source among its constants, in `sys.last_traceback`), and deletes itself; `SCRUB`,
run right after, replaces the kernel's record of the last cell.

This hides the source from a candidate who looks afterwards. It cannot hide it from one who
watches: code in the candidate's kernel can hook IPython and see the next cell arrive. Hence the
rule for scenario authors (docs/SCENARIOS.md): nothing that runs in the candidate's kernel may
carry an answer or a hidden test.
"""

from __future__ import annotations

import secrets

from kernels.provider import Finished, KernelHandle, Stream

FILENAME = "<pairboard-hidden>"
MARKER = "@@pairboard-hidden@@"
SCRUB = ""
"""An empty cell: afterwards `last_execution_result` holds it instead of the hidden cell."""

_TEMPLATE = """\
def __pairboard_hidden(source, nonce):
    import linecache
    try:
        exec(compile(source, {filename!r}, "exec"), globals())
        status = "ok"
    except BaseException as exc:
        status = "error " + type(exc).__name__ + ": " + str(exc)[:300]
    finally:
        for key, entry in list(linecache.cache.items()):
            if len(entry) > 2 and any(nonce in line for line in entry[2]):
                linecache.cache.pop(key, None)
    print({marker!r} + status.replace("\\n", " "), flush=True)
try:
    __pairboard_hidden({source!r}, {nonce!r})
finally:
    del __pairboard_hidden
"""


def program(source: str) -> str:
    """The cell that runs `source` (see the module docstring)."""
    nonce = "pairboard-" + secrets.token_hex(12)
    return _TEMPLATE.format(filename=FILENAME, marker=MARKER, source=source, nonce=nonce)


def status(stdout: str) -> str:
    """ "ok", "error <Name>: <message>", or "" when the program printed no status."""
    lines = [ln for ln in stdout.splitlines() if ln.startswith(MARKER)]
    return lines[-1][len(MARKER) :] if lines else ""


async def collect(kernel: KernelHandle, code: str) -> tuple[str, Finished | None]:
    """Stdout of one silent execution and how it finished: hidden code's output comes back to
    the server only, never to a console."""
    out: list[str] = []
    finished: Finished | None = None
    async for event in kernel.execute(code, silent=True):
        if isinstance(event, Stream) and event.name == "stdout":
            out.append(event.text)
        elif isinstance(event, Finished):
            finished = event
    return "".join(out), finished
