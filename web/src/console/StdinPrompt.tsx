// A run's pending input() request, shown at the end of its outputs: a line input for whoever
// ran it (the server refuses anyone else), a waiting note for everyone else. getpass() prompts
// are password fields, and their answer is never recorded (server/run_entries.py).
import { useState } from "react";
import type { StdinRequest } from "./types";

export function StdinPrompt({
  request,
  author,
  mine,
  onAnswer,
}: {
  request: StdinRequest;
  author: string;
  mine: boolean;
  onAnswer: (value: string) => Promise<void>;
}) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  if (!mine) {
    return (
      <p className="stdin-wait" data-testid="stdin-wait">
        <span className="stdin-prompt">{request.prompt}</span> waiting for {author} to answer…
      </p>
    );
  }
  return (
    <form
      className="stdin"
      data-testid="stdin"
      onSubmit={(e) => {
        e.preventDefault();
        setSending(true);
        setError(null);
        onAnswer(value)
          .then(() => setValue(""))
          .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
          .finally(() => setSending(false));
      }}
    >
      <label className="stdin-prompt">
        {request.prompt || "input:"}
        <input
          type={request.password ? "password" : "text"}
          value={value}
          autoFocus
          autoComplete="off"
          spellCheck={false}
          disabled={sending}
          aria-label={`Answer the program's input prompt${request.prompt ? `: ${request.prompt}` : ""}`}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>
      <button type="submit" disabled={sending}>Send</button>
      <span className="muted stdin-hint">Enter sends · Stop interrupts · the run's time limit still applies</span>
      {error ? <span className="error" role="alert">{error}</span> : null}
    </form>
  );
}
