import { describe, expect, it } from "vitest";
import { fromSettings, serverErrors, toSettings, utf8Bytes } from "./form";

const base = {
  notice_enabled: true,
  notice_text: "We record.",
  privacy_policy_url: "https://example.com/privacy",
  recording_retention_days: "30",
  signal_retention_days: "7",
};

describe("settings form", () => {
  it("turns the fields into the settings the server takes", () => {
    expect(toSettings(base, 100)).toEqual({
      settings: {
        notice_enabled: true,
        notice_text: "We record.",
        privacy_policy_url: "https://example.com/privacy",
        recording_retention_days: 30,
        signal_retention_days: 7,
      },
      errors: {},
    });
    expect(toSettings({ ...base, privacy_policy_url: " ", recording_retention_days: "", signal_retention_days: "" }, 100).settings).toMatchObject({
      privacy_policy_url: null,
      recording_retention_days: null,
      signal_retention_days: null,
    });
  });

  it("names each mistake the server would refuse", () => {
    const { settings, errors } = toSettings(
      { ...base, notice_text: "é".repeat(60), privacy_policy_url: "http://x.org", recording_retention_days: "5", signal_retention_days: "6" },
      100,
    );
    expect(settings).toBeNull();
    expect(errors).toEqual({
      notice_text: "the notice is 120 bytes, over the limit of 100 bytes",
      privacy_policy_url: "the privacy-policy link must be an https:// address",
      signal_retention_days: "integrity signals cannot be kept longer than the recording they belong to",
    });
    expect(toSettings({ ...base, recording_retention_days: "0" }, 100).errors.recording_retention_days).toContain("above 0");
    expect(toSettings({ ...base, notice_text: "  " }, 100).errors.notice_text).toBe("the notice is enabled but its text is empty");
  });

  it("reads the server's 422 per field", () => {
    expect(
      serverErrors([
        { loc: ["body", "privacy_policy_url"], msg: "Value error, the privacy-policy link must be an https:// address" },
        { loc: ["body"], msg: "Value error, integrity signals cannot be kept longer" },
      ]),
    ).toEqual({ privacy_policy_url: "the privacy-policy link must be an https:// address", form: "integrity signals cannot be kept longer" });
    expect(serverErrors("the organisation's interviewers cannot do this")).toEqual({ form: "the organisation's interviewers cannot do this" });
  });

  it("counts bytes as the server does and fills the form from saved settings", () => {
    expect(utf8Bytes("é")).toBe(2);
    expect(fromSettings({ notice_enabled: false, notice_text: "t", privacy_policy_url: null, recording_retention_days: 30, signal_retention_days: null })).toEqual({
      notice_enabled: false,
      notice_text: "t",
      privacy_policy_url: "",
      recording_retention_days: "30",
      signal_retention_days: "",
    });
  });
});
