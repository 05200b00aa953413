// One output of a run (stream, error, notice, input answer, rich display), as the console and the
// notebook's cells both show it. Rich HTML is sanitised (render.ts). Memoised on the output's
// content (sameOutput.ts): a room re-render (its clock ticks every second) never re-sanitises a
// long output. Long text is drawn in chunks of lines (chunks.ts), and only the chunks near what
// the reader sees hold their text (nearby.ts): a 20,000-line output is a few hundred lines of
// DOM, so typing elsewhere on the page does not slow with it. An image's load grows the
// view: the console's size observer follows it (useFollow); `onMedia` tells other views.
import { memo, useEffect, useMemo, useRef, useState } from "react";
import { chunkLines, lineCount } from "./chunks";
import { watchNearby } from "./nearby";
import { ansiToHtml, renderBundle } from "./render";
import { sameOutput } from "./sameOutput";
import type { Output } from "./types";

/** Line height of console text (px), for the size a skipped chunk reserves (styles.css). */
const LINE_PX = 18;

function LongText({ text, className }: { text: string; className: string }) {
  const chunks = useMemo(() => chunkLines(text), [text]);
  if (chunks.length === 1) {
    return <pre className={className} dangerouslySetInnerHTML={{ __html: ansiToHtml(text) }} />;
  }
  return (
    <div className="out-chunks" data-chunks={chunks.length}>
      {chunks.map((c, i) => (
        <Chunk key={i} text={c} className={className} eager={i >= chunks.length - 2} />
      ))}
    </div>
  );
}

/** A chunk's text is in the DOM only while it is near the console's visible part (nearby.ts);
 * elsewhere it is an empty block of its height. The last chunks start drawn: that is where a
 * followed console shows new output. */
const Chunk = memo(function Chunk({ text, className, eager }: { text: string; className: string; eager: boolean }) {
  const ref = useRef<HTMLPreElement>(null);
  const [near, setNear] = useState(eager);
  useEffect(() => (ref.current ? watchNearby(ref.current, setNear) : undefined), []);
  const html = useMemo(() => (near ? ansiToHtml(text) : ""), [near, text]);
  const height = lineCount(text) * LINE_PX;
  return (
    <pre
      ref={ref}
      className={`${className} out-chunk`}
      data-drawn={near ? "true" : "false"}
      style={near ? { containIntrinsicSize: `auto ${height}px` } : { height }}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
});

function OutputViewInner({ out, onMedia }: { out: Output; onMedia?: () => void }) {
  switch (out.type) {
    case "stream":
      return <LongText text={out.text} className={`out-stream out-${out.name}`} />;
    case "error":
      return (
        <LongText
          text={out.traceback?.length ? out.traceback.join("\n") : `${out.ename}: ${out.evalue}`}
          className="out-error"
        />
      );
    case "notice":
      return <p className="out-notice">{out.text}</p>;
    case "input":
      return (
        <pre className="out-input" title={out.author ? `answered by ${out.author}` : undefined}>
          {out.prompt}
          <span className="out-input-value">{out.password ? "••••••" : out.value}</span>
        </pre>
      );
    case "display":
    case "result": {
      const r = renderBundle(out.data ?? {});
      if (r.kind === "image") return <img className="out-image" src={r.src} alt={r.alt} onLoad={onMedia} />;
      if (r.kind === "html") return <div className="out-html" dangerouslySetInnerHTML={{ __html: r.html }} />;
      return <pre className="out-text">{r.text}</pre>;
    }
    default:
      return null;
  }
}

export const OutputView = memo(OutputViewInner, (a, b) => sameOutput(a.out, b.out));
