import { describe, expect, it } from "vitest";
import { SignInThrottle } from "../src/services/sign-in-throttle";

describe("SignInThrottle (a sliding minute per address)", () => {
  it("blocks after 10 failures until the oldest is a minute old, then lets one more try", () => {
    let now = 1_000_000;
    const throttle = new SignInThrottle(10, () => now);
    for (let i = 0; i < 10; i++) {
      expect(throttle.retryAfterSeconds("a")).toBe(0);
      throttle.fail("a");
      now += 1000; // one failure a second: the first is at 1_000_000
    }
    expect(throttle.retryAfterSeconds("a")).toBe(50);
    expect(throttle.retryAfterSeconds("b")).toBe(0);
    now = 1_000_000 + 60_000; // the first failure has aged out
    expect(throttle.retryAfterSeconds("a")).toBe(0);
    throttle.fail("a");
    expect(throttle.retryAfterSeconds("a")).toBeGreaterThan(0);
  });

  it("a success clears the address's failures", () => {
    const throttle = new SignInThrottle(2);
    throttle.fail("a");
    throttle.succeed("a");
    throttle.fail("a");
    expect(throttle.retryAfterSeconds("a")).toBe(0);
  });
});
