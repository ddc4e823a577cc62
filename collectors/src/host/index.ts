/**
 * The host collector: what the Docker host and its daemon look like
 * (CIS Docker Benchmark sections 1–3), as one `HostFact`.
 */
export { collectHostFact, DEFAULT_HOST_ROOT, DEFAULT_API_TIMEOUT_MS } from './collect.js';
export type { HostCollectOptions, HostCollection } from './collect.js';
export { startHostCollector, DEFAULT_HOST_INTERVAL_MS } from './collector.js';
export type { HostCollector, HostCollectorOptions, HostLogger } from './collector.js';
export { parseDockerdFlags } from './flags.js';
export type { ParsedFlags } from './flags.js';
export { parseDaemonJson } from './daemon-json.js';
export { effectiveDaemonConfig, mergeSettings, DEFAULT_DOCKER_HOST } from './daemon-config.js';
export { HostRoot } from './host-root.js';
export type { HostFactInit, DaemonConfigInit, RuntimeInfoInit, FileOwnershipInit, DaemonSettings } from './types.js';
