import { CreateWorkspaceInputSchema } from "@molecule/contracts";
import { describe, expect, it } from "vitest";
import { EMPTY_CREATE_FORM, toCreateInput } from "../lib/create-form";

describe("the create dialog's input", () => {
  it("leaves untouched tier and max concurrent tasks out, so the template's defaults apply (SPEC §4)", () => {
    const input = toCreateInput({ ...EMPTY_CREATE_FORM, name: "R", template: "researcher" });
    expect(input).not.toHaveProperty("tier");
    expect(input).not.toHaveProperty("maxConcurrentTasks");
    expect(input).toMatchObject({ name: "R", template: "researcher" });
    expect(CreateWorkspaceInputSchema.safeParse(input).success).toBe(true);
  });

  it("sends what the operator chose", () => {
    const input = toCreateInput({ ...EMPTY_CREATE_FORM, name: "R", tier: "2", maxConcurrentTasks: "4" });
    expect(input).toMatchObject({ tier: 2, maxConcurrentTasks: 4 });
  });
});
