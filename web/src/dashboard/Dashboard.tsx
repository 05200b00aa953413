// The signed-in member's dashboard (`/`): "My sessions", "Shared with me" and, for owners,
// "All"; filters (state, scenario, candidate, creation dates) and the page live in the URL
// (filters.ts), so a filtered view is a link that survives a reload; the server filters and
// pages (`GET /api/sessions`), and says how many match in all.
import { useCallback, useEffect, useState } from "react";
import { MemberFrame, type MemberContext } from "./MemberShell";
import type { MemberSession } from "./memberApi";
import { NewSession } from "./NewSession";
import { SessionRow } from "./SessionRow";
import {
  PAGE_SIZE,
  apiParams,
  filtersToSearch,
  pageCount,
  parseFilters,
  tabsFor,
  withFilter,
  type Filters,
  type Tab,
} from "./filters";

const TAB_LABELS: Record<Tab, string> = { mine: "My sessions", shared: "Shared with me", all: "All" };

function useUrlFilters(isOwner: boolean): [Filters, (f: Filters, push?: boolean) => void] {
  const [filters, setFilters] = useState(() => parseFilters(window.location.search, isOwner));
  useEffect(() => {
    const onPop = () => setFilters(parseFilters(window.location.search, isOwner));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [isOwner]);
  const update = useCallback((f: Filters, push = false) => {
    const url = `${window.location.pathname}${filtersToSearch(f)}`;
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
    setFilters(f);
  }, []);
  return [filters, update];
}

export function Dashboard({ ctx }: { ctx: MemberContext }) {
  const { me, api } = ctx;
  const isOwner = me.user.role === "owner";
  const [filters, setFilters] = useUrlFilters(isOwner);
  const [rows, setRows] = useState<MemberSession[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [scenarios, setScenarios] = useState<{ id: string; title: string }[]>([]);

  const refresh = useCallback(async () => {
    setError(null);
    try {
      const page = await api.listSessions(apiParams(filters, PAGE_SIZE));
      setRows(page.sessions);
      setTotal(page.total);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    setLoaded(true);
  }, [api, filters]);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  useEffect(() => {
    void api.listScenarios().then(setScenarios, () => setScenarios([]));
  }, [api]);

  const pages = pageCount(total, PAGE_SIZE);
  const canCreate = me.user.role !== "reviewer";
  return (
    <MemberFrame ctx={ctx} page="sessions">
      {canCreate ? <NewSession api={api} onCreated={() => void refresh()} /> : null}
      <section className="card">
        <div className="tabs" role="tablist" aria-label="Which sessions">
          {tabsFor(isOwner).map((tab) => (
            <button
              key={tab}
              type="button"
              role="tab"
              aria-selected={filters.tab === tab}
              onClick={() => setFilters(withFilter(filters, { tab }), true)}
            >
              {TAB_LABELS[tab]}
            </button>
          ))}
        </div>
        <div className="filters" role="search" aria-label="Filter sessions">
          <label>
            State
            <select value={filters.state} onChange={(e) => setFilters(withFilter(filters, { state: e.target.value as Filters["state"] }), true)} aria-label="State">
              <option value="">any</option>
              <option value="live">live</option>
              <option value="ended">ended</option>
            </select>
          </label>
          <label>
            Scenario
            <select value={filters.scenario} onChange={(e) => setFilters(withFilter(filters, { scenario: e.target.value }), true)} aria-label="Scenario">
              <option value="">any</option>
              {scenarios.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.title}
                </option>
              ))}
            </select>
          </label>
          <label>
            Candidate
            <input value={filters.candidate} onChange={(e) => setFilters(withFilter(filters, { candidate: e.target.value }))} aria-label="Candidate" placeholder="part of the name" />
          </label>
          <label>
            Created from
            <input type="date" value={filters.from} onChange={(e) => setFilters(withFilter(filters, { from: e.target.value }), true)} aria-label="Created from" />
          </label>
          <label>
            Created to
            <input type="date" value={filters.to} onChange={(e) => setFilters(withFilter(filters, { to: e.target.value }), true)} aria-label="Created to" />
          </label>
          <button type="button" className="link" onClick={() => void refresh()}>refresh</button>
        </div>
        {error ? <p className="error" role="alert">{error}</p> : null}
        <p className="muted" data-testid="session-count">
          {total} {total === 1 ? "session" : "sessions"}
        </p>
        {loaded && rows.length === 0 ? <p className="muted">No sessions match.</p> : null}
        <ul className="sessions" data-testid="sessions">
          {rows.map((s) => (
            <SessionRow key={s.id} s={s} api={api} badge={filters.tab === "shared" ? "shared with you" : s.shared && s.owner_id === me.user.id ? "shared" : null} onChanged={() => void refresh()} />
          ))}
        </ul>
        {pages > 1 ? (
          <nav className="pager" aria-label="Pages">
            <button type="button" disabled={filters.page <= 1} onClick={() => setFilters({ ...filters, page: filters.page - 1 }, true)}>
              Previous
            </button>
            <span data-testid="page">
              Page {filters.page} of {pages}
            </span>
            <button type="button" disabled={filters.page >= pages} onClick={() => setFilters({ ...filters, page: filters.page + 1 }, true)}>
              Next
            </button>
          </nav>
        ) : null}
      </section>
    </MemberFrame>
  );
}
