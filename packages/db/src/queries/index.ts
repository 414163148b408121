export * from "./workspace-view";
export * from "./workspaces";
