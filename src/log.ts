/** Logging seam: the core logs through this interface, never through console or @actions/core. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** Discards everything (library default). */
export const nullLogger: Logger = { debug() {}, info() {}, warn() {} };

/** A logger that keeps what it got, for tests and for reports. */
export interface RecordingLogger extends Logger {
  readonly lines: { level: 'debug' | 'info' | 'warn'; message: string }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  return {
    lines,
    debug: (message) => lines.push({ level: 'debug', message }),
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
  };
}
