/** The create dialog's fields as typed (strings), before they become a CreateWorkspaceInput. */
export interface CreateForm {
  name: string;
  role: string;
  /** "" = not chosen: the template's tier, else 3 (SPEC §4). */
  tier: string;
  external: boolean;
  runtime: string;
  template: string;
  model: string;
  url: string;
  parentId: string;
  budgetLimit: string;
  /** "" = not chosen: the template's value, else 1 (SPEC §4). */
  maxConcurrentTasks: string;
}

export const EMPTY_CREATE_FORM: CreateForm = {
  name: "",
  role: "",
  tier: "",
  external: false,
  runtime: "",
  template: "",
  model: "",
  url: "",
  parentId: "",
  budgetLimit: "",
  maxConcurrentTasks: "",
};

/**
 * Form strings → the CreateWorkspaceInput shape. Fields left empty are left out, so the server
 * fills them from the template, else its defaults: sending tier 3 and one task for an untouched
 * form would override every template's own values.
 */
export function toCreateInput(f: CreateForm): Record<string, unknown> {
  const num = (s: string) => (s.trim() === "" ? undefined : Number(s));
  const tier = num(f.tier);
  const maxConcurrentTasks = num(f.maxConcurrentTasks);
  return {
    name: f.name,
    role: f.role,
    ...(tier !== undefined ? { tier } : {}),
    external: f.external,
    model: f.model,
    ...(f.external && f.url.trim() ? { url: f.url.trim() } : {}),
    ...(!f.external && f.runtime.trim() ? { runtime: f.runtime.trim() } : {}),
    ...(f.template.trim() ? { template: f.template.trim() } : {}),
    parentId: f.parentId || null,
    budgetLimit: num(f.budgetLimit) ?? null,
    ...(maxConcurrentTasks !== undefined ? { maxConcurrentTasks } : {}),
  };
}
