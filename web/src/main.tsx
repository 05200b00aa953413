// Entry point and router. Four routes, all served index.html by the server: the lobby `/`,
// a session room `/s/{id}?token=...`, `/replay/{id}?token=...` (the replay player) and
// `/signin` (password, single sign-on, invites).
import { createRoot } from "react-dom/client";
import { Lobby } from "./lobby/Lobby";
import { ReplayPage } from "./replay/Player";
import { NotFoundPage } from "./room/Pages";
import { RoomPage } from "./room/Room";
import { SignInPage } from "./signin/SignIn";
import "./styles.css";

function route(path: string, search: string) {
  const room = /^\/s\/([^/]+)\/?$/.exec(path);
  if (room) {
    return <RoomPage session={decodeURIComponent(room[1])} token={new URLSearchParams(search).get("token")} />;
  }
  const replay = /^\/replay\/([^/]+)\/?$/.exec(path);
  if (replay) {
    return <ReplayPage session={decodeURIComponent(replay[1])} token={new URLSearchParams(search).get("token")} />;
  }
  if (path === "/" || path === "") return <Lobby />;
  if (path === "/signin" || path === "/signin/") return <SignInPage />;
  return <NotFoundPage />;
}

createRoot(document.getElementById("root")!).render(route(window.location.pathname, window.location.search));
