/** Observer factory: the calibration algorithms by PPQ name (esp_ppq/quantization/observer/__init__.py). */
import { UnsupportedError } from '../../errors.js';
import type { ObserverName } from '../types.js';
import { createKlObserver } from './kl.js';
import { createMinMaxObserver } from './minmax.js';
import { createMseObserver } from './mse.js';
import type { Observer, ObserverConfig } from './observer.js';
import { createPercentileObserver } from './percentile.js';

export type { Observer, ObserverConfig } from './observer.js';
export { klBinsFor, OBSERVER_KL_HIST_BINS, OBSERVER_MSE_HIST_BINS, OBSERVER_PERCENTILE } from './observer.js';

/**
 * A fresh observer. Per-channel configs are supported by minmax only (PPQ raises for percentile, kl and mse).
 */
export function createObserver(kind: ObserverName, cfg: ObserverConfig): Observer {
  if (cfg.perChannel && kind !== 'minmax') {
    throw new UnsupportedError(`the ${kind} observer cannot calibrate per-channel configs (only minmax can)`);
  }
  switch (kind) {
    case 'minmax': return createMinMaxObserver(cfg);
    case 'percentile': return createPercentileObserver(cfg);
    case 'kl': return createKlObserver(cfg);
    case 'mse': return createMseObserver(cfg);
  }
}
