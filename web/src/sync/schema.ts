// The document schema: which Yjs docs a session has, and the shared types at the root of each.
//
// Named once here for the browser and once in `server/documents.py` for the server;
// `tests/web/test_schema_agrees.py` checks that the two tables say the same, in the same order.
// Every component reaches a doc and its contents through `DOC`, `RECORD` and `roots` instead of
// string literals, so a renamed doc or key is a type error, not a silently empty map.
//
// This module has no runtime import (only types from yjs): the agreement test loads it with the
// TypeScript compiler alone.
import type * as Y from "yjs";

/** Doc name -> root key -> shared type, exactly what `server.documents.schema()` returns. */
export const SCHEMA = {
  code: { source: "Text", files: "Map" },
  board: { elements: "Map", files: "Map" },
  console: { runs: "Array", kernel: "Map", controls: "Map", scenario: "Map", events: "Array", session: "Map" },
  notes: { notes: "Text", rubric: "Map", grades: "Map" },
  notebook: { cells: "Array", meta: "Map", state: "Map" },
} as const;

/** Log-only streams of non-Yjs records (cursor samples, integrity signals, comments): never rooms. */
export const RECORD_DOCS = ["awareness", "signals", "comments"] as const;

type Schema = typeof SCHEMA;
/** A live document of a session: a websocket room and a stream in the update log. */
export type DocName = keyof Schema;
export type RecordDoc = (typeof RECORD_DOCS)[number];
type Kind = "Text" | "Map" | "Array";

/** Every live doc, in the schema's order. */
export const DOCS = Object.keys(SCHEMA) as readonly DocName[];

function names<N extends string>(all: readonly N[]): { readonly [K in N]: K } {
  return Object.fromEntries(all.map((n) => [n, n])) as { [K in N]: K };
}

/** `DOC.code` is the name of the code doc (for `RoomSync.link`, log fetches, cursor samples). */
export const DOC = names(DOCS);
/** `RECORD.awareness` is the name of the cursor-sample stream in the update log. */
export const RECORD = names(RECORD_DOCS);

/** What a root accessor returns; the element type is the caller's claim, as with `doc.getMap<T>`. */
type Accessor<K extends Kind> = K extends "Text"
  ? (doc: Y.Doc) => Y.Text
  : K extends "Map"
    ? <T = unknown>(doc: Y.Doc) => Y.Map<T>
    : <T = unknown>(doc: Y.Doc) => Y.Array<T>;

type Roots = { readonly [D in DocName]: { readonly [R in keyof Schema[D]]: Accessor<Schema[D][R] & Kind> } };

function accessor(key: string, kind: Kind): (doc: Y.Doc) => Y.Text | Y.Map<unknown> | Y.Array<unknown> {
  if (kind === "Text") return (doc) => doc.getText(key);
  if (kind === "Map") return (doc) => doc.getMap(key);
  return (doc) => doc.getArray(key);
}

/** `roots.console.runs(doc)` is that doc's runs array; `roots.code.source(doc)` its Y.Text. */
export const roots = Object.fromEntries(
  DOCS.map((d) => [
    d,
    Object.fromEntries(Object.entries(SCHEMA[d]).map(([key, kind]) => [key, accessor(key, kind as Kind)])),
  ]),
) as unknown as Roots;
