import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@molecule/db";
import { z } from "zod";

/** A template's defaults: what a create input leaves empty is taken from here. */
const TemplateSchema = z.object({
  description: z.string().default(""),
  role: z.string().optional(),
  tier: z.number().int().min(1).max(4).optional(),
  model: z.string().optional(),
  runtime: z.string().optional(),
  maxConcurrentTasks: z.number().int().min(1).max(100).optional(),
  initialMemories: z
    .array(z.object({ content: z.string(), scope: z.enum(["LOCAL", "TEAM", "GLOBAL"]) }))
    .optional(),
});
export type Template = z.infer<typeof TemplateSchema>;

export function templatesDir(): string {
  return process.env.MOLECULE_TEMPLATES_DIR ?? join(repoRoot(), "templates");
}

export function listTemplates(dir = templatesDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/** The named template, or null when there is no such template (names are file stems only). */
export function loadTemplate(name: string, dir = templatesDir()): Template | null {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(name) || !listTemplates(dir).includes(name)) return null;
  return TemplateSchema.parse(JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")));
}
