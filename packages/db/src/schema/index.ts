export * from "./enums";

export * from "./events";
export * from "./memories";
export * from "./secrets";
export * from "./sessions";
export * from "./tokens";
export * from "./workspaces";
