// A real OpenID provider (the certified `oidc-provider`) on loopback for tests/accounts.
//
// Environment: OIDC_PORT, OIDC_CLIENTS (JSON list of {client_id, client_secret, redirect_uris}).
// Accounts: any e-mail typed into the login form signs in as itself (sub = e-mail, verified).
// Consent is implied (first-party clients). Test hook: POST /__test/tamper {"mode": ...} makes
// the next token responses carry an ID token changed after the provider issued it: "signature"
// (signed by a key the provider never published), "audience", "expired", "nonce", "issuer";
// {"mode": null} stops it. Everything else is the provider as its authors ship it.
import Provider from 'oidc-provider';
import * as jose from 'jose';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS).map((c) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...c,
}));

const keys = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await jose.exportJWK(keys.privateKey)), kid: 'provider-key', alg: 'RS256', use: 'sig' };
const stranger = await jose.generateKeyPair('RS256');
let tamper = null;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  cookies: { keys: ['test-only-cookie-key'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, email: sub, email_verified: true, name: sub.split('@')[0] };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

async function body(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

async function tampered(idToken) {
  const header = jose.decodeProtectedHeader(idToken);
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = keys.privateKey;
  if (tamper.mode === 'signature') key = stranger.privateKey;
  if (tamper.mode === 'audience') claims.aud = 'another-client';
  if (tamper.mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (tamper.mode === 'nonce') claims.nonce = 'not-the-nonce-of-this-sign-in';
  if (tamper.mode === 'issuer') claims.iss = 'http://127.0.0.1:1';
  return new jose.SignJWT(claims).setProtectedHeader(header).sign(key);
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/tamper' && ctx.method === 'POST') {
    const wanted = JSON.parse(await body(ctx.req));
    tamper = wanted.mode ? wanted : null;
    ctx.body = { tamper };
    return;
  }
  const form = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (form && ctx.method === 'GET') {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Test provider sign-in</title>
<form method="post" action="/interaction/${details.uid}/login">
<label>E-mail <input name="email" type="email" required></label>
<button type="submit">Sign in</button></form>`;
    return;
  }
  const login = ctx.path.match(/^\/interaction\/([^/]+)\/login$/);
  if (login && ctx.method === 'POST') {
    const email = new URLSearchParams(await body(ctx.req)).get('email');
    const returnTo = await provider.interactionResult(
      ctx.req, ctx.res, { login: { accountId: email } }, { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(returnTo);
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await tampered(ctx.body.id_token) };
  }
});

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`oidc-provider listening on ${issuer}\n`);
});
