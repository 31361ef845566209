import { z } from 'zod';
import { paginate } from './pagination';
import { SuccessResponse } from './schemas/common';
import * as S from './schemas/automation';
import { pathOf, validateRequest, type CallOptions, type Transport } from './transport';

const AutomationId = z.string().min(1, 'is required: an automation id');
const id = (value: string) => validateRequest('automation id', AutomationId, value);

/** Automations: cron or event triggered replicas, their CRUD, manual triggers and execution history. */
export class AutomationsApi {
  constructor(private readonly http: Transport) {}

  async list(query: z.input<typeof S.ListAutomationsQuery> = {}, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: '/v1/automations',
      query: validateRequest('list automations', S.ListAutomationsQuery, query),
      response: S.AutomationListResponse,
      ...options,
    });
  }

  iterate(query: Omit<z.input<typeof S.ListAutomationsQuery>, 'page'> = {}, options?: CallOptions) {
    return paginate(
      (page) => this.list({ limit: 100, ...query, page }, options),
      (result) => result.automations,
      (result) => result.totalPages,
    );
  }

  async get(automationId: string, options?: CallOptions) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/automations/${id(automationId)}`,
      response: S.AutomationResponse,
      ...options,
    });
  }

  async create(body: S.CreateAutomationRequest, options?: CallOptions) {
    return this.http.call({
      method: 'POST',
      path: '/v1/automations',
      body: validateRequest('create automation', S.CreateAutomationRequest, body),
      response: S.AutomationResponse,
      ...options,
    });
  }

  async update(automationId: string, body: z.input<typeof S.UpdateAutomationRequest>, options?: CallOptions) {
    return this.http.call({
      method: 'PATCH',
      path: pathOf`/v1/automations/${id(automationId)}`,
      body: validateRequest('update automation', S.UpdateAutomationRequest, body),
      response: S.AutomationResponse,
      ...options,
    });
  }

  async delete(automationId: string, options?: CallOptions) {
    return this.http.call({
      method: 'DELETE',
      path: pathOf`/v1/automations/${id(automationId)}`,
      response: SuccessResponse,
      ...options,
    });
  }

  /** Runs a cron-triggered automation now. */
  async trigger(
    automationId: string,
    body: z.input<typeof S.TriggerAutomationRequest> = {},
    options?: CallOptions,
  ) {
    return this.http.call({
      method: 'POST',
      path: pathOf`/v1/automations/${id(automationId)}/trigger`,
      body: validateRequest('trigger automation', S.TriggerAutomationRequest, body),
      response: S.TriggerAutomationResponse,
      ...options,
    });
  }

  async listExecutions(
    automationId: string,
    query: { page?: number; limit?: number } = {},
    options?: CallOptions,
  ) {
    return this.http.call({
      method: 'GET',
      path: pathOf`/v1/automations/${id(automationId)}/executions`,
      query,
      response: S.ExecutionListResponse,
      ...options,
    });
  }
}
