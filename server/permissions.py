"""The one permission table: (principal, action, resource state) -> allow, or deny with a reason.

Every REST route declares the `Action` it performs (`server/api/access.py` turns a decision into
an HTTP answer) and the websocket endpoint asks the same table for each doc, so "who may do what"
is written here once, as pure data and pure functions, and `tests/sync/test_permission_table.py`
generates its cases from this table for every route and doc.

Principals:
- `Admin`: the operator's bootstrap and automation credential (the admin token). It may do every
  session action through the REST API but has no seat in a room: it opens no websocket and
  sends no integrity signals (those come from a participant's browser).
- `LinkBearer`: the bearer of a session link (a capability token naming one session and one role).
  Ending a session revokes every link issued up to its end, except for the actions a role keeps
  after the end (`AFTER_END`): a reviewer link exists to read the recording of an ended
  interview, and the interviewer's own link keeps the recording of their interview (read it
  with its private parts, comment, export, share it with reviewers) and the session's
  metadata, so the room they return to says it has ended and leads to the replay.
- `Member`: a signed-in user of the organisation (the browser's sign-in cookie), with an
  organisation role. An `owner` may do on every session what the admin token may; anyone else
  takes a seat on a session by their standing towards it (`seat_of`): the interviewer who owns
  it (its creator) sits as its interviewer, a user it is shared with (or everyone, when it is
  shared with the team) as a reviewer, and anyone else is refused. Members open no room: the
  live interview is joined through the session's links, which carry the display name.
- `Anonymous`: no credential; may only sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from server.accounts.model import OrgRole
from server.auth import Capability, Role
from server.documents import DocName


class Action(StrEnum):
    # Organisation-wide (no session in the path).
    SESSION_CREATE = "session.create"
    SESSION_LIST = "session.list"
    SCENARIO_LIST = "scenario.list"
    RECORDING_IMPORT = "recording.import"
    SIGN_IN = "auth.sign_in"  # password, invite, OpenID: any caller, with or without a credential
    ACCOUNT_READ = "account.read"  # who am I, sign out: a signed-in member
    USER_MANAGE = "user.manage"  # list users, invite, change roles: the organisation's owners
    TOKEN_MANAGE = "token.manage"  # a member's own personal API tokens: from a signed-in browser
    AUDIT_READ = "audit.read"  # the audit log and its JSON-lines export: owners only
    ORG_SETTINGS_READ = "org.settings.read"  # the notice and retention settings: any member
    ORG_SETTINGS_MANAGE = "org.settings.manage"  # change them: owners (and the admin token)
    WEBHOOK_MANAGE = "webhook.manage"  # webhook endpoints and their deliveries: owners only
    # One session.
    SESSION_READ = "session.read"
    SESSION_END = "session.end"
    SESSION_CONTROL = "session.control"  # lock the editor, disable Run
    SESSION_SHARE = "session.share"  # make a reviewer link
    SESSION_NAME = "session.name"  # the candidate says their name on first open
    NOTICE_ACK = "session.notice_ack"  # the candidate acknowledges the organisation's notice
    RUN_START = "run.start"
    RUN_READ = "run.read"
    RUN_INPUT = "run.input"  # answer a run's input() request
    KERNEL_CONTROL = "kernel.control"  # interrupt, restart
    DATA_ATTACH = "data.attach"  # put a file in the kernel's read-only data/
    SCENARIO_VIEW = "scenario.view"  # what each role sees of the scenario
    SCENARIO_DRIVE = "scenario.drive"  # clock, fire, skip, reveal hints
    SCENARIO_GRADE = "scenario.grade"
    REPLAY_READ = "replay.read"  # state at an instant, timeline, the public logs
    REPLAY_READ_PRIVATE = "replay.read_private"  # notes, integrity signals, comments
    SIGNAL_SEND = "signal.send"
    COMMENT_READ = "comment.read"
    COMMENT_WRITE = "comment.write"
    RECORDING_EXPORT = "recording.export"
    NOTEBOOK_EXPORT = "notebook.export"  # the notebook as .ipynb, outputs included
    NOTEBOOK_IMPORT = "notebook.import"  # replace the notebook's cells from an .ipynb
    SESSION_ERASE = "session.erase"  # erase a candidate: everything of the session, for good
    SUBJECT_EXPORT = "session.subject_export"  # the data-subject export (recording, notes, signals)
    SCORECARD_SUBMIT = "scorecard.submit"  # the hiring team's decision: rubric, recommendation
    SCORECARD_READ = "scorecard.read"  # the submitted scorecards
    # One doc of one session, over the websocket.
    DOC_READ = "doc.read"
    DOC_WRITE = "doc.write"


ORG_ACTIONS = frozenset(
    {
        Action.SESSION_CREATE,
        Action.SESSION_LIST,
        Action.SCENARIO_LIST,
        Action.RECORDING_IMPORT,
        Action.SIGN_IN,
        Action.ACCOUNT_READ,
        Action.USER_MANAGE,
        Action.TOKEN_MANAGE,
        Action.AUDIT_READ,
        Action.ORG_SETTINGS_READ,
        Action.ORG_SETTINGS_MANAGE,
        Action.WEBHOOK_MANAGE,
    }
)
DOC_ACTIONS = frozenset({Action.DOC_READ, Action.DOC_WRITE})


@dataclass(frozen=True, slots=True)
class Admin:
    """The admin token's bearer."""

    name: str = "admin"


@dataclass(frozen=True, slots=True)
class LinkBearer:
    """The bearer of a verified session link (its signature and session checked already)."""

    capability: Capability

    @property
    def role(self) -> Role:
        return self.capability.role

    @property
    def name(self) -> str:
        return self.capability.name


@dataclass(frozen=True, slots=True)
class Member:
    """A signed-in user (their sign-in cookie, or one of their personal API tokens, verified;
    the user enabled). `scopes`: a token's scopes (`TOKEN_SCOPES`); None for the cookie."""

    user_id: str
    role: OrgRole
    name: str
    scopes: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Anonymous:
    """A request with no credential at all."""

    name: str = "anonymous"


Principal = Admin | LinkBearer | Member | Anonymous


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What a decision may depend on about the session acted on."""

    state: str  # waiting | live | ended
    ended_at_ms: int | None = None
    editor_locked: bool = False
    run_disabled: bool = False
    owner_id: str | None = None  # the user who created it (None: created with the admin token)
    shared_with: frozenset[str] = frozenset()  # user ids it is shared with
    team_shared: bool = False  # shared with every user of the organisation
    notice_pending: bool = False  # it shows a candidate notice not acknowledged yet


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    status: int = 200  # the HTTP status of a refusal
    reason: str = ""


ALLOW = Decision(True)

ALL_ROLES: frozenset[Role] = frozenset({"interviewer", "candidate", "observer", "reviewer"})
PARTICIPANTS: frozenset[Role] = frozenset({"interviewer", "candidate"})
INTERVIEWER: frozenset[Role] = frozenset({"interviewer"})
CANDIDATE: frozenset[Role] = frozenset({"candidate"})
HIRING_TEAM: frozenset[Role] = frozenset({"interviewer", "reviewer"})
REVIEWER: frozenset[Role] = frozenset({"reviewer"})
NOBODY: frozenset[Role] = frozenset()

OWNERS: frozenset[OrgRole] = frozenset({"owner"})
RUNS_INTERVIEWS: frozenset[OrgRole] = frozenset({"owner", "interviewer"})
EVERY_MEMBER: frozenset[OrgRole] = frozenset({"owner", "interviewer", "reviewer"})


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may perform one action.

    `roles`: link roles allowed (and the seats of members, see `seat_of`). `admin`: whether
    the admin token (and a member who is an organisation owner) may. `after_end`: roles whose
    links and seats keep working for this action once the session has ended. `live_only`:
    refused with 409 once the session has ended, whoever asks (a run needs a live kernel).
    `org_roles`: for organisation-wide actions, the members' roles allowed. `members`: False
    where a member never acts (a room, a browser signal: those go through a session's link).
    `anonymous`: allowed without any credential (signing in).
    """

    roles: frozenset[Role]
    admin: bool = True
    after_end: frozenset[Role] = frozenset()
    live_only: bool = False
    admin_refusal: str = "the admin token cannot do this"
    org_roles: frozenset[OrgRole] = frozenset()
    members: bool = True
    anonymous: bool = False


# What each role's link keeps once the session has ended (every other action is refused with
# "session has ended"). The reviewer's is what a reviewer link is for; the interviewer keeps
# their interview's recording and its metadata: their room link shows the ended state with
# "Open replay" and "Share replay", instead of a bare refusal.
RECORDING: frozenset[Action] = frozenset(
    {
        Action.REPLAY_READ,
        Action.REPLAY_READ_PRIVATE,
        Action.COMMENT_READ,
        Action.COMMENT_WRITE,
        Action.RECORDING_EXPORT,
        Action.NOTEBOOK_EXPORT,
        Action.SCENARIO_VIEW,  # the scorecard reads the rubric's criteria from it
        Action.SCORECARD_SUBMIT,  # the decision is made from the recording, after the end
        Action.SCORECARD_READ,
    }
)
AFTER_END: dict[Role, frozenset[Action]] = {
    "reviewer": RECORDING,
    "interviewer": RECORDING | {Action.SESSION_READ, Action.SESSION_SHARE},
}


def _kept_by(action: Action) -> frozenset[Role]:
    return frozenset(role for role, kept in AFTER_END.items() if action in kept)


AUDIT_REFUSAL = (
    "the audit log is read by the organisation's owners: sign in as one, or use an owner's "
    "API token with the audit:read scope"
)
PRIVACY_REFUSAL = "erasing or exporting a candidate's data is for the organisation's owners"

TABLE: dict[Action, Rule] = {
    # Organisation-wide: the admin token; listing scenarios also from an interviewer's link.
    Action.SESSION_CREATE: Rule(NOBODY, org_roles=RUNS_INTERVIEWS),
    Action.SESSION_LIST: Rule(NOBODY, org_roles=EVERY_MEMBER),  # each sees what it may read
    Action.SCENARIO_LIST: Rule(INTERVIEWER, org_roles=RUNS_INTERVIEWS),
    Action.RECORDING_IMPORT: Rule(NOBODY, org_roles=OWNERS),
    Action.SIGN_IN: Rule(ALL_ROLES, org_roles=EVERY_MEMBER, anonymous=True),
    Action.ACCOUNT_READ: Rule(
        NOBODY, admin=False, org_roles=EVERY_MEMBER, admin_refusal="the admin token has no account"
    ),
    Action.USER_MANAGE: Rule(NOBODY, org_roles=OWNERS),
    Action.TOKEN_MANAGE: Rule(
        NOBODY, admin=False, org_roles=EVERY_MEMBER, admin_refusal="the admin token has no account"
    ),
    # Who did what is read by the people accountable for the organisation, by name: not the
    # shared admin token, which names nobody (an owner's API token with `audit:read` automates).
    Action.AUDIT_READ: Rule(NOBODY, admin=False, org_roles=OWNERS, admin_refusal=AUDIT_REFUSAL),
    # The organisation's privacy settings: every member may read what candidates are told and
    # how long recordings are kept; owners (and the operator's admin token) change them.
    Action.ORG_SETTINGS_READ: Rule(NOBODY, org_roles=EVERY_MEMBER),
    Action.ORG_SETTINGS_MANAGE: Rule(NOBODY, org_roles=OWNERS),
    # Where the organisation's interview results are sent (an ATS): its owners, and the
    # operator's automation credential, which may set the deployment up.
    Action.WEBHOOK_MANAGE: Rule(NOBODY, org_roles=OWNERS),
    # The live interview.
    Action.SESSION_READ: Rule(ALL_ROLES, after_end=_kept_by(Action.SESSION_READ)),
    Action.SESSION_END: Rule(INTERVIEWER),
    Action.SESSION_CONTROL: Rule(INTERVIEWER),
    Action.SESSION_SHARE: Rule(INTERVIEWER, after_end=_kept_by(Action.SESSION_SHARE)),
    Action.SESSION_NAME: Rule(
        CANDIDATE, admin=False, admin_refusal="the candidate names themself from their link"
    ),
    # Only the candidate can say they read what they are told; nobody acknowledges for them.
    Action.NOTICE_ACK: Rule(
        CANDIDATE,
        admin=False,
        admin_refusal="the candidate acknowledges the notice from their link",
        members=False,
    ),
    Action.RUN_START: Rule(PARTICIPANTS, live_only=True),
    Action.RUN_READ: Rule(ALL_ROLES),
    # Writers only; and of them only the role that started the run (`input_refusal`).
    Action.RUN_INPUT: Rule(PARTICIPANTS, live_only=True),
    Action.KERNEL_CONTROL: Rule(PARTICIPANTS, live_only=True),
    Action.DATA_ATTACH: Rule(INTERVIEWER, live_only=True),
    Action.SCENARIO_VIEW: Rule(ALL_ROLES, after_end=_kept_by(Action.SCENARIO_VIEW)),
    Action.SCENARIO_DRIVE: Rule(INTERVIEWER),
    Action.SCENARIO_GRADE: Rule(INTERVIEWER),
    Action.SIGNAL_SEND: Rule(
        PARTICIPANTS,
        admin=False,
        admin_refusal="signals come from a participant's room, not the admin",
        members=False,
    ),
    # The recording: reviewer links outlive the end, which is what they are for, and so does
    # the interviewer's own link for their interview's recording (`AFTER_END`).
    Action.REPLAY_READ: Rule(ALL_ROLES, after_end=_kept_by(Action.REPLAY_READ)),
    Action.REPLAY_READ_PRIVATE: Rule(HIRING_TEAM, after_end=_kept_by(Action.REPLAY_READ_PRIVATE)),
    Action.COMMENT_READ: Rule(HIRING_TEAM, after_end=_kept_by(Action.COMMENT_READ)),
    Action.COMMENT_WRITE: Rule(HIRING_TEAM, after_end=_kept_by(Action.COMMENT_WRITE)),
    Action.RECORDING_EXPORT: Rule(HIRING_TEAM, after_end=_kept_by(Action.RECORDING_EXPORT)),
    # The notebook is everyone's to read (as the doc is); importing replaces the candidate's work.
    Action.NOTEBOOK_EXPORT: Rule(ALL_ROLES, after_end=_kept_by(Action.NOTEBOOK_EXPORT)),
    Action.NOTEBOOK_IMPORT: Rule(INTERVIEWER, live_only=True),
    # Privacy requests are the organisation's (owners, and the operator's admin token), not
    # the interviewer's: erasing removes the record of their own interview, and exporting
    # answers a candidate's request on the organisation's behalf (docs/AUDIT.md says why).
    Action.SESSION_ERASE: Rule(NOBODY),
    Action.SUBJECT_EXPORT: Rule(NOBODY),
    # The hiring team's scorecard: the interviewer who ran it and the reviewers it is shared
    # with, live or from the recording; never the candidate or an observer.
    Action.SCORECARD_SUBMIT: Rule(HIRING_TEAM, after_end=_kept_by(Action.SCORECARD_SUBMIT)),
    Action.SCORECARD_READ: Rule(HIRING_TEAM, after_end=_kept_by(Action.SCORECARD_READ)),
    # Docs: the admin has no seat in a room; readers and writers per doc are below.
    Action.DOC_READ: Rule(
        ALL_ROLES, admin=False, admin_refusal="the admin token opens no room", members=False
    ),
    Action.DOC_WRITE: Rule(
        PARTICIPANTS, admin=False, admin_refusal="the admin token opens no room", members=False
    ),
}

# Who reads and writes which doc. The console is written by the server only (runs, kernel
# status, scenario events); candidates never open the notes.
DOC_READERS: dict[DocName, frozenset[Role]] = {
    DocName.CODE: ALL_ROLES,
    DocName.BOARD: ALL_ROLES,
    DocName.CONSOLE: ALL_ROLES,
    DocName.NOTES: HIRING_TEAM,
    DocName.NOTEBOOK: ALL_ROLES,
}
DOC_WRITERS: dict[DocName, frozenset[Role]] = {
    DocName.CODE: PARTICIPANTS,
    DocName.BOARD: PARTICIPANTS,
    DocName.CONSOLE: frozenset(),
    DocName.NOTES: INTERVIEWER,
    DocName.NOTEBOOK: PARTICIPANTS,
}


def _revoked(capability: Capability, facts: SessionFacts) -> bool:
    return facts.ended_at_ms is not None and capability.issued_at_ms <= facts.ended_at_ms


# What a personal API token may be allowed (`POST /api/tokens`); on top of them, the token's
# owner must be allowed the action (the table above). No scope makes or lists tokens.
_READS = frozenset(
    {
        Action.SESSION_LIST,
        Action.SCENARIO_LIST,
        Action.SESSION_READ,
        Action.RUN_READ,
        Action.SCENARIO_VIEW,
        Action.REPLAY_READ,
        Action.REPLAY_READ_PRIVATE,
        Action.COMMENT_READ,
        Action.RECORDING_EXPORT,
        Action.ACCOUNT_READ,
        Action.SCORECARD_READ,
    }
)
TOKEN_SCOPES: dict[str, frozenset[Action]] = {
    "sessions:read": _READS,
    "sessions:write": _READS
    | {
        Action.SESSION_CREATE,
        Action.SESSION_END,
        Action.SESSION_CONTROL,
        Action.SESSION_SHARE,
        Action.RUN_START,
        Action.KERNEL_CONTROL,
        Action.SCENARIO_DRIVE,
        Action.SCENARIO_GRADE,
        Action.COMMENT_WRITE,
        Action.RECORDING_IMPORT,
        Action.SCORECARD_SUBMIT,
    },
    "users:manage": frozenset({Action.USER_MANAGE, Action.ACCOUNT_READ}),
    "audit:read": frozenset({Action.AUDIT_READ, Action.ACCOUNT_READ}),
    "privacy": frozenset({Action.SESSION_ERASE, Action.SUBJECT_EXPORT, Action.ACCOUNT_READ}),
    "org:settings": frozenset(
        {Action.ORG_SETTINGS_READ, Action.ORG_SETTINGS_MANAGE, Action.ACCOUNT_READ}
    ),
    "webhooks": frozenset({Action.WEBHOOK_MANAGE, Action.ACCOUNT_READ}),
}


def scope_allows(scopes: frozenset[str], action: Action) -> bool:
    return any(action in TOKEN_SCOPES.get(scope, frozenset()) for scope in scopes)


MEMBER_REFUSAL = "members join a room through the session's link"
NOT_YOURS = "this session is neither yours nor shared with you"


def seat_of(member: Member, facts: SessionFacts) -> Role | None:
    """Where a member (not an owner) sits on a session: its creator, if an interviewer, as its
    interviewer; a user it is shared with (or anyone, if shared with the team) as a reviewer."""
    if member.role == "interviewer" and facts.owner_id == member.user_id:
        return "interviewer"
    if member.user_id in facts.shared_with or facts.team_shared:
        return "reviewer"
    return None


@dataclass(frozen=True, slots=True)
class ListingView:
    """Which sessions a principal's `GET /api/sessions` lists (`server/session_query.py` turns
    it into SQL): `sees_all` for the admin token and owners (they may act on every session);
    anyone else sees the sessions they have a seat on (`seat_of`). `user_id` is whose "mine"
    and "shared with me" these are; `owns_sessions`: their own sessions give them a seat."""

    sees_all: bool
    user_id: str | None = None
    owns_sessions: bool = False


def listing_view(principal: Principal) -> ListingView:
    """The listing of a principal allowed `SESSION_LIST` (an admin token or a member)."""
    if isinstance(principal, Member):
        return ListingView(
            sees_all=principal.role == "owner",
            user_id=principal.user_id,
            owns_sessions=principal.role in RUNS_INTERVIEWS,
        )
    return ListingView(sees_all=True)


def decide(
    principal: Principal,
    action: Action,
    facts: SessionFacts | None = None,
    doc: DocName | None = None,
) -> Decision:
    """May `principal` perform `action` (on this session, in this state, on this doc)?

    Organisation-wide actions take no `facts` (except a link's own session); doc actions need
    `doc`. The checks run in the order a person would want to hear them: a revoked link first,
    then the role, then the session's state.
    """
    rule = TABLE[action]
    if rule.anonymous:  # open to anyone, whatever credential comes along (signing in)
        return ALLOW
    if isinstance(principal, Anonymous):
        return Decision(False, 401, "missing bearer token")
    if isinstance(principal, Member):
        if not rule.members:
            return Decision(False, 403, MEMBER_REFUSAL)
        if principal.scopes is not None and not scope_allows(principal.scopes, action):
            held = ", ".join(sorted(principal.scopes))
            return Decision(False, 403, f"this API token's scopes ({held}) do not allow {action}")
        if action in ORG_ACTIONS:
            if principal.role not in rule.org_roles:
                return Decision(False, 403, f"the organisation's {principal.role}s cannot do this")
            return ALLOW
        if principal.role == "owner":
            role: Role | None = None
            if not rule.admin:
                return Decision(False, 403, rule.admin_refusal)
        else:
            assert facts is not None, "a session action needs the session's facts"
            role = seat_of(principal, facts)
            if role is None:
                return Decision(False, 403, NOT_YOURS)
            if facts.ended_at_ms is not None and role not in rule.after_end:
                return Decision(False, 403, "session has ended")
            if role not in rule.roles:
                return Decision(False, 403, _role_refusal(role, action))
    elif isinstance(principal, Admin):
        role = None
        if not rule.admin:
            return Decision(False, 403, rule.admin_refusal)
    else:
        role = principal.role
        if (
            facts is not None
            and role not in rule.after_end
            and _revoked(principal.capability, facts)
        ):
            return Decision(False, 403, "session has ended")
        allowed = rule.roles
        if doc is not None:
            allowed = allowed & (DOC_WRITERS if action is Action.DOC_WRITE else DOC_READERS)[doc]
        if role not in allowed:
            return Decision(False, 403, _role_refusal(role, action))
    if facts is not None and rule.live_only and facts.state == "ended":
        return Decision(False, 409, "the session has ended")
    if role is not None and facts is not None:
        refusal = state_refusal(role, action, facts, doc)
        if refusal is not None:
            return refusal
    return ALLOW


def _role_refusal(role: Role, action: Action) -> str:
    if action is Action.SCENARIO_LIST:
        return f"the {role} role cannot list scenarios"
    if action is Action.REPLAY_READ_PRIVATE:
        return "this is for interviewers and reviewers"
    if action in (Action.SESSION_ERASE, Action.SUBJECT_EXPORT):
        return PRIVACY_REFUSAL
    return f"the {role} role cannot do this"


# What a candidate may do before acknowledging the notice: read the session (its page shows the
# notice from it) and acknowledge. Everything else, the room's docs included, waits.
BEFORE_NOTICE = frozenset({Action.SESSION_READ, Action.NOTICE_ACK})
NOTICE_REFUSAL = (
    "the candidate notice must be acknowledged before joining: read it on the session's page "
    "(POST /api/sessions/{id}/notice/ack)"
)


def state_refusal(
    role: Role, action: Action, facts: SessionFacts, doc: DocName | None = None
) -> Decision | None:
    """The session's live controls: a candidate reads the organisation's notice before anything
    else (only the session's metadata and the acknowledgement itself are open before), waits
    for Start before touching the editor, the board or Run, cannot type in a locked editor and
    cannot run while Run is disabled."""
    if role != "candidate":
        return None
    if facts.notice_pending and action not in BEFORE_NOTICE:
        return Decision(False, 403, NOTICE_REFUSAL)
    if action is Action.RUN_START:
        if facts.run_disabled:
            return Decision(False, 403, "Run is disabled by the interviewer")
        if facts.state == "waiting":
            return Decision(False, 409, "the interviewer has not started the session yet")
    if action is Action.DOC_WRITE:
        if facts.state == "waiting" and doc in (DocName.CODE, DocName.BOARD, DocName.NOTEBOOK):
            return Decision(False, 403, "the interview has not started yet")
        if facts.editor_locked and doc in (DocName.CODE, DocName.NOTEBOOK):
            return Decision(False, 403, "the interviewer has locked the editor")
    return None


def input_refusal(answerer_role: str, run_role: str | None) -> Decision | None:
    """A run's input() is answered by whoever ran it, as the issue asks: the link role that
    started it (one person holds each participant link; the admin runs and answers as the
    interviewer). Another participant typing into someone else's prompt would put words in
    their run."""
    if run_role is not None and answerer_role != run_role:
        return Decision(False, 403, f"only the person who ran this ({run_role}) can answer it")
    return None


def may_ever_write(role: Role, doc: DocName) -> bool:
    """Whether this role writes this doc at all: other roles' frames are dropped silently
    (every client sends a step 2 after the server's step 1: closing would make it reconnect
    forever)."""
    return role in TABLE[Action.DOC_WRITE].roles and role in DOC_WRITERS[doc]
