import { skillsOf } from "@/lib/agent-card";

/** The skills the agent's card advertises (A2A), as it registered them. */
export function AgentSkills({ card }: { card: Record<string, unknown> | null }) {
  if (card === null) return <p className="muted">Loading…</p>;
  const skills = skillsOf(card);
  if (skills.length === 0)
    return (
      <p className="muted">
        {Object.keys(card).length ? "Its agent card lists no skills." : "No agent card yet."}
      </p>
    );
  return (
    <ul className="skills" data-testid="agent-skills">
      {skills.map((s) => (
        <li key={s.key} className="skills__item">
          <span className="skills__name">{s.name}</span>
          {s.description && <span className="skills__description">{s.description}</span>}
          {s.tags.length > 0 && (
            <span className="skills__tags">
              {s.tags.map((t) => (
                <span key={t} className="chip chip--muted">
                  {t}
                </span>
              ))}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
