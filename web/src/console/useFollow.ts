// Keeps the console at its latest output unless the reader scrolled up (follow.ts decides).
// A ResizeObserver on the content sees every growth, including a plot's image decoding after
// it was added, which an effect keyed on the runs never saw; and on the box, a pane resized.
import { useCallback, useEffect, useRef, useState } from "react";
import { followAfterScroll } from "./follow";

export function useFollow() {
  const box = useRef<HTMLElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const ours = useRef<number | null>(null);
  const [isFollowing, setIsFollowing] = useState(true);

  const toBottom = useCallback(() => {
    const el = box.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    ours.current = el.scrollTop;
  }, []);

  const set = useCallback((f: boolean) => {
    following.current = f;
    setIsFollowing(f);
  }, []);

  useEffect(() => {
    const observer = new ResizeObserver(() => {
      if (following.current) toBottom();
    });
    if (content.current) observer.observe(content.current);
    if (box.current) observer.observe(box.current);
    return () => observer.disconnect();
  }, [toBottom]);

  const onScroll = useCallback(() => {
    const el = box.current;
    if (!el) return;
    const f = followAfterScroll(el, ours.current, following.current);
    if (el.scrollTop !== ours.current) ours.current = null;
    if (f !== following.current) set(f);
  }, [set]);

  const jump = useCallback(() => {
    set(true);
    toBottom();
  }, [set, toBottom]);

  return { box, content, following: isFollowing, onScroll, jump };
}
