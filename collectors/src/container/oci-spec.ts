/** The parts of an OCI runtime spec (config.json, runtime-spec v1.x) the collector reads. */
export interface OciMount {
  destination?: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface OciNamespace {
  type?: string;
  path?: string;
}

export interface OciDevice {
  path?: string;
  type?: string;
  major?: number;
  minor?: number;
}

export interface OciDeviceRule {
  allow?: boolean;
  type?: string;
  major?: number | null;
  minor?: number | null;
  access?: string;
}

export interface OciSpec {
  ociVersion?: string;
  process?: {
    user?: { uid?: number; gid?: number; username?: string };
    args?: string[];
    capabilities?: { bounding?: string[]; effective?: string[]; permitted?: string[] };
    noNewPrivileges?: boolean;
    apparmorProfile?: string;
    selinuxLabel?: string;
    rlimits?: Array<{ type?: string; soft?: number; hard?: number }>;
  };
  root?: { path?: string; readonly?: boolean };
  hostname?: string;
  mounts?: OciMount[];
  annotations?: Record<string, string>;
  linux?: {
    namespaces?: OciNamespace[];
    devices?: OciDevice[];
    resources?: {
      devices?: OciDeviceRule[];
      memory?: { limit?: number };
      cpu?: { shares?: number; quota?: number; period?: number };
      pids?: { limit?: number };
    };
    cgroupsPath?: string;
    sysctl?: Record<string, string>;
    seccomp?: unknown;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    mountLabel?: string;
  };
}
