/**
 * Secret detection over small texts (candidate files, ENV entries, history
 * commands). Rules are compiled once at load time; each finding carries a
 * redacted excerpt that never contains the whole secret: at most the first
 * four characters of a long secret, none of a short one.
 */
import { basename } from './paths.js';

export interface SecretMatch {
  rule: string;
  redacted: string;
}

interface Rule {
  name: string;
  pattern: RegExp;
  /** Index of the capture group holding the secret value (0: the whole match). */
  group: number;
  /** Builds the excerpt from the match; default: the text before the value, then the redacted value. */
  excerpt?: (match: RegExpExecArray) => string;
  /** Extra check on the value (entropy, placeholders). */
  accept?: (value: string) => boolean;
  /** Only for files with one of these base names. */
  files?: RegExp;
}

/** Shannon entropy of a string in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Generic keyword = value findings need at least this many bits per character (gitleaks uses 3.5 too). */
export const GENERIC_ENTROPY_THRESHOLD = 3.5;

export function redact(value: string): string {
  return value.length >= 16 ? `${value.slice(0, 4)}****` : '****';
}

const PLACEHOLDER = /^(?:\$|\{|<|%|\(|xxx|\*\*\*|changeme|example|placeholder|your[_-]|dummy|test)/i;

/**
 * An expression, not a value: `token = msg.headers.get(…)`, `secrets: [...list]`,
 * `apiKey = process.env.API_KEY`, a regex literal. Source code assigns to names
 * like token and secret all the time; a literal secret has none of this shape.
 */
const CODE = /[()[\]{}<>]|^\.\.\.|^\/\^|^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+$/;

function genericValueOk(value: string): boolean {
  if (value.includes('://') || PLACEHOLDER.test(value) || CODE.test(value)) return false;
  if (!/[0-9]/.test(value) && !/[^A-Za-z]/.test(value)) return false; // plain words are not keys
  return shannonEntropy(value) >= GENERIC_ENTROPY_THRESHOLD;
}

const RULES: readonly Rule[] = [
  {
    name: 'private-key',
    pattern: /-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----/g,
    group: 0,
    excerpt: (m) => `-----BEGIN ${m[1]}-----`,
  },
  {
    name: 'gcp-service-account',
    pattern: /"type"\s*:\s*"service_account"[\s\S]{0,4000}?"private_key_id"\s*:\s*"([0-9a-f]{16,})"/g,
    group: 1,
    excerpt: (m) => `"type": "service_account", "private_key_id": "${redact(m[1]!)}"`,
  },
  {
    name: 'aws-access-key-id',
    pattern: /(?<![A-Z0-9])((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})(?![A-Z0-9])/g,
    group: 1,
  },
  {
    name: 'aws-secret-access-key',
    pattern: /(aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 2,
  },
  { name: 'github-token', pattern: /(?<![A-Za-z0-9_])((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255})/g, group: 1 },
  { name: 'github-token', pattern: /(?<![A-Za-z0-9_])(github_pat_[A-Za-z0-9_]{82})/g, group: 1 },
  { name: 'gitlab-token', pattern: /(?<![A-Za-z0-9_])(glpat-[A-Za-z0-9_-]{20})/g, group: 1 },
  { name: 'slack-token', pattern: /(?<![A-Za-z0-9])(xox[baprse]-[0-9A-Za-z-]{10,250})/g, group: 1 },
  {
    name: 'slack-webhook',
    pattern: /(https:\/\/hooks\.slack\.com\/services\/)(T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{16,})/g,
    group: 2,
  },
  { name: 'npm-token', pattern: /(?<![A-Za-z0-9_])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])/g, group: 1 },
  {
    name: 'npm-token',
    pattern: /(_(?:authToken|auth|password)\s*=\s*["']?)([^\s"'$][^\s"']{7,})/g,
    group: 2,
    files: /^\.npmrc$/,
  },
  { name: 'stripe-key', pattern: /(?<![A-Za-z0-9_])((?:sk|rk)_live_[A-Za-z0-9]{20,99})/g, group: 1 },
  { name: 'gcp-api-key', pattern: /(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g, group: 1 },
  {
    name: 'docker-config-auth',
    pattern: /("(?:auth|identitytoken)"\s*:\s*")([A-Za-z0-9+/=_.-]{8,})"/g,
    group: 2,
    files: /^(?:config|daemon|dockercfg)\.json$|^\.dockercfg$/,
  },
  {
    name: 'git-credentials',
    pattern: /(https?:\/\/[^\s:/@]+:)([^\s@/]{6,})@/g,
    group: 2,
    files: /^\.git-credentials$/,
  },
  {
    name: 'netrc-password',
    pattern: /(\bpassword\s+)(\S{6,})/g,
    group: 2,
    files: /^[._]netrc$/,
  },
  {
    name: 'generic-api-key',
    pattern:
      // Bounded and anchored at a token start: unbounded `[\w.-]*` around the keyword is quadratic on long runs.
      /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{0,40}?(?:api[_.-]?key|apikey|secret|token|passw(?:or)?d|access[_.-]?key|auth[_.-]?key|private[_.-]?key|client[_.-]?secret|credentials?)[A-Za-z0-9_.-]{0,40}["']?[ \t]{0,8}[:=][ \t]{0,8}["']?)([^\s"'`;,]{16,256})/gi,
    group: 2,
    accept: genericValueOk,
  },
];

const MAX_FINDINGS_PER_TEXT = 20;

/**
 * Finds secrets in one text. `fileName` (a path or base name) enables the
 * file-specific rules (.npmrc, .docker/config.json, ...). Specific rules win:
 * a generic finding whose value overlaps a specific one is dropped.
 */
export function detectSecrets(text: string, fileName?: string): SecretMatch[] {
  const name = fileName === undefined ? undefined : basename(fileName);
  const found: SecretMatch[] = [];
  const seen = new Set<string>();
  const spans: Array<[number, number]> = [];
  const hasGcp = /"type"\s*:\s*"service_account"/.test(text);
  for (const rule of RULES) {
    if (rule.files && (name === undefined || !rule.files.test(name))) continue;
    if (rule.name === 'private-key' && hasGcp && /"private_key"\s*:/.test(text)) continue; // reported as gcp-service-account
    rule.pattern.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = rule.pattern.exec(text)) !== null) {
      if (match[0].length === 0) rule.pattern.lastIndex++;
      const value = match[rule.group] ?? match[0];
      const start = match.index + match[0].lastIndexOf(value);
      const end = start + value.length;
      if (spans.some(([s, e]) => start < e && s < end)) continue;
      if (rule.accept && !rule.accept(value)) continue;
      spans.push([start, end]);
      const redacted = rule.excerpt ? rule.excerpt(match) : `${clip(match[0].slice(0, match[0].lastIndexOf(value)))}${redact(value)}`;
      const key = `${rule.name}\0${redacted}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ rule: rule.name, redacted });
      if (found.length >= MAX_FINDINGS_PER_TEXT) return found;
    }
  }
  return found;
}

/** Keeps the excerpt's lead-in short: the last 40 characters before the value. */
function clip(prefix: string): string {
  const single = prefix.replace(/\s+/g, ' ');
  return single.length > 40 ? `…${single.slice(-40)}` : single;
}

/** PKCS#12 / Java keystores are binary: recognised by name and DER/JKS magic, never decoded. */
export function detectBinaryKeystore(name: string, head: Buffer, size: number): SecretMatch | undefined {
  const lower = name.toLowerCase();
  if (/\.(p12|pfx)$/.test(lower) && head[0] === 0x30) return { rule: 'pkcs12-keystore', redacted: `PKCS#12 archive (${size} bytes)` };
  if (/\.(jks|keystore)$/.test(lower) && head.readUInt32BE(0) === 0xfeedfeed) {
    return { rule: 'java-keystore', redacted: `Java keystore (${size} bytes)` };
  }
  return undefined;
}

/** Files worth reading for secrets because of their name or place. */
const SECRET_FILE_NAMES =
  /^(?:id_(?:rsa|dsa|ecdsa|ed25519)(?!.*\.pub$).*|.*\.(?:pem|key|p12|pfx|jks|keystore|ppk|asc)|\.env(?:\..+)?|\.npmrc|\.pypirc|\.netrc|_netrc|\.git-credentials|\.pgpass|\.dockercfg|credentials\.json|service[-_]account.*\.json|secrets?\.(?:json|ya?ml|env|txt))$/i;
const SECRET_FILE_PATHS = /(?:^|\/)(?:\.aws\/credentials|\.docker\/config\.json|\.kube\/config|\.ssh\/[^/]+|\.config\/gcloud\/[^/]+\.json)$/;

export function isSecretCandidate(path: string): boolean {
  if (path.startsWith('/proc/') || path.startsWith('/sys/')) return false;
  if (path.endsWith('.pub')) return false;
  return SECRET_FILE_NAMES.test(basename(path)) || SECRET_FILE_PATHS.test(path);
}

/** Directories whose small text files get the cheap content scan. */
const CONFIG_DIRS = /^\/(?:etc|root|home|app|srv|opt|workspace|config|usr\/src|usr\/local\/etc|var\/www)\//;
const NOT_CONFIG =
  /\/(?:node_modules|site-packages|dist-packages|\.git|__pycache__|vendor|locale|man|doc|ssl\/certs|ca-certificates)\/|\.(?:so(?:\.\d+)*|a|o|pyc|class|jar|png|jpe?g|gif|ico|svg|woff2?|ttf|gz|bz2|xz|zst|zip|tgz|mo|db|sqlite|bin|dat|wasm|crt|cer|pub)$/i;

export function isContentScanCandidate(path: string): boolean {
  return CONFIG_DIRS.test(path) && !NOT_CONFIG.test(path);
}

/** A cheap binary test: a NUL byte in the first 8 KiB. */
export function looksBinary(head: Buffer): boolean {
  return head.subarray(0, 8192).includes(0);
}
