import type { ContainerFactInit } from '../../../proto/src/index.js';

export type NodePath = ReadonlyArray<string | number>;

/**
 * What a scan needs to find the manifest line that causes a finding: the
 * nodes of the container's own part of the document, and the container as
 * it normalises with any one of them taken out. A finding that disappears
 * without a node is caused by it; the deepest such node names the line.
 */
export interface FieldProbe {
  /** The nodes the search starts from: the keys of the container (or service) and of its pod spec. */
  roots: NodePath[];
  /** The keys or indices under a node. */
  children(path: NodePath): NodePath[];
  /** The container normalised from the document without that node; undefined if it no longer normalises. */
  without(path: NodePath): ContainerFactInit | undefined;
  lineAt(path: NodePath): number | undefined;
}

/** A scope is a map node whose keys are roots, less those that name or hold other objects. */
export interface ProbeScope {
  path: NodePath;
  skip: ReadonlySet<string>;
}

export function fieldProbe(
  root: unknown,
  scopes: readonly ProbeScope[],
  lineAt: (path: NodePath) => number | undefined,
  rebuild: (root: unknown) => ContainerFactInit | undefined,
): FieldProbe {
  const childrenOf = (path: NodePath): NodePath[] => {
    const node = nodeAt(root, path);
    if (Array.isArray(node)) return node.map((_, i) => [...path, i]);
    if (node !== null && typeof node === 'object') return Object.keys(node).map((k) => [...path, k]);
    return [];
  };
  return {
    roots: scopes.flatMap((scope) => childrenOf(scope.path).filter((p) => !scope.skip.has(String(p[p.length - 1])))),
    children: childrenOf,
    without(path) {
      const copy = structuredClone(root);
      const parent = nodeAt(copy, path.slice(0, -1));
      const last = path[path.length - 1];
      if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
      else if (parent !== null && typeof parent === 'object' && typeof last === 'string') delete (parent as Record<string, unknown>)[last];
      else return undefined;
      try {
        return rebuild(copy);
      } catch {
        return undefined;
      }
    },
    lineAt,
  };
}

function nodeAt(root: unknown, path: NodePath): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
