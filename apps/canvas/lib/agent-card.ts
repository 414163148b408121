/** One skill of an A2A agent card, as the details panel lists it. */
export interface SkillView {
  key: string;
  name: string;
  description: string;
  tags: string[];
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * The skills of an agent card (A2A: `skills: [{ id, name, description, tags }]`). The card is what
 * the agent sent (a JSON object, checked only for size), so anything not shaped like a skill is
 * skipped rather than trusted: a skill needs a name or an id.
 */
export function skillsOf(card: Record<string, unknown> | null | undefined): SkillView[] {
  const skills = card?.skills;
  if (!Array.isArray(skills)) return [];
  return skills.flatMap((s: unknown, i): SkillView[] => {
    if (!s || typeof s !== "object") return [];
    const skill = s as Record<string, unknown>;
    const name = str(skill.name) || str(skill.id);
    if (!name) return [];
    const tags = Array.isArray(skill.tags)
      ? skill.tags.filter((t): t is string => typeof t === "string")
      : [];
    return [{ key: `${i}:${str(skill.id) || name}`, name, description: str(skill.description), tags }];
  });
}
