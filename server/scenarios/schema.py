"""`scenarios/schema.json`: the JSON Schema of the scenario file format, generated from the model.

Regenerate with `python -m server.scenarios.schema`; a test fails when the committed file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from server.scenarios.loader import DEFAULT_LIBRARY
from server.scenarios.model import Scenario

SCHEMA_PATH = DEFAULT_LIBRARY / "schema.json"


def render_schema() -> str:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Pairboard scenario"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(render_schema(), encoding="utf-8")
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_PATH
    print(write_schema(target))
