import type { ContainerFactInit } from '../../../proto/src/index.js';
import type { CollectorErrorCode } from '../errors.js';
import type { FieldProbe } from './field-probe.js';

export type { ContainerFactInit };

/** One container declared by a manifest, normalised like a running one. */
export interface ManifestContainer {
  fact: ContainerFactInit;
  /** The file it was read from. */
  source: string;
  /** 0-based index of the YAML document in the file (0 for compose files). */
  document: number;
  /** `<namespace>/<kind>/<name>` for Kubernetes, `<project>/<service>` for compose. */
  workload: string;
  /** 1-based line where the container (Kubernetes) or service (compose) starts, when known. */
  line?: number;
  /** Finds the line of the node that causes a finding (see FieldProbe). */
  probe?: FieldProbe;
}

/**
 * A document or file that could not be used. Expected failures are values:
 * the other documents and files are still read.
 */
export interface ManifestError {
  file: string;
  /** 0-based document index; absent when the error is about the whole file. */
  document?: number;
  code: CollectorErrorCode;
  message: string;
}

export interface ManifestScan {
  containers: ManifestContainer[];
  errors: ManifestError[];
}

export type FileKind = 'kubernetes' | 'compose' | 'docker-inspect' | 'unknown';
