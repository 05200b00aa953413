// Entry point and router. The routes, all served index.html by the server: `/` (a signed-in
// member's dashboard, else the admin-token lobby), `/users` and `/tokens` (src/dashboard/),
// a session room `/s/{id}?token=...`, `/replay/{id}?token=...` (the replay player; without a
// token it opens with the member's sign-in),
// `/signin` (password, single sign-on, invites), `/settings` (the organisation's settings) and
// `/settings/webhooks` (owners' webhooks).
// Each route is its own chunk, loaded on demand: a candidate's first visit downloads the room
// (editor, sync) and nothing of the lobby or the replay; the whiteboard loads after the editor.
import { lazy, Suspense } from "react";
import { createRoot } from "react-dom/client";
import "./styles.css";

const HomePage = lazy(() => import("./dashboard/routes").then((m) => ({ default: m.HomePage })));
const UsersRoute = lazy(() => import("./dashboard/routes").then((m) => ({ default: m.UsersRoute })));
const TokensRoute = lazy(() => import("./dashboard/routes").then((m) => ({ default: m.TokensRoute })));
const ReplayRoute = lazy(() => import("./replay/ReplayRoute"));
const NotFoundPage = lazy(() => import("./room/Pages").then((m) => ({ default: m.NotFoundPage })));
const RoomPage = lazy(() => import("./room/Room").then((m) => ({ default: m.RoomPage })));
const SignInPage = lazy(() => import("./signin/SignIn").then((m) => ({ default: m.SignInPage })));
const SettingsPage = lazy(() => import("./settings/Settings").then((m) => ({ default: m.SettingsPage })));
const WebhooksPage = lazy(() => import("./webhooks/WebhooksPage").then((m) => ({ default: m.WebhooksPage })));

function route(path: string, search: string) {
  // index.html's inline script has already started a room link's first requests (room/early.ts).
  const room = /^\/s\/([^/]+)\/?$/.exec(path);
  if (room) {
    return <RoomPage session={decodeURIComponent(room[1])} token={new URLSearchParams(search).get("token")} />;
  }
  const replay = /^\/replay\/([^/]+)\/?$/.exec(path);
  if (replay) {
    return <ReplayRoute session={decodeURIComponent(replay[1])} token={new URLSearchParams(search).get("token")} />;
  }
  if (path === "/" || path === "") return <HomePage />;
  if (path === "/users" || path === "/users/") return <UsersRoute />;
  if (path === "/tokens" || path === "/tokens/") return <TokensRoute />;
  if (path === "/signin" || path === "/signin/") return <SignInPage />;
  if (path === "/settings" || path === "/settings/") return <SettingsPage />;
  if (path === "/settings/webhooks" || path === "/settings/webhooks/") return <WebhooksPage />;
  return <NotFoundPage />;
}

createRoot(document.getElementById("root")!).render(
  <Suspense fallback={null}>{route(window.location.pathname, window.location.search)}</Suspense>,
);
