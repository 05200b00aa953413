// A project's files as the editor shows them (server/project_files.py holds the same rules):
// the entry file (`code.source`) first, then the others (`code.files`) by path.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** Why `path` cannot name a new file (null if it can), given the paths already taken. */
export function pathProblem(path: string, taken: readonly string[]): string | null {
  if (!path || path.length > 160) return "A file path has 1 to 160 characters.";
  const parts = path.split("/");
  if (parts.length > 4) return "A file path has at most 4 levels.";
  const bad = parts.find((p) => !SEGMENT.test(p));
  if (bad !== undefined) return `"${bad}" is not a usable name (letters, digits, _ - . ; not starting with . or -).`;
  if (taken.includes(path)) return `${path} already exists.`;
  return null;
}

/** The tabs, in order: the entry file, then the other files sorted by path. */
export function tabsOf(main: string, others: Iterable<string>): string[] {
  return [main, ...[...others].filter((p) => p !== main && pathProblem(p, []) === null).sort()];
}
