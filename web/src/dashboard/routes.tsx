// The member pages' routes: `/` is the dashboard for a signed-in member and the admin-token
// lobby for anyone else (the operator's bootstrap and automation credential keeps working);
// `/users` (owners) and `/tokens` need a sign-in and send a visitor to `/signin`.
import { lazy } from "react";
import { Dashboard } from "./Dashboard";
import { MemberFrame, WithMember } from "./MemberShell";
import { TokensPage } from "./TokensPage";
import { UsersPage } from "./UsersPage";

const Lobby = lazy(() => import("../lobby/Lobby").then((m) => ({ default: m.Lobby })));

export function HomePage() {
  return <WithMember render={(ctx) => <Dashboard ctx={ctx} />} fallback={<Lobby />} />;
}

export function UsersRoute() {
  return (
    <WithMember
      render={(ctx) =>
        ctx.me.user.role === "owner" ? (
          <UsersPage ctx={ctx} />
        ) : (
          <MemberFrame ctx={ctx} page="users">
            <p role="alert">Users are managed by the organisation's owners.</p>
          </MemberFrame>
        )
      }
    />
  );
}

export function TokensRoute() {
  return <WithMember render={(ctx) => <TokensPage ctx={ctx} />} />;
}
