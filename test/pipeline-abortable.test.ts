// Waiting that a signal cuts short: the abandoned work never turns into an unhandled rejection.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interrupted, untilAborted } from '../src/pipeline/abortable.js';

test('work handed over after the signal fired is waited for by nobody, and its failure is not unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const controller = new AbortController();
    controller.abort();
    let fail!: (e: Error) => void;
    const work = new Promise<void>((_, reject) => (fail = reject));
    await assert.rejects(untilAborted(work, controller.signal), Interrupted);
    fail(new Error('closed while nobody waited'));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('a signal during the wait rejects at once; the work\'s later failure is absorbed', async () => {
  const controller = new AbortController();
  let fail!: (e: Error) => void;
  const work = new Promise<void>((_, reject) => (fail = reject));
  const waiting = untilAborted(work, controller.signal);
  controller.abort();
  await assert.rejects(waiting, Interrupted);
  fail(new Error('late'));
  await new Promise((r) => setTimeout(r, 10));
});
