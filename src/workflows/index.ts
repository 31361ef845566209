// The workflow bundle's entry point: every workflow the worker registers is exported here.
export { healthCheckWorkflow } from './health-check';
export { replicaJobWorkflow } from './replica-job/workflow';
export { campaignWorkflow } from './campaign/workflow';
export { shardWorkflow } from './shard/workflow';
