"""The sessions REST API (a fixed contract: other tools rely on it)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pycrdt import Doc
from pydantic import BaseModel, Field

from server.access import Access, facts_of
from server.accounts.model import User
from server.api.audited import audit
from server.api.deps import Authorize, AuthorizeOrg, services_of
from server.audit.model import AuditKind
from server.documents import CONSOLE_CONTROLS, CONSOLE_SESSION, DocName
from server.permissions import Action, LinkBearer, Member, Principal, decide, listing_view
from server.project_files import DEFAULT_MAIN
from server.scenarios import library as scenario_library
from server.scenarios.seeds import seed_session
from server.session_query import QueryError, parse_query
from server.sessions import SessionError, access_of
from server.text import Text

router = APIRouter(prefix="/api/sessions")


class CreateSession(BaseModel):
    title: Text | None = None
    scenario: Text | None = None
    mode: Literal["code", "notebook"] | None = Field(
        None, description="`code` (an editor) or `notebook`; default: the scenario's, else code."
    )


class ChosenName(BaseModel):
    name: Text = Field(..., description="The candidate's name, shown in the room and recording.")


class Share(BaseModel):
    """Share with the organisation's users: by e-mail, and/or with the whole team."""

    emails: list[str] = Field(default_factory=list, max_length=100)
    team: bool | None = Field(None, description="Share with (or stop sharing with) everyone.")


class Controls(BaseModel):
    editor_locked: bool | None = Field(None, description="Refuse the candidate's editor changes.")
    run_disabled: bool | None = Field(None, description="Refuse the candidate's runs.")


@router.post("", status_code=201)
async def create_session(
    body: CreateSession,
    request: Request,
    principal: Principal = Depends(AuthorizeOrg(Action.SESSION_CREATE)),
) -> dict[str, Any]:
    services = services_of(request)
    scenario = None if body.scenario is None else scenario_library.get(body.scenario)
    if body.scenario is not None and scenario is None:
        raise HTTPException(422, f"no scenario {body.scenario!r} (see GET /api/scenarios)")
    owner = principal.user_id if isinstance(principal, Member) else None
    try:
        mode = body.mode or (scenario.mode if scenario is not None else "code")
        main_file = scenario.starter.main if scenario is not None else DEFAULT_MAIN
        created = await services.sessions.create(
            body.title,
            body.scenario,
            mode=mode,
            owner_id=owner,
            main_file=main_file,
            notice=await services.org.notice_for_new_session(),
        )
    except SessionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    if scenario is not None:
        await seed_session(services.rooms, created.record.id, scenario)
    details = {"scenario": body.scenario, "mode": mode}  # never the title: it may name someone
    await audit(
        request, AuditKind.SESSION_CREATED, principal, resource=created.record.id, details=details
    )
    return created.to_json()


@router.get("")
async def list_sessions(
    request: Request,
    response: Response,
    principal: Principal = Depends(AuthorizeOrg(Action.SESSION_LIST)),
    state: str | None = Query(None, description="`live` (not ended) or `ended`."),
    scenario: str | None = Query(None, description="The scenario's id."),
    candidate: str | None = Query(None, description="Part of the candidate's name, any case."),
    created_from: str | None = Query(None, description="YYYY-MM-DD (UTC) or ISO date-time."),
    created_to: str | None = Query(None, description="YYYY-MM-DD (the whole day) or date-time."),
    scope: str | None = Query(
        None, description="`mine`, `shared` (with me or the team), `all` (owners)."
    ),
    limit: str | None = Query(None, description="Page size: 50 unless said, at most the max."),
    offset: str | None = Query(None, description="Matches to skip (paging)."),
) -> list[dict[str, Any]]:
    """The sessions the caller may see (members: theirs and those shared with them; owners and
    the admin token: all), filtered and paged in the store (`server/session_query.py`), newest
    first; `X-Total-Count` says how many match. Links are fresh (re-issued, never stored) for
    whoever may hand them out (`SESSION_SHARE`); a member gets `replay_url`, the replay opened
    with their own sign-in (no token), for each session whose recording they may read
    (`REPLAY_READ`); an ended session says when retention deletes its recording (`deletes_at`,
    ms; null: kept)."""
    services = services_of(request)
    sessions = services.sessions
    settings = services.settings
    try:
        query = parse_query(
            request.query_params,
            listing_view(principal),
            max_limit=settings.session_list_max_limit,
            max_text=max(settings.max_name_length, settings.max_title_length),
        )
    except QueryError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    records, total = await services.durable.query_sessions(query)
    policy = await services.org.policy()
    response.headers["X-Total-Count"] = str(total)
    out = []
    for r in records:
        view = sessions.public_view(r, None)
        view["deletes_at"] = policy.deletes_at(r.ended_at_ms)
        facts = facts_of(sessions, r)
        owner, shared, team = access_of(r)
        view["owner_id"] = owner
        view["shared"] = bool(shared) or team
        if decide(principal, Action.SESSION_SHARE, facts).allowed:
            view["links"] = sessions.rejoin_links(r)
        if isinstance(principal, Member) and decide(principal, Action.REPLAY_READ, facts).allowed:
            view["replay_url"] = f"{settings.base_url()}/replay/{r.id}"  # the sign-in opens it
        out.append(view)
    return out


@router.get("/{session_id}")
async def get_session(
    request: Request, access: Access = Depends(Authorize(Action.SESSION_READ))
) -> dict[str, Any]:
    """The session as the caller may see it, with the candidate notice it shows (text, link,
    version, hash, when acknowledged), which a candidate's page shows before anything else."""
    services = services_of(request)
    capability = access.principal.capability if isinstance(access.principal, LinkBearer) else None
    view = services.sessions.public_view(access.record, capability)
    view["notice"] = await services.org.notice_view(access.record)
    return view


@router.post("/{session_id}/end")
async def end_session(
    session_id: str, request: Request, access: Access = Depends(Authorize(Action.SESSION_END))
) -> dict[str, Any]:
    """Ends the session (revoking its live links) and tells every page in the room at once
    through `console.session`, which the room's open sockets still receive."""
    services = services_of(request)
    was_ended = access.record.state == "ended"
    record = await services.sessions.end(session_id)
    if not was_ended:

        def mark(doc: Doc[Any]) -> None:
            target = CONSOLE_SESSION.of(doc)
            target["state"] = "ended"
            target["ended_at"] = record.ended_at_ms
            target["ended_by"] = access.name

        await services.rooms.edit(session_id, DocName.CONSOLE, mark)
        await audit(request, AuditKind.SESSION_ENDED, access.principal, resource=session_id)
        await services.webhooks.session_ended(record)
    return services.sessions.public_view(record, None)


@router.post("/{session_id}/name")
async def choose_name(
    body: ChosenName,
    request: Request,
    access: Access = Depends(Authorize(Action.SESSION_NAME)),
) -> dict[str, Any]:
    """The candidate's name, asked on first open: what the room, the runs and the recording
    show for them from then on. Their link stays the credential."""
    assert isinstance(access.principal, LinkBearer)  # the table allows only the candidate
    services = services_of(request)
    try:
        await services.sessions.set_name(access.record, access.principal.role, body.name)
    except SessionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    named = services.sessions.named(access.record, access.principal.capability)
    return services.sessions.public_view(access.record, named)


@router.post("/{session_id}/access")
async def share_session(
    body: Share, request: Request, access: Access = Depends(Authorize(Action.SESSION_SHARE))
) -> dict[str, Any]:
    """Share the session (its recording) with users of the organisation, or the whole team:
    they read it as reviewers do (`permissions.seat_of`)."""
    services = services_of(request)
    user_ids = []
    for email in body.emails:
        user = await services.durable.user_by_email(services.accounts.check_email(email))
        if user is None:
            raise HTTPException(422, f"no user with e-mail {email!r}")
        user_ids.append(user.id)
    _, before, was_team = access_of(access.record)
    await services.sessions.share(access.record, user_ids, body.team)
    owner, shared, team = access_of(access.record)
    added = sorted(shared - before)
    if added or (team and not was_team):
        details = {"users": added, "team": team and not was_team}
        await audit(
            request, AuditKind.ACCESS_GRANTED, access.principal, resource=access.record.id,
            details=details,
        )  # fmt: skip
    if was_team and not team:
        await audit(
            request, AuditKind.ACCESS_REVOKED, access.principal, resource=access.record.id,
            details={"team": True},
        )  # fmt: skip
    return {"owner": owner, "shared_with": sorted(shared), "team": team}


def _person(user: User | None, user_id: str) -> dict[str, Any]:
    if user is None:  # a share outliving its user's row (none are deleted today)
        return {"id": user_id, "email": None, "name": None, "role": None}
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role}


@router.get("/{session_id}/access")
async def list_access(
    request: Request, access: Access = Depends(Authorize(Action.SESSION_SHARE))
) -> dict[str, Any]:
    """Whose the session is and whom it is shared with (whoever may share it may see this)."""
    durable = services_of(request).durable
    owner, shared, team = access_of(access.record)
    people = [_person(await durable.get_user(u), u) for u in sorted(shared)]
    return {
        "owner": None if owner is None else _person(await durable.get_user(owner), owner),
        "shared_with": sorted(people, key=lambda p: (p["email"] or "", p["id"])),
        "team": team,
    }


@router.delete("/{session_id}/access/{member_or_team}")
async def revoke_access(
    member_or_team: str,
    request: Request,
    access: Access = Depends(Authorize(Action.SESSION_SHARE)),
) -> dict[str, Any]:
    """Stop sharing with one user (their id or e-mail) or, for `team`, with the whole team."""
    services = services_of(request)
    owner, shared, team = access_of(access.record)
    if member_or_team == "team":
        if not team:
            raise HTTPException(404, "this session is not shared with the team")
        await services.sessions.unshare(access.record, None, True)
        details: dict[str, Any] = {"team": True}
    else:
        user_id = member_or_team
        if "@" in member_or_team:
            user = await services.durable.user_by_email(member_or_team.strip().lower())
            user_id = "" if user is None else user.id
        if user_id not in shared:
            raise HTTPException(404, f"this session is not shared with {member_or_team[:320]!r}")
        await services.sessions.unshare(access.record, user_id, False)
        details = {"users": [user_id]}
    await audit(
        request, AuditKind.ACCESS_REVOKED, access.principal, resource=access.record.id,
        details=details,
    )  # fmt: skip
    owner, shared, team = access_of(access.record)
    return {"owner": owner, "shared_with": sorted(shared), "team": team}


@router.post("/{session_id}/controls")
async def set_controls(
    session_id: str,
    body: Controls,
    request: Request,
    access: Access = Depends(Authorize(Action.SESSION_CONTROL)),
) -> dict[str, bool]:
    """Lock the editor / disable Run for the candidate: enforced here, mirrored to the console."""
    services = services_of(request)
    record = access.record
    controls = services.sessions.controls(record)
    changes = body.model_dump(exclude_none=True)
    controls.update(changes)
    await services.sessions.save(record)

    def mirror(doc: Doc[Any]) -> None:
        target = CONSOLE_CONTROLS.of(doc)
        for key, value in changes.items():
            target[key] = value

    await services.rooms.edit(session_id, DocName.CONSOLE, mirror)
    return dict(controls)
