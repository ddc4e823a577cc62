import { parseArgs } from 'node:util';
import { isSeverityName, severityRank } from '../../../proto/src/index.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError } from '../errors.js';
import { exceptedTable, findingsTable } from '../format.js';
import fs from 'node:fs';
import path from 'node:path';
import { defaultBundlePath, packageRoot, readBundleFile } from '../../../engine/src/index.js';
import { cyclonedxBom } from '../scan/cyclonedx.js';
import { gatherFacts } from '../scan/gather.js';
import { applyIgnores, readIgnoreFile, type IgnoredFinding } from '../scan/ignore.js';
import { junitXml } from '../scan/junit.js';
import { sarifLog } from '../scan/sarif.js';
import { readVulnerabilityFeed } from '../scan/vulnerability-feed.js';
import { PSS_VERSIONS, scan, type ScanOptions } from '../scan/scan.js';

export const SCAN_USAGE = `vigil scan [--format table|json|sarif|junit|cyclonedx] [--fail-on LOW|MEDIUM|HIGH|CRITICAL] [--bundle FILE] TARGET...
  TARGET is a file or directory of: \`docker inspect\` output (JSON), Kubernetes manifests or compose files
  (YAML/JSON), Dockerfiles (Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile), image tarballs
  (\`docker save\`, OCI layout). Also:
  --docker            every container of the local Docker engine (its unix socket)
  --docker-images     every image of the local Docker engine
  --host-root DIR     containers from the on-disk Docker state below DIR (e.g. /host)
  --host              the Docker host itself, as docker-bench-security judges it (CIS sections 1-3: daemon,
                      host settings, Docker's files and their audit rules), seen at --host-root (default /);
                      with --docker, its running containers and its images join the same report
  --facts FILE        the facts of a fact file (\`vigil facts export\`), judged offline, runtime events
                      joined with the file's container, image and host facts; repeatable
  --socket PATH       Docker socket (default /var/run/docker.sock)
  --ignorefile FILE   findings to ignore (default .vigilignore, else .vigilignore.yaml, if present): one per line,
                      RULE_ID [PATH-GLOB...] [exp:YYYY-MM-DD]; or YAML, rules: [{id, paths, expires, statement}]
  --skip-dirs LIST    directories a target directory's walk leaves out (comma-separated globs, ** allowed)
  --skip-files LIST   files it leaves out (same form)
  --severity LIST     report only these severities (comma-separated, e.g. HIGH,CRITICAL)
  --exit-code N       exit N when any finding is reported (after --severity), as Trivy does
  --format sarif      SARIF 2.1.0 for GitHub code scanning: file paths relative to the working directory,
                      findings at the line that causes them: a Dockerfile's instruction, a manifest's
                      field (else where its container or service starts)
  --format junit      JUnit XML: a testsuite per scanned source, a failed testcase per finding
  --format cyclonedx  a CycloneDX 1.6 SBOM of one image's packages (purls, the layer that installed each)
  --vulns PATH        OSV vulnerability records for package matching (VGL-IMG-016): a JSON file (one record, an
                      array, or {"vulns": [...]}), JSON lines, or a directory of them such as OSV's unzipped
                      per-ecosystem export; repeatable. Versions are ordered by dpkg's and apk's own rules
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
      host: { type: 'boolean', default: false },
      'pss-version': { type: 'string' },
      severity: { type: 'string' },
      ignorefile: { type: 'string' },
      'skip-dirs': { type: 'string' },
      'skip-files': { type: 'string' },
      'exit-code': { type: 'string' },
      vulns: { type: 'string', multiple: true },
      facts: { type: 'string', multiple: true },
    },
  });
  if (!['table', 'json', 'sarif', 'junit', 'cyclonedx'].includes(values.format)) throw new UsageError(`--format: expected table, json, sarif, junit or cyclonedx (actual: ${values.format})`);
  const failOn = values['fail-on']?.toUpperCase();
  if (failOn !== undefined && !isSeverityName(failOn)) throw new UsageError(`--fail-on: expected LOW, MEDIUM, HIGH or CRITICAL (actual: ${values['fail-on']})`);
  const severities = values.severity === undefined ? undefined : parseSeverities(values.severity);
  const exitCode = values['exit-code'] === undefined ? undefined : Number(values['exit-code']);
  if (exitCode !== undefined && !(Number.isInteger(exitCode) && exitCode >= 0 && exitCode <= 255)) {
    throw new UsageError(`--exit-code: expected a number from 0 to 255 (actual: ${values['exit-code']})`);
  }
  const pssVersion = values['pss-version'] === undefined ? undefined : parsePssVersion(values['pss-version']);
  const options: ScanOptions = {
    targets: positionals,
    docker: values.docker,
    dockerImages: values['docker-images'] || (values.host && values.docker),
    hostRoot: values['host-root'],
    host: values.host,
    socketPath: values.socket,
    bundlePath: values.bundle,
    ...(values.facts ? { factFiles: values.facts } : {}),
    progress: values.format === 'table' && process.stderr.isTTY === true,
    causeLines: true,
    ...(pssVersion !== undefined ? { pssVersion } : {}),
    ...(values.vulns ? { vulnerabilities: await readVulnerabilityFeed(values.vulns) } : {}),
    ...(values['skip-dirs'] || values['skip-files'] ? { skip: { dirs: globList(values['skip-dirs']), files: globList(values['skip-files']) } } : {}),
  };
  const ignores = values.ignorefile
    ? await readIgnoreFile(values.ignorefile, true)
    : ((await readIgnoreFile('.vigilignore', false)) ?? (await readIgnoreFile('.vigilignore.yaml', false)));
  if (options.targets.length === 0 && !options.docker && !options.dockerImages && options.hostRoot === undefined && !options.host && !options.factFiles) {
    throw new UsageError(`nothing to scan\n${SCAN_USAGE}`);
  }
  if (values.format === 'cyclonedx') return sbom(options);
  // SARIF describes the rules too: the bundle is read once for both.
  const bundle = values.format === 'sarif' ? await readBundleFile(values.bundle ?? defaultBundlePath()) : undefined;
  const scanned = await scan(bundle ? { ...options, bundle } : options);
  const { kept, ignored } = ignores ? applyIgnores(scanned.findings, ignores, process.cwd()) : { kept: scanned.findings, ignored: [] as IgnoredFinding[] };
  const report = { ...scanned, findings: severities ? kept.filter((f) => severities.has(f.severity)) : kept, ...(ignored.length > 0 ? { ignored } : {}) };
  if (values.format === 'json') {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else if (values.format === 'junit') {
    process.stdout.write(junitXml(report));
  } else if (values.format === 'sarif') {
    const log = sarifLog(report, bundle!.manifest.rules, { root: process.cwd(), toolVersion: vigilVersion() });
    process.stdout.write(JSON.stringify(log, null, 2) + '\n');
  } else {
    process.stdout.write(findingsTable(report.findings, process.stdout.isTTY === true));
    process.stdout.write(exceptedTable(report.excepted));
    for (const e of report.errors) process.stderr.write(`error: ${e.source}: ${e.error}\n`);
  }
  if (report.errors.length > 0) return EXIT_ERROR;
  if (exitCode !== undefined && report.findings.length > 0) return exitCode;
  if (failOn !== undefined && report.findings.some((f) => severityRank(f.severity) >= severityRank(failOn))) return EXIT_FINDINGS;
  return EXIT_OK;
}

/** `v1.33` or `1.33` → 33, within the versions the rules know. */
function parsePssVersion(text: string): number {
  const minor = /^v?1\.(\d+)$/.exec(text.trim())?.[1];
  const value = minor === undefined ? NaN : Number(minor);
  if (!(value >= PSS_VERSIONS.oldest && value <= PSS_VERSIONS.newest)) {
    throw new UsageError(`--pss-version: expected a Kubernetes version from v1.${PSS_VERSIONS.oldest} to v1.${PSS_VERSIONS.newest} (actual: ${text})`);
  }
  return value;
}

function vigilVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function parseSeverities(text: string): Set<string> {
  const list = text.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
  const wrong = list.filter((s) => !isSeverityName(s));
  if (list.length === 0 || wrong.length > 0) throw new UsageError(`--severity: expected a list of LOW, MEDIUM, HIGH, CRITICAL (actual: ${text})`);
  return new Set(list);
}

/** The SBOM of the one image the targets name; errors as for a scan. */
async function sbom(options: ScanOptions): Promise<number> {
  const { facts, errors } = await gatherFacts({ ...options, progress: false });
  for (const e of errors) process.stderr.write(`error: ${e.source}: ${e.error}\n`);
  const images = facts.filter((f) => f.fact.image).map((f) => f.fact.image!);
  if (images.length !== 1) {
    throw new UsageError(`--format cyclonedx describes one image; the targets hold ${images.length} (give one image tarball, OCI layout or --docker-images with one image)`);
  }
  process.stdout.write(`${JSON.stringify(cyclonedxBom(images[0]!, { version: vigilVersion() }), null, 2)}\n`);
  return errors.length > 0 ? EXIT_ERROR : EXIT_OK;
}

function globList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '');
}
