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
  /** mode benchmark: the Top-1 candidate's median on-device latency, ms (empty when not measured). */
  latencyMs: 'latency-ms',
  /** mode benchmark: id of the uploaded bench.json artifact. */
  benchArtifactId: 'bench-artifact-id',
} as const;
