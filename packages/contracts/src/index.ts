export * from "./agent-text";
export * from "./events";
export * from "./ids";
export * from "./registry";
export * from "./statuses";
export * from "./text";
export * from "./thresholds";
export * from "./workspace";
