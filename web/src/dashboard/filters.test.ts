import { describe, expect, it } from "vitest";
import { DEFAULT_FILTERS, apiParams, filtersToSearch, pageCount, parseFilters, tabsFor, withFilter } from "./filters";

describe("dashboard filters in the URL", () => {
  it("reads back exactly what it wrote, so a copied URL shows the same view", () => {
    const view = { tab: "shared", state: "ended", scenario: "attention-numpy", candidate: "Ana María", from: "2026-11-01", to: "2026-12-03", page: 3 } as const;
    const search = filtersToSearch(view);
    expect(search).toBe("?tab=shared&state=ended&scenario=attention-numpy&candidate=Ana+Mar%C3%ADa&from=2026-11-01&to=2026-12-03&page=3");
    expect(parseFilters(search, false)).toEqual(view);
  });

  it("leaves the defaults out of the URL", () => {
    expect(filtersToSearch(DEFAULT_FILTERS)).toBe("");
    expect(parseFilters("", true)).toEqual(DEFAULT_FILTERS);
  });

  it("falls back to the defaults for values the URL cannot mean", () => {
    expect(parseFilters("?tab=all&state=paused&from=2026-13-45&to=yesterday&page=-3", false)).toEqual(DEFAULT_FILTERS);
    expect(parseFilters("?page=2.5", true).page).toBe(1);
  });

  it("shows the All tab to owners only", () => {
    expect(tabsFor(true)).toEqual(["mine", "shared", "all"]);
    expect(tabsFor(false)).toEqual(["mine", "shared"]);
    expect(parseFilters("?tab=all", true).tab).toBe("all");
    expect(parseFilters("?tab=all", false).tab).toBe("mine");
  });

  it("starts a changed filter again at page 1", () => {
    const on3 = { ...DEFAULT_FILTERS, page: 3 };
    expect(withFilter(on3, { state: "live" })).toEqual({ ...DEFAULT_FILTERS, state: "live", page: 1 });
  });

  it("asks the server for this page with its filters' names", () => {
    const q = apiParams({ ...DEFAULT_FILTERS, tab: "all", candidate: "ali", from: "2026-12-01", to: "2026-12-03", page: 3 }, 20);
    expect(q.toString()).toBe("scope=all&candidate=ali&created_from=2026-12-01&created_to=2026-12-03&limit=20&offset=40");
    expect(apiParams(DEFAULT_FILTERS, 20).toString()).toBe("scope=mine&limit=20&offset=0");
  });

  it("counts pages, one at least", () => {
    expect([pageCount(0, 20), pageCount(20, 20), pageCount(21, 20)]).toEqual([1, 1, 2]);
  });
});
