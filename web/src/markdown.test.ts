// @vitest-environment jsdom
import { expect, test } from "vitest";
import { markdownToHtml } from "./markdown";

test("renders a scenario brief's Markdown, tables included", () => {
  expect(markdownToHtml("# Title\n\nSome *em*.\n\n| a | b |\n|---|---|\n| 1 | 2 |")).toBe(
    "<h1>Title</h1>\n<p>Some <em>em</em>.</p>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n" +
      "<tbody><tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody></table>\n",
  );
});

test("sanitises what the Markdown lets through: raw scripts and javascript: links", () => {
  expect(markdownToHtml("[l](javascript:alert(1)) <script>x</script> <img src=x onerror=alert(1)>")).toBe(
    '<p><a>l</a>  <img src="x"></p>\n',
  );
});
