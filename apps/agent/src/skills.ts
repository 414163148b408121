/** The demo's one skill: count the words of a text (and echo it back). */
export function wordCount(text: string): string {
  const words = text.trim() === "" ? 0 : text.trim().split(/\s+/).length;
  return `${words} word${words === 1 ? "" : "s"}: ${text}`;
}

/** The A2A agent card (https://a2a-protocol.org/latest/specification/#55-agentcard-object-structure). */
export function agentCard(url: string, name: string, model: string): Record<string, unknown> {
  return {
    protocolVersion: "0.3.0",
    name,
    description: "Molecule demo agent: counts words, and misbehaves on request for demos and tests.",
    url,
    preferredTransport: "JSONRPC",
    version: "0.1.0",
    capabilities: { streaming: false, pushNotifications: false },
    defaultInputModes: ["text/plain"],
    defaultOutputModes: ["text/plain"],
    skills: [
      {
        id: "word-count",
        name: "Word count",
        description: "Counts the words of the text it is sent and echoes the text back.",
        tags: ["text", "demo"],
        examples: ["How many words are in this sentence?"],
      },
    ],
    ...(model ? { metadata: { model } } : {}),
  };
}
