// The code-host adapters; the rest of the project sees the `CodeHost` port of src/contracts only.
export { CodeHostError, type CodeHostErrorKind } from './errors';
export type { CodeHostLog, GitHubClientOptions } from './github-client';
export { createGitHubCodeHost, GitHubCodeHost } from './github-code-host';
export { createWebhookVerifier } from './github-webhooks';
