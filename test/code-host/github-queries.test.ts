import { schema } from '@octokit/graphql-schema';
import { buildClientSchema, parse, validate, type IntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { allDocuments, pullRequestsByUrlQuery, READ_BATCH } from '../../src/code-host/github-queries';

// The introspection result: the SDL form repeats a few enterprise fields that graphql refuses to build.
const github = buildClientSchema(schema.json as unknown as IntrospectionQuery);

describe("the adapter's GraphQL documents", () => {
  it.each(Object.entries(allDocuments()))(
    '%s is valid against GitHub’s published schema',
    (_name, document) => {
      expect(validate(github, parse(document)).map((error) => error.message)).toEqual([]);
    },
  );

  it('a document naming a field GitHub lacks fails the same check (the check has teeth)', () => {
    const wrong = pullRequestsByUrlQuery(1).replace('headRefOid', 'headSha');
    expect(validate(github, parse(wrong)).map((error) => error.message)).toEqual([
      'Cannot query field "headSha" on type "PullRequest". Did you mean "headRef"?',
    ]);
  });

  it('a full batch reads a hundred pull requests by alias in one document', () => {
    const document = parse(pullRequestsByUrlQuery(READ_BATCH));
    const operation = document.definitions[0];
    expect(operation?.kind === 'OperationDefinition' && operation.variableDefinitions?.length).toBe(
      3 * READ_BATCH,
    );
  });
});
