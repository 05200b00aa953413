// Settings → Webhooks (`/settings/webhooks`): the organisation's owners add endpoints (URL and
// events; the signing secret is shown once, right after), remove them, and watch each one's
// deliveries (state, attempts, the last answer, the next attempt), re-read every few seconds,
// with "Redeliver" to send a delivery's body again. Signed in with the browser's cookie; the
// server refuses anyone but an owner (Action.WEBHOOK_MANAGE) and the page says so.
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError } from "../api";
import { deliveryStatus, EVENTS, OwnerApi, whoAmI, type DeliveryInfo, type Me, type WebhookInfo } from "./ownerApi";
import "./webhooks.css";

const POLL_MS = 2000;

function Deliveries({ api, hook }: { api: OwnerApi; hook: WebhookInfo }) {
  const [list, setList] = useState<DeliveryInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const refresh = useCallback(() => {
    api.deliveries(hook.id).then(
      (d) => {
        setList(d);
        setNow(Date.now());
        setError(null);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [api, hook.id]);
  useEffect(() => {
    refresh();
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);
  if (error) return <p className="error" role="alert">{error}</p>;
  if (list === null) return <p className="muted">Loading deliveries…</p>;
  if (list.length === 0) return <p className="muted">No deliveries yet.</p>;
  return (
    <table className="deliveries" aria-label={`Deliveries to ${hook.url}`}>
      <thead>
        <tr><th>Event</th><th>Session</th><th>Status</th><th>Attempts</th><th>Queued</th><th /></tr>
      </thead>
      <tbody>
        {list.map((d) => (
          <tr key={d.id} data-testid="delivery" data-state={d.state} data-attempts={d.attempts}>
            <td>{d.event}</td>
            <td><code>{d.session_id}</code></td>
            <td data-testid="delivery-status" title={d.last_response ?? undefined}>{deliveryStatus(d, now)}</td>
            <td>{d.attempts}</td>
            <td>{new Date(d.created_at).toLocaleString()}</td>
            <td>
              <button type="button" data-testid="redeliver" onClick={() => void api.redeliver(hook.id, d.id).then(refresh, (e: unknown) => setError(String(e)))}>
                Redeliver
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AddWebhook({ api, onAdded }: { api: OwnerApi; onAdded: (w: WebhookInfo) => void }) {
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>([...EVENTS]);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        api.add(url.trim(), events).then(
          (w) => {
            setUrl("");
            onAdded(w);
          },
          (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
        );
      }}
    >
      <h2>Add a webhook</h2>
      <label>
        URL <input data-testid="webhook-url" type="url" value={url} required placeholder="https://ats.example.com/pairboard" onChange={(e) => setUrl(e.target.value)} />
      </label>
      <fieldset>
        <legend>Events</legend>
        {EVENTS.map((ev) => (
          <label key={ev}>
            <input
              type="checkbox"
              checked={events.includes(ev)}
              onChange={(e) => setEvents((old) => (e.target.checked ? [...old, ev] : old.filter((x) => x !== ev)))}
            />{" "}
            {ev}
          </label>
        ))}
      </fieldset>
      <button type="submit" data-testid="add-webhook" disabled={!url.trim() || events.length === 0}>Add webhook</button>
      {error ? <p className="error" role="alert" data-testid="webhook-error">{error}</p> : null}
    </form>
  );
}

export function WebhooksPage() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [hooks, setHooks] = useState<WebhookInfo[] | null>(null);
  const [secret, setSecret] = useState<WebhookInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    whoAmI().then(setMe, () => setMe(null));
  }, []);
  const api = useMemo(() => (me?.csrf_token ? new OwnerApi(me.csrf_token) : null), [me]);
  const refresh = useCallback(() => {
    api?.list().then(setHooks, (e: unknown) =>
      setError(e instanceof ApiError && e.status === 403 ? `Only the organisation's owners manage webhooks (${e.message}).` : String(e)),
    );
  }, [api]);
  useEffect(refresh, [refresh]);

  if (me === undefined) return <main className="center muted">Loading…</main>;
  if (me === null || !api) {
    return (
      <main className="center">
        <p>Sign in as an owner of the organisation to manage webhooks. <a href="/signin">Sign in</a></p>
      </main>
    );
  }
  return (
    <main className="webhooks-page">
      <header className="lobby-head">
        <h1>Webhooks</h1>
        <span className="muted">{me.user.email} ({me.user.role}) · <a href="/">lobby</a></span>
      </header>
      <p className="muted">
        Pairboard posts signed JSON to these URLs when a session ends and when a scorecard is submitted (docs/WEBHOOKS.md says how to verify the signature).
      </p>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {secret ? (
        <section className="card secret" role="status">
          <h2>Signing secret for {secret.url}</h2>
          <p>Copy it now: it is not shown again.</p>
          <code data-testid="webhook-secret">{secret.secret}</code>
          <button type="button" onClick={() => setSecret(null)}>Done</button>
        </section>
      ) : null}
      <AddWebhook
        api={api}
        onAdded={(w) => {
          setSecret(w);
          refresh();
        }}
      />
      {hooks?.map((h) => (
        <section key={h.id} className="card" data-testid="webhook" aria-label={`Webhook ${h.url}`}>
          <h2>
            <code>{h.url}</code>
          </h2>
          <p className="muted">
            {h.events.join(", ")} · added {new Date(h.created_at).toLocaleString()}{" "}
            <button type="button" className="link" onClick={() => void api.remove(h.id).then(refresh, (e: unknown) => setError(String(e)))}>
              remove
            </button>
          </p>
          <Deliveries api={api} hook={h} />
        </section>
      ))}
      {hooks && hooks.length === 0 ? <p className="muted">No webhooks yet.</p> : null}
    </main>
  );
}
