import { routeRequest } from "@molecule/api/server";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = (req: Request) => routeRequest(req);
