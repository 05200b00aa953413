// Pure conversions of kernel outputs to safe HTML. Everything that reaches innerHTML passes
// through DOMPurify: kernel output is candidate-controlled and shown in the interviewer's page.
import DOMPurify from "dompurify";
import { AnsiUp } from "ansi_up";

const ansi = new AnsiUp();
ansi.escape_html = true;
ansi.use_classes = true;

export function ansiToHtml(text: string): string {
  return DOMPurify.sanitize(ansi.ansi_to_html(text), { ALLOWED_TAGS: ["span", "a"], ALLOWED_ATTR: ["class", "style", "href"] });
}

export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true, svg: true, svgFilters: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select"],
    FORBID_ATTR: ["style"],
  });
}

const BASE64 = /^[A-Za-z0-9+/=\s]+$/;

export type Rendered =
  | { kind: "image"; src: string; alt: string }
  | { kind: "html"; html: string }
  | { kind: "text"; text: string };

/** Picks the richest safe representation of a Jupyter mime bundle. */
export function renderBundle(data: Record<string, unknown>): Rendered {
  for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
    const v = data[mime];
    if (typeof v === "string" && BASE64.test(v)) {
      return { kind: "image", src: `data:${mime};base64,${v.replace(/\s+/g, "")}`, alt: `${mime} output` };
    }
  }
  const svg = data["image/svg+xml"];
  if (typeof svg === "string") return { kind: "html", html: sanitizeHtml(svg) };
  const html = data["text/html"];
  if (typeof html === "string") return { kind: "html", html: sanitizeHtml(html) };
  const plain = data["text/plain"];
  if (typeof plain === "string") return { kind: "text", text: plain };
  return { kind: "text", text: `[output of type ${Object.keys(data).join(", ") || "unknown"}]` };
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  // Round to whole seconds before splitting, or 119.6 s would read "1 min 60 s".
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
