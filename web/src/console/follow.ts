// When the console follows new output (pure). It follows unless the reader scrolled up; a
// scroll event caused by our own scroll-to-bottom is not the reader's: the content may have
// grown (a plot's image decoding) between our scroll and the event, which used to read as
// "scrolled up" and stopped the console following after every plot.

/** Slack (px) under which a reader counts as at the bottom. Default 40: about two lines. */
export const FOLLOW_SLACK_PX = 40;

export interface ScrollBox {
  scrollTop: number;
  clientHeight: number;
  scrollHeight: number;
}

export function atBottom(box: ScrollBox, slack = FOLLOW_SLACK_PX): boolean {
  return box.scrollTop + box.clientHeight >= box.scrollHeight - slack;
}

/**
 * Whether to follow after a scroll event. `ours` is the scrollTop our last scroll-to-bottom
 * left (null once the reader scrolled since): an event still at that position is ours, and
 * following goes on whatever the content's height is now.
 */
export function followAfterScroll(box: ScrollBox, ours: number | null, following: boolean): boolean {
  if (ours !== null && Math.abs(box.scrollTop - ours) <= 1) return following;
  return atBottom(box);
}
