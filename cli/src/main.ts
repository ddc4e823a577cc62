import { VigilEngineError } from '../../engine/src/index.js';
import { alertsCommand } from './commands/alerts.js';
import { collectCommand } from './commands/collect.js';
import { consoleCommand, CONSOLE_USAGE } from './commands/console.js';
import { ENGINE_USAGE, engineCommand } from './commands/engine.js';
import { factsCommand, FACTS_USAGE } from './commands/facts.js';
import { forwardCommand, FORWARD_USAGE } from './commands/forward.js';
import { natsConfigCommand, NATS_CONFIG_USAGE } from './commands/nats-config.js';
import { policyCommand, POLICY_USAGE } from './commands/policy.js';
import { postureCommand, POSTURE_USAGE } from './commands/posture.js';
import { profileCommand, PROFILE_USAGE } from './commands/profile.js';
import { scanCommand, SCAN_USAGE } from './commands/scan.js';
import { upCommand, UP_USAGE } from './commands/up.js';
import { CliError, EXIT_ERROR, UsageError } from './errors.js';
import { NATS_SECURITY_USAGE } from './nats.js';

const USAGE = `vigil — container-security policy engine

Usage:
  vigil scan [--format table|json] [--fail-on SEVERITY] TARGET...   one-shot scan, no NATS needed
  vigil up [--nats URL] [--format pretty|json]                       NATS (embedded if none), engine, collectors; alerts to stdout
  vigil engine --nats URL [--bundle FILE]                            the engine alone
  vigil collect container|host|image|runtime --nats URL              one collector alone
        [--bundle FILE] [--source ebpf|procfs|falco|tetragon [--listen HOST:PORT] [--input FILE|-]]
      --bundle: the bundles the engines judge with (their kernel_filter says what the kernel reports; default: the shipped bundle)
      --source falco --listen HOST:PORT: Falco's http_output posts here; --input FILE: a JSON-lines file (Falco's file_output,
      Tetragon's --export-filename), followed as it grows, or - for stdin
  vigil alerts --nats URL [--subject S] [--format pretty|json]       print alerts as they arrive
  vigil console --nats URL [--console HOST:PORT]                     the console: alerts live, fleet, workloads, exceptions
  vigil forward --nats URL --output KIND=TARGET...                   deliver alerts to webhooks, Slack, Alertmanager, syslog, files
  vigil policy list|build|test|eval|verify|push|promote|shadow|rollback|history|data|replay  policy tooling and distribution
  vigil facts export|import                                          the fact archive as portable files
  vigil posture [WORKLOAD]                                           one workload's findings and controls
  vigil profile list|show|diff|lock|reset|extend|approve|export|import  learned workload profiles
  vigil nats-config --hosts a,b --out DIR                            TLS + nkey config for a secured NATS

${SCAN_USAGE}

${UP_USAGE}

${ENGINE_USAGE}

${POLICY_USAGE}

${FACTS_USAGE}

${FORWARD_USAGE}

${CONSOLE_USAGE}

${POSTURE_USAGE}

${PROFILE_USAGE}

${NATS_CONFIG_USAGE}

${NATS_SECURITY_USAGE}
`;

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'scan':
        return await scanCommand(rest);
      case 'up':
        return await upCommand(rest);
      case 'engine':
        return await engineCommand(rest);
      case 'collect':
        return await collectCommand(rest);
      case 'alerts':
        return await alertsCommand(rest);
      case 'facts':
        return await factsCommand(rest);
      case 'console':
        return await consoleCommand(rest);
      case 'forward':
        return await forwardCommand(rest);
      case 'policy':
        return await policyCommand(rest);
      case 'posture':
        return await postureCommand(rest);
      case 'profile':
        return await profileCommand(rest);
      case 'nats-config':
        return await natsConfigCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? EXIT_ERROR : 0;
      default:
        throw new UsageError(`unknown command ${command}; see \`vigil --help\``);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof CliError || error instanceof VigilEngineError || isParseArgsError(error)) {
      process.stderr.write(`vigil: ${(error as Error).message}\n`);
      return EXIT_ERROR;
    }
    process.stderr.write(`vigil: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_ERROR;
  }
}

function isParseArgsError(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === 'string' && String((error as { code: string }).code).startsWith('ERR_PARSE_ARGS');
}
