/** A Logger that keeps what it got (tests read the lines back). */
import type { Logger } from '../../src/log.js';

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
