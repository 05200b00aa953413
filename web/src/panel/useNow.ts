// The wall clock as React state, ticking every `periodMs`: the room's and the panel's scenario
// clocks. Its own module so the room does not load the interviewer's panel to tell the time.
import { useEffect, useState } from "react";

export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), periodMs);
    return () => window.clearInterval(t);
  }, [periodMs]);
  return now;
}
