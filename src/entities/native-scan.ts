// Loads the native fast path (native/scan_block.cc, built by scripts/build-native.mjs into
// dist/native/). Optional: when it was not built, or CHATMIGRATE_NATIVE=0 turns it off, this
// is undefined and record-block.ts uses the JavaScript paths alone (same results, slower).

import { createRequire } from 'node:module';

export type NativeScanBlock = (
  bytes: Uint8Array,
  ends: Int32Array,
  count: number,
  keys: ReadonlyArray<string | undefined> | null,
  nowSeconds: number,
  wantJson: boolean,
  words: Int32Array,
  flags: Uint8Array,
  ids: Uint8Array,
  jsons: Uint8Array,
) => number;

function load(): NativeScanBlock | undefined {
  if (process.env['CHATMIGRATE_NATIVE'] === '0') return undefined;
  try {
    // dist/src/record/ → dist/native/
    const addon = createRequire(import.meta.url)('../../native/scan_block.node') as { scanBlock?: unknown };
    return typeof addon.scanBlock === 'function' ? (addon.scanBlock as NativeScanBlock) : undefined;
  } catch {
    return undefined;
  }
}

export const nativeScanBlock: NativeScanBlock | undefined = load();
