// Which long-output chunks are near the visible part of their scroll box: one
// IntersectionObserver per scroll box (the console, or the page for a notebook's cells), with a
// margin of a few screens so scrolling finds text already drawn. The console virtualises long
// output with it (OutputView.tsx): chunks far away are empty blocks of their height.

/** How far beyond the visible part (px, above and below) a chunk counts as near. */
export const NEAR_MARGIN_PX = 1500;

type Listener = (near: boolean) => void;
const observers = new Map<Element | null, { observer: IntersectionObserver; listeners: Map<Element, Listener> }>();

function observerFor(root: Element | null) {
  let entry = observers.get(root);
  if (!entry) {
    const listeners = new Map<Element, Listener>();
    const observer = new IntersectionObserver(
      (changes) => {
        for (const change of changes) listeners.get(change.target)?.(change.isIntersecting);
      },
      { root, rootMargin: `${NEAR_MARGIN_PX}px 0px` },
    );
    entry = { observer, listeners };
    observers.set(root, entry);
  }
  return entry;
}

/** Tell `listener` whenever `el` comes near or goes far; the returned function stops it. */
export function watchNearby(el: Element, listener: Listener): () => void {
  if (typeof IntersectionObserver === "undefined") {
    listener(true); // no observer (tests, old browsers): draw everything
    return () => {};
  }
  const root = el.closest(".console");
  const entry = observerFor(root);
  entry.listeners.set(el, listener);
  entry.observer.observe(el);
  return () => {
    entry.observer.unobserve(el);
    entry.listeners.delete(el);
    if (entry.listeners.size === 0) {
      entry.observer.disconnect();
      observers.delete(root);
    }
  };
}
