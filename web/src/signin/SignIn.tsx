// The sign-in page (`/signin`): password sign-in, single sign-on through the organisation's
// identity provider, and an invite link's first password (`/signin#invite=...`, the token kept
// in the fragment so it never reaches a server log). The server sets an HttpOnly cookie; the
// page only keeps the CSRF token it is given, for the requests it makes itself.
import { useEffect, useState } from "react";

interface Me {
  user: { email: string; name: string; role: string };
  csrf_token: string | null;
}

async function post(path: string, body: unknown, csrf?: string): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (csrf) headers["X-CSRF-Token"] = csrf;
  return fetch(path, { method: "POST", headers, body: JSON.stringify(body), credentials: "same-origin" });
}

async function detail(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { detail?: unknown };
    return typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

export function SignInPage() {
  const invite = new URLSearchParams(window.location.hash.slice(1)).get("invite");
  const [me, setMe] = useState<Me | null>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");

  useEffect(() => {
    void fetch("/api/me", { credentials: "same-origin" }).then(async (r) => {
      if (r.ok) setMe((await r.json()) as Me);
    });
  }, []);

  const submit = async () => {
    setError("");
    const response = invite
      ? await post("/api/auth/invite", { token: invite, password })
      : await post("/api/auth/sign-in", { email, password });
    if (!response.ok) {
      setError(await detail(response));
      return;
    }
    if (invite) window.history.replaceState(null, "", "/signin");
    setMe((await response.json()) as Me);
  };

  if (me) {
    return (
      <main className="center">
        <div className="card">
          <h1>Signed in</h1>
          <p data-testid="signed-in-as">
            {me.user.name} ({me.user.email}), {me.user.role}
          </p>
          <p>
            <a href="/">Go to the lobby</a>
            {" · "}
            <a href="/settings" data-testid="settings-link">Organisation settings</a>
          </p>
          <button
            type="button"
            onClick={() => {
              void post("/api/auth/sign-out", {}, me.csrf_token ?? undefined).then(() => setMe(null));
            }}
          >
            Sign out
          </button>
        </div>
      </main>
    );
  }
  return (
    <main className="center">
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>{invite ? "Choose your password" : "Sign in to Pairboard"}</h1>
        {!invite && (
          <label>
            E-mail <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </label>
        )}
        <label>
          Password{" "}
          <input
            type="password"
            autoComplete={invite ? "new-password" : "current-password"}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <button type="submit">{invite ? "Set password and sign in" : "Sign in"}</button>
        {error && <p role="alert">{error}</p>}
        {!invite && (
          <p>
            <a href="/api/auth/oidc/start">Sign in with your organisation's account</a>
          </p>
        )}
      </form>
    </main>
  );
}
