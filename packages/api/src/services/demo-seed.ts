import { type CreateWorkspaceInput, CreateWorkspaceInputSchema } from "@molecule/contracts";
import { sql, workspaces } from "@molecule/db";
import type { Services } from "./services";
import { createWorkspace } from "./workspaces";

/**
 * Whether to seed: MOLECULE_DEMO=1 seeds any empty database, MOLECULE_DEMO=0 never does, unset
 * seeds only a fresh embedded (PGlite) database, so `npm run app` shows a living org at once while
 * a real Postgres deployment starts empty.
 */
export function shouldSeed(services: Services): boolean {
  return services.config.demo ?? services.handle.kind === "pglite";
}

const parse = (input: CreateWorkspaceInput) => CreateWorkspaceInputSchema.parse(input);

/**
 * The demo org: a team with a few members, one of which wedges about a minute after each start
 * (a newcomer sees an amber card and its Restart button without doing anything), and one external
 * workspace awaiting its agent. Misbehaviour is configured the real way: as the process's env,
 * through workspace secrets.
 */
export async function seedDemoOrg(services: Services): Promise<boolean> {
  if (!shouldSeed(services)) return false;
  const [{ count }] = (await services.handle.db
    .select({ count: sql<number>`count(*)::int` })
    .from(workspaces)) as [{ count: number }];
  if (count > 0) return false;

  const lead = await createWorkspace(
    services,
    parse({ name: "Research team", template: "team-lead", canvas: { x: 0, y: 0 }, model: "demo-large" }),
  );
  const team = lead.workspace.id;
  const members: CreateWorkspaceInput[] = [
    { name: "Scout", template: "researcher", parentId: team, canvas: { x: 20, y: 60 } },
    { name: "Analyst", template: "researcher", parentId: team, canvas: { x: 320, y: 60 } },
    {
      name: "Wedgy",
      role: "Demo: its runtime wedges about a minute after it starts (Control request timeout: initialize). Restart heals it.",
      parentId: team,
      canvas: { x: 20, y: 240 },
      secrets: { DEMO_WEDGE_AFTER_SECONDS: "60" },
    },
    { name: "Writer", template: "writer", parentId: team, canvas: { x: 320, y: 240 } },
  ];
  for (const member of members) await createWorkspace(services, parse(member));
  await createWorkspace(
    services,
    parse({
      name: "Partner agent",
      role: "External: an agent you run yourself. Rotate its token in the details panel to connect it.",
      external: true,
      canvas: { x: 720, y: 0 },
    }),
  );
  return true;
}
