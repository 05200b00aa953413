// The frame of a signed-in member's pages (dashboard, users, tokens): who is signed in, the
// navigation (Users for owners only), sign out. It loads `/api/me` once and hands the page a
// `MemberApi` carrying the sign-in's CSRF token; a visitor who is not signed in is sent to
// `/signin` (the admin-token lobby stays at `/` for them).
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { MemberApi, loadMe, type Me } from "./memberApi";
import "./dashboard.css";

export interface MemberContext {
  me: Me;
  api: MemberApi;
}

type Page = "sessions" | "users" | "tokens";

export function MemberFrame({ ctx, page, children }: { ctx: MemberContext; page: Page; children: ReactNode }) {
  const { me, api } = ctx;
  const owner = me.user.role === "owner";
  const link = (to: Page, href: string, label: string) =>
    to === page ? <strong aria-current="page">{label}</strong> : <a href={href}>{label}</a>;
  return (
    <main className="lobby dashboard">
      <header className="lobby-head">
        <h1>Pairboard</h1>
        <nav className="member-nav" aria-label="Member pages">
          {link("sessions", "/", "Sessions")}
          {owner ? link("users", "/users", "Users") : null}
          {link("tokens", "/tokens", "API tokens")}
          <span className="muted" data-testid="signed-in-as">
            {me.user.name} · {me.user.role}
          </span>
          <button type="button" className="link" onClick={() => void api.signOut().finally(() => window.location.assign("/signin"))}>
            Sign out
          </button>
        </nav>
      </header>
      {children}
    </main>
  );
}

/** Renders `page` for the signed-in member; `fallback` when nobody is (null: go to /signin). */
export function WithMember({ render, fallback }: { render: (ctx: MemberContext) => ReactNode; fallback?: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    void loadMe().then(setMe);
  }, []);
  const api = useMemo(() => (me ? new MemberApi(me.csrf_token) : null), [me]);
  if (me === undefined) return null;
  if (me === null || api === null) {
    if (fallback !== undefined) return <>{fallback}</>;
    window.location.assign("/signin");
    return null;
  }
  return <>{render({ me, api })}</>;
}
