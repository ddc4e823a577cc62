import { parseArgs } from 'node:util';
import { isSeverityName, severityRank } from '../../../proto/src/index.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError } from '../errors.js';
import { exceptedTable, findingsTable } from '../format.js';
import { PSS_VERSIONS, scan, type ScanOptions } from '../scan/scan.js';

export const SCAN_USAGE = `vigil scan [--format table|json] [--fail-on LOW|MEDIUM|HIGH|CRITICAL] [--bundle FILE] TARGET...
  TARGET is a file or directory of: \`docker inspect\` output (JSON), Kubernetes manifests or compose files
  (YAML/JSON), image tarballs (\`docker save\`, OCI layout). Also:
  --docker            every container of the local Docker engine (its unix socket)
  --docker-images     every image of the local Docker engine
  --host-root DIR     containers from the on-disk Docker state below DIR (e.g. /host)
  --socket PATH       Docker socket (default /var/run/docker.sock)
  --pss-version V     judge Kubernetes manifests by the Pod Security Standards of Kubernetes V
                      (v1.${PSS_VERSIONS.oldest} to v1.${PSS_VERSIONS.newest}; default the newest)
  Findings waived by an exception a manifest declares for itself (the vigil.dev/exceptions pod annotation or
  compose label) are listed apart as excepted, with the manifest's justification, and never fail the scan.
  Exit status: 0 nothing at or above --fail-on (default: never fail on findings), 1 something is, 2 an error.`;

export async function scanCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'table' },
      'fail-on': { type: 'string' },
      bundle: { type: 'string' },
      docker: { type: 'boolean', default: false },
      'docker-images': { type: 'boolean', default: false },
      'host-root': { type: 'string' },
      socket: { type: 'string' },
      'pss-version': { type: 'string' },
    },
  });
  if (values.format !== 'table' && values.format !== 'json') throw new UsageError(`--format must be table or json (actual: ${values.format})`);
  const failOn = values['fail-on']?.toUpperCase();
  if (failOn !== undefined && !isSeverityName(failOn)) throw new UsageError(`--fail-on must be LOW, MEDIUM, HIGH or CRITICAL (actual: ${values['fail-on']})`);
  const pssVersion = values['pss-version'] === undefined ? undefined : parsePssVersion(values['pss-version']);
  const options: ScanOptions = {
    targets: positionals,
    docker: values.docker,
    dockerImages: values['docker-images'],
    hostRoot: values['host-root'],
    socketPath: values.socket,
    bundlePath: values.bundle,
    progress: values.format === 'table' && process.stderr.isTTY === true,
    ...(pssVersion !== undefined ? { pssVersion } : {}),
  };
  if (options.targets.length === 0 && !options.docker && !options.dockerImages && options.hostRoot === undefined) {
    throw new UsageError(`nothing to scan\n${SCAN_USAGE}`);
  }
  const report = await scan(options);
  if (values.format === 'json') {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    process.stdout.write(findingsTable(report.findings, process.stdout.isTTY === true));
    process.stdout.write(exceptedTable(report.excepted));
    for (const e of report.errors) process.stderr.write(`error: ${e.source}: ${e.error}\n`);
  }
  if (report.errors.length > 0) return EXIT_ERROR;
  if (failOn !== undefined && report.findings.some((f) => severityRank(f.severity) >= severityRank(failOn))) return EXIT_FINDINGS;
  return EXIT_OK;
}

/** `v1.33` or `1.33` → 33, within the versions the rules know. */
function parsePssVersion(text: string): number {
  const minor = /^v?1\.(\d+)$/.exec(text.trim())?.[1];
  const value = minor === undefined ? NaN : Number(minor);
  if (!(value >= PSS_VERSIONS.oldest && value <= PSS_VERSIONS.newest)) {
    throw new UsageError(`--pss-version expects a Kubernetes version from v1.${PSS_VERSIONS.oldest} to v1.${PSS_VERSIONS.newest} (actual: ${text})`);
  }
  return value;
}
