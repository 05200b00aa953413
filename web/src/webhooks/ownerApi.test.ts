import { describe, expect, it } from "vitest";
import { deliveryStatus, type DeliveryInfo } from "./ownerApi";

const base: DeliveryInfo = {
  id: "whd_1", webhook_id: "wh_1", event: "session.ended", session_id: "s", state: "pending",
  attempts: 0, created_at: 0, next_attempt_at: 0, last_attempt_at: null, last_status: null,
  last_error: null, last_response: null, delivered_at: null,
};

describe("a delivery's status line", () => {
  it("says queued, retrying with the wait and the last answer, delivered and failed", () => {
    expect(deliveryStatus(base, 0)).toBe("queued");
    expect(deliveryStatus({ ...base, attempts: 2, last_status: 500, next_attempt_at: 31_400 }, 1_000)).toBe(
      "retrying in 30 s (2 attempts, last: HTTP 500)",
    );
    expect(deliveryStatus({ ...base, attempts: 1, last_error: "ConnectError", next_attempt_at: 0 }, 5_000)).toBe(
      "retrying in 0 s (1 attempt, last: ConnectError)",
    );
    expect(deliveryStatus({ ...base, state: "delivered", attempts: 3, last_status: 200 }, 0)).toBe(
      "delivered (HTTP 200) after 3 attempts",
    );
    expect(deliveryStatus({ ...base, state: "failed", attempts: 8, last_status: 404 }, 0)).toBe(
      "failed after 8 attempts: HTTP 404",
    );
  });
});
