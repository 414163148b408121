export { leadProvisioning, PROVISIONER_LEASE_KEY, type ProvisionerLeadership } from "./leadership";
export { createLocalProvisioner, LocalProvisioner, type LocalProvisionerOptions } from "./local-provisioner";
export { LogBuffer } from "./log-buffer";
