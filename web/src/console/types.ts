// The shape of `console.runs[i]` (docs/ARCHITECTURE.md), as read from its JSON snapshot.

export type RunStatus =
  | "running"
  | "queued"
  | "cancelled"
  | "ok"
  | "error"
  | "interrupted"
  | "timeout"
  | "killed";

export type Output =
  | { type: "stream"; name: "stdout" | "stderr"; text: string }
  | { type: "display" | "result"; data: Record<string, unknown> }
  | { type: "error"; ename: string; evalue: string; traceback: string[] }
  | { type: "notice"; text: string }
  | { type: "input"; prompt: string; password: boolean; value: string | null; author?: string };

/** `console.runs[i].stdin`: the input() request a run waits on (null once answered). */
export interface StdinRequest {
  prompt: string;
  password: boolean;
  at?: number;
}

export interface RunEntry {
  id: string;
  author?: string;
  role?: string;
  code?: string;
  started_at?: number;
  finished_at?: number | null;
  status?: RunStatus;
  duration_ms?: number | null;
  outputs?: Output[];
  /** Why a run ended as it did (a cancelled cell: the cell that failed before it). */
  reason?: string;
  /** The code ran was the editor's selected lines (Run selection). */
  selection?: boolean;
  stdin?: StdinRequest | null;
}

export interface KernelState {
  status?: "starting" | "idle" | "busy" | "restarting" | "dead";
  message?: string;
}

export interface Controls {
  editor_locked?: boolean;
  run_disabled?: boolean;
}

export interface ScenarioEvent {
  id: string;
  at?: number;
  kind: "banner" | "message" | "reveal" | "brief";
  title?: string;
  text: string;
  level?: string;
}
