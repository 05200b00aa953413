// Whether two snapshots of an output show the same thing (pure): the memo test of OutputView.
// Every doc change gives fresh JSON snapshots, so identity says nothing; comparing the content
// is cheap (string equality is a memory compare) next to re-sanitising and redrawing it.
import type { Output } from "./types";

function sameData(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => a[k] === b[k] || JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

export function sameOutput(a: Output, b: Output): boolean {
  if (a === b) return true;
  switch (a.type) {
    case "stream":
      return b.type === "stream" && a.name === b.name && a.text === b.text;
    case "error":
      return (
        b.type === "error" &&
        a.ename === b.ename &&
        a.evalue === b.evalue &&
        (a.traceback ?? []).join("\n") === (b.traceback ?? []).join("\n")
      );
    case "notice":
      return b.type === "notice" && a.text === b.text;
    case "input":
      return b.type === "input" && a.prompt === b.prompt && a.value === b.value && a.password === b.password;
    case "display":
    case "result":
      return b.type === a.type && sameData(a.data ?? {}, b.data ?? {});
    default:
      return false;
  }
}
