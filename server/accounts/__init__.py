"""Accounts: the organisation's users, their roles, and how they sign in (issue 13).

`model.py` (what a user is), `store.py` (what the durable store keeps for them), `passwords.py`
(argon2id), `service.py` (`Accounts`: users, invites, cookie sign-ins, CSRF), `oidc.py` (OpenID
Connect sign-in through authlib). Who may do what stays in `server/permissions.py`.
"""
