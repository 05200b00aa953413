// Pure merge rules of the whiteboard binding. The `board` doc's Y.Map "elements" maps an
// Excalidraw element id to the element's plain JSON. Two people editing different elements never
// touch the same key, so neither loses shapes; for the same element the higher `version` wins
// and equal versions are settled by the lower `versionNonce` (Excalidraw's own tie rule), so
// every client picks the same winner without coordination.

export interface BoardElement {
  id: string;
  version: number;
  versionNonce: number;
  index?: string | null;
  isDeleted?: boolean;
  fileId?: string | null;
  [key: string]: unknown;
}

/** True when `incoming` should replace `current` for the same element id. */
export function wins(incoming: BoardElement, current: BoardElement | undefined): boolean {
  if (!current) return true;
  if (incoming.version !== current.version) return incoming.version > current.version;
  return incoming.versionNonce < current.versionNonce;
}

/** Fractional indices compare as plain strings; elements without one keep their relative order at the end. */
export function byIndex(a: BoardElement, b: BoardElement): number {
  const ai = a.index ?? null;
  const bi = b.index ?? null;
  if (ai === bi) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  if (ai === null) return 1;
  if (bi === null) return -1;
  return ai < bi ? -1 : 1;
}

/** The scene after taking every remote element that wins over the local one, ordered by index. */
export function reconcile(local: readonly BoardElement[], remote: Iterable<BoardElement>): BoardElement[] {
  const merged = new Map<string, BoardElement>();
  for (const el of local) merged.set(el.id, el);
  for (const el of remote) if (wins(el, merged.get(el.id))) merged.set(el.id, el);
  return [...merged.values()].sort(byIndex);
}

/** Local elements that must be written to the doc: new ones, and ones whose change wins there. */
export function outgoing(
  local: readonly BoardElement[],
  stored: (id: string) => BoardElement | undefined,
  sent: Map<string, number>,
): BoardElement[] {
  const out: BoardElement[] = [];
  for (const el of local) {
    if (sent.get(el.id) === el.version) continue;
    sent.set(el.id, el.version);
    if (wins(el, stored(el.id))) out.push(el);
  }
  return out;
}

/** Plain JSON copy: Yjs stores it as an immutable value, and Excalidraw freezes its elements. */
export function toPlain(el: BoardElement): BoardElement {
  return JSON.parse(JSON.stringify(el)) as BoardElement;
}

/** Decoded size in bytes of a base64 data URL. */
export function dataUrlBytes(dataURL: string): number {
  const comma = dataURL.indexOf(",");
  const b64 = comma >= 0 ? dataURL.slice(comma + 1) : dataURL;
  return Math.floor((b64.length * 3) / 4);
}
