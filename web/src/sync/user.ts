// Who "I" am in awareness: name, role and a colour, the convention every part of the client
// (editor cursors, whiteboard pointers, participants list) reads.
import type { Role } from "../api";

export interface AwarenessUser {
  name: string;
  color: string;
  colorLight: string;
  role: Role;
}

const PALETTE: ReadonlyArray<[string, string]> = [
  ["#1a73e8", "#1a73e833"],
  ["#d93025", "#d9302533"],
  ["#188038", "#18803833"],
  ["#e37400", "#e3740033"],
  ["#9334e6", "#9334e633"],
  ["#00838f", "#00838f33"],
  ["#c2185b", "#c2185b33"],
  ["#5d4037", "#5d403733"],
];

/** A stable colour per display name and role, so a person keeps one colour in every doc. */
export function colourFor(name: string, role: string): [string, string] {
  let h = 2166136261;
  for (const ch of `${role}:${name}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return PALETTE[Math.abs(h) % PALETTE.length];
}

export function makeUser(name: string, role: Role): AwarenessUser {
  const [color, colorLight] = colourFor(name, role);
  return { name, role, color, colorLight };
}

/** Reads the `user` field of an awareness state, tolerating foreign or partial states. */
export function readUser(state: unknown): AwarenessUser | null {
  if (!state || typeof state !== "object") return null;
  const u = (state as { user?: unknown }).user;
  if (!u || typeof u !== "object") return null;
  const { name, color, colorLight, role } = u as Record<string, unknown>;
  if (typeof name !== "string") return null;
  return {
    name,
    color: typeof color === "string" ? color : "#888",
    colorLight: typeof colorLight === "string" ? colorLight : "#8883",
    role: (typeof role === "string" ? role : "observer") as Role,
  };
}
