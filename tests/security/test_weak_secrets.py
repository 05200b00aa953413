"""An empty or truncated admin token or signing secret is refused at start, never trusted: an
empty admin token would make every request without a token the admin's."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.auth import WeakSecret, is_admin, load_admin_token, load_secret


@pytest.mark.parametrize("name, load", [("admin_token", load_admin_token), ("secret", load_secret)])
@pytest.mark.parametrize("content", ["", "\n", "short\n"])
def test_a_stored_secret_too_short_to_be_one_is_refused(
    tmp_path: Path, name: str, load: object, content: str
) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(WeakSecret, match=f"{name} holds {len(content.strip())} characters"):
        load(tmp_path, None)  # type: ignore[operator]


def test_a_configured_secret_too_short_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WeakSecret, match="PAIRBOARD_ADMIN_TOKEN has 0 characters"):
        load_admin_token(tmp_path, "")
    with pytest.raises(WeakSecret, match="PAIRBOARD_SECRET has 5 characters"):
        load_secret(tmp_path, "12345")


def test_generated_secrets_are_kept_and_an_empty_token_is_never_the_admin(tmp_path: Path) -> None:
    token = load_admin_token(tmp_path, None)
    assert len(token) >= 16 and load_admin_token(tmp_path, None) == token
    assert not is_admin("", "")
    assert is_admin(token, token)
