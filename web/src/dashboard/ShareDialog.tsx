// Share one session: with a user of the organisation (by e-mail) or with the whole team, and
// the list of current shares, each revocable. Whoever may share a session (its interviewer, an
// owner) sees this; the server refuses anyone else and says why.
import { useCallback, useEffect, useState } from "react";
import type { AccessList, MemberApi } from "./memberApi";

export function ShareDialog({ api, id, title, onClose }: { api: MemberApi; id: string; title: string; onClose: () => void }) {
  const [access, setAccess] = useState<AccessList | null>(null);
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setAccess(await api.listAccess(id));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [api, id]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const act = async (what: () => Promise<unknown>) => {
    setError(null);
    try {
      await what();
      await reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="share-dialog" role="dialog" aria-label={`Share ${title}`}>
      <strong>Share “{title}”</strong>{" "}
      <button type="button" className="link" onClick={onClose}>close</button>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const to = email.trim();
          if (to) void act(() => api.share(id, [to])).then(() => setEmail(""));
        }}
      >
        <label>
          E-mail <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-label="Share with e-mail" />
        </label>{" "}
        <button type="submit">Share</button>{" "}
        {access && !access.team ? (
          <button type="button" onClick={() => void act(() => api.share(id, [], true))}>
            Share with the whole team
          </button>
        ) : null}
      </form>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {access ? (
        <ul aria-label="Shared with">
          {access.team ? (
            <li data-testid="share-team">
              Everyone in the team{" "}
              <button type="button" onClick={() => void act(() => api.revokeAccess(id, "team"))} aria-label="Stop sharing with the team">
                Revoke
              </button>
            </li>
          ) : null}
          {access.shared_with.map((p) => (
            <li key={p.id} data-testid={`share-${p.email ?? p.id}`}>
              {p.name ?? p.id} <span className="muted">{p.email} · {p.role}</span>{" "}
              <button type="button" onClick={() => void act(() => api.revokeAccess(id, p.id))} aria-label={`Stop sharing with ${p.email ?? p.id}`}>
                Revoke
              </button>
            </li>
          ))}
          {!access.team && access.shared_with.length === 0 ? <li className="muted">Not shared with anyone.</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
