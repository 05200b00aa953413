// The settings form's pure half: settings <-> the form's text fields, the checks the page makes
// before sending (the same rules the server enforces, so most mistakes are named at once), and
// the server's 422 turned into a message per field.

export interface OrgSettings {
  notice_enabled: boolean;
  notice_text: string;
  privacy_policy_url: string | null;
  recording_retention_days: number | null;
  signal_retention_days: number | null;
}

export interface SettingsForm {
  notice_enabled: boolean;
  notice_text: string;
  privacy_policy_url: string;
  recording_retention_days: string;
  signal_retention_days: string;
}

export type Field = keyof SettingsForm | "form";
export type FieldErrors = Partial<Record<Field, string>>;

export const MAX_RETENTION_DAYS = 3650;

export const fromSettings = (s: OrgSettings): SettingsForm => ({
  notice_enabled: s.notice_enabled,
  notice_text: s.notice_text,
  privacy_policy_url: s.privacy_policy_url ?? "",
  recording_retention_days: s.recording_retention_days == null ? "" : String(s.recording_retention_days),
  signal_retention_days: s.signal_retention_days == null ? "" : String(s.signal_retention_days),
});

export const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

function days(text: string, errors: FieldErrors, field: Field): number | null {
  const t = text.trim();
  if (!t) return null;
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_RETENTION_DAYS) {
    errors[field] = `a number of days above 0 and at most ${MAX_RETENTION_DAYS}, or empty to keep`;
    return null;
  }
  return n;
}

/** The body to send, or the errors to show instead. */
export function toSettings(form: SettingsForm, noticeMaxBytes: number): { settings: OrgSettings | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const bytes = utf8Bytes(form.notice_text);
  if (bytes > noticeMaxBytes) errors.notice_text = `the notice is ${bytes} bytes, over the limit of ${noticeMaxBytes} bytes`;
  else if (form.notice_enabled && !form.notice_text.trim()) errors.notice_text = "the notice is enabled but its text is empty";
  const url = form.privacy_policy_url.trim();
  if (url && !/^https:\/\/[^\s/?#]+[^\s]*$/i.test(url)) errors.privacy_policy_url = "the privacy-policy link must be an https:// address";
  const recording = days(form.recording_retention_days, errors, "recording_retention_days");
  const signals = days(form.signal_retention_days, errors, "signal_retention_days");
  if (recording !== null && signals !== null && signals > recording) {
    errors.signal_retention_days = "integrity signals cannot be kept longer than the recording they belong to";
  }
  if (Object.keys(errors).length) return { settings: null, errors };
  return {
    settings: {
      notice_enabled: form.notice_enabled,
      notice_text: form.notice_text,
      privacy_policy_url: url || null,
      recording_retention_days: recording,
      signal_retention_days: signals,
    },
    errors,
  };
}

const FIELDS: ReadonlySet<string> = new Set([
  "notice_enabled",
  "notice_text",
  "privacy_policy_url",
  "recording_retention_days",
  "signal_retention_days",
]);

/** A 422's `detail` (pydantic's list, or a sentence) as one message per field. */
export function serverErrors(detail: unknown): FieldErrors {
  if (typeof detail === "string") return { form: detail };
  const errors: FieldErrors = {};
  if (!Array.isArray(detail)) return { form: "the server refused these settings" };
  for (const item of detail as { loc?: unknown[]; msg?: unknown }[]) {
    const field = Array.isArray(item.loc) ? String(item.loc[item.loc.length - 1]) : "";
    const key: Field = FIELDS.has(field) ? (field as Field) : "form";
    const msg = String(item.msg ?? "invalid").replace(/^Value error, /, "");
    errors[key] = errors[key] ? `${errors[key]}; ${msg}` : msg;
  }
  return errors;
}
