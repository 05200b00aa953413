// The notebook's REST calls (server/api/notebook.py).
import { api } from "../api";

const base = (id: string) => `/api/sessions/${encodeURIComponent(id)}/notebook`;

/** Run cells in this order (Shift-Enter sends one); outputs arrive in the console doc. */
export const runCells = (id: string, token: string, cells: string[]) =>
  api<{ run_ids: string[] }>(`${base(id)}/runs`, token, { method: "POST", body: { cells } });

/** Run every code cell, top to bottom; the server stops after a cell that fails. */
export const runAll = (id: string, token: string) =>
  api<{ run_ids: string[] }>(`${base(id)}/runs`, token, { method: "POST", body: { all: true } });

/** The notebook as .ipynb (outputs included), fetched with the token and saved by the browser. */
export async function downloadIpynb(id: string, token: string): Promise<void> {
  const nb = await api<unknown>(`/api/sessions/${encodeURIComponent(id)}/notebook.ipynb`, token);
  const blob = new Blob([JSON.stringify(nb, null, 1)], { type: "application/x-ipynb+json" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `${id}.ipynb`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Replace the notebook's cells from an .ipynb file (interviewers). */
export async function importIpynb(id: string, token: string, file: File): Promise<{ cells: number }> {
  return api<{ cells: number }>(base(id), token, { method: "PUT", body: JSON.parse(await file.text()) });
}
