import { describe, expect, test } from "vitest";
import { byIndex, dataUrlBytes, outgoing, reconcile, toPlain, wins, type BoardElement } from "./reconcile";

const el = (id: string, version: number, versionNonce: number, extra: Partial<BoardElement> = {}): BoardElement => ({
  id,
  version,
  versionNonce,
  ...extra,
});

const ids = (els: readonly BoardElement[]) => els.map((e) => `${e.id}@${e.version}`);

describe("wins", () => {
  test("an element the other side does not have wins", () => {
    expect(wins(el("a", 1, 5), undefined)).toBe(true);
  });

  test("the higher version wins whatever the nonces", () => {
    expect(wins(el("a", 3, 900), el("a", 2, 1))).toBe(true);
    expect(wins(el("a", 2, 1), el("a", 3, 900))).toBe(false);
  });

  test("equal versions are settled by the lower versionNonce", () => {
    expect(wins(el("a", 2, 10), el("a", 2, 20))).toBe(true);
    expect(wins(el("a", 2, 20), el("a", 2, 10))).toBe(false);
  });

  test("an identical element does not win, so re-applying it changes nothing", () => {
    expect(wins(el("a", 2, 10), el("a", 2, 10))).toBe(false);
  });
});

describe("byIndex", () => {
  test("orders by fractional index as plain strings, elements without one last, ties by id", () => {
    const sorted = [
      el("z", 1, 1, { index: null }),
      el("b", 1, 1, { index: "a1" }),
      el("y", 1, 1),
      el("a", 1, 1, { index: "a1" }),
      el("c", 1, 1, { index: "a0V" }),
    ].sort(byIndex);
    expect(sorted.map((e) => e.id)).toEqual(["c", "a", "b", "y", "z"]);
  });
});

describe("reconcile", () => {
  test("takes remote elements that win, keeps local ones that win, adds remote-only ones", () => {
    const local = [el("a", 2, 1, { index: "a0" }), el("b", 5, 1, { index: "a1" })];
    const remote = [el("a", 3, 1, { index: "a0" }), el("b", 4, 1, { index: "a1" }), el("c", 1, 1, { index: "a2" })];
    expect(ids(reconcile(local, remote))).toEqual(["a@3", "b@5", "c@1"]);
  });

  test("keeps deleted elements (tombstones) so a deletion is not undone by an older copy", () => {
    const local = [el("a", 4, 1, { isDeleted: true })];
    const merged = reconcile(local, [el("a", 3, 1)]);
    expect(merged).toEqual([el("a", 4, 1, { isDeleted: true })]);
  });

  test("two clients that exchange their scenes end with the same scene", () => {
    const mine = [el("a", 2, 7, { index: "a0" }), el("b", 1, 1, { index: "a1" })];
    const theirs = [el("a", 2, 3, { index: "a0" }), el("c", 1, 1, { index: "a2" })];
    const atMine = reconcile(mine, theirs);
    const atTheirs = reconcile(theirs, mine);
    expect(atMine).toEqual(atTheirs);
    expect(atMine[0].versionNonce).toBe(3);
  });
});

describe("outgoing", () => {
  test("sends new elements and remembers the version sent", () => {
    const sent = new Map<string, number>();
    const out = outgoing([el("a", 1, 1)], () => undefined, sent);
    expect(ids(out)).toEqual(["a@1"]);
    expect([...sent]).toEqual([["a", 1]]);
  });

  test("does not send a version it already sent", () => {
    const sent = new Map([["a", 1]]);
    expect(outgoing([el("a", 1, 1)], () => undefined, sent)).toEqual([]);
  });

  test("does not overwrite a newer stored element, but marks the local version as handled", () => {
    const sent = new Map<string, number>();
    const stored = new Map([["a", el("a", 9, 1)]]);
    expect(outgoing([el("a", 2, 1)], (id) => stored.get(id), sent)).toEqual([]);
    expect(sent.get("a")).toBe(2);
  });

  test("sends a changed element that wins over the stored one", () => {
    const stored = new Map([["a", el("a", 2, 50)]]);
    const out = outgoing([el("a", 2, 10), el("b", 1, 1)], (id) => stored.get(id), new Map([["b", 1]]));
    expect(ids(out)).toEqual(["a@2"]);
  });
});

describe("toPlain", () => {
  test("returns a mutable deep copy of a frozen element", () => {
    const frozen = Object.freeze(el("a", 1, 1, { points: Object.freeze([[0, 0]]) }));
    const copy = toPlain(frozen);
    expect(copy).toEqual(frozen);
    expect(copy).not.toBe(frozen);
    expect(Object.isFrozen(copy)).toBe(false);
    expect(copy.points).not.toBe(frozen.points);
  });
});

describe("dataUrlBytes", () => {
  test("counts the decoded bytes of the base64 payload after the comma", () => {
    expect(dataUrlBytes("data:image/png;base64,QUJD")).toBe(3);
    expect(dataUrlBytes("data:image/png;base64,QUJDREVG")).toBe(6);
  });

  test("reads a bare base64 string as the payload", () => {
    expect(dataUrlBytes("QUJDREVG")).toBe(6);
  });

  test("counts padding as bytes: an upper bound, never under the real size", () => {
    expect(dataUrlBytes("data:image/png;base64,QQ==")).toBe(3);
  });
});
