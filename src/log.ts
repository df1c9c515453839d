// The logging interface every layer writes through (pino's call shape: data in fields, a fixed
// message). The logger itself, its levels and formats live in observability/logger.ts.

export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}
