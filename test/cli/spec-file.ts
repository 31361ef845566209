import { writeFileSync } from 'node:fs';
import type { CampaignItem } from '../../src/contracts';

/** A spec file of `items`, as a campaign owner writes one; `header` adds top-level lines. */
export function writeSpec(file: string, items: CampaignItem[], header = ''): string {
  const lines = items.map(
    (i) => `  - { key: ${i.key}, environment: ${i.environmentId}, repository: ${i.repository} }`,
  );
  writeFileSync(
    file,
    `message: Upgrade the linter in {{repository}}\n${header}items:\n${lines.join('\n')}\n`,
  );
  return file;
}
