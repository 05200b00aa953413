// What the room's layout remembers and the smallest size of each pane, in one place so the
// layout, its tests and the "works from 1024 px" rule read the same numbers.

/** localStorage keys (react-resizable-panels stores each group's layout under its id). */
export const LAYOUT_KEYS = {
  columns: "pairboard.layout.columns",
  columnsWithPanel: "pairboard.layout.columns+panel",
  rows: "pairboard.layout.rows",
} as const;

/** Minimum pane sizes in pixels. */
export const PANE_MIN = { work: 380, board: 240, panel: 260, editor: 140, console: 90 } as const;

/** The narrowest viewport the room is laid out for without horizontal scrolling. */
export const MIN_VIEWPORT_PX = 1024;

/** Width the columns need at their minimum, separators included (4 px each). */
export function minimumWidth(withPanel: boolean): number {
  const separators = withPanel ? 2 : 1;
  return PANE_MIN.work + PANE_MIN.board + (withPanel ? PANE_MIN.panel : 0) + 4 * separators;
}
