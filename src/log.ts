/** Logging seam: the core logs through this interface, never through console or @actions/core. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** Discards everything (library default). */
export const nullLogger: Logger = { debug() {}, info() {}, warn() {} };
