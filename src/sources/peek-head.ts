// Looks at the first bytes of an input before anything else reads it (a CometChat body's wrapper
// key names the run's kind, and the sink, the checkpoint and the decoders need it before the
// first record), and hands back a stream that yields those bytes again, then the rest.

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Gathers chunks until `decide(head, atEnd)` answers (not undefined), the input ends, or
 * `maxBytes` were gathered (then it is asked with atEnd true). `head` starts after any UTF-8 BOM.
 */
export async function peekHead<T>(
  chunks: AsyncIterable<Buffer>,
  decide: (head: Buffer, atEnd: boolean) => T | undefined,
  maxBytes: number,
): Promise<{ value: T; chunks: AsyncIterable<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let bytes = 0;
  let ended = false;
  let value: T | undefined;
  /** Bytes held when decide() last could not answer. */
  let asked = -1;
  for (;;) {
    const atEnd = ended || bytes >= maxBytes;
    // Asked again only once the head has doubled: asking at every chunk copies and scans the
    // head over and over (small chunks of a 1 MB head took seconds). A longer head gives the
    // same answer, only later.
    if (atEnd || bytes > 2 * asked) {
      const whole = held.length === 1 ? held[0]! : Buffer.concat(held);
      // The first bytes may be the start of a BOM: what they are is known with the next ones.
      value = atEnd || !isBomPrefix(whole) ? decide(withoutBom(whole), atEnd) : undefined;
      if (value !== undefined || atEnd) break;
      asked = bytes;
    }
    const next = await iterator.next();
    if (next.done === true) ended = true;
    else {
      held.push(next.value);
      bytes += next.value.length;
    }
  }
  async function* again(): AsyncGenerator<Buffer> {
    yield* held.splice(0);
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  // decide() answers at the end of the input at the latest.
  return { value: value as T, chunks: again() };
}

function isBomPrefix(buf: Buffer): boolean {
  return buf.length < BOM.length && BOM.subarray(0, buf.length).equals(buf);
}

function withoutBom(buf: Buffer): Buffer {
  return buf.length >= 3 && buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2] ? buf.subarray(3) : buf;
}
