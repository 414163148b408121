export { and, asc, count, desc, eq, gt, inArray, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
export * from "./client";
export * from "./migrate";
export * from "./paths";
export * from "./queries";
export * from "./schema";
export * from "./unavailable";
