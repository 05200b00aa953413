"""The tokens page offers exactly the scopes the permission table knows (`TOKEN_SCOPES`): a scope
added on the server appears on the page, and the page offers none the server would refuse."""

from __future__ import annotations

import json
import re
from pathlib import Path

from server.permissions import TOKEN_SCOPES

MEMBER_API = Path(__file__).resolve().parents[2] / "web" / "src" / "dashboard" / "memberApi.ts"


def test_the_tokens_page_offers_the_tables_scopes() -> None:
    found = re.search(r"export const TOKEN_SCOPES = (\[[^\]]*\]) as const;", MEMBER_API.read_text())
    assert found is not None, "TOKEN_SCOPES not found in memberApi.ts"
    assert json.loads(found.group(1)) == list(TOKEN_SCOPES)
