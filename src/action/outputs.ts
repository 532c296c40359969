/** The Action's output names, as declared in action.yml (a test checks that both list the same names). */
export const OUTPUTS = {
  bestScore: 'best-score',
  bestIndex: 'best-index',
  /** Top-K records as JSON (candidates.json, best first). */
  candidates: 'candidates',
  regressed: 'regressed',
  artifactId: 'artifact-id',
  artifactUrl: 'artifact-url',
  reportPath: 'report-path',
  /** New experiments this run executed (0 when everything was restored from the cache). */
  experimentsRun: 'experiments-run',
  baselineScore: 'baseline-score',
  /** best − baseline, signed, in score units. */
  scoreDelta: 'score-delta',
} as const;
