import { destination, type LevelWithSilent, type Logger, pino } from 'pino';

/**
 * JSON lines for machines; readable lines when a person watches a terminal. Logs go to stderr for
 * the one-off commands, so `--json` output on stdout stays a clean document.
 */
export function createLogger(options: {
  level: LevelWithSilent;
  destination: 1 | 2;
  pretty?: boolean;
}): Logger {
  const isTerminal = options.destination === 1 ? process.stdout.isTTY : process.stderr.isTTY;
  if (options.pretty ?? isTerminal) {
    return pino({
      level: options.level,
      transport: {
        target: 'pino-pretty',
        options: { destination: options.destination, translateTime: 'SYS:HH:MM:ss' },
      },
    });
  }
  return pino({ level: options.level }, destination({ dest: options.destination, sync: true }));
}

export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * A failure in a log line: its message at `level`, and its stack (with every `cause`) only at
 * debug — a trace is for whoever debugs, not for the operator reading a table or a daemon's log.
 */
export function logFailure(
  logger: Logger,
  level: 'error' | 'warn',
  error: unknown,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  logger[level]({ ...fields, error: error instanceof Error ? error.message : String(error) }, message);
  logger.debug({ ...fields, err: error }, `${message} (trace)`);
}
