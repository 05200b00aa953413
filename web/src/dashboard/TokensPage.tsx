// Personal API tokens (`/tokens`), for every member: create one with scopes and an expiry (the
// secret is shown once, with a copy button: the server keeps only its hash), list them, revoke.
import { useCallback, useEffect, useState } from "react";
import { MemberFrame, type MemberContext } from "./MemberShell";
import { TOKEN_SCOPES, type CreatedToken, type TokenRow } from "./memberApi";

const day = (ms: number | null) => (ms == null ? "" : new Date(ms).toLocaleDateString());

export function TokensPage({ ctx }: { ctx: MemberContext }) {
  const [tokens, setTokens] = useState<TokenRow[]>([]);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["sessions:read"]);
  const [days, setDays] = useState(90);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setTokens(await ctx.api.listTokens());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [ctx.api]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const act = async (what: () => Promise<unknown>) => {
    setError(null);
    try {
      await what();
      await reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <MemberFrame ctx={ctx} page="tokens">
      <section className="card">
        <h2>New API token</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              setCopied(false);
              setCreated(await ctx.api.createToken(name.trim(), scopes, days));
              setName("");
            });
          }}
        >
          <label>
            Name <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Token name" required />
          </label>
          <label>
            Expires in (days) <input type="number" min={1} value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Expires in days" />
          </label>
          <fieldset>
            <legend>Scopes</legend>
            {TOKEN_SCOPES.map((s) => (
              <label key={s}>
                <input
                  type="checkbox"
                  checked={scopes.includes(s)}
                  onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
                />{" "}
                {s}
              </label>
            ))}
          </fieldset>
          <button type="submit">Create token</button>
        </form>
        {error ? <p className="error" role="alert">{error}</p> : null}
        {created ? (
          <div className="notice" data-testid="new-token">
            <p>Copy it now: it is shown once and never again.</p>
            <code className="secret" data-testid="token-secret">{created.token}</code>{" "}
            <button
              type="button"
              onClick={() => void navigator.clipboard?.writeText(created.token).then(() => setCopied(true), () => setCopied(false))}
            >
              {copied ? "copied" : "copy"}
            </button>
          </div>
        ) : null}
      </section>
      <section className="card">
        <h2>Your tokens</h2>
        {tokens.length === 0 ? <p className="muted">No tokens.</p> : null}
        <table className="members">
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-testid={`token-${t.name}`} data-revoked={t.revoked_at != null}>
                <td>{t.name}</td>
                <td>{t.scopes.join(", ")}</td>
                <td>expires {day(t.expires_at)}</td>
                <td>
                  {t.revoked_at != null ? (
                    `revoked ${day(t.revoked_at)}`
                  ) : (
                    <button type="button" onClick={() => void act(() => ctx.api.revokeToken(t.id))} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </MemberFrame>
  );
}
