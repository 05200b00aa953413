// A link with Copy and Open. "copied" lasts a moment and belongs to this link only: callers key
// it by URL, so the label never carries over to another session's link.
import { useEffect, useState } from "react";

/** How long "copied" stays on the button (ms). Default 2000. */
export const COPIED_LABEL_MS = 2000;

export function CopyLink({ label, url, testId, owner }: { label: string; url: string; testId?: string; owner?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = window.setTimeout(() => setCopied(false), COPIED_LABEL_MS);
    return () => window.clearTimeout(t);
  }, [copied]);
  useEffect(() => setCopied(false), [url]);
  const what = owner ? `${label} link for ${owner}` : `${label} link`;
  return (
    <div className="link-row" data-testid={testId}>
      <span className="link-label">{label}</span>
      <input readOnly value={url} aria-label={what} onFocus={(e) => e.target.select()} />
      <button
        type="button"
        aria-label={`Copy ${what}`}
        onClick={() => {
          void navigator.clipboard?.writeText(url).then(() => setCopied(true), () => setCopied(false));
        }}
      >
        {copied ? "copied" : "copy"}
      </button>
      <a href={url} target="_blank" rel="noreferrer" aria-label={`Open ${what}`}>open</a>
    </div>
  );
}
