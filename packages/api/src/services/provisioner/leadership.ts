import type { Lease } from "@molecule/db";
import type { Services } from "../services";
import { createLocalProvisioner, type LocalProvisioner } from "./local-provisioner";

/**
 * Arbitrary but fixed: the session advisory lock held by the one server instance per database that
 * runs agent processes. (The migrations use another key.)
 */
export const PROVISIONER_LEASE_KEY = 0x6d6f6c02;

export interface ProvisionerLeadership {
  /** This instance's provisioner while it holds the lease, else null (a standby). */
  current(): LocalProvisioner | null;
  /** Stops this instance's processes and frees the lease for a standby. */
  stop(): Promise<void>;
}

/**
 * Runs the local provisioner in at most one server instance per database. Every instance with
 * MOLECULE_PROVISIONER=local tries for the lease: the holder runs the processes (and starts those
 * that other instances create, restart or resume: see LocalProvisioner); the others wait and take
 * over when the holder stops or loses its database connection (Postgres frees a dead session's
 * lock). Two provisioners on one database would fight over every workspace's token.
 */
export async function leadProvisioning(
  services: Services,
  options: { platformUrl: string; retryMs?: number },
): Promise<ProvisionerLeadership> {
  let lease: Lease | null = null;
  let provisioner: LocalProvisioner | null = null;
  let stopped = false;
  let toldStandby = false;

  const demote = async () => {
    const running = provisioner;
    provisioner = null;
    services.processes = null;
    await running?.stopAll();
    await lease?.release();
    lease = null;
  };

  const tick = async () => {
    if (stopped) return;
    if (lease) {
      if (await lease.check()) return;
      services.log.error(
        "provisioner: lost the provisioner lease (database connection lost): stopping this instance's agent processes until it holds the lease again (another instance may take over first)",
      );
      await demote();
      return;
    }
    lease = await services.handle.tryLease(PROVISIONER_LEASE_KEY).catch((error) => {
      services.log.error({ err: error }, "provisioner: could not ask for the provisioner lease");
      return null;
    });
    if (!lease) {
      if (!toldStandby)
        services.log.info(
          "provisioner: another server instance runs the agent processes of this database; this one stands by and takes over if it stops",
        );
      toldStandby = true;
      return;
    }
    if (toldStandby) services.log.info("provisioner: took over the agent processes of this database");
    toldStandby = false;
    provisioner = createLocalProvisioner(services, { platformUrl: options.platformUrl });
    services.processes = provisioner;
    // Processes of the previous holder died with it or now hold a revoked token: bring back every
    // workspace that should be running.
    await provisioner.resumeAll();
  };

  await tick();
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending
      .then(tick)
      .catch((error) => services.log.error({ err: error }, "provisioner: lease check failed"));
  }, options.retryMs ?? 5_000);
  timer.unref();

  return {
    current: () => provisioner,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await pending;
      await demote();
    },
  };
}
