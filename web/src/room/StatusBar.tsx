// The room's header pieces: connection state and participants (from the `code` doc's awareness,
// which every role opens).
import type { Awareness } from "y-protocols/awareness";
import { useAwareness } from "../sync/hooks";
import type { LinkState } from "../sync/link";
import { readUser } from "../sync/user";

const LABELS: Record<LinkState, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting — your edits are kept and will sync",
  refused: "access refused",
};

export function ConnectionBadge({
  state,
  readOnly,
  error,
  ended = false,
}: {
  state: LinkState;
  readOnly: string | null;
  error: string | null;
  ended?: boolean;
}) {
  return (
    <div className="conn" role="status" aria-live="polite" data-state={ended ? "ended" : state}>
      <span className={`dot dot-${ended ? "ended" : state}`} aria-hidden="true" />
      <span data-testid="connection-state">{ended ? "ended" : LABELS[state]}</span>
      {readOnly && state !== "refused" ? (
        <span className="badge readonly" data-testid="readonly-state">
          read-only: {readOnly}
        </span>
      ) : null}
      {error ? <span className="error">({error})</span> : null}
    </div>
  );
}

export function Participants({ awareness }: { awareness: Awareness }) {
  const states = useAwareness(awareness);
  const people = [...states.entries()]
    .map(([id, s]) => ({ id, user: readUser(s) }))
    .filter((p) => p.user !== null);
  return (
    <ul className="participants" aria-label="Participants" data-testid="participants">
      {people.map(({ id, user }) => (
        <li key={id} title={`${user!.name} (${user!.role})`} style={{ borderColor: user!.color }}>
          <span className="swatch" style={{ background: user!.color }} aria-hidden="true" />
          {user!.name}
          <span className="role"> · {user!.role}</span>
          {id === awareness.clientID ? <span className="you"> (you)</span> : null}
        </li>
      ))}
    </ul>
  );
}
