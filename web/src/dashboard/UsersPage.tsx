// The owners' user management (`/users`): invite a user (their one-time invite link is shown
// here once, to pass on), change a role, disable or enable an account. The server keeps one
// enabled owner whatever is asked, and its refusal is shown beside the row that asked.
import { useCallback, useEffect, useState } from "react";
import { CopyLink } from "../lobby/CopyLink";
import { MemberFrame, type MemberContext } from "./MemberShell";
import type { Invited, OrgRole, UserRow } from "./memberApi";

const ROLES: OrgRole[] = ["owner", "interviewer", "reviewer"];

function UserLine({ user, ctx, onChanged }: { user: UserRow; ctx: MemberContext; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const change = async (c: { role?: OrgRole; disabled?: boolean }) => {
    setError(null);
    try {
      await ctx.api.changeUser(user.id, c);
      onChanged();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <tr data-testid={`user-${user.email}`} data-disabled={user.disabled}>
      <td>{user.name}</td>
      <td>{user.email}</td>
      <td>
        <select value={user.role} onChange={(e) => void change({ role: e.target.value as OrgRole })} aria-label={`Role of ${user.email}`}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </td>
      <td>
        {user.disabled ? "disabled" : "enabled"}{" "}
        <button type="button" onClick={() => void change({ disabled: !user.disabled })} aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.email}`}>
          {user.disabled ? "Enable" : "Disable"}
        </button>
        {error ? (
          <p className="error" role="alert">
            Refused: {error}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

export function UsersPage({ ctx }: { ctx: MemberContext }) {
  const [users, setUsers] = useState<UserRow[]>([]);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<OrgRole>("interviewer");
  const [invited, setInvited] = useState<Invited | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setUsers(await ctx.api.listUsers());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [ctx.api]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const invite = async () => {
    setError(null);
    try {
      setInvited(await ctx.api.inviteUser(email.trim(), role));
      setEmail("");
      await reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <MemberFrame ctx={ctx} page="users">
      <section className="card">
        <h2>Invite a user</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void invite();
          }}
        >
          <label>
            E-mail <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-label="Invite e-mail" required />
          </label>
          <label>
            Role{" "}
            <select value={role} onChange={(e) => setRole(e.target.value as OrgRole)} aria-label="Invite role">
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <button type="submit">Invite</button>
        </form>
        {error ? <p className="error" role="alert">{error}</p> : null}
        {invited ? (
          <div className="notice" data-testid="invite-link">
            <p>
              Send this link to {invited.user.email}: it works once, to choose a password. It is not shown again.
            </p>
            <CopyLink label="Invite" url={invited.invite_link} />
          </div>
        ) : null}
      </section>
      <section className="card">
        <h2>Users</h2>
        <p className="muted">The organisation always keeps one enabled owner: the server refuses a change that would leave none.</p>
        <table className="members">
          <thead>
            <tr>
              <th>Name</th>
              <th>E-mail</th>
              <th>Role</th>
              <th>Account</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <UserLine key={`${u.id}-${u.role}-${u.disabled}`} user={u} ctx={ctx} onChanged={() => void reload()} />
            ))}
          </tbody>
        </table>
      </section>
    </MemberFrame>
  );
}
