import type { UlimitSetting } from './types.js';

/** Go's strconv.ParseBool, which dockerd's flag parser uses. */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** `nofile=1024:2048` or `nofile=1024` (soft = hard), as `--default-ulimit` takes it. */
export function parseUlimit(value: string): UlimitSetting | undefined {
  const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(value);
  if (!match) return undefined;
  const soft = Number(match[2]);
  const hard = match[3] === undefined ? soft : Number(match[3]);
  return { name: match[1]!, soft, hard };
}

/** The value of `dm.basesize=…` among storage options, as Docker's devicemapper reads it. */
export function baseDeviceSize(storageOpts: readonly string[] | undefined): string | undefined {
  for (const opt of storageOpts ?? []) {
    const [key, ...rest] = opt.split('=');
    if (key?.trim().toLowerCase() === 'dm.basesize') return rest.join('=').trim();
  }
  return undefined;
}
