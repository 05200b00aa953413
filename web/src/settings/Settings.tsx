// The organisation's settings page (`/settings`): the candidate notice (Markdown, with a preview
// as the candidate will see it), the privacy-policy link, and how long recordings and integrity
// signals are kept. Signed in through the browser's cookie (the page keeps only the CSRF token
// `/api/me` gives it); every member may read, owners save, and the server checks both.
import { useEffect, useState } from "react";
import { markdownToHtml } from "../markdown";
import { fromSettings, serverErrors, toSettings, type FieldErrors, type OrgSettings, type SettingsForm } from "./form";
import "../room/journey.css";
import "./settings.css";

interface Me {
  user: { email: string; name: string; role: string };
  csrf_token: string | null;
}

interface SettingsView {
  settings: OrgSettings;
  notice_version: number | null;
  updated_at: number | null;
  limits: { notice_max_bytes: number };
}

type Load =
  | { phase: "loading" }
  | { phase: "signed-out" }
  | { phase: "error"; message: string }
  | { phase: "ready"; me: Me; view: SettingsView };

async function detailOf(response: Response): Promise<unknown> {
  try {
    return ((await response.json()) as { detail?: unknown }).detail ?? `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

function ErrorText({ errors, field }: { errors: FieldErrors; field: keyof FieldErrors }) {
  const text = errors[field];
  return text ? <span className="field-error" role="alert" data-testid={`error-${field}`}>{text}</span> : null;
}

export function SettingsPage() {
  const [load, setLoad] = useState<Load>({ phase: "loading" });
  useEffect(() => {
    void (async () => {
      const me = await fetch("/api/me", { credentials: "same-origin" });
      if (me.status === 401) return setLoad({ phase: "signed-out" });
      if (!me.ok) return setLoad({ phase: "error", message: String(await detailOf(me)) });
      const settings = await fetch("/api/org/settings", { credentials: "same-origin" });
      if (!settings.ok) return setLoad({ phase: "error", message: String(await detailOf(settings)) });
      setLoad({ phase: "ready", me: (await me.json()) as Me, view: (await settings.json()) as SettingsView });
    })().catch((e: unknown) => setLoad({ phase: "error", message: `server unreachable: ${String(e)}` }));
  }, []);

  if (load.phase === "loading") return <main className="center muted">Loading the settings…</main>;
  if (load.phase === "signed-out") {
    return (
      <main className="center journey-page">
        <div className="journey-card" data-testid="settings-signed-out">
          <h1>Organisation settings</h1>
          <p>Sign in as one of the organisation's owners to change these settings.</p>
          <p><a href="/signin">Sign in</a></p>
        </div>
      </main>
    );
  }
  if (load.phase === "error") {
    return <main className="center"><p className="error" role="alert">{load.message}</p></main>;
  }
  return <SettingsEditor me={load.me} initial={load.view} />;
}

function SettingsEditor({ me, initial }: { me: Me; initial: SettingsView }) {
  const owner = me.user.role === "owner";
  const [view, setView] = useState(initial);
  const [form, setForm] = useState<SettingsForm>(fromSettings(initial.settings));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const limit = view.limits.notice_max_bytes;
  const set = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setSaved(null);
  };

  const save = async () => {
    setSaved(null);
    const { settings, errors: found } = toSettings(form, limit);
    setErrors(found);
    if (!settings) return;
    setBusy(true);
    try {
      const response = await fetch("/api/org/settings", {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token ?? "" },
        body: JSON.stringify(settings),
      });
      if (!response.ok) {
        setErrors(serverErrors(await detailOf(response)));
        return;
      }
      const next = (await response.json()) as SettingsView;
      setView(next);
      setForm(fromSettings(next.settings));
      setSaved(`Saved. Candidates now see notice version ${next.notice_version ?? "—"}.`);
    } catch (e) {
      setErrors({ form: `server unreachable: ${String(e)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="settings">
      <header className="lobby-head">
        <h1>Organisation settings</h1>
        <a href="/">Lobby</a>
      </header>
      <p className="muted" data-testid="settings-who">
        Signed in as {me.user.name} ({me.user.email}), {me.user.role}.
      </p>
      {!owner ? (
        <p className="notice-readonly" role="status" data-testid="settings-not-owner">
          Only the organisation's owners can change these settings. You can read them below; ask an owner to change them.
        </p>
      ) : null}
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <fieldset disabled={!owner || busy}>
          <h2>Candidate notice</h2>
          <label className="check">
            <input type="checkbox" checked={form.notice_enabled} onChange={(e) => set("notice_enabled", e.target.checked)} data-testid="notice-enabled" />{" "}
            Show this notice to every candidate before they join (they must acknowledge it)
          </label>
          <label>
            Notice (Markdown)
            <textarea rows={8} value={form.notice_text} onChange={(e) => set("notice_text", e.target.value)} data-testid="notice-text-input" />
          </label>
          <span className="muted">{new TextEncoder().encode(form.notice_text).length} of {limit} bytes</span>
          <ErrorText errors={errors} field="notice_text" />
          <label>
            Privacy-policy link (https)
            <input type="url" value={form.privacy_policy_url} onChange={(e) => set("privacy_policy_url", e.target.value)}
              placeholder="https://example.com/privacy" data-testid="privacy-url-input" />
          </label>
          <ErrorText errors={errors} field="privacy_policy_url" />
          <details className="preview">
            <summary>Preview as the candidate sees it</summary>
            <div className="md notice-text" dangerouslySetInnerHTML={{ __html: markdownToHtml(form.notice_text) }} />
          </details>
          <h2>Retention</h2>
          <label>
            Delete recordings this many days after the interview ended (empty: keep)
            <input inputMode="decimal" value={form.recording_retention_days} onChange={(e) => set("recording_retention_days", e.target.value)} data-testid="recording-days-input" />
          </label>
          <ErrorText errors={errors} field="recording_retention_days" />
          <label>
            Delete integrity signals (paste sizes, focus changes) this many days after the end (empty: with the recording)
            <input inputMode="decimal" value={form.signal_retention_days} onChange={(e) => set("signal_retention_days", e.target.value)} data-testid="signal-days-input" />
          </label>
          <ErrorText errors={errors} field="signal_retention_days" />
          <ErrorText errors={errors} field="form" />
          {owner ? <button type="submit" data-testid="save-settings">Save</button> : null}
          {saved ? <span role="status" className="saved" data-testid="settings-saved">{saved}</span> : null}
        </fieldset>
      </form>
    </main>
  );
}
