import { describe, expect, it } from '@jest/globals';
import { GENERIC_ENTROPY_THRESHOLD, detectSecrets, shannonEntropy } from '../../src/image/secrets.js';

const PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n';

describe('image secrets', () => {
  it('secrets - each rule finds its secret and the excerpt never holds the whole value', () => {
    const cases: Array<[string, string | undefined, { rule: string; redacted: string }[], string]> = [
      [PRIVATE_KEY, 'id_ed25519', [{ rule: 'private-key', redacted: '-----BEGIN OPENSSH PRIVATE KEY-----' }], 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ'],
      ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n', 'credentials', [{ rule: 'aws-access-key-id', redacted: 'AKIA****' }], 'AKIAIOSFODNN7EXAMPLE'],
      [
        'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        undefined,
        [{ rule: 'aws-secret-access-key', redacted: 'aws_secret_access_key=wJal****' }],
        'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      ],
      ['export GH=ghp_abcdefghijklmnopqrstuvwxyz0123456789', undefined, [{ rule: 'github-token', redacted: 'ghp_****' }], 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
      ['SLACK=xoxb-1234567890-abcdefghijkl', undefined, [{ rule: 'slack-token', redacted: 'xoxb****' }], 'xoxb-1234567890-abcdefghijkl'],
      [
        '//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789',
        '.npmrc',
        [{ rule: 'npm-token', redacted: 'npm_****' }],
        'npm_abcdefghijklmnopqrstuvwxyz0123456789',
      ],
      [
        '{"auths":{"registry.example.com":{"auth":"dXNlcjpzM2NyM3RwYXNzd29yZA=="}}}',
        '/root/.docker/config.json',
        [{ rule: 'docker-config-auth', redacted: '"auth":"dXNl****' }],
        'dXNlcjpzM2NyM3RwYXNzd29yZA==',
      ],
      [
        '{"type": "service_account", "project_id": "p", "private_key_id": "0123456789abcdef0123456789abcdef01234567", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n"}',
        'sa.json',
        [{ rule: 'gcp-service-account', redacted: '"type": "service_account", "private_key_id": "0123****"' }],
        '0123456789abcdef0123456789abcdef01234567',
      ],
      ['https://alice:s3cr3tT0ken@github.com\n', '.git-credentials', [{ rule: 'git-credentials', redacted: 'https://alice:****' }], 's3cr3tT0ken'],
      [
        'API_TOKEN=9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c',
        undefined,
        [{ rule: 'generic-api-key', redacted: 'API_TOKEN=9f8a****' }],
        '9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c',
      ],
    ];
    for (const [text, file, expected, secret] of cases) {
      const found = detectSecrets(text, file);
      expect({ text, found }).toEqual({ text, found: expected });
      for (const match of found) expect(match.redacted.includes(secret)).toBe(false);
    }
  });

  it('secrets - source code that assigns to names like token or secret is not a secret; literal values still are', () => {
    // What Vigil's own compiled code holds (it shipped as HIGH findings in its images).
    const code = [
      'const token = value.slice(0, index).trim();',
      "const token = msg.headers?.get('Nats-Msg-Id') ?? '';",
      'bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.rate);',
      'const secrets = lookupSecretsInLayer(layer, options);',
      'return { secrets: [...found.values()], packages };',
      'automount_service_account_token: bool(spec.automountServiceAccountToken) !== false,',
      'const SECRET_FILE_NAMES = /^(?:id_(?:rsa|dsa)|.*\\.pem)$/i;',
      'const apiKey = process.env.SERVICE_API_KEY;',
    ];
    for (const line of code) expect({ line, found: detectSecrets(line, 'app.js') }).toEqual({ line, found: [] });
    const literal = [
      'const apiKey = "Zx9Qm2LpV7rT4wKc8NbY3hJd";',
      'DB_PASSWORD=Xk9$mP2!qR7@vL4#sW6&',
      "client_secret: 'f3A9c1E7b5D2a8F4e6C0b9D1'",
    ];
    for (const line of literal) expect({ line, rules: detectSecrets(line, 'app.js').map((m) => m.rule) }).toEqual({ line, rules: ['generic-api-key'] });
  });

  it('secrets - generic keys need entropy; placeholders, references and file-only rules stay quiet', () => {
    expect(shannonEntropy('aaaaaaaaaaaaaaaa')).toBe(0);
    expect(shannonEntropy('9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c')).toBeGreaterThan(GENERIC_ENTROPY_THRESHOLD);
    expect(detectSecrets('PASSWORD=aaaaaaaaaaaaaaaaaaaaaaaa')).toEqual([]);
    expect(detectSecrets('API_KEY=${API_KEY_FROM_VAULT_SERVER}')).toEqual([]);
    expect(detectSecrets('TOKEN_URL=https://auth.example.com/oauth2/token')).toEqual([]);
    expect(detectSecrets('password=short')).toEqual([]);
    // _authToken is only an npm rule inside .npmrc
    expect(detectSecrets('_authToken=abcdefgh', 'notes.txt')).toEqual([]);
    expect(detectSecrets('_authToken=abcdefgh', '.npmrc')).toEqual([{ rule: 'npm-token', redacted: '_authToken=****' }]);
  });

  it('secrets - a specific finding suppresses the generic one on the same value', () => {
    expect(detectSecrets('AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nGITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789')).toEqual([
      { rule: 'aws-access-key-id', redacted: 'AKIA****' },
      { rule: 'github-token', redacted: 'ghp_****' },
    ]);
  });
});

describe('image secrets on adversarial text', () => {
  it('secrets - long runs without separators are scanned in linear time', () => {
    for (const text of ['B'.repeat(1 << 20), 'secret'.repeat(100_000), 'token:'.repeat(100_000), `https://${'a'.repeat(1 << 20)}`]) {
      const started = Date.now();
      expect(detectSecrets(text, '.npmrc')).toEqual([]);
      expect(Date.now() - started).toBeLessThan(1_000);
    }
  });
});
