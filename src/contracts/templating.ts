import type { CampaignItem } from './campaign';

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

/** The placeholders every item has; `vars.<name>` come from the item itself. */
export const ITEM_PLACEHOLDERS = ['repository', 'environment', 'item.key'] as const;

/** The placeholders a message may use for an item; `vars.*` come from the item itself. */
export function placeholderValues(item: CampaignItem): Record<string, string> {
  const values: Record<string, string> = {
    repository: item.repository ?? '',
    environment: item.environmentId,
    'item.key': item.key,
  };
  for (const [name, value] of Object.entries(item.vars ?? {})) values[`vars.${name}`] = value;
  return values;
}

/** Each placeholder a template uses, once, in order: `repository`, `vars.team`, … */
export function placeholdersIn(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/**
 * Placeholders in a template that this item cannot fill (empty when the message renders fully). An
 * item without a repository cannot fill `{{repository}}`: the agent would read an empty name.
 */
export function missingPlaceholders(template: string, item: CampaignItem): string[] {
  const values = placeholderValues(item);
  return placeholdersIn(template).filter((name) =>
    name === 'repository' ? !item.repository : !(name in values),
  );
}

/** Renders `{{repository}}`, `{{environment}}`, `{{item.key}}` and `{{vars.name}}`. */
export function renderMessage(template: string, item: CampaignItem): string {
  const values = placeholderValues(item);
  return template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}
