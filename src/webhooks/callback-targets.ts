import { createHmac } from 'node:crypto';

/** Path under which the ingress receives Replicas callbacks; the workflow id follows it. */
export const WEBHOOK_PATH_PREFIX = '/webhooks/replicas/';

/**
 * The secret one workflow's replica signs its callbacks with: HMAC-SHA256 of the workflow id under
 * the master secret. A leaked per-workflow secret cannot forge callbacks for any other workflow, and
 * the ingress needs no storage to verify.
 */
export function deriveWebhookSecret(masterSecret: string, workflowId: string): string {
  return createHmac('sha256', masterSecret).update(`replica-fleet/webhook/${workflowId}`).digest('hex');
}

/** The callback URL for one workflow, under the ingress's public base URL. */
export function webhookUrlFor(publicBaseUrl: string, workflowId: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return `${base}${WEBHOOK_PATH_PREFIX}${encodeURIComponent(workflowId)}`;
}

export interface WebhookSettings {
  /** Public base URL of the ingress (e.g. https://fleet.example.com); without it jobs poll. */
  publicBaseUrl?: string;
  /** Master secret; per-workflow secrets are derived from it inside the activity, never in history. */
  masterSecret?: string;
}

/** Where a workflow's replica calls back, and with which secret; undefined when webhooks are off. */
export type CallbackTargets = (workflowId: string) => { url: string; secret: string } | undefined;

/** The `webhook_url` each replica registers, injected into the activities by the composition root. */
export function callbackTargets(settings: WebhookSettings = {}): CallbackTargets {
  const { publicBaseUrl, masterSecret } = settings;
  if (!publicBaseUrl || !masterSecret) return () => undefined;
  return (workflowId) => ({
    url: webhookUrlFor(publicBaseUrl, workflowId),
    secret: deriveWebhookSecret(masterSecret, workflowId),
  });
}
