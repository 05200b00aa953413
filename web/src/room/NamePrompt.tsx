// The candidate's first open: their name, which the room, the runs and the recording show from
// then on. The link stays the credential; the name is only what people see.
import { useState } from "react";
import { ApiError, type SessionInfo } from "../api";
import { chooseName } from "./sessionApi";
import "./journey.css";

export function NamePrompt({ info, token, onNamed }: { info: SessionInfo; token: string; onNamed: (info: SessionInfo) => void }) {
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      onNamed(await chooseName(info.id, token, name));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <main className="center journey-page" data-testid="name-prompt">
      <form
        className="journey-card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>{info.title || "Your interview"}</h1>
        <p>Welcome. What name should the interviewer see?</p>
        <label>
          Your name{" "}
          <input value={name} onChange={(e) => setName(e.target.value)} autoFocus required maxLength={64} autoComplete="name" />
        </label>{" "}
        <button type="submit" disabled={busy || !name.trim()}>Join the interview</button>
        {error ? <p className="error" role="alert">{error}</p> : null}
      </form>
    </main>
  );
}
