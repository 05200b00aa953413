// The replay's route. `/replay/{id}?token=...` (a shared link) opens the recording with the
// link's token; `/replay/{id}` (the dashboard's Replay) with the member's own sign-in cookie,
// whose CSRF token comes from `/api/me` (a comment or a scorecard changes state). The server
// decides, through its one permission table, what either may read; a browser that is not signed
// in gets the sign-in page's way, a refusal its own page (problem.ts), never an empty player.
import { useEffect, useState } from "react";
import type { Credential } from "../api";
import { loadMe } from "../dashboard/memberApi";
import ReplayPage from "./Player";
import { SIGNED_OUT } from "./problem";
import { ReplayProblemPage } from "./ReplayProblemPage";

export default function ReplayRoute({ session, token }: { session: string; token: string | null }) {
  // undefined: the sign-in is being looked up; null: nobody is signed in.
  const [credential, setCredential] = useState<Credential | null | undefined>(token || undefined);
  useEffect(() => {
    if (token) return;
    void loadMe().then((me) => setCredential(me ? { csrf: me.csrf_token } : null));
  }, [token]);
  if (credential === undefined) {
    return <main className="center" data-testid="replay-state">Checking your sign-in…</main>;
  }
  if (credential === null) return <ReplayProblemPage problem={SIGNED_OUT} />;
  return <ReplayPage session={session} credential={credential} />;
}
