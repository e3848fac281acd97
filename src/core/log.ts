/**
 * Logging in the form Terraform reads from a provider's stderr: one hclog JSON object per line
 * (`@level`, `@message`, `@timestamp` with microseconds), visible with TF_LOG / TF_LOG_PROVIDER.
 * This is where log lines leave the process, so the message and every field (nested, keys
 * included; errors as name, code and message) are redacted here, once: callers pass them as they are.
 */
import { redact, redactValue } from './redact';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/** A minimal structured logger. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  trace(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Formats a Date as hclog wants: `2006-01-02T15:04:05.000000Z07:00`. */
export function hclogTimestamp(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Creates a logger that writes hclog JSON lines to `write` (stderr by default). */
export function createLogger(options: { name?: string; level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const min = ORDER[options.level ?? 'trace'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const name = options.name ?? 'apiaccess';
  const log = (level: LogLevel, message: string, fields: Record<string, unknown> = {}): void => {
    if (ORDER[level] < min) return;
    const entry = {
      '@level': level,
      '@message': redact(message),
      '@module': name,
      '@timestamp': hclogTimestamp(new Date()),
      ...(redactValue(fields) as Record<string, unknown>),
    };
    write(`${JSON.stringify(entry)}\n`);
  };
  return {
    log,
    trace: (m, f) => log('trace', m, f),
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ write: () => undefined, level: 'error' });
