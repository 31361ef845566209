// The shared vocabulary of every layer: imports nothing of ours, and is safe in the workflow bundle.
export * from './campaign';
export * from './campaign-shards';
export * from './code-host';
export * from './cost';
export * from './enums';
export * from './ids';
export * from './issues';
export * from './job-outcome';
export * from './limits';
export * from './pull-requests';
export * from './replica-event';
export * from './replica-job';
export * from './search-attributes';
export * from './templating';
