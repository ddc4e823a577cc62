import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import type { AlertJSON } from '../../../proto/src/index.js';
import { DeliveryError, type AlertOutput } from './output.js';

export interface SyslogOptions {
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  /** Facility number (RFC 5424 table 1). Default 10, security/authorization. */
  facility?: number;
  /** PEM CA bundle for tls (default: Node's trusted roots). */
  ca?: string | Buffer;
  /** Do not check the server's certificate (tls). */
  insecure?: boolean;
  timeoutMs?: number;
}

/** RFC 5424 severity of a Vigil severity. */
const SEVERITY: Record<string, number> = { CRITICAL: 2, HIGH: 3, MEDIUM: 4, LOW: 5, INFO: 6 };
/** Structured data of the documentation enterprise number (RFC 5612); the message itself is the alert's JSON. */
const SD_ID = 'vigil@32473';
const MAX_UDP_BYTES = 8_192;

/**
 * Syslog, RFC 5424 messages: over UDP one datagram each (RFC 5426), over TCP
 * and TLS octet-counted frames (RFC 6587 / RFC 5425). MSGID is the rule id;
 * structured data carries the alert id, rule, severity and subject; MSG is
 * the alert's JSON.
 */
export function syslogOutput(options: SyslogOptions): AlertOutput {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const describe = `syslog ${options.transport}://${options.host}:${options.port}`;
  let stream: net.Socket | undefined;
  let udp: dgram.Socket | undefined;

  const connect = (): Promise<net.Socket> =>
    new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(new DeliveryError(`${describe}: ${error.message}`, true));
      const socket =
        options.transport === 'tls'
          ? tls.connect({ host: options.host, port: options.port, servername: net.isIP(options.host) ? undefined : options.host, ca: options.ca, rejectUnauthorized: !options.insecure }, () => resolve(socket))
          : net.connect({ host: options.host, port: options.port }, () => resolve(socket));
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      socket.once('error', onError);
      socket.once('close', () => {
        if (stream === socket) stream = undefined;
      });
      socket.on('data', () => undefined); // syslog receivers send nothing; drain whatever comes
    });

  const write = (socket: net.Socket, data: Buffer): Promise<void> =>
    new Promise((resolve, reject) => socket.write(data, (error) => (error ? reject(new DeliveryError(`${describe}: ${error.message}`, true)) : resolve())));

  return {
    describe,
    async deliver(alerts) {
      if (alerts.length === 0) return;
      if (options.transport === 'udp') {
        udp ??= dgram.createSocket(net.isIPv6(options.host) ? 'udp6' : 'udp4');
        for (const alert of alerts) {
          const message = syslogMessage(alert, options.facility, MAX_UDP_BYTES);
          await new Promise<void>((resolve, reject) =>
            udp!.send(message, options.port, options.host, (error) => (error ? reject(new DeliveryError(`${describe}: ${error.message}`, true)) : resolve())),
          );
        }
        return;
      }
      try {
        stream ??= await connect();
        const frames = alerts.map((alert) => {
          const message = syslogMessage(alert, options.facility);
          return Buffer.concat([Buffer.from(`${message.length} `), message]);
        });
        await write(stream, Buffer.concat(frames));
      } catch (error) {
        stream?.destroy();
        stream = undefined;
        throw error instanceof DeliveryError ? error : new DeliveryError(`${describe}: ${(error as Error).message}`, true);
      }
    },
    async close() {
      udp?.close();
      udp = undefined;
      if (stream) await new Promise<void>((resolve) => stream!.end(resolve));
      stream = undefined;
    },
  };
}

/** One RFC 5424 message; with `maxBytes`, the JSON is cut to fit (a UDP datagram). */
export function syslogMessage(alert: AlertJSON, facility = 10, maxBytes?: number): Buffer {
  const pri = facility * 8 + (SEVERITY[alert.severity] ?? 6);
  const host = printable(alert.host, 255) || '-';
  const msgid = printable(alert.rule_id, 32) || '-';
  const sd = `[${SD_ID} alert_id="${param(alert.alert_id)}" rule="${param(alert.rule_id)}" severity="${param(alert.severity)}" kind="${param(alert.subject.kind)}" subject="${param(alert.subject.name || alert.subject.id)}" count="${alert.count}"]`;
  const header = `<${pri}>1 ${alert.raised_at} ${host} vigil - ${msgid} ${sd} `;
  // The BOM marks MSG as UTF-8 (RFC 5424 §6.4).
  const head = Buffer.concat([Buffer.from(header), Buffer.from([0xef, 0xbb, 0xbf])]);
  let body = Buffer.from(JSON.stringify(alert));
  if (maxBytes !== undefined && head.length + body.length > maxBytes) body = Buffer.from(JSON.stringify({ ...alert, message: alert.message.slice(0, 200), recommended_action: '', truncated: true }));
  return Buffer.concat([head, body]);
}

/** PRINTUSASCII (33–126) only, as HOSTNAME and MSGID must be. */
const printable = (value: string, max: number): string => value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
/** PARAM-VALUE escapes: ", \ and ]. */
const param = (value: string): string => value.replace(/["\\\]]/g, (c) => `\\${c}`);
