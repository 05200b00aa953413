"""Runs inside every kernel at start (IPKernelApp.exec_files); stdlib + ipykernel only.

ipykernel flushes stdout every 0.2 s as one message, so a big print (or a fast print loop)
becomes one message of any size. These hooks:

- splits stream messages into pieces of at most CHUNK characters, so the server's per-run
  output cap can stop a flood after ~1 MiB instead of the transport refusing one giant message;
- stops sending a request's stream output once it is past the server's cap (plus one chunk, so
  the server still sees the cap crossed and says so): without this, the IO thread would go on
  pushing the rest of a 100 MB print after the run ended, and the publisher's queue limit would
  drop the *next* run's output;
- replaces any other output message (a display, a result, a traceback) that would be larger
  than the server's per-message limit with a small `pairboard_dropped` marker: ZMQ would
  otherwise refuse it by dropping the connection, and everything the run printed after it
  would be lost while the server reconnects. The server turns the marker into a notice.

- send a request's first line at once rather than after the flush interval (below).

The candidate can undo this in their own kernel; that only costs them their own output (the
server still caps runs and refuses messages over its size limit).
"""


def _pairboard_chunk_streams() -> None:
    """Replaces each stream's `_flush` (which runs on the IO thread) with one that splits and caps.

    Not an OutStream hook: ipykernel's `_flush` sends every request's buffer in one pass and ends
    the whole pass when a hook returns None, so swallowing a capped flood left over from an
    interrupted run also threw away the next run's output buffered beside it."""
    import contextlib
    import os
    import sys

    from ipykernel.iostream import OutStream

    chunk = 64 * 1024
    limit = int(os.environ.get("KERNEL_OUTPUT_LIMIT", str(1 << 20))) + chunk
    current = [""]  # the request whose output is being counted; flushes run on the IO thread only
    sent = [0]

    def allowed(parent: str, size: int) -> bool:
        if parent != current[0]:
            current[0], sent[0] = parent, 0
        if sent[0] >= limit:
            return False
        sent[0] += size
        return True

    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, OutStream):
            continue

        def flush(stream=stream):  # type: ignore[no-untyped-def]
            stream._flush_pending = False
            stream._subprocess_flush_pending = False
            if stream.echo is not None:
                with contextlib.suppress(OSError):
                    stream.echo.flush()
            for parent, data in stream._flush_buffers():
                msg_id = str(parent.get("msg_id", ""))
                for start in range(0, len(data), chunk):
                    piece = data[start : start + chunk]
                    if not allowed(msg_id, len(piece)):
                        break
                    msg = stream.session.msg(
                        "stream", {"name": stream.name, "text": piece}, parent=parent
                    )
                    for hook in stream._hooks:  # anyone else's hooks still run
                        msg = hook(msg)
                        if msg is None:
                            break
                    else:
                        stream.session.pid = os.getpid()  # as ipykernel's own _flush does
                        stream.session.send(stream.pub_thread, msg, ident=stream.topic)

        stream._flush = flush  # type: ignore[method-assign]


def _pairboard_drop_oversized_outputs() -> None:
    import os

    from ipykernel.kernelapp import IPKernelApp

    limit = int(os.environ.get("KERNEL_MAX_MESSAGE", str(8 << 20)))
    # One Session serves the display publisher, the displayhook and the streams.
    session = IPKernelApp.instance().session
    serialize = session.serialize
    outputs = ("display_data", "update_display_data", "execute_result", "error")

    def guarded(msg, ident=None):  # type: ignore[no-untyped-def]
        frames = serialize(msg, ident)
        if msg["header"].get("msg_type") in outputs and max(map(len, frames)) > limit:
            marker = session.msg(
                "display_data",
                {"data": {}, "metadata": {"pairboard_dropped": True}},
                parent=msg["parent_header"],
            )
            return serialize(marker, ident)
        return frames

    session.serialize = guarded


def _pairboard_first_line_at_once() -> None:
    """A request's first complete line goes out at once instead of after ipykernel's 0.2 s
    flush interval: `print('epoch 1'); train()` shows its line while it trains. Only the first
    line is hurried; later output is batched at the interval as before, so a print loop is
    still a few messages a second, and the hooks above still split and cap it. Ordering is
    kept: the flush is queued on the IO thread like every other send of this kernel."""
    import sys

    from ipykernel.iostream import OutStream

    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, OutStream):
            continue
        write = stream.write
        sent_for = [""]  # the request whose first line went out (writers' threads may race:
        # the worst case is one more early flush)

        def first_line_at_once(string, stream=stream, write=write, sent_for=sent_for):  # type: ignore[no-untyped-def]
            n = write(string)
            if string.endswith("\n"):
                parent = str(stream.parent_header.get("msg_id", ""))
                if parent != sent_for[0]:
                    sent_for[0] = parent
                    stream.pub_thread.schedule(stream._flush)
            return n

        stream.write = first_line_at_once  # type: ignore[method-assign]


_pairboard_chunk_streams()
_pairboard_drop_oversized_outputs()
_pairboard_first_line_at_once()
del _pairboard_chunk_streams, _pairboard_drop_oversized_outputs, _pairboard_first_line_at_once
