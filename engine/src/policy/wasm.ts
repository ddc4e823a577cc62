/**
 * The slice of the WebAssembly JS API the engine uses. The project compiles
 * without DOM typings, where TypeScript declares `WebAssembly`; Node has it.
 */

/** A compiled WebAssembly module: compiled once, instantiated per thread (it crosses postMessage). */
export interface WasmModule {
  readonly [wasmModuleBrand]?: never;
}

declare const wasmModuleBrand: unique symbol;

interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

export const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
