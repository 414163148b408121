export { createLocalProvisioner, LocalProvisioner, type LocalProvisionerOptions } from "./local-provisioner";
export { LogBuffer } from "./log-buffer";
