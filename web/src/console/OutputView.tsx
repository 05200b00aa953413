// One output of a run (stream, error, notice, rich display), as the console and the notebook's
// cells both show it. Rich HTML is sanitised (render.ts); images call `onMedia` once loaded so
// a following view can scroll to the grown content.
import { ansiToHtml, renderBundle } from "./render";
import type { Output } from "./types";

export function OutputView({ out, onMedia }: { out: Output; onMedia: () => void }) {
  switch (out.type) {
    case "stream":
      return (
        <pre
          className={`out-stream out-${out.name}`}
          dangerouslySetInnerHTML={{ __html: ansiToHtml(out.text) }}
        />
      );
    case "error":
      return (
        <pre
          className="out-error"
          dangerouslySetInnerHTML={{
            __html: ansiToHtml(
              out.traceback?.length ? out.traceback.join("\n") : `${out.ename}: ${out.evalue}`,
            ),
          }}
        />
      );
    case "notice":
      return <p className="out-notice">{out.text}</p>;
    case "display":
    case "result": {
      const r = renderBundle(out.data ?? {});
      if (r.kind === "image") return <img className="out-image" src={r.src} alt={r.alt} onLoad={onMedia} />;
      if (r.kind === "html")
        return <div className="out-html" dangerouslySetInnerHTML={{ __html: r.html }} />;
      return <pre className="out-text">{r.text}</pre>;
    }
    default:
      return null;
  }
}
