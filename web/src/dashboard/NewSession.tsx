// A new session from the dashboard: a title and a blank pad, a blank notebook or a scenario of
// the library. Its links are shown once made; the list below re-issues them whenever needed.
import { useEffect, useState } from "react";
import { CopyLink } from "../lobby/CopyLink";
import type { CreatedSession, MemberApi } from "./memberApi";

export function NewSession({ api, onCreated }: { api: MemberApi; onCreated: () => void }) {
  const [title, setTitle] = useState("");
  const [kind, setKind] = useState(""); // "" blank pad, "notebook", or a scenario id
  const [scenarios, setScenarios] = useState<{ id: string; title: string }[]>([]);
  const [created, setCreated] = useState<CreatedSession | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api.listScenarios().then(setScenarios, () => setScenarios([]));
  }, [api]);
  const create = async () => {
    setError(null);
    const body: { title?: string; scenario?: string; mode?: "notebook" } = {};
    const picked = scenarios.find((s) => s.id === kind);
    if (title.trim()) body.title = title.trim();
    else if (picked) body.title = picked.title;
    if (picked) body.scenario = picked.id;
    else if (kind === "notebook") body.mode = "notebook";
    try {
      setCreated(await api.createSession(body));
      setTitle("");
      onCreated();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section className="card">
      <h2>New session</h2>
      <label>
        Title <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. Backend pairing — Alex" />
      </label>
      <label>
        Start from{" "}
        <select value={kind} onChange={(e) => setKind(e.target.value)} aria-label="Start from">
          <option value="">Blank pad</option>
          <option value="notebook">Blank notebook</option>
          {scenarios.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => void create()} data-testid="create-session">
        Create session
      </button>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {created ? (
        <div className="links" data-testid="created-links" key={created.id}>
          <h3>Links for {created.id}</h3>
          <CopyLink label="Interviewer" url={created.links.interviewer} />
          <CopyLink label="Candidate" url={created.links.candidate} />
          <CopyLink label="Observer" url={created.links.observer} />
        </div>
      ) : null}
    </section>
  );
}
