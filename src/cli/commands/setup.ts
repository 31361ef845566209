import { searchAttributeKeys } from '../../contracts';
import { loadTemporalConfig } from '../../config/temporal-config';
import { connectClient } from '../../temporal/connection';
import {
  ensureSearchAttributes,
  SearchAttributesRefused,
  tcldCommand,
  type SearchAttributeStatus,
} from '../../temporal/search-attributes';
import { EXIT, command } from '../command';

const STATE_TEXT: Record<SearchAttributeStatus['state'], string> = {
  present: 'already registered',
  added: 'added',
  missing: 'missing',
  'wrong type': 'registered with another type',
};

export const setupCommand = command({
  name: 'setup',
  summary: "register replica-fleet's search attributes on the Temporal namespace",
  help: `Usage: replica-fleet setup [--check]

Registers the custom search attributes the workflows set (${searchAttributeKeys.map((k) => k.name).join(', ')};
all Keyword) on TEMPORAL_NAMESPACE through Temporal's operator API. Safe to
re-run: attributes already there are left alone. Run it once per namespace before the first worker
starts (the Docker Compose stack runs it for you).

Where the server refuses the operator API (Temporal Cloud), it prints the tcld command that
registers what is missing and exits 1.

Options:
  --check   only report; exit 1 if an attribute is missing or has another type

Environment:
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, TEMPORAL_API_KEY  how to reach Temporal

Example:
  TEMPORAL_ADDRESS=127.0.0.1:7233 TEMPORAL_NAMESPACE=default replica-fleet setup`,
  options: {
    check: { type: 'boolean', default: false },
  },
  async run({ values }) {
    const temporal = loadTemporalConfig();
    const namespace = temporal.TEMPORAL_NAMESPACE;
    const connection = await connectClient(temporal);
    try {
      const statuses = await ensureSearchAttributes(connection.operatorService, namespace, {
        register: !values.check,
      });
      const width = Math.max(...statuses.map((s) => s.name.length));
      console.log(`replica-fleet setup: namespace ${namespace} on ${temporal.TEMPORAL_ADDRESS}`);
      for (const s of statuses) {
        const detail = s.registeredAs ? ` (${s.registeredAs}): rename or remove it, then re-run` : '';
        console.log(`  ${s.name.padEnd(width)}  ${s.type.padEnd(7)}  ${STATE_TEXT[s.state]}${detail}`);
      }
      const complete = statuses.every((s) => s.state === 'present' || s.state === 'added');
      if (!complete && values.check) console.log('Run `replica-fleet setup` to register what is missing.');
      return complete ? EXIT.ok : EXIT.failed;
    } catch (error) {
      if (!(error instanceof SearchAttributesRefused)) throw error;
      console.error(
        `replica-fleet setup: ${error.message}\n` +
          'On Temporal Cloud, register the search attributes with tcld (or in the Cloud UI, namespace > ' +
          `Search Attributes):\n\n  ${tcldCommand(namespace, error.missing)}\n`,
      );
      return EXIT.failed;
    } finally {
      await connection.close();
    }
  },
});
