import { z } from 'zod';
import { SuccessResponse } from './schemas/common';
import * as S from './schemas/environment';
import { parseSse } from './sse';
import { pathOf, tryParseJson, validateRequest, type CallOptions, type Transport } from './transport';

type In<T extends z.ZodType> = z.input<T>;
const envId = (value: string) => validateRequest('environment id', S.EnvironmentId, value);
const NonEmptyId = z.string().min(1, 'is required');
const id = (value: string, field = 'id') => validateRequest(field, NonEmptyId, value);

/** A per-environment collection (variables, files, skills, MCPs): list, create, update, delete. */
class EnvironmentCollection<
  Item extends z.ZodType,
  List extends z.ZodType,
  Create extends z.ZodType,
  Update extends z.ZodType,
> {
  constructor(
    private readonly http: Transport,
    private readonly segment: string,
    private readonly schemas: { list: List; item: Item; create: Create; update?: Update },
  ) {}

  async list(environmentId: string, options?: CallOptions): Promise<z.output<List>> {
    return this.http.call({
      method: 'GET',
      path: this.base(environmentId),
      response: this.schemas.list,
      ...options,
    });
  }

  async create(environmentId: string, body: In<Create>, options?: CallOptions): Promise<z.output<Item>> {
    return this.http.call({
      method: 'POST',
      path: this.base(environmentId),
      body: validateRequest(`create ${this.segment}`, this.schemas.create, body),
      response: this.schemas.item,
      ...options,
    });
  }

  async update(
    environmentId: string,
    itemId: string,
    body: In<Update>,
    options?: CallOptions,
  ): Promise<z.output<Item>> {
    if (!this.schemas.update) throw new Error(`${this.segment} cannot be updated`);
    return this.http.call({
      method: 'PATCH',
      path: `${this.base(environmentId)}${pathOf`/${id(itemId)}`}`,
      body: validateRequest(`update ${this.segment}`, this.schemas.update, body),
      response: this.schemas.item,
      ...options,
    });
  }

  async delete(environmentId: string, itemId: string, options?: CallOptions) {
    return this.http.call({
      method: 'DELETE',
      path: `${this.base(environmentId)}${pathOf`/${id(itemId)}`}`,
      response: SuccessResponse,
      ...options,
    });
  }

  private base(environmentId: string): string {
    return `${pathOf`/v1/environments/${envId(environmentId)}`}/${this.segment}`;
  }
}

/** Environments and everything attached to them; `global` addresses the organisation's Global environment. */
export class EnvironmentsApi {
  readonly variables;
  readonly files;
  readonly skills;
  readonly mcps;

  constructor(private readonly http: Transport) {
    this.variables = new EnvironmentCollection(http, 'variables', {
      list: S.VariablesResponse,
      item: S.VariableResponse,
      create: S.CreateVariableRequest,
      update: S.UpdateVariableRequest,
    });
    this.files = new EnvironmentCollection(http, 'files', {
      list: S.FilesResponse,
      item: S.FileResponse,
      create: S.CreateFileRequest,
      update: S.UpdateFileRequest,
    });
    this.skills = new EnvironmentCollection(http, 'skills', {
      list: S.SkillsResponse,
      item: S.SkillResponse,
      create: S.CreateSkillRequest,
    });
    this.mcps = new EnvironmentCollection(http, 'mcps', {
      list: S.McpsResponse,
      item: S.McpResponse,
      create: S.CreateMcpRequest,
      update: S.UpdateMcpRequest,
    });
  }

  async list(scope?: 'org' | 'user' | 'all', options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: '/v1/environments',
      query: { scope },
      response: S.EnvironmentsResponse,
      ...options,
    });
  }

  async get(environmentId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/environments/${envId(environmentId)}`,
      response: S.EnvironmentResponse,
      ...options,
    });
  }

  async create(body: In<typeof S.CreateEnvironmentRequest>, options?: CallOptions) {
    return this.http.call({
      method: 'POST',
      path: '/v1/environments',
      body: validateRequest('create environment', S.CreateEnvironmentRequest, body),
      response: S.EnvironmentResponse,
      ...options,
    });
  }

  async update(environmentId: string, body: In<typeof S.UpdateEnvironmentRequest>, options?: CallOptions) {
    return this.http.call({
      method: 'PATCH',
      path: pathOf`/v1/environments/${envId(environmentId)}`,
      body: validateRequest('update environment', S.UpdateEnvironmentRequest, body),
      response: S.EnvironmentResponse,
      ...options,
    });
  }

  async delete(environmentId: string, options?: CallOptions) {
    return this.http.call({
      method: 'DELETE',
      path: pathOf`/v1/environments/${envId(environmentId)}`,
      response: SuccessResponse,
      ...options,
    });
  }

  async searchSkills(q: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: '/v1/environment-skills/search',
      query: { q },
      response: S.SkillSearchResponse,
      ...options,
    });
  }

  async listSkillRegistries(environmentId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/environments/${envId(environmentId)}/skills-registries`,
      response: S.SkillRegistriesResponse,
      ...options,
    });
  }

  async addSkillRegistry(
    environmentId: string,
    body: In<typeof S.AddSkillRegistryRequest>,
    options?: CallOptions,
  ) {
    return this.http.call({
      method: 'POST',
      path: pathOf`/v1/environments/${envId(environmentId)}/skills-registries`,
      body: validateRequest('add skill registry', S.AddSkillRegistryRequest, body),
      response: S.AddSkillRegistryResponse,
      ...options,
    });
  }

  async removeSkillRegistry(environmentId: string, registryId: string, options?: CallOptions) {
    return this.http.call({
      method: 'DELETE',
      path: pathOf`/v1/environments/${envId(environmentId)}/skills-registries/${id(registryId, 'registryId')}`,
      response: SuccessResponse,
      ...options,
    });
  }

  async listRepoSkills(environmentId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/environments/${envId(environmentId)}/repo-skills`,
      response: S.RepoSkillsResponse,
      ...options,
    });
  }

  async getWarmHooks(environmentId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/environments/${envId(environmentId)}/warm-hooks`,
      response: S.WarmHooksResponse,
      ...options,
    });
  }

  /** Persists and activates the warm hook at once, without testing it. */
  async saveWarmHook(environmentId: string, content: string, options?: CallOptions) {
    return this.hookCall(environmentId, 'warm-hooks/save', content, S.WarmHookResponse, options);
  }

  /** Persists only if the test passes; may take minutes — prefer `saveTestWarmHookStream`. */
  async saveTestWarmHook(environmentId: string, content: string, options?: CallOptions) {
    return this.hookCall(environmentId, 'warm-hooks/save-test', content, S.WarmHookSaveTestResponse, options);
  }

  async testWarmHook(environmentId: string, content: string, options?: CallOptions) {
    return this.hookCall(environmentId, 'warm-hooks/test', content, S.HookTestResponse, options);
  }

  /** The streaming save-test: `progress`, `output` and a final `complete` (or `error`) event. */
  saveTestWarmHookStream(
    environmentId: string,
    content: string,
    mode: 'save_test' | 'test_only' = 'save_test',
    options?: CallOptions,
  ) {
    return this.hookStream(environmentId, 'warm-hooks/save-test/stream', { content, mode }, options);
  }

  async getStartHooks(environmentId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/environments/${envId(environmentId)}/start-hooks`,
      response: S.StartHooksResponse,
      ...options,
    });
  }

  async saveStartHook(environmentId: string, content: string, options?: CallOptions) {
    return this.hookCall(environmentId, 'start-hooks/save', content, S.StartHooksResponse, options);
  }

  async testStartHook(environmentId: string, content: string, options?: CallOptions) {
    return this.hookCall(environmentId, 'start-hooks/test', content, S.HookTestResponse, options);
  }

  testStartHookStream(environmentId: string, content: string, options?: CallOptions) {
    return this.hookStream(environmentId, 'start-hooks/test/stream', { content }, options);
  }

  async setWarmPool(environmentId: string, enabled: boolean, options?: CallOptions) {
    return this.http.call({
      method: 'PUT',
      path: pathOf`/v1/environments/${envId(environmentId)}/warm-pools`,
      body: validateRequest('warm pool', S.WarmPoolRequest, { enabled }),
      response: S.WarmPoolResponse,
      ...options,
    });
  }

  async listWarmPoolWorkspaces(configId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/warm-pools/${id(configId, 'configId')}/workspaces`,
      response: S.WarmPoolWorkspacesResponse,
      ...options,
    });
  }

  private hookCall<T extends z.ZodType>(
    environmentId: string,
    segment: string,
    content: string,
    response: T,
    options?: CallOptions,
  ) {
    return this.http.call({
      method: 'POST',
      path: `${pathOf`/v1/environments/${envId(environmentId)}`}/${segment}`,
      body: validateRequest(segment, S.HookScriptRequest, { content }),
      response,
      ...options,
    });
  }

  private async *hookStream(
    environmentId: string,
    segment: string,
    body: object,
    options?: CallOptions,
  ): AsyncGenerator<S.HookStreamEvent> {
    const { body: stream } = await this.http.stream({
      method: 'POST',
      path: `${pathOf`/v1/environments/${envId(environmentId)}`}/${segment}`,
      body,
      signal: options?.signal,
    });
    for await (const message of parseSse(stream)) {
      // Plain-text output lines stay strings.
      yield { event: message.event, data: tryParseJson(message.data) ?? message.data };
    }
  }
}
