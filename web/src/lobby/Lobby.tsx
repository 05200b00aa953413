// The lobby: the interviewer enters the admin token once (kept in this browser's localStorage),
// sees the sessions, creates one (blank or from a scenario, filtered by kind and level) and copies
// the three links. The server checks the token on every call; the lobby only stores it.
import { useCallback, useEffect, useMemo, useState } from "react";
import {
  ApiError,
  createSession,
  listScenarios,
  listSessions,
  type CreatedSession,
  type ScenarioSummary,
} from "../api";
import { usePref } from "../prefs";
import { CopyLink } from "./CopyLink";
import { SessionList, type ListedSession } from "./SessionList";
import "../room/journey.css";

function TokenForm({ onSave }: { onSave: (t: string) => void }) {
  const [value, setValue] = useState("");
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onSave(value.trim());
      }}
    >
      <h2>Admin token</h2>
      <p className="muted">
        Paste the server's admin token (<code>PAIRBOARD_ADMIN_TOKEN</code>). It is kept in this browser only.
      </p>
      <input type="password" value={value} onChange={(e) => setValue(e.target.value)} aria-label="Admin token" autoFocus />
      <button type="submit">Save</button>
    </form>
  );
}

export function Lobby() {
  const [adminToken, setAdminToken] = usePref<string>("adminToken", "");
  const [sessions, setSessions] = useState<ListedSession[]>([]);
  const [scenarios, setScenarios] = useState<ScenarioSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedSession | null>(null);
  const [title, setTitle] = useState("");
  const [scenario, setScenario] = useState("");
  const [notebook, setNotebook] = useState(false); // a blank session as a shared notebook
  const [kind, setKind] = useState("");
  const [level, setLevel] = useState("");

  const refresh = useCallback(async () => {
    if (!adminToken) return;
    setError(null);
    try {
      setSessions(await listSessions(adminToken));
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        setError("The admin token was refused. Enter it again.");
        setAdminToken("");
      } else setError(String(e instanceof Error ? e.message : e));
    }
    try {
      setScenarios(await listScenarios(adminToken));
    } catch {
      setScenarios(null); // the scenario library is optional: blank sessions still work
    }
  }, [adminToken, setAdminToken]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const kinds = useMemo(() => [...new Set((scenarios ?? []).map((s) => s.kind))].sort(), [scenarios]);
  const levels = useMemo(() => [...new Set((scenarios ?? []).map((s) => s.level))].sort(), [scenarios]);
  const shown = (scenarios ?? []).filter((s) => (!kind || s.kind === kind) && (!level || s.level === level));

  if (!adminToken) {
    return (
      <main className="lobby">
        <h1>Pairboard</h1>
        {error ? <p className="error" role="alert">{error}</p> : null}
        <TokenForm onSave={setAdminToken} />
      </main>
    );
  }

  const create = async () => {
    setError(null);
    try {
      const body: { title?: string; scenario?: string; mode?: "notebook" } = {};
      const picked = (scenarios ?? []).find((x) => x.id === scenario);
      if (title.trim()) body.title = title.trim();
      else if (picked) body.title = picked.title; // a scenario session is named after it by default
      if (scenario) body.scenario = scenario;
      else if (notebook) body.mode = "notebook";
      setCreated(await createSession(adminToken, body));
      await refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <main className="lobby">
      <header className="lobby-head">
        <h1>Pairboard</h1>
        <button type="button" className="link" onClick={() => setAdminToken("")}>forget admin token</button>
      </header>
      {error ? <p className="error" role="alert">{error}</p> : null}
      <section className="card">
        <h2>New session</h2>
        <label>
          Title <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. Backend pairing — Alex" />
        </label>
        {scenarios && scenarios.length ? (
          <div className="scenario-picker">
            <label>
              Kind{" "}
              <select value={kind} onChange={(e) => setKind(e.target.value)}>
                <option value="">any</option>
                {kinds.map((k) => <option key={k}>{k}</option>)}
              </select>
            </label>
            <label>
              Level{" "}
              <select value={level} onChange={(e) => setLevel(e.target.value)}>
                <option value="">any</option>
                {levels.map((l) => <option key={l}>{l}</option>)}
              </select>
            </label>
            <ul className="scenarios" role="radiogroup" aria-label="Scenario">
              <li>
                <label>
                  <input type="radio" name="scenario" checked={scenario === "" && !notebook}
                    onChange={() => { setScenario(""); setNotebook(false); }} /> Blank pad
                </label>
              </li>
              <li>
                <label>
                  <input type="radio" name="scenario" checked={scenario === "" && notebook}
                    onChange={() => { setScenario(""); setNotebook(true); }} /> Blank notebook
                </label>
              </li>
              {shown.map((s) => (
                <li key={s.id}>
                  <label>
                    <input type="radio" name="scenario" checked={scenario === s.id} onChange={() => { setScenario(s.id); setNotebook(false); }} />{" "}
                    <strong>{s.title}</strong> <span className="muted">{s.kind} · {s.level} · {s.duration_min} min</span>
                    <br />
                    <span className="summary">{s.summary}</span>
                  </label>
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <p className="muted">No scenario library on this server: the session starts as a blank pad.</p>
        )}
        <button type="button" onClick={() => void create()} data-testid="create-session">Create session</button>
        {created ? (
          <div className="links" data-testid="created-links" key={created.id}>
            <h3>Links for {created.id}</h3>
            <CopyLink label="Interviewer" url={created.links.interviewer} />
            <CopyLink label="Candidate" url={created.links.candidate} />
            <CopyLink label="Observer" url={created.links.observer} />
          </div>
        ) : null}
      </section>
      <section className="card">
        <h2>Sessions <button type="button" className="link" onClick={() => void refresh()}>refresh</button></h2>
        <SessionList sessions={sessions} adminToken={adminToken} onChanged={() => void refresh()} />
      </section>
    </main>
  );
}
