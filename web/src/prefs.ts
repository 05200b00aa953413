// Per-browser preferences (theme, Vim keys, the admin token), kept in localStorage.
import { useEffect, useState } from "react";

export function usePref<T extends string | boolean>(key: string, initial: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    const raw = localStorage.getItem(`pairboard.${key}`);
    if (raw === null) return initial;
    if (typeof initial === "boolean") return (raw === "true") as T;
    return raw as T;
  });
  useEffect(() => {
    localStorage.setItem(`pairboard.${key}`, String(value));
  }, [key, value]);
  return [value, setValue];
}

export const prefersDark = (): boolean =>
  typeof window.matchMedia === "function" && window.matchMedia("(prefers-color-scheme: dark)").matches;
