// Full pages for when there is no room to show: a link that does not work, an interview that
// has ended (for the interviewer: the way to its replay), a page that does not exist. Each says
// what happened and what to do next.
import type { ReactNode } from "react";
import type { SessionInfo } from "../api";
import type { LinkProblem } from "./linkError";
import { ReplayActions } from "./EndControls";
import "./journey.css";

function Page({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <main className="center journey-page" data-testid={testId}>
      <div className="journey-card">
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function LinkProblemPage({ problem }: { problem: LinkProblem }) {
  return (
    <Page title={problem.title} testId="link-problem">
      <p className="error" role="alert" data-testid="room-error">{problem.detail}</p>
      <p data-testid="next-step">{problem.next}</p>
    </Page>
  );
}

export function EndedPage({ info, token }: { info: SessionInfo; token: string }) {
  const endedAt = typeof info.ended_at === "number" ? new Date(info.ended_at).toLocaleString() : null;
  return (
    <Page title={`${info.title || "This interview"} has ended`} testId="ended-page">
      <p>{endedAt ? `It ended on ${endedAt}.` : "It has ended."} Everything that happened is in its replay.</p>
      {info.role === "interviewer" ? (
        <ReplayActions session={info.id} token={token} />
      ) : (
        <p>You can close this tab.</p>
      )}
    </Page>
  );
}

export function NotFoundPage() {
  return (
    <Page title="Page not found" testId="not-found">
      <p>
        There is no page at <code>{window.location.pathname}</code>. Pairboard has the lobby, session rooms
        (<code>/s/…</code>) and replays (<code>/replay/…</code>).
      </p>
      <p>
        If someone sent you a link, open it exactly as sent. Otherwise <a href="/">go to the lobby</a>.
      </p>
    </Page>
  );
}
