export * from "./events";
export * from "./ids";
export * from "./openapi";
export { PROCEDURES, type Procedure, type ProcedureKind } from "./openapi-operations";
export * from "./registry";
export * from "./statuses";
export * from "./text";
export * from "./thresholds";
export * from "./workspace";
