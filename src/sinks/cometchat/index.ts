// CometChat data-import sink: the protocol of one entity kind (path, apikey header, body, reply
// classifier, key scrubbing) run by the shared batch delivery driver.

import { ChatmigrateError } from '../../errors.js';
import type { BatchProtocol, FatalVerdict } from '../batch-protocol.js';
import { createBatchDriver } from '../driver.js';
import { createScrubber } from '../scrub.js';
import type { DeliveryCallbacks, DeliveryLogger, Sink } from '../sink.js';
import { classifyReply } from './classify.js';
import { encodeImportBody } from './encode.js';
import { checkCometChatConfig, importPath, type CometChatTargetConfig } from './limits.js';

export type { CometChatTargetConfig } from './limits.js';

/**
 * A sink for one CometChat entity kind: `/data_import/<endpoint>` with bodies
 * `{"<wrapperKey>": {"<key>": record, ...}}` (members by default). Messages pass `ordered: true`.
 */
export function createCometChatSink(config: CometChatTargetConfig, callbacks: DeliveryCallbacks, logger?: DeliveryLogger): Sink {
  const { origin, path, endpoint, wrapperKey } = checkCometChatConfig(config);
  const operation = `POST ${importPath(endpoint)}`;
  // Whatever a server echoes back, the key never reaches a log line, an error or the rejects file.
  const scrub = createScrubber(config.apiKey);

  function fatalError(verdict: FatalVerdict): ChatmigrateError {
    const detail = verdict.message === '' ? '' : ` (${scrub(verdict.message)})`;
    if (verdict.errorCode === 'CM_AUTH') {
      return new ChatmigrateError('CM_AUTH', `CometChat refused the API key: ${operation} answered ${scrub(verdict.reason)}${detail}`, {
        hint: 'use a REST API key with full access for this app and region (--api-key-file FILE or COMETCHAT_API_KEY_FILE; --api-key or COMETCHAT_API_KEY)',
      });
    }
    return new ChatmigrateError('CM_TARGET', `${operation} answered ${scrub(verdict.reason)}${detail}`, {
      hint: 'check --base-url (API root including /v3) and --batch-size',
    });
  }

  const protocol: BatchProtocol = {
    name: 'cometchat',
    operation,
    path,
    headers: { apikey: config.apiKey, 'content-type': 'application/json', accept: 'application/json' },
    encode: (records) => encodeImportBody(wrapperKey, records),
    classify: (reply, keys, nowMs) => classifyReply(reply, keys, nowMs, config.wantIds === true),
    scrub,
    fatalError,
    checkHint: 'check --base-url (the API root including /v3; without it --app-id and --region make it) and that this machine can reach it',
  };
  return createBatchDriver(protocol, { ...config, origin }, callbacks, logger);
}

/** The former name of createCometChatSink, kept while callers move over. */
export const createCometChatTarget = createCometChatSink;
