// The candidate's page reports integrity signals through `/signals`: each paste (its size and
// line count, never the text: the text reaches the server once, as the edit itself), and focus
// lost and regained (another window or tab). Failures are ignored: a signal is evidence, and
// losing one must never interrupt the interview.
import { useEffect } from "react";
import { pasteSignal } from "./integrity";
import { sendSignal, type SignalBody } from "./sessionApi";

export function useIntegritySignals(session: string, token: string, enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    let away = !document.hasFocus() && document.visibilityState === "hidden";
    const send = (body: SignalBody) => void sendSignal(session, token, body).catch(() => undefined);
    const onPaste = (e: ClipboardEvent) => {
      const signal = pasteSignal(e.clipboardData?.getData("text/plain") ?? "");
      if (signal) send(signal);
    };
    const leave = () => {
      if (away) return;
      away = true;
      send({ kind: "blur" });
    };
    const come = () => {
      if (!away) return;
      away = false;
      send({ kind: "focus" });
    };
    const onVisibility = () => (document.visibilityState === "hidden" ? leave() : come());
    document.addEventListener("paste", onPaste, true);
    window.addEventListener("blur", leave);
    window.addEventListener("focus", come);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("paste", onPaste, true);
      window.removeEventListener("blur", leave);
      window.removeEventListener("focus", come);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [session, token, enabled]);
}
