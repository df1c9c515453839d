// Pure token walker that finds a Rocket.Chat import selection inside a JSON token stream:
// `{"input": {"users": ..., "channels": ...}}` or `{"users": ..., "channels": ...}` (what
// getImportFileData answers), each list in the array form (entries) or the short form
// (`{"all": bool, "list": [ids]}`). Only one entry is assembled at a time, so memory stays flat.

import Assembler from 'stream-json/assembler.js';

export type SelectionKind = 'users' | 'channels';

/** A stream-json token (packed values only). */
export interface JsonToken {
  name: string;
  value?: unknown;
}

export interface SelectionHandlers {
  /** One element of an array-form list, as parsed (usually an object; anything else is invalid). */
  entry(kind: SelectionKind, value: unknown): void;
  /** Short form: the `all` flag of a list. */
  shortAll?(kind: SelectionKind, all: unknown): void;
  /** Short form: one element of `list`. */
  shortId?(kind: SelectionKind, id: unknown): void;
  /** The form each list had, once its value starts; `wrapped` when it sits inside `input`. */
  form?(kind: SelectionKind, form: 'array' | 'short' | 'other', wrapped: boolean): void;
  /** A top-level scalar key (e.g. getImportFileData's `waiting`, `success`). */
  topLevel?(key: string, value: unknown): void;
}

interface Frame {
  array: boolean;
  key: string | undefined;
  /** Role of this container: 0 other, 1 the root, 2 the `input` wrapper, 3 an array-form list, 4 a short-form list, 5 a short-form `list` array. */
  role: number;
  kind: SelectionKind | undefined;
}

/** JsonToken is what the tokenizer emits; the assembler's own type lists every token shape. */
type AsmToken = Parameters<Assembler['consume']>[0];

const SCALARS = new Set(['stringValue', 'numberValue', 'nullValue', 'trueValue', 'falseValue']);

function scalar(tok: JsonToken): unknown {
  switch (tok.name) {
    case 'numberValue':
      return Number(tok.value);
    case 'nullValue':
      return null;
    default:
      return tok.value;
  }
}

function kindOf(key: string | undefined): SelectionKind | undefined {
  return key === 'users' || key === 'channels' ? key : undefined;
}

/** Feed tokens in order with `token`; `finish` checks that the document ended. */
export function createSelectionWalker(handlers: SelectionHandlers): { token(tok: JsonToken): void; finish(): void } {
  const stack: Frame[] = [];
  let asm: Assembler | undefined;
  let asmKind: SelectionKind = 'users';
  let sawRoot = false;

  function open(tok: JsonToken, array: boolean): void {
    const parent = stack[stack.length - 1];
    let role = 0;
    let kind: SelectionKind | undefined;
    if (parent === undefined) {
      if (array) throw new Error('the selection must be a JSON object ({"input": {...}} or {"users": [...], "channels": [...]}), not an array');
      role = 1;
      sawRoot = true;
    } else if ((parent.role === 1 || parent.role === 2) && !parent.array) {
      kind = kindOf(parent.key);
      if (kind !== undefined) {
        role = array ? 3 : 4;
        handlers.form?.(kind, array ? 'array' : 'short', parent.role === 2);
      } else if (parent.role === 1 && parent.key === 'input' && !array) {
        role = 2;
      }
    } else if (parent.role === 3) {
      // An entry of an array-form list: assemble it whole (entries are small).
      asm = new Assembler();
      asmKind = parent.kind as SelectionKind;
      asm.consume(tok as AsmToken);
      return;
    } else if (parent.role === 4 && parent.key === 'list' && array) {
      role = 5;
      kind = parent.kind;
    }
    stack.push({ array, key: undefined, role, kind });
  }

  return {
    token(tok: JsonToken): void {
      if (asm !== undefined) {
        asm.consume(tok as AsmToken);
        if (asm.done) {
          const value = asm.current;
          asm = undefined;
          handlers.entry(asmKind, value);
        }
        return;
      }
      const top = stack[stack.length - 1];
      switch (tok.name) {
        case 'startObject':
          open(tok, false);
          return;
        case 'startArray':
          open(tok, true);
          return;
        case 'endObject':
        case 'endArray':
          stack.pop();
          return;
        case 'keyValue':
          if (top !== undefined) top.key = tok.value as string;
          return;
        default:
          if (!SCALARS.has(tok.name) || top === undefined) {
            if (top === undefined && SCALARS.has(tok.name)) throw new Error('the selection must be a JSON object, not a single value');
            return;
          }
          if (top.role === 3) handlers.entry(top.kind as SelectionKind, scalar(tok));
          else if (top.role === 5) handlers.shortId?.(top.kind as SelectionKind, scalar(tok));
          else if (top.role === 4 && top.key === 'all') handlers.shortAll?.(top.kind as SelectionKind, scalar(tok));
          else if (top.role === 1 && top.key !== undefined) {
            const kind = kindOf(top.key);
            if (kind !== undefined) handlers.form?.(kind, 'other', false);
            handlers.topLevel?.(top.key, scalar(tok));
          } else if (top.role === 2) {
            const kind = kindOf(top.key);
            if (kind !== undefined) handlers.form?.(kind, 'other', true);
          }
      }
    },
    finish(): void {
      if (!sawRoot) throw new Error('the selection is empty: expected a JSON object');
      if (stack.length > 0 || asm !== undefined) throw new Error('the selection ends in the middle of the document');
    },
  };
}
