// Scenario briefs and revealed sections are Markdown written by scenario authors: rendered with
// marked, then sanitised like any other HTML that reaches the page.
import { marked } from "marked";
import { sanitizeHtml } from "./console/render";

export function markdownToHtml(text: string): string {
  return sanitizeHtml(marked.parse(text, { async: false, gfm: true }));
}
