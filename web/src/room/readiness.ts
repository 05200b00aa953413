// The room's readiness mark: the first moment the `code` doc is synced with the server *and* the
// editor is mounted on it, i.e. a person could start typing into what everyone sees. It is set
// once on `window.pairboard.interactiveAt` and as the performance mark `pairboard:editor-ready`
// (with a measure from navigation start), which bench/web.py and the browser's own performance
// panel read. A notebook session's page has no code editor: there the synced doc alone counts.

export const READY_MARK = "pairboard:editor-ready";

export class ReadinessMark {
  private live = false;
  private mounted: boolean;
  at: number | undefined;
  private readonly onReady: (at: number) => void;
  private readonly now: () => number;

  constructor(onReady: (at: number) => void, opts: { editor?: boolean; now?: () => number } = {}) {
    this.onReady = onReady;
    this.mounted = opts.editor === false;
    this.now = opts.now ?? (() => performance.now());
  }

  readonly codeLive = (): void => {
    this.live = true;
    this.check();
  };

  readonly editorMounted = (): void => {
    this.mounted = true;
    this.check();
  };

  private check(): void {
    if (this.at !== undefined || !this.live || !this.mounted) return;
    this.at = this.now();
    this.onReady(this.at);
  }
}

/** Publishes the mark where the benchmark and the performance panel look for it. */
export function publishReady(at: number): void {
  if (window.pairboard) window.pairboard.interactiveAt = at;
  performance.mark(READY_MARK);
  performance.measure(`${READY_MARK} (since navigation)`, { start: 0, end: at });
}
