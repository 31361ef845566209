import path from 'node:path';

/** What a campaign id may be: the rule the spec's `id` follows too. */
export const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/;

/** `Lint the API!` → `lint-the-api`: a name made into an id, or '' when nothing of it is left. */
export function slugOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 81)
    .replace(/[^a-z0-9]+$/, '');
}

/**
 * The id an apply uses: `--id`, else the spec's `id`, else one derived from the spec's `name`, else
 * from its file name — stable, so applying the same spec again reconciles the same campaign instead of
 * starting a second one. Undefined when none gives an id (the caller names the fix).
 */
export function campaignIdFor(source: {
  flag?: string;
  id?: string;
  name?: string;
  file: string;
}): string | undefined {
  if (source.flag) return source.flag;
  if (source.id) return source.id;
  const fromName = source.name ? slugOf(source.name) : '';
  if (fromName) return fromName;
  const fromFile = slugOf(path.basename(source.file).replace(/\.(ya?ml|json)$/i, ''));
  return fromFile || undefined;
}
