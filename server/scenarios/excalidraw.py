"""Compact scenario board shapes -> full Excalidraw element JSON (pure, deterministic).

Scenario authors write `{id, type, x, y, label}`; the whiteboard's `board.elements` map holds
what Excalidraw itself would store. Seeds and nonces derive from the element id, so seeding the
same scenario twice gives identical elements (and replays are stable).
"""

from __future__ import annotations

import hashlib
from typing import Any

from server.scenarios.model import BoardElement

FONT_FAMILY = 1  # Virgil, Excalidraw's hand-drawn font
LINE_HEIGHT = 1.25


def _number(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % 2_000_000_000


def _base(element_id: str, kind: str, x: float, y: float, w: float, h: float) -> dict[str, Any]:
    return {
        "id": element_id,
        "type": kind,
        "x": x,
        "y": y,
        "width": w,
        "height": h,
        "angle": 0,
        "strokeColor": "#1e1e1e",
        "backgroundColor": "transparent",
        "fillStyle": "solid",
        "strokeWidth": 2,
        "strokeStyle": "solid",
        "roughness": 1,
        "opacity": 100,
        "groupIds": [],
        "frameId": None,
        "roundness": None,
        "seed": _number(element_id + ":seed"),
        "version": 1,
        "versionNonce": _number(element_id + ":nonce"),
        "isDeleted": False,
        "boundElements": [],
        "updated": 1,
        "link": None,
        "locked": False,
    }


def _text(
    element_id: str,
    text: str,
    x: float,
    y: float,
    font_size: int,
    color: str,
    container: str | None,
) -> dict[str, Any]:
    lines = text.split("\n")
    width = max(len(line) for line in lines) * font_size * 0.55
    height = len(lines) * font_size * LINE_HEIGHT
    element = _base(element_id, "text", x, y, width, height)
    element.update(
        {
            "strokeColor": color,
            "text": text,
            "originalText": text,
            "fontSize": font_size,
            "fontFamily": FONT_FAMILY,
            "textAlign": "center" if container else "left",
            "verticalAlign": "middle" if container else "top",
            "containerId": container,
            "lineHeight": LINE_HEIGHT,
            "autoResize": True,
        }
    )
    return element


def expand(elements: list[BoardElement]) -> list[dict[str, Any]]:
    """Excalidraw elements for `elements`, labels and arrow bindings included, in order."""
    out: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for el in elements:
        if el.type == "text":
            item = _text(el.id, el.text or "", el.x, el.y, el.font_size, el.stroke_color, None)
            out.append(item)
            by_id[el.id] = item
            continue
        item = _base(el.id, el.type, el.x, el.y, el.width, el.height)
        item["strokeColor"] = el.stroke_color
        item["backgroundColor"] = el.background_color
        if el.type == "rectangle":
            item["roundness"] = {"type": 3}
        out.append(item)
        by_id[el.id] = item
        if el.type == "arrow":
            points = [list(p) for p in (el.points or [(0.0, 0.0), (el.width, 0.0)])]
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            item.update(
                {
                    "roundness": {"type": 2},
                    "points": points,
                    "width": max(xs) - min(xs),
                    "height": max(ys) - min(ys),
                    "lastCommittedPoint": None,
                    "startBinding": _binding(el.start),
                    "endBinding": _binding(el.end),
                    "startArrowhead": None,
                    "endArrowhead": "arrow",
                    "elbowed": False,
                }
            )
            for target in (el.start, el.end):
                if target is not None and target in by_id:
                    by_id[target]["boundElements"].append({"id": el.id, "type": "arrow"})
        if el.label:
            label_id = f"{el.id}-label"
            label = _text(label_id, el.label, 0, 0, el.font_size, el.stroke_color, el.id)
            label["x"] = el.x + (el.width - label["width"]) / 2
            label["y"] = el.y + (el.height - label["height"]) / 2
            if el.type == "arrow":
                label["containerId"] = el.id
            item["boundElements"].append({"id": label_id, "type": "text"})
            out.append(label)
    return out


def _binding(target: str | None) -> dict[str, Any] | None:
    if target is None:
        return None
    return {"elementId": target, "focus": 0, "gap": 4}
