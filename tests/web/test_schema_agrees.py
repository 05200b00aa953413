"""The document schema is named twice, once per language: these tests prove the two say the same.

`server/documents.py` and `web/src/sync/schema.ts` each hold the table (docs, each doc's root
shared types with their kind, the log-only record streams). The TypeScript module is loaded as
the browser would run it: transpiled by the `typescript` package already in `web/node_modules`
and imported by node, so no parser of ours stands between the file and the comparison.
`make test` installs the web dependencies before pytest, so node and them are required here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from server.documents import RECORD_DOCS, schema

WEB = Path(__file__).resolve().parents[2] / "web"
SCHEMA_TS = WEB / "src" / "sync" / "schema.ts"

# Transpiles the module given as argv[1] with the web's own TypeScript, imports it, and prints
# its tables. Key order is kept: JSON objects and Python dicts both preserve insertion order.
_LOADER = """
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
const [web, file] = process.argv.slice(1);
const ts = createRequire(web + "/package.json")("typescript");
const out = ts.transpileModule(readFileSync(file, "utf8"), {
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
});
const url = "data:text/javascript;base64," + Buffer.from(out.outputText).toString("base64");
const m = await import(url);
console.log(JSON.stringify({ docs: m.SCHEMA, records: m.RECORD_DOCS }));
"""


def load_web_schema(path: Path) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None, "node is required (make test installs the web client's deps with it)"
    assert (WEB / "node_modules" / "typescript").is_dir(), "run `make web` first: web/node_modules"
    done = subprocess.run(
        [node, "--input-type=module", "-e", _LOADER, str(WEB), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, Any] = json.loads(done.stdout)
    return loaded


def _ordered(docs: dict[str, dict[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(doc, list(roots.items())) for doc, roots in docs.items()]


def test_the_web_schema_names_the_same_docs_roots_and_kinds_in_the_same_order() -> None:
    web = load_web_schema(SCHEMA_TS)
    assert _ordered(web["docs"]) == _ordered(schema())


def test_the_web_schema_names_the_same_record_streams_in_the_same_order() -> None:
    web = load_web_schema(SCHEMA_TS)
    assert web["records"] == [r.value for r in RECORD_DOCS]


def test_an_edit_to_the_typescript_table_alone_reaches_the_comparison(tmp_path: Path) -> None:
    # Guards the two tests above against a loader that stops reading the file.
    edited = tmp_path / "schema.ts"
    edited.write_text(SCHEMA_TS.read_text().replace('runs: "Array"', 'runz: "Array"', 1))
    docs = load_web_schema(edited)["docs"]
    assert list(docs["console"]) == ["runz", "kernel", "controls", "scenario", "events", "session"]
    assert _ordered(docs) != _ordered(schema())
