// What a replay's refusal means to the person who opened it, and what to do next. Pure: the
// server's answer and how the replay was opened (a link's token, or the member's own sign-in)
// in; a page's title, explanation and next step out. A refused recording shows this page, never
// an empty player.
import { ApiError } from "../api";

export type OpenedWith = "token" | "sign-in";

export interface ReplayProblem {
  /** The HTTP status (0: unreachable, -1: not an API answer). */
  status: number;
  title: string;
  detail: string;
  next: string;
  /** Signing in (again) is the way on. */
  signIn: boolean;
}

export const SIGNED_OUT: ReplayProblem = {
  status: 401,
  title: "Sign in to open this recording",
  detail: "This replay opens with your Pairboard sign-in, and this browser is not signed in.",
  next: "Sign in, then open the replay again from your dashboard.",
  signIn: true,
};

export function replayProblem(e: unknown, opened: OpenedWith): ReplayProblem {
  if (!(e instanceof ApiError)) {
    return { status: -1, title: "Cannot open this replay", detail: String(e), next: "Reload the page.", signIn: false };
  }
  if (e.status === 0) {
    return {
      status: 0,
      title: "The server cannot be reached",
      detail: "Your browser could not connect to Pairboard.",
      next: "Check your connection and reload this page.",
      signIn: false,
    };
  }
  if (e.status === 401) return { ...SIGNED_OUT, detail: `The server says: ${e.message}.` };
  if (e.status === 403 && opened === "sign-in") {
    return {
      status: 403,
      title: "You do not have access to this recording",
      detail: `The server says: ${e.message}.`,
      next: "Ask the session's interviewer to share it with you (Share, on their dashboard), then open it from yours.",
      signIn: false,
    };
  }
  if (e.status === 403) {
    return {
      status: 403,
      title: "This replay link does not work",
      detail: `The server says: ${e.message}.`,
      next: "Ask the interviewer for a new replay link, or sign in and open the recording from your dashboard.",
      signIn: true,
    };
  }
  if (e.status === 404) {
    return {
      status: 404,
      title: "There is no such recording",
      detail: "No session has this id: it may have been erased, or deleted by the retention policy.",
      next: "Check the address, or open the recording from your dashboard.",
      signIn: false,
    };
  }
  return { status: e.status, title: "Cannot open this replay", detail: e.message, next: "Reload the page to try again.", signIn: false };
}
