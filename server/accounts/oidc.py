"""Single sign-on over OpenID Connect, through authlib (never hand-written token checks).

The authorization code flow with PKCE (S256), `state` and `nonce`:

1. `start` reads the issuer's discovery document (its `issuer` must be the configured one),
   lets authlib make the authorization URL with a fresh state, nonce and code verifier, and
   keeps them in the durable store under the state's digest (`oidc_logins`), not in a cookie:
   any instance can finish the sign-in, and the callback can consume the state exactly once.
2. `finish` (the redirect back) takes the state's row (a replayed or forged `state` finds
   none), exchanges the code with the verifier (client_secret_basic), and has authlib verify the
   ID token: signature against the issuer's JWKS, `iss`, `aud` = our client id, `exp`/`iat`,
   `nonce` = the one stored for this state, `azp` and `at_hash`. Each refusal says which check
   failed (`IdTokenRefused`).
3. Missing profile claims (e-mail, name) are read from the userinfo endpoint with the access
   token, whose answer must name the same subject. The user is found by the provider's
   subject, or by a verified e-mail (linking an account an owner created), or created with
   `oidc_default_role`; the e-mail's domain must be allowed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from authlib.integrations.base_client import BaseApp, OAuthError
from authlib.integrations.base_client.async_app import AsyncOAuth2Mixin
from authlib.integrations.base_client.async_openid import AsyncOpenIDMixin
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, JoseError

from server.accounts.model import OidcLogin, User, digest, normal_email
from server.accounts.service import AccountError, Accounts
from server.accounts.store import AccountStore
from server.clock import now_ms
from server.replay.records import RateLimiter
from server.settings import Settings

CALLBACK_PATH = "/api/auth/oidc/callback"
CLAIM_REFUSALS = {
    "aud": "the ID token was issued to another client (its aud is not our client id)",
    "iss": "the ID token comes from another issuer",
    "nonce": "the ID token's nonce is not this sign-in's (a replayed or swapped token)",
    "azp": "the ID token was issued to another party (azp)",
    "at_hash": "the ID token does not belong to the access token it came with (at_hash)",
}


class IdTokenRefused(AccountError):
    def __init__(self, message: str) -> None:
        super().__init__(403, f"single sign-on refused: {message}")


class _OpenIDApp(AsyncOAuth2Mixin, AsyncOpenIDMixin, BaseApp):  # type: ignore[misc]
    """authlib's async OpenID client, without a web framework's session (we keep the state)."""

    client_cls = AsyncOAuth2Client


def id_token_refusal(exc: JoseError) -> str:
    """What a failed ID token check means, in words (pure)."""
    if isinstance(exc, BadSignatureError):
        return "the ID token's signature does not verify with the issuer's published keys"
    if isinstance(exc, ExpiredTokenError):
        return "the ID token has expired"
    if isinstance(exc, ClaimError):
        return CLAIM_REFUSALS.get(exc.claim, f"the ID token's {exc.claim!r} claim is not valid")
    return f"the ID token could not be read ({exc.error})"


def domain_allowed(email: str, allowed: str) -> bool:
    domains = {d.strip().lower().lstrip("@") for d in allowed.split(",") if d.strip()}
    return not domains or email.rpartition("@")[2] in domains


class OidcSignIn:
    def __init__(self, settings: Settings, store: AccountStore, accounts: Accounts) -> None:
        assert settings.oidc_issuer and settings.oidc_client_id, "OpenID is not configured"
        self.settings = settings
        self.store = store
        self.accounts = accounts
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self._starts = RateLimiter(settings.oidc_starts_per_minute, 60.0)
        self._app = _OpenIDApp(
            framework=None,
            name="oidc",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "timeout": 10,
            },
        )

    @property
    def redirect_uri(self) -> str:
        return self.settings.base_url() + CALLBACK_PATH

    async def _metadata(self) -> dict[str, Any]:
        try:
            metadata: dict[str, Any] = await self._app.load_server_metadata()
        except Exception as exc:  # unreachable, not JSON, an HTTP error: all the same to a user
            self._app.server_metadata.clear()
            raise AccountError(502, f"the identity provider's discovery document: {exc}") from exc
        if metadata.get("issuer", "").rstrip("/") != self.issuer:
            self._app.server_metadata.clear()
            raise AccountError(
                502,
                f"the discovery document names issuer {metadata.get('issuer')!r}, "
                f"not {self.issuer!r}",
            )
        return metadata

    async def start(self, client: str) -> str:
        """The provider's authorization URL to send the browser to (`client`: its address)."""
        if not self._starts.allow(("oidc", client)):
            raise AccountError(
                429,
                f"more than {self.settings.oidc_starts_per_minute} sign-ins a minute started "
                "from this address: wait a minute",
            )
        ttl_ms = self.settings.oidc_login_ttl_seconds * 1000
        await self.store.purge_oidc_logins(now_ms() - ttl_ms)
        await self._metadata()
        made = await self._app.create_authorization_url(self.redirect_uri)
        await self.store.add_oidc_login(
            OidcLogin(digest(made["state"]), made["nonce"], made["code_verifier"], now_ms())
        )
        url: str = made["url"]
        return url

    async def finish(self, params: dict[str, str]) -> User:
        """The user the provider's redirect back signs in, or `AccountError` saying why not."""
        if "error" in params:
            detail = params.get("error_description") or params["error"]
            raise AccountError(403, f"the identity provider refused the sign-in: {detail}")
        state, code = params.get("state", ""), params.get("code", "")
        login = await self.store.take_oidc_login(digest(state)) if state else None
        if login is None:
            raise AccountError(
                403, "unknown or already used sign-in state: start the sign-in again"
            )
        if login.created_at_ms + self.settings.oidc_login_ttl_seconds * 1000 < now_ms():
            raise AccountError(403, "the sign-in took too long: start it again")
        if "iss" in params and params["iss"].rstrip("/") != self.issuer:  # RFC 9207
            raise AccountError(403, "the authorization response comes from another issuer")
        if not code:
            raise AccountError(422, "the identity provider sent no authorization code")
        await self._metadata()
        try:
            token = await self._app.fetch_access_token(
                redirect_uri=self.redirect_uri, code=code, code_verifier=login.code_verifier
            )
        except OAuthError as exc:
            raise AccountError(403, f"the identity provider refused the code: {exc}") from exc
        try:
            claims = await self._app.parse_id_token(
                token,
                nonce=login.nonce,
                claims_options={
                    "iss": {"essential": True, "value": self.issuer},
                    "aud": {"essential": True, "value": self.client_id},
                },
                leeway=30,
            )
        except JoseError as exc:
            raise IdTokenRefused(id_token_refusal(exc)) from exc
        if claims is None:
            raise IdTokenRefused("the token response holds no ID token")
        verified = dict(claims)
        if "email" not in verified:  # many providers put profile claims in userinfo only
            verified.update(await self._userinfo(token, str(verified["sub"])))
        return await self._user_for(verified)

    async def _userinfo(self, token: dict[str, Any], sub: str) -> dict[str, Any]:
        try:
            info = dict(await self._app.userinfo(token=token))
        except Exception as exc:  # unreachable, refused, not JSON
            raise AccountError(502, f"the identity provider's userinfo endpoint: {exc}") from exc
        if info.get("sub") != sub:  # OpenID Connect Core 5.3.2
            raise AccountError(403, "the userinfo answer is about another subject")
        return {k: info[k] for k in ("email", "email_verified", "name") if k in info}

    async def _user_for(self, claims: dict[str, Any]) -> User:
        subject = f"{self.issuer} {claims['sub']}"
        email = normal_email(str(claims.get("email") or ""))
        if not email or claims.get("email_verified") is not True:
            raise AccountError(403, "the identity provider vouches for no verified e-mail")
        if not domain_allowed(email, self.settings.oidc_allowed_domains):
            raise AccountError(
                403, f"e-mail domain {email.rpartition('@')[2]!r} may not sign in here"
            )
        user = await self.store.user_by_subject(subject)
        if user is None:
            user = await self.store.user_by_email(email)
            if user is not None and user.oidc_subject is not None:
                raise AccountError(403, f"{email} is linked to another identity already")
            if user is not None:  # an account an owner made: linked on its first SSO sign-in
                user = replace(user, oidc_subject=subject)
                await self.store.update_user(user)
        if user is None:
            name = str(claims.get("name") or "") or None
            user = await self.accounts.add_user(
                email, self.settings.oidc_default_role, name=name, oidc_subject=subject
            )
        if user.disabled_at_ms is not None:
            raise AccountError(403, "this account is disabled")
        return user
