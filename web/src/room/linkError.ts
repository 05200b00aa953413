// What a room link's refusal means to the person holding it, and what to do next. Pure: the
// server's status and reason in, a page's title, explanation and next step out.
import { ApiError } from "../api";

export interface LinkProblem {
  kind: "no-token" | "ended" | "invalid" | "unreachable" | "server";
  title: string;
  detail: string;
  next: string;
}

export const NO_TOKEN: LinkProblem = {
  kind: "no-token",
  title: "This link is incomplete",
  detail: "A session link carries a token after “?token=”, and this one has none.",
  next: "Open the link exactly as the interviewer sent it, or ask them for it again.",
};

export function linkProblem(e: unknown): LinkProblem {
  if (!(e instanceof ApiError)) {
    return { kind: "server", title: "Something went wrong", detail: String(e), next: "Reload the page." };
  }
  if (e.status === 0) {
    return {
      kind: "unreachable",
      title: "The server cannot be reached",
      detail: "Your browser could not connect to Pairboard.",
      next: "Check your connection and reload this page.",
    };
  }
  if (e.status === 403 && e.message === "session has ended") {
    return {
      kind: "ended",
      title: "This interview has ended",
      detail: "Links stop working when the interviewer ends the interview. Your work was saved.",
      next: "You can close this tab. If you are on the hiring team, ask the interviewer for a replay link.",
    };
  }
  if (e.refused) {
    return {
      kind: "invalid",
      title: "This link does not work",
      detail: `This link is not valid (${e.status}: ${e.message}).`,
      next: "Check that you copied the whole link, or ask the interviewer for a new one.",
    };
  }
  return {
    kind: "server",
    title: "The server could not open this session",
    detail: `The server answered ${e.status}: ${e.message}`,
    next: "Reload the page in a moment; if it keeps happening, tell the interviewer.",
  };
}
