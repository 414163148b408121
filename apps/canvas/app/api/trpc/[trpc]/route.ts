import { routeRequest } from "@molecule/api/server";

// tRPC over fetch, including SSE subscriptions: every request goes to the shared server handler.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = (req: Request) => routeRequest(req);
export const POST = (req: Request) => routeRequest(req);
