// Entry point and router. The routes, all served index.html by the server: `/` (a signed-in
// member's dashboard, else the admin-token lobby), `/users` and `/tokens` (src/dashboard/),
// a session room `/s/{id}?token=...`, `/replay/{id}?token=...` (the replay player; without a
// token it opens with the member's sign-in),
// `/signin` (password, single sign-on, invites), `/settings` (the organisation's settings) and
// `/settings/webhooks` (owners' webhooks).
// Each route is its own chunk, loaded on demand: a candidate's first visit downloads the room
// (editor, sync) and nothing of the lobby or the replay; the whiteboard loads after the editor.
//
// The page's route module is imported before the first render instead of through `lazy()` and
// a top-level `<Suspense>`: React 19 holds back a Suspense boundary's content until 300 ms after
// its fallback was shown (FALLBACK_THROTTLE_MS), so a route behind `lazy()` reached the screen
// no sooner than 300 ms after the empty fallback, however early its chunk (modulepreloaded by
// index.html) had arrived: on a room link, most of the time between the scripts running and the
// editor being ready (docs/PERFORMANCE.md).
import type { ComponentType, ReactElement } from "react";
import { createRoot } from "react-dom/client";
import "./styles.css";
// Small stylesheets most pages use, in the entry's one stylesheet instead of two more requests
// on a room link's critical path (Chromium sends six at a time to a host over HTTP/1.1).
import "./room/journey.css";
import "./editor/project.css";

type Loader = () => Promise<ComponentType>;
const notFound: Loader = () => import("./room/Pages").then((m) => m.NotFoundPage);
// The routes without a parameter, by path (a trailing slash is the same page).
const PAGES: Record<string, Loader> = {
  "": () => import("./dashboard/routes").then((m) => m.HomePage),
  "/users": () => import("./dashboard/routes").then((m) => m.UsersRoute),
  "/tokens": () => import("./dashboard/routes").then((m) => m.TokensRoute),
  "/signin": () => import("./signin/SignIn").then((m) => m.SignInPage),
  "/settings": () => import("./settings/Settings").then((m) => m.SettingsPage),
  "/settings/webhooks": () => import("./webhooks/WebhooksPage").then((m) => m.WebhooksPage),
};

async function page(path: string, search: string): Promise<ReactElement> {
  const token = new URLSearchParams(search).get("token");
  // index.html's inline script has already started a room link's first requests (room/early.ts).
  const room = /^\/s\/([^/]+)\/?$/.exec(path);
  if (room) {
    const { RoomPage } = await import("./room/Room");
    return <RoomPage session={decodeURIComponent(room[1])} token={token} />;
  }
  const replay = /^\/replay\/([^/]+)\/?$/.exec(path);
  if (replay) {
    const { default: ReplayRoute } = await import("./replay/ReplayRoute");
    return <ReplayRoute session={decodeURIComponent(replay[1])} token={token} />;
  }
  const Page = await (PAGES[path.replace(/\/$/, "")] ?? notFound)();
  return <Page />;
}

void page(window.location.pathname, window.location.search).then((element) =>
  createRoot(document.getElementById("root")!).render(element),
);
