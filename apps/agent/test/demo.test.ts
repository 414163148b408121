import { afterEach, describe, expect, it } from "vitest";
import { startDemoHttp } from "../src/http-server";
import { Misbehaviour, WEDGE_ERROR } from "../src/misbehaviour";
import { agentCard, wordCount } from "../src/skills";

const closers: (() => void)[] = [];

interface RpcReply {
  result?: unknown;
  error?: { code: number; message: string };
}
const rpcJson = async (res: Response) => (await res.json()) as RpcReply;
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function misbehaviour(random = () => 0.5) {
  const calls: string[] = [];
  const m = new Misbehaviour(
    { crash: (r) => void calls.push(`crash:${r}`), hang: () => void calls.push("hang") },
    random,
  );
  return { m, calls };
}

describe("demo runtime", () => {
  it("counts words", () => {
    expect(wordCount("three little words")).toBe("3 words: three little words");
    expect(wordCount("one")).toBe("1 word: one");
    expect(wordCount("  ")).toBe("0 words:   ");
  });

  it("misbehaves on request: wedge, error rate, crash, hang, heal", () => {
    const { m, calls } = misbehaviour(() => 0.5);
    expect(() => m.check()).not.toThrow();
    m.control("error_rate", 0.7);
    expect(() => m.check()).toThrow(/Simulated tool failure/);
    m.control("wedge");
    expect(() => m.check()).toThrow(WEDGE_ERROR);
    m.control("crash");
    m.control("hang");
    expect(calls).toEqual(["crash:Simulated crash (demo control)", "hang"]);
    m.control("heal");
    expect(() => m.check()).not.toThrow();
    expect(() => m.control("error_rate", 2)).toThrow();
    m.applyEnv({ DEMO_WEDGE_AFTER_SECONDS: "0" });
    expect(() => m.check()).toThrow(WEDGE_ERROR);
    expect(() => m.applyEnv({ DEMO_CRASH_AFTER_SECONDS: "soon" })).toThrow(/DEMO_CRASH_AFTER_SECONDS/);
  });

  it("serves its card, message/send and /control over HTTP", async () => {
    const { m } = misbehaviour();
    let url = "";
    const http = await startDemoHttp(
      {
        card: () => agentCard(url, "Demo", "m"),
        handleMessage: async (text) => {
          m.check();
          return wordCount(text);
        },
        misbehaviour: m,
        state: () => ({ wedged: m.wedged }),
      },
      0,
    );
    url = http.url;
    closers.push(() => http.server.close());

    const card = await (await fetch(`${url}/.well-known/agent-card.json`)).json();
    expect(card).toMatchObject({ name: "Demo", url, skills: [{ id: "word-count" }] });

    const send = async () =>
      rpcJson(
        await fetch(url, {
          method: "POST",
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 7,
            method: "message/send",
            params: { message: { role: "user", messageId: "x", parts: [{ kind: "text", text: "a b" }] } },
          }),
        }),
      );
    expect((await send()).result).toMatchObject({
      kind: "message",
      role: "agent",
      parts: [{ kind: "text", text: "2 words: a b" }],
    });

    const bad = await fetch(`${url}/control`, {
      method: "POST",
      body: JSON.stringify({ action: "explode" }),
    });
    expect(bad.status).toBe(400);
    const ok = await fetch(`${url}/control`, { method: "POST", body: JSON.stringify({ action: "wedge" }) });
    expect(await ok.json()).toMatchObject({ ok: true, wedged: true });
    expect((await send()).error).toMatchObject({ code: -32603, message: WEDGE_ERROR });

    const unknown = await rpcJson(
      await fetch(url, {
        method: "POST",
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tasks/get" }),
      }),
    );
    expect(unknown.error?.code).toBe(-32601);
  });
});
