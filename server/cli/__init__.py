"""The `pairboard` command: serve, create sessions, manage users, inspect the host."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from server.settings import Settings


def _serve(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    if args.data_dir:
        overrides["data_dir"] = Path(args.data_dir)
    settings = Settings(**overrides)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from server.app import create_app
    from server.services import Services

    async def announce(services: Services) -> None:
        print(f"Pairboard on {settings.base_url()}  (data: {settings.data_dir.resolve()})")
        print(f"Admin token: {services.admin_token}")
        if args.demo:
            notice = await services.org.notice_for_new_session()
            created = await services.sessions.create("Demo interview", None, notice=notice)
            print("Demo session links:")
            for role, link in created.links.items():
                print(f"  {role:<12} {link}")
        sys.stdout.flush()

    app = create_app(settings, on_startup=[announce])
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        ws_max_size=settings.max_frame_bytes,
        # Yjs updates are tens of bytes: compressing them costs CPU and saves almost nothing.
        ws_per_message_deflate=False,
        log_level=settings.log_level,
    )
    return 0


def _new(args: argparse.Namespace) -> int:
    settings = Settings()
    server = (args.server or settings.base_url()).rstrip("/")
    token = local_admin_token(settings)
    body: dict[str, Any] = {}
    if args.scenario:
        body["scenario"] = args.scenario
    if args.title:
        body["title"] = args.title
    response = httpx.post(
        f"{server}/api/sessions", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    if response.status_code != 201:
        print(f"error {response.status_code}: {response.text}", file=sys.stderr)
        return 1
    created = response.json()
    if args.json:
        print(json.dumps(created))
    else:
        print(f"Session {created['id']}")
        for role, link in created["links"].items():
            print(f"  {role:<12} {link}")
    return 0


def local_admin_token(settings: Settings) -> str:
    """The admin token for talking to a running server: `PAIRBOARD_ADMIN_TOKEN`, else the one
    the server generated into its data dir."""
    token = os.environ.get("PAIRBOARD_ADMIN_TOKEN")
    if token:
        return token
    path = settings.data_dir / "admin_token"
    if not path.exists():
        raise SystemExit(
            f"no admin token: set PAIRBOARD_ADMIN_TOKEN or run from the server's data dir ({path})"
        )
    return path.read_text().strip()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pairboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--data-dir")
    serve.add_argument("--demo", action="store_true", help="create a demo session and print links")
    serve.set_defaults(func=_serve)

    new = commands.add_parser("new", help="create a session on a running server")
    new.add_argument("--server", help="server base URL (default http://127.0.0.1:8000)")
    new.add_argument("--scenario")
    new.add_argument("--title")
    new.add_argument("--json", action="store_true", help="print the API's JSON")
    new.set_defaults(func=_new)

    from server.cli.scenarios import add_parser as add_scenarios_parser

    add_scenarios_parser(commands)
    from server.cli.recordings import add_commands as add_recording_commands  # export, import

    add_recording_commands(commands)
    from server.cli.users import add_parser as add_users_parser

    add_users_parser(commands)
    from kernels.sandbox.doctor import add_parser as add_doctor_parser

    add_doctor_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
