// The simulator's public face: what the CLI, the local stack and tests may use. Its engine, routes and
// models are internal.
export {
  DEFAULT_SIM_API_KEY,
  startSimulator,
  type SimOrganisation,
  type Simulator,
  type SimulatorOptions,
} from './server';
export { SeededRandom } from './random';
export {
  applyFlags,
  describeSimConfig,
  parseSimConfig,
  type SimConfig,
  type SimConfigInput,
} from './sim-config';
export type { CreatedReplica, SimStats } from './stats';
export {
  DEFAULT_GITHUB_TOKEN,
  DEFAULT_GITHUB_WEBHOOK_SECRET,
  startCodeHost,
  type CodeHost,
  type CodeHostOptions,
  type CodeHostPullRequestState,
  type PersonAction,
} from './code-host/server';
export type { CodeHostStats, HostMerge, MergeRequestRecord } from './code-host/stats';
