// The dashboard's view as URL state (pure): which tab, which filters, which page. The address
// bar is the source of truth, so a filtered view can be pasted to a colleague and survives a
// reload; values the URL cannot mean (a tab the reader may not see, page -3) fall back to the
// defaults instead of failing, and defaults are left out of the URL to keep it short.

export type Tab = "mine" | "shared" | "all";
export type StateFilter = "" | "live" | "ended";

export interface Filters {
  tab: Tab;
  state: StateFilter;
  scenario: string;
  candidate: string;
  /** YYYY-MM-DD, inclusive; "" for none. */
  from: string;
  /** YYYY-MM-DD, inclusive (the whole day); "" for none. */
  to: string;
  /** 1-based. */
  page: number;
}

export const PAGE_SIZE = 20;
export const DEFAULT_FILTERS: Filters = { tab: "mine", state: "", scenario: "", candidate: "", from: "", to: "", page: 1 };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(raw: string | null): string {
  if (!raw || !DATE.test(raw)) return "";
  return Number.isNaN(Date.parse(`${raw}T00:00:00Z`)) ? "" : raw;
}

/** The tabs a member sees: owners also see every session of the organisation. */
export function tabsFor(isOwner: boolean): Tab[] {
  return isOwner ? ["mine", "shared", "all"] : ["mine", "shared"];
}

export function parseFilters(search: string, isOwner: boolean): Filters {
  const q = new URLSearchParams(search);
  const tab = q.get("tab");
  const state = q.get("state");
  const page = Number(q.get("page") ?? "1");
  return {
    tab: tabsFor(isOwner).includes(tab as Tab) ? (tab as Tab) : "mine",
    state: state === "live" || state === "ended" ? state : "",
    scenario: (q.get("scenario") ?? "").trim(),
    candidate: (q.get("candidate") ?? "").trim(),
    from: validDate(q.get("from")),
    to: validDate(q.get("to")),
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

/** The query string for the address bar ("" or "?..."), defaults left out, keys in one order. */
export function filtersToSearch(f: Filters): string {
  const q = new URLSearchParams();
  if (f.tab !== "mine") q.set("tab", f.tab);
  if (f.state) q.set("state", f.state);
  if (f.scenario) q.set("scenario", f.scenario);
  if (f.candidate) q.set("candidate", f.candidate);
  if (f.from) q.set("from", f.from);
  if (f.to) q.set("to", f.to);
  if (f.page > 1) q.set("page", String(f.page));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** A change of filter starts again at page 1; turning the page keeps the filters. */
export function withFilter(f: Filters, change: Partial<Omit<Filters, "page">>): Filters {
  return { ...f, ...change, page: 1 };
}

/** The server's parameters for this view (`GET /api/sessions`). */
export function apiParams(f: Filters, pageSize = PAGE_SIZE): URLSearchParams {
  const q = new URLSearchParams();
  q.set("scope", f.tab);
  if (f.state) q.set("state", f.state);
  if (f.scenario) q.set("scenario", f.scenario);
  if (f.candidate) q.set("candidate", f.candidate);
  if (f.from) q.set("created_from", f.from);
  if (f.to) q.set("created_to", f.to);
  q.set("limit", String(pageSize));
  q.set("offset", String((f.page - 1) * pageSize));
  return q;
}

export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
