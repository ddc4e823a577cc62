export { startEngineService, type EngineService, type EngineServiceOptions } from './service.js';
export {
  startEngine,
  runEngine,
  DEFAULT_ALERT_WINDOW,
  type EngineOptions,
  type EngineCoreOptions,
  type EngineTransport,
  type EngineStats,
  type RunningEngine,
} from './engine.js';
export type { FactFeed, FeedMessage } from './transport/fact-feed.js';
export type { ResultSink, ResultGroup, Publication, StoreOutcome } from './transport/result-sink.js';
export { MemoryFeed, type Settled } from './transport/memory-feed.js';
export { MemorySink } from './transport/memory-sink.js';
export { KvAlertLedger, ALERT_LEDGER_BUCKET, type AlertLedger, type Claim, type ClaimResult } from './throttle/ledger.js';
export { MemoryAlertLedger } from './throttle/memory-ledger.js';
export { PolicyEvaluator, type RuleHit, type BatchOutcome, type BundleMeta, type LoadOptions } from './policy/evaluator.js';
export { defaultWorkers, resolvePoolSettings, type PoolSettings } from './pool/config.js';
export type { DeadLetterReason } from './pool/judge.js';
export { readBundleFile, parseBundle, type Bundle } from './policy/bundle.js';
export { buildBundle, inspectRules, generateMain, type BuildOptions, type BuildResult } from './policy/build.js';
export type { ContextPart, RuleMeta } from './policy/rules.js';
export { bundleNameOf, checkBundleName, contextNeedsOf, DEFAULT_BUNDLE_NAME, kernelFilterOf, type VigilManifest } from './policy/manifest.js';
export { findingsFrom, alertsFrom, alertId } from './findings.js';
export { shadowSubject, type ShadowStats } from './shadow/shadow.js';
export { CONTEXT_BUCKET, KvContextStore, MemoryContextStore, type ContextStore } from './context/context-store.js';
export { ContextCache, contextKeyOf, contextValueOf, type ContextEntry } from './context/context-cache.js';
export { replayFacts, type ReplayOptions, type ReplayReport, type RuleDiff, type GroupDiff, type SideCounts } from './replay/replay.js';
export { subjectOf } from './subject.js';
export { readStored, type StoredMessage } from './archive/stored.js';
export { CONTROL_FRAMEWORKS, postureOf, workloadsOf, workloadOfContainer, type ControlTally, type PostureFinding, type PostureSources, type WorkloadPosture } from './posture/posture.js';
export { replicaName } from './metrics/heartbeat.js';
export { resolveTool, packageRoot, defaultBundlePath } from './tools.js';
export { VigilEngineError, ENGINE_ERRORS, type EngineErrorCode } from './errors.js';
export { AlertThrottle, createAlertThrottle, occurrenceOf, type AlertGate, type AlertThrottleOptions, type AlertThrottleStats, type Occurrence } from './throttle/throttle.js';
export { throttleKey } from './throttle/key.js';
export { Registry, Counter, Gauge, Histogram, DEFAULT_BUCKETS, type LabelValues, type MetricOptions, type HistogramOptions, type CounterSeries, type GaugeSeries, type HistogramSeries } from './metrics/registry.js';
export { PROMETHEUS_CONTENT_TYPE } from './metrics/exposition.js';
export { engineMetrics, bindThrottleMetrics, EVALUATION_BUCKETS, type EngineMetrics } from './metrics/engine-metrics.js';
export { pollConsumerLag, type ConsumerInfoSource, type LagGauge, type ConsumerLagOptions, type ConsumerLagPoller } from './metrics/consumer-lag.js';
export { startOpsServer, Readiness, type OpsServer, type OpsServerOptions, type ReadyState } from './metrics/ops-server.js';
export {
  createVerifier,
  loadVerifier,
  verifyBundle,
  verifyBundleFiles,
  isSigningAlgorithm,
  SIGNING_ALGORITHMS,
  SIGNATURES_FILE,
  type BundleVerifier,
  type VerifierOptions,
  type VerifiedBundle,
  type SigningAlgorithm,
} from './distribution/signature.js';
export { hashBundleFile } from './distribution/file-hash.js';
export {
  BundleStore,
  BUNDLE_BUCKET,
  BUNDLE_HEADS_BUCKET,
  BUNDLE_HISTORY,
  BUNDLE_SHADOWS_BUCKET,
  type BundleHead,
  type BundleRef,
  type BundleStoreOptions,
} from './distribution/store.js';
export { watchBundles, type BundleEvent, type BundleWatch, type BundleWatchOptions } from './distribution/watch-bundles.js';
export {
  DataStore,
  watchData,
  parseDataDocument,
  isDataKey,
  DATA_BUCKET,
  DATA_DOCUMENTS,
  type DataKey,
  type DataOverlay,
  type DataEvent,
  type DataWatch,
  type DataWatchOptions,
  type DataStoreOptions,
} from './distribution/data.js';
export { distributionSubjects, type RejectedBundleEvent, type RejectedDataEvent } from './distribution/events.js';
export {
  PROFILE_CATEGORIES,
  addItem,
  diffProfiles,
  isProfileCategory,
  newProfile,
  profileData,
  profileProblem,
  normalised,
  type Profile,
  type ProfileCategory,
  type ProfileDiff,
  type ProfileItem,
  type ProfileState,
} from './profiles/model.js';
export { ProfileStore, PROFILE_BUCKET, profileKey, type StoredProfile } from './profiles/store.js';
export { seccompProfile, allowedSyscalls, seccompAllows, RUNTIME_STARTUP_SYSCALLS, SYSCALL_BASELINE, type SeccompProfile, type SeccompRule } from './hardening/seccomp.js';
export { apparmorProfile } from './hardening/apparmor.js';
export { networkPolicy, dockerNetworkPlan } from './hardening/network-policy.js';
export { composePatch, kubernetesPatch, dockerHardening, dockerRunFlags, type DockerHardening, type PatchOptions } from './hardening/patches.js';
export { hardeningName, readOnlyRootfs } from './hardening/workload-facts.js';
export { startForwarder, type ForwardTarget, type ForwarderOptions, type ForwarderStats, type RunningForwarder } from './outputs/forwarder.js';
export { compileFilter, SEVERITY_NAMES, type OutputFilter } from './outputs/filter.js';
export { DeliveryError, type AlertOutput } from './outputs/output.js';
export { webhookOutput, verifyWebhookSignature, type WebhookOptions } from './outputs/webhook.js';
export { slackOutput, slackMessage } from './outputs/slack.js';
export { alertmanagerOutput, alertmanagerAlert } from './outputs/alertmanager.js';
export { syslogOutput, syslogMessage, type SyslogOptions } from './outputs/syslog.js';
export { fileOutput, type FileOutputOptions } from './outputs/file.js';
export { startConsole, consoleAuditSubject, CONSOLE_ACKS_BUCKET, type ConsoleOptions, type RunningConsole } from './console/console-server.js';
export { AlertView, type AlertQuery, type AlertPage } from './console/alert-view.js';
