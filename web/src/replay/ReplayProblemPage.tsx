// The page a refused or unopenable replay shows instead of the player (problem.ts says what).
import type { ReplayProblem } from "./problem";
import "../room/journey.css";

export function ReplayProblemPage({ problem }: { problem: ReplayProblem }) {
  return (
    <main className="center journey-page" data-testid="replay-refused" data-status={problem.status}>
      <div className="journey-card">
        <h1>{problem.title}</h1>
        <p className="error" role="alert">{problem.detail}</p>
        <p data-testid="next-step">{problem.next}</p>
        <p>
          {problem.signIn ? <a className="button-link" href="/signin">Sign in</a> : null}{" "}
          <a href="/">Go to your dashboard</a>
        </p>
      </div>
    </main>
  );
}
