// Worker thread entry: decodes blocks of raw records sent by the main thread (see
// block-processor.ts) and posts the results back, transferring their typed arrays.

import { parentPort } from 'node:worker_threads';
import { decodeBlock, type BlockInput, type DecodeOptions } from './decode-block.js';

interface Job {
  id: number;
  input: BlockInput;
  options: DecodeOptions;
}

parentPort!.on('message', (job: Job) => {
  const result = decodeBlock(job.input, job.options);
  // Hand the input's bytes back too (they were transferred here), for the rejects file.
  result.input = { bytes: job.input.bytes, ends: job.input.ends };
  parentPort!.postMessage({ id: job.id, result }, [result.words.buffer as ArrayBuffer, job.input.bytes.buffer as ArrayBuffer, job.input.ends.buffer as ArrayBuffer]);
});

// Loaded and listening: the main thread sends blocks from now on (until then it processes them itself).
parentPort!.postMessage({ ready: true });
