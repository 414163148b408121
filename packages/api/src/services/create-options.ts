import { loadRuntimes } from "./runtimes";
import type { Services } from "./services";
import { listTemplates, loadTemplate } from "./templates";

/**
 * What the create dialog offers as pickers (SPEC §4: a known runtime, a template in templates/):
 * the runtime names and every template with the defaults it fills in, so the operator sees them
 * before creating. Initial memories are counted, not sent.
 */
export function createOptions(services: Services) {
  const runtimes = Object.keys(loadRuntimes(services.config.runtimesFile)).sort();
  const templates = listTemplates().flatMap((name) => {
    const t = loadTemplate(name);
    if (!t) return [];
    const { initialMemories, ...defaults } = t;
    return [{ name, ...defaults, initialMemories: initialMemories?.length ?? 0 }];
  });
  return { runtimes, templates };
}
