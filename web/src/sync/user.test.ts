import { describe, expect, test } from "vitest";
import { colourFor, makeUser, readUser } from "./user";

describe("colourFor", () => {
  test("gives a name and role one fixed palette colour, with its pale variant", () => {
    expect(colourFor("Ann", "candidate")).toEqual(["#e37400", "#e3740033"]);
    expect(colourFor("Ann", "candidate")).toEqual(colourFor("Ann", "candidate"));
  });

  test("depends on the role as well as the name", () => {
    expect(colourFor("Ann", "interviewer")).toEqual(["#c2185b", "#c2185b33"]);
    expect(colourFor("Ann", "reviewer")).toEqual(["#00838f", "#00838f33"]);
  });
});

describe("readUser", () => {
  test("reads back what makeUser wrote", () => {
    const user = makeUser("Ann", "interviewer");
    expect(readUser({ user })).toEqual(user);
  });

  test("fills a partial user's colours and role with neutral defaults", () => {
    expect(readUser({ user: { name: "Bob", role: 3 } })).toEqual({
      name: "Bob",
      color: "#888",
      colorLight: "#8883",
      role: "observer",
    });
  });

  test("rejects states without a named user", () => {
    expect(readUser(null)).toBe(null);
    expect(readUser("x")).toBe(null);
    expect(readUser({})).toBe(null);
    expect(readUser({ user: "Ann" })).toBe(null);
    expect(readUser({ user: { color: "#000" } })).toBe(null);
  });
});
