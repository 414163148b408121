import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorText } from "@molecule/agent-sdk";
import { isControlAction, type Misbehaviour } from "./misbehaviour";

export interface DemoHttpDeps {
  card: () => Record<string, unknown>;
  /** Runs one A2A message as a tracked task; resolves with the reply text. */
  handleMessage: (text: string) => Promise<string>;
  misbehaviour: Misbehaviour;
  state: () => Record<string, unknown>;
}

const MAX_BODY = 64 * 1024;

/**
 * The demo's HTTP face: its A2A agent card, JSON-RPC `message/send`, and a local control endpoint
 * (`POST /control {action, value?}`) to make it misbehave. Listens on loopback only.
 */
export async function startDemoHttp(
  deps: DemoHttpDeps,
  port: number,
  host = "127.0.0.1",
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    route(req, res, deps).catch((error) => send(res, 500, { error: errorText(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host}:${address.port}` };
}

async function route(req: IncomingMessage, res: ServerResponse, deps: DemoHttpDeps) {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (
    req.method === "GET" &&
    (path === "/.well-known/agent-card.json" || path === "/.well-known/agent.json")
  ) {
    return send(res, 200, deps.card());
  }
  if (req.method === "GET" && path === "/healthz") return send(res, 200, { ok: true, ...deps.state() });
  if (req.method === "POST" && path === "/control") return control(req, res, deps);
  if (req.method === "POST" && (path === "/" || path === "/a2a")) return jsonRpc(req, res, deps);
  return send(res, 404, { error: "not found" });
}

async function control(req: IncomingMessage, res: ServerResponse, deps: DemoHttpDeps) {
  const body = await readJson(req).catch(() => undefined);
  const action = (body as { action?: unknown } | undefined)?.action;
  if (!isControlAction(action)) {
    return send(res, 400, { error: 'action must be one of "wedge", "error_rate", "crash", "hang", "heal"' });
  }
  try {
    // Answer first: "crash" ends the process.
    if (action === "crash") {
      send(res, 200, { ok: true, action });
      setTimeout(() => deps.misbehaviour.control(action, (body as { value?: unknown }).value), 20);
      return;
    }
    deps.misbehaviour.control(action, (body as { value?: unknown }).value);
  } catch (error) {
    return send(res, 400, { error: errorText(error) });
  }
  return send(res, 200, { ok: true, action, ...deps.state() });
}

interface RpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: { message?: { parts?: { kind?: string; text?: string }[]; contextId?: string } };
}

/** JSON-RPC 2.0 (https://www.jsonrpc.org/specification) with A2A's `message/send`. */
async function jsonRpc(req: IncomingMessage, res: ServerResponse, deps: DemoHttpDeps) {
  let body: RpcRequest;
  try {
    body = (await readJson(req)) as RpcRequest;
  } catch {
    return send(res, 200, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
  }
  const id = typeof body?.id === "string" || typeof body?.id === "number" ? body.id : null;
  if (body?.jsonrpc !== "2.0" || typeof body.method !== "string") {
    return send(res, 200, { jsonrpc: "2.0", id, error: { code: -32600, message: "Invalid Request" } });
  }
  if (body.method !== "message/send") {
    return send(res, 200, {
      jsonrpc: "2.0",
      id,
      error: { code: -32601, message: `Method not found: ${body.method}` },
    });
  }
  const parts = body.params?.message?.parts;
  if (!Array.isArray(parts)) {
    return send(res, 200, {
      jsonrpc: "2.0",
      id,
      error: { code: -32602, message: "params.message.parts is required" },
    });
  }
  const text = parts
    .filter((p) => p?.kind === "text" && typeof p.text === "string")
    .map((p) => p.text)
    .join("\n");
  try {
    const reply = await deps.handleMessage(text);
    return send(res, 200, {
      jsonrpc: "2.0",
      id,
      result: {
        kind: "message",
        role: "agent",
        messageId: randomUUID(),
        ...(body.params?.message?.contextId ? { contextId: body.params.message.contextId } : {}),
        parts: [{ kind: "text", text: reply }],
      },
    });
  } catch (error) {
    return send(res, 200, { jsonrpc: "2.0", id, error: { code: -32603, message: errorText(error) } });
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      try {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve(text ? JSON.parse(text) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
