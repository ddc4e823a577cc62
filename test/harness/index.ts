// Test harness: real NATS servers and real Docker containers for integration tests.
export { startNats, startLocalNats, startLocalCluster, NATS_CONTAINER_PREFIX } from './nats.js';
export type { NatsServer, ContainerNats, LocalNats, LocalCluster, NatsOptions } from './nats.js';
export { docker, dockerExec, createContainer, removeContainersByPrefix } from './docker.js';
export type { ContainerSpec, TestContainer } from './docker.js';
export { freePort } from './ports.js';
export { buildStaticProgram } from './programs.js';
export { vigilCacheDir, vigilBinDir, BUSYBOX_IMAGE, NATS_IMAGE } from './paths.js';
export { HarnessError } from './errors.js';
export type { HarnessErrorCode } from './errors.js';
