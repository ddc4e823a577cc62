import protobuf from 'protobufjs/minimal.js';
import type { ExecEvent } from '../events.js';

/**
 * Decodes the messages gVisor's seccheck `remote` sink sends (one per
 * SOCK_SEQPACKET packet): an 8-byte header — u16 header size, u16 message
 * type, u32 events dropped so far — then a protobuf of gVisor's
 * pkg/sentry/seccheck/points. Only what Vigil uses is read, by field number,
 * checked against runsc 0.0~20221219 on the wire:
 *
 *   ExecveInfo (type 3): 1 context_data, 2 binary_path, 3 argv (repeated), 4 env
 *   ContextData: 1 time_ns, 2 thread_id, 4 thread_group_id, 6 container_id,
 *                7 credentials, 8 cwd, 9 process_name
 *   Credentials: 1 real_uid, 2 effective_uid, 4 real_gid
 */
const SECCHECK_MESSAGE_EXECVE = 3;

export interface SeccheckHeader {
  type: number;
  /** Events the sandbox dropped so far (cumulative per connection). */
  dropped: number;
  body: Uint8Array;
}

export function seccheckHeader(packet: Uint8Array): SeccheckHeader | undefined {
  if (packet.length < 8) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const size = view.getUint16(0, true);
  if (size < 8 || size > packet.length) return undefined;
  return { type: view.getUint16(2, true), dropped: view.getUint32(4, true), body: packet.subarray(size) };
}

interface Context {
  timeNs: number;
  tid: number;
  pid: number;
  containerId: string;
  uid: number;
  euid: number;
  gid: number;
  cwd: string;
  comm: string;
}

/** An ExecveInfo as a runtime exec event of the container it names; undefined when it is not one. */
export function seccheckToEvent(packet: Uint8Array, now: () => number = Date.now): ExecEvent | undefined {
  const header = seccheckHeader(packet);
  return header && execveToEvent(header, now);
}

/** The same, for a packet whose header the caller has already read. */
export function execveToEvent(header: SeccheckHeader, now: () => number = Date.now): ExecEvent | undefined {
  if (header.type !== SECCHECK_MESSAGE_EXECVE) return undefined;
  const reader = protobuf.Reader.create(header.body);
  let context: Context | undefined;
  let binary = '';
  const argv: string[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1:
        context = readContext(reader.bytes());
        break;
      case 2:
        binary = reader.string();
        break;
      case 3:
        argv.push(reader.string());
        break;
      default:
        reader.skipType(tag & 7);
    }
  }
  if (!context?.containerId) return undefined;
  return {
    kind: 'exec',
    source: 'gvisor',
    sandboxPids: true,
    observedAtMs: context.timeNs > 0 ? Math.floor(context.timeNs / 1e6) : now(),
    container: { id: context.containerId, runtime: 'runsc' },
    process: {
      pid: context.pid,
      tid: context.tid,
      uid: context.uid,
      gid: context.gid,
      euid: context.euid,
      comm: context.comm,
      exe: binary,
      args: argv,
      cwd: context.cwd,
      tty: false,
      capabilities: [],
      stdio: [],
      ancestry: [],
    },
  };
}

function readContext(bytes: Uint8Array): Context {
  const context: Context = { timeNs: 0, tid: 0, pid: 0, containerId: '', uid: 0, euid: 0, gid: 0, cwd: '', comm: '' };
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1:
        context.timeNs = Number(reader.int64());
        break;
      case 2:
        context.tid = reader.int32();
        break;
      case 4:
        context.pid = reader.int32();
        break;
      case 6:
        context.containerId = reader.string();
        break;
      case 7: {
        const creds = protobuf.Reader.create(reader.bytes());
        while (creds.pos < creds.len) {
          const t = creds.uint32();
          if (t >>> 3 === 1) context.uid = creds.uint32();
          else if (t >>> 3 === 2) context.euid = creds.uint32();
          else if (t >>> 3 === 4) context.gid = creds.uint32();
          else creds.skipType(t & 7);
        }
        break;
      }
      case 8:
        context.cwd = reader.string();
        break;
      case 9:
        context.comm = reader.string();
        break;
      default:
        reader.skipType(tag & 7);
    }
  }
  return context;
}
