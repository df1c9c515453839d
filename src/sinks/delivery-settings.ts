// The settings every sink talks to its target with (--rpm, --rate-window-ms, --max-retries,
// --retry-min-ms, --retry-max-ms, --request-timeout-ms): named once, so the CometChat target, the
// delivery driver, the Rocket.Chat client and its command's config cannot drift apart.

/** Request starts per window, retries and timeouts. */
export interface DeliverySettings {
  /** Request starts per window; 0 = unlimited (Rocket.Chat: per endpoint). */
  rpm: number;
  /** The quota window (60000 for a per-minute quota). */
  rateWindowMs: number;
  maxRetries: number;
  retryMinMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
}
