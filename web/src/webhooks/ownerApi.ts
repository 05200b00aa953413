// The owners' REST calls of the webhooks page, made with the browser's sign-in cookie: the page
// asks `/api/me` once for the sign-in's CSRF token and sends it on every state-changing call
// (the cookie alone is refused for those, server/access.py). Pure helpers for what the page shows.
import { ApiError } from "../api";

export interface Me {
  user: { email: string; name: string; role: string };
  csrf_token: string | null;
}

export interface WebhookInfo {
  id: string;
  url: string;
  events: string[];
  created_at: number;
  created_by: string | null;
  /** Only in the answer to the POST that made it: shown once. */
  secret?: string;
}

export interface DeliveryInfo {
  id: string;
  webhook_id: string;
  event: string;
  session_id: string;
  state: "pending" | "delivered" | "failed";
  attempts: number;
  created_at: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  last_response: string | null;
  delivered_at: number | null;
}

export const EVENTS = ["session.ended", "scorecard.submitted"] as const;

async function detail(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { detail?: unknown };
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) {
      return body.detail.map((d: { msg?: string }) => d.msg ?? JSON.stringify(d)).join("; ");
    }
    return `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

export class OwnerApi {
  constructor(private readonly csrf: string) {}

  async call<T>(path: string, method = "GET", body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (method !== "GET") headers["X-CSRF-Token"] = this.csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (e) {
      throw new ApiError(0, `server unreachable: ${String(e)}`);
    }
    if (!res.ok) throw new ApiError(res.status, await detail(res));
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  list = () => this.call<WebhookInfo[]>("/api/webhooks");
  add = (url: string, events: string[]) => this.call<WebhookInfo>("/api/webhooks", "POST", { url, events });
  remove = (id: string) => this.call<void>(`/api/webhooks/${encodeURIComponent(id)}`, "DELETE");
  deliveries = (id: string) => this.call<DeliveryInfo[]>(`/api/webhooks/${encodeURIComponent(id)}/deliveries`);
  redeliver = (id: string, delivery: string) =>
    this.call<DeliveryInfo>(
      `/api/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(delivery)}/redeliver`,
      "POST",
    );
}

export async function whoAmI(): Promise<Me | null> {
  const res = await fetch("/api/me", { credentials: "same-origin" });
  return res.ok ? ((await res.json()) as Me) : null;
}

/** One line on what happened to a delivery, for people. */
export function deliveryStatus(d: DeliveryInfo, now: number): string {
  const tries = `${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`;
  if (d.state === "delivered") return `delivered (HTTP ${d.last_status}) after ${tries}`;
  const last = d.last_status !== null ? `HTTP ${d.last_status}` : d.last_error ?? "";
  if (d.state === "failed") return `failed after ${tries}: ${last}`;
  if (d.attempts === 0) return "queued";
  const wait = d.next_attempt_at === null ? 0 : Math.max(0, Math.round((d.next_attempt_at - now) / 1000));
  return `retrying in ${wait} s (${tries}, last: ${last})`;
}
