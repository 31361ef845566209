import type { CampaignItem } from './campaign';

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

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

/** Placeholders in a template that this item cannot fill (empty when the message renders fully). */
export function missingPlaceholders(template: string, item: CampaignItem): string[] {
  const values = placeholderValues(item);
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string).filter((name) => !(name in values));
}

/** Renders `{{repository}}`, `{{environment}}`, `{{item.key}}` and `{{vars.name}}`. */
export function renderMessage(template: string, item: CampaignItem): string {
  const values = placeholderValues(item);
  return template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}
