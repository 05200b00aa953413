// @vitest-environment jsdom
// DOMPurify needs a DOM: without one it returns its input unchanged, which would prove nothing.
import { describe, expect, test } from "vitest";
import { ansiToHtml, formatDuration, renderBundle, sanitizeHtml } from "./render";

describe("ansiToHtml", () => {
  test("turns colour codes into classed spans and escapes the text's own markup", () => {
    expect(ansiToHtml("\x1b[31mred\x1b[0m <b>x</b> & \x1b[1mbold\x1b[0m")).toBe(
      '<span class="ansi-red-fg">red</span> &lt;b&gt;x&lt;/b&gt; &amp; <span style="font-weight:bold">bold</span>',
    );
  });
});

describe("sanitizeHtml", () => {
  test("keeps markup but drops scripts, event handlers, javascript: links, styles and form controls", () => {
    const dirty =
      '<table><tr><td onclick="x()">1</td></tr></table><script>alert(1)</script><img src=x onerror="alert(1)">' +
      '<a href="javascript:alert(1)">j</a><style>p{}</style><form><input></form><p style="color:red">s</p>';
    expect(sanitizeHtml(dirty)).toBe('<table><tbody><tr><td>1</td></tr></tbody></table><img src="x"><a>j</a><p>s</p>');
  });
});

describe("renderBundle", () => {
  test("prefers an image, with whitespace removed from its base64", () => {
    expect(renderBundle({ "image/png": "iVBO RW0=\n", "text/html": "<b>x</b>" })).toEqual({
      kind: "image",
      src: "data:image/png;base64,iVBORW0=",
      alt: "image/png output",
    });
  });

  test("never puts non-base64 image data into a data URL", () => {
    expect(renderBundle({ "image/png": '"><svg onload=alert(1)>', "text/plain": "p" })).toEqual({ kind: "text", text: "p" });
  });

  test("takes SVG over HTML, sanitised", () => {
    expect(renderBundle({ "image/svg+xml": '<svg><script>alert(1)</script><circle r="1"/></svg>', "text/html": "<b>x</b>" })).toEqual({
      kind: "html",
      html: '<svg><circle r="1"></circle></svg>',
    });
  });

  test("takes sanitised HTML over plain text", () => {
    expect(renderBundle({ "text/html": "<b onmouseover=x()>x</b>", "text/plain": "x" })).toEqual({ kind: "html", html: "<b>x</b>" });
  });

  test("names the mime types of a bundle it cannot show", () => {
    expect(renderBundle({ "application/json": {}, "text/x": 1 })).toEqual({
      kind: "text",
      text: "[output of type application/json, text/x]",
    });
    expect(renderBundle({})).toEqual({ kind: "text", text: "[output of type unknown]" });
  });
});

describe("formatDuration", () => {
  test("shows milliseconds under a second, then seconds with two or one decimals", () => {
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(999)).toBe("999 ms");
    expect(formatDuration(1_000)).toBe("1.00 s");
    expect(formatDuration(9_874)).toBe("9.87 s");
    expect(formatDuration(10_000)).toBe("10.0 s");
    expect(formatDuration(59_940)).toBe("59.9 s");
  });

  test("shows minutes and whole seconds from a minute on, never 60 seconds", () => {
    expect(formatDuration(60_000)).toBe("1 min 0 s");
    expect(formatDuration(125_400)).toBe("2 min 5 s");
    expect(formatDuration(119_600)).toBe("2 min 0 s");
  });

  test("shows nothing for a run still going", () => {
    expect(formatDuration(null)).toBe("");
    expect(formatDuration(undefined)).toBe("");
  });
});
