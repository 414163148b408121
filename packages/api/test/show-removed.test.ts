import { describe, expect, it } from "vitest";
import { createWorkspace, testServerPerFile, trpc, trpcQuery } from "./helpers";

const t = testServerPerFile();

/** A query sent the way a tRPC client sends one without input: no `?input=` at all. */
async function noInput(procedure: string) {
  const res = await fetch(`${t.url}/api/trpc/${procedure}`, {
    headers: { authorization: `Bearer ${t.config.adminToken}` },
  });
  const body = (await res.json()) as { result?: { data?: { id: string; status: string }[] } };
  return { status: res.status, body, data: body?.result?.data };
}

// SPEC §1: removed workspaces are "not drawn (shown only with 'show removed')".
describe("workspace.list and workspace.cards: includeRemoved", () => {
  for (const procedure of ["workspace.list", "workspace.cards"] as const) {
    it(`${procedure} leaves removed workspaces out by default and lists them with includeRemoved`, async () => {
      const kept = await createWorkspace(t, { name: `kept ${procedure}`, external: true });
      const gone = await createWorkspace(t, { name: `gone ${procedure}`, external: true });
      expect((await trpc(t, "workspace.remove", { id: gone.id })).status).toBe(200);

      const ids = (r: { data: { id: string; status: string }[] }) => r.data.map((w) => w.id);
      for (const input of [undefined, {}, { includeRemoved: false }]) {
        const plain = input === undefined ? await noInput(procedure) : await trpcQuery(t, procedure, input);
        expect(plain.status).toBe(200);
        expect(ids(plain)).toContain(kept.id);
        expect(ids(plain)).not.toContain(gone.id);
        expect(plain.data.every((w: { status: string }) => w.status !== "removed")).toBe(true);
      }

      const all = await trpcQuery(t, procedure, { includeRemoved: true });
      expect(all.status).toBe(200);
      expect(ids(all)).toEqual(expect.arrayContaining([kept.id, gone.id]));
      expect(all.data.find((w: { id: string }) => w.id === gone.id).status).toBe("removed");
    });

    it(`${procedure} answers a bad includeRemoved with a 400 naming it`, async () => {
      const bad = await trpcQuery(t, procedure, { includeRemoved: "yes" });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body.error)).toContain("includeRemoved");
    });
  }
});
