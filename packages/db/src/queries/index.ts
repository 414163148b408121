export * from "./cards";
export * from "./secrets";
export * from "./workspace-view";
export * from "./workspaces";
