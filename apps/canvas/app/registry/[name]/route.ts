import { routeRequest } from "@molecule/api/server";

// Wire-compatible agent endpoints (SPEC §3): POST /registry/{register,heartbeat,update-card,check-access}.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = (req: Request) => routeRequest(req);
