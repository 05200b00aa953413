"""The sans-I/O message layer shared by both providers: framing, event mapping, output cap."""

from __future__ import annotations

from kernels.messages import (
    RunTracker,
    decode_ws_json,
    decode_ws_v1,
    encode_ws_json,
    encode_ws_v1,
    execute_request,
    format_bytes,
    input_reply,
    parent_id,
)
from kernels.provider import Display, Error, Finished, InputRequest, Notice, Stream


def _reply(msg_id: str, msg_type: str, content: dict[str, object]) -> dict[str, object]:
    return {
        "header": {"msg_id": "x", "msg_type": msg_type},
        "msg_type": msg_type,
        "parent_header": {"msg_id": msg_id},
        "metadata": {},
        "content": content,
    }


def test_v1_frame_round_trips_and_matches_jupyter_server_layout() -> None:
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

    msg = execute_request("print('é')", "sess")
    frame = encode_ws_v1("shell", msg)
    channel, parts = deserialize_msg_from_ws_v1(frame)
    assert channel == "shell"
    assert len(parts) == 4
    channel2, back = decode_ws_v1(frame)
    assert channel2 == "shell"
    assert back["header"] == msg["header"]
    assert back["content"] == msg["content"]
    assert back["buffers"] == []


def test_json_frame_round_trips() -> None:
    msg = execute_request("1+1", "sess")
    channel, back = decode_ws_json(encode_ws_json("shell", msg))
    assert channel == "shell"
    assert back["msg_id"] == msg["msg_id"]
    assert back["content"]["code"] == "1+1"
    assert parent_id(back) == ""


def test_tracker_maps_outputs_in_order_and_completes_on_reply_and_idle() -> None:
    t = RunTracker("m", 1 << 20)
    out = []
    out += t.feed("iopub", _reply("m", "stream", {"name": "stdout", "text": "a\n"}))
    out += t.feed("iopub", _reply("m", "display_data", {"data": {"text/html": "<b>"}}))
    out += t.feed("iopub", _reply("m", "execute_result", {"data": {"text/plain": "2"}}))
    out += t.feed("shell", _reply("m", "execute_reply", {"status": "ok"}))
    assert not t.complete
    out += t.feed("iopub", _reply("m", "status", {"execution_state": "idle"}))
    assert t.complete
    assert out == [
        Stream("stdout", "a\n"),
        Display("display", {"text/html": "<b>"}),
        Display("result", {"text/plain": "2"}),
    ]
    assert t.finished(5) == Finished("ok", 5)


def test_tracker_reports_error_and_keyboard_interrupt() -> None:
    t = RunTracker("m", 1 << 20)
    ev = t.feed(
        "iopub",
        _reply("m", "error", {"ename": "ZeroDivisionError", "evalue": "x", "traceback": ["tb"]}),
    )
    assert ev == [Error("ZeroDivisionError", "x", ["tb"])]
    t.feed("shell", _reply("m", "execute_reply", {"status": "error", "ename": "ZeroDivisionError"}))
    assert t.finished(1).status == "error"
    k = RunTracker("m", 1 << 20)
    k.feed("shell", _reply("m", "execute_reply", {"status": "error", "ename": "KeyboardInterrupt"}))
    assert k.finished(1) == Finished("interrupted", 1, "interrupted")


def test_output_cap_keeps_the_head_adds_one_notice_and_asks_for_an_interrupt() -> None:
    t = RunTracker("m", 10)
    first = t.feed("iopub", _reply("m", "stream", {"name": "stdout", "text": "12345678"}))
    second = t.feed("iopub", _reply("m", "stream", {"name": "stdout", "text": "abcdef"}))
    third = t.feed("iopub", _reply("m", "stream", {"name": "stdout", "text": "zzz"}))
    assert first == [Stream("stdout", "12345678")]
    assert second == [Stream("stdout", "ab"), Notice(t.truncation_text())]
    assert third == []
    assert t.wants_interrupt
    assert t.finished(3).status == "interrupted"
    assert "output limit of 10 bytes" in t.finished(3).reason


def test_format_bytes_uses_the_configured_unit() -> None:
    assert format_bytes(1 << 20) == "1 MiB"
    assert format_bytes(1 << 30) == "1 GiB"
    assert format_bytes(1500) == "1500 bytes"


DROPPED = {"data": {}, "metadata": {"pairboard_dropped": True}}


def test_an_output_too_large_to_send_becomes_a_notice_and_later_outputs_go_on() -> None:
    t = RunTracker("m", 1 << 20, message_limit_bytes=8 << 20)
    out = t.feed("iopub", _reply("m", "stream", {"name": "stdout", "text": "before\n"}))
    out += t.feed("iopub", _reply("m", "display_data", DROPPED))
    out += t.feed("iopub", _reply("m", "stream", {"name": "stdout", "text": "after\n"}))
    t.feed("shell", _reply("m", "execute_reply", {"status": "ok"}))
    assert out == [
        Stream("stdout", "before\n"),
        Notice("output dropped: a single output exceeded 8 MiB"),
        Stream("stdout", "after\n"),
    ]
    assert (t.truncated, t.wants_interrupt, t.finished(2)) == (False, False, Finished("ok", 2))


def test_dropped_output_notices_count_against_the_output_cap() -> None:
    t = RunTracker("m", 100, message_limit_bytes=8 << 20)
    out = [e for _ in range(5) for e in t.feed("iopub", _reply("m", "display_data", DROPPED))]
    notice = Notice("output dropped: a single output exceeded 8 MiB")
    assert out == [notice, notice, Notice(t.truncation_text())]
    assert t.wants_interrupt


def test_stdin_is_allowed_only_when_asked_and_never_for_silent_code() -> None:
    assert execute_request("x", "s")["content"]["allow_stdin"] is False
    assert execute_request("x", "s", stdin=True)["content"]["allow_stdin"] is True
    assert execute_request("x", "s", silent=True, stdin=True)["content"]["allow_stdin"] is False


def test_an_input_request_becomes_an_event_taken_once_and_answered_under_its_header() -> None:
    t = RunTracker("m", 1 << 20)
    request = _reply("m", "input_request", {"prompt": "pw: ", "password": True})
    assert t.feed("stdin", request) == [InputRequest("pw: ", True)]
    assert t.feed("stdin", _reply("m", "unknown_stdin", {})) == []
    taken = t.take_input()
    assert taken is request
    assert t.take_input() is None
    reply = input_reply("hunter2", "sess", request)
    assert (reply["msg_type"], reply["content"]) == ("input_reply", {"value": "hunter2"})
    assert reply["parent_header"] == {"msg_id": "x", "msg_type": "input_request"}
