"""Runs inside every kernel at start (IPKernelApp.exec_files); stdlib + ipykernel only.

ipykernel flushes stdout every 0.2 s as one message, so a big print (or a fast print loop)
becomes one message of any size. Split stream messages into pieces of at most CHUNK characters,
so the server's per-run output cap can stop a flood after ~1 MiB instead of the transport
refusing one giant message. The candidate can undo this in their own kernel; that only costs
them their output (the server still refuses messages over its size limit).
"""


def _pairboard_chunk_streams() -> None:
    import sys

    from ipykernel.iostream import OutStream

    chunk = 64 * 1024

    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, OutStream):
            continue

        def hook(msg, stream=stream):  # type: ignore[no-untyped-def]
            text = msg["content"].get("text", "")
            if len(text) <= chunk:
                return msg
            for start in range(0, len(text), chunk):
                part = stream.session.msg(
                    "stream",
                    {"name": msg["content"]["name"], "text": text[start : start + chunk]},
                    parent=msg["parent_header"],
                )
                stream.session.send(stream.pub_thread, part, ident=stream.topic)
            return None

        # Hooks are thread-local and flushes happen on the IO thread: register it there.
        stream.pub_thread.schedule(lambda stream=stream, hook=hook: stream.register_hook(hook))


_pairboard_chunk_streams()
del _pairboard_chunk_streams
