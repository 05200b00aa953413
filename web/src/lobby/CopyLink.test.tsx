// @vitest-environment jsdom
// The lobby's "copied" label belongs to one link: it must not carry over to the next session's.
import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, test } from "vitest";
import { CopyLink } from "./CopyLink";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
const copied: string[] = [];
Object.defineProperty(navigator, "clipboard", {
  value: { writeText: (t: string) => (copied.push(t), Promise.resolve()) },
  configurable: true,
});

let host: HTMLDivElement;
afterEach(() => host.remove());

describe("CopyLink", () => {
  test("says copied for the link it copied, and copy again once it shows another link", async () => {
    host = document.body.appendChild(document.createElement("div"));
    const root = createRoot(host);
    await act(async () => root.render(<CopyLink label="Candidate" url="http://x/s/a?token=1" owner="First" />));
    const button = () => host.querySelector("button")!;
    expect(button().getAttribute("aria-label")).toBe("Copy Candidate link for First");
    await act(async () => button().click());
    expect(copied).toEqual(["http://x/s/a?token=1"]);
    expect(button().textContent).toBe("copied");
    await act(async () => root.render(<CopyLink label="Candidate" url="http://x/s/b?token=2" owner="Second" />));
    expect(button().textContent).toBe("copy");
    act(() => root.unmount());
  });
});
