import { randomUUID } from 'node:crypto';
import { now, type SimChat, type SimReplica, type SimRepository } from './model';
import type { SeededRandom } from './random';
import type { Scheduler } from './scheduler';
import type { SimConfig } from './sim-config';
import type { SimStats } from './stats';
import type { WebhookDispatcher } from './webhook-dispatcher';

export interface StreamEvent {
  id: string;
  ts: string;
  type: string;
  payload: unknown;
}

/** Raised by engine operations the API answers with 409 (workspace asleep or in error). */
export class ConflictError extends Error {}

/**
 * The workspace lifecycle: preparing → active (+ first turn), turns that open PRs, queued messages,
 * sleep after inactivity, wake, error, and the lifecycle policies. Emits webhooks and stream events.
 */
export class ReplicaEngine {
  readonly replicas = new Map<string, SimReplica>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscribers = new Map<string, Set<(event: StreamEvent) => void>>();
  private readonly provisionWaiters = new Map<string, (() => void)[]>();
  private prNumber = 100;

  constructor(
    private readonly config: SimConfig,
    private readonly random: SeededRandom,
    private readonly scheduler: Scheduler,
    private readonly stats: SimStats,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  create(input: {
    org: string;
    name: string;
    message: string;
    repositories: SimRepository[];
    codingAgent: string;
    lifecyclePolicy: string;
    webhook?: { url: string; secret?: string };
  }): SimReplica {
    if ([...this.replicas.values()].some((r) => r.org === input.org && r.name === input.name)) {
      this.stats.duplicateNames += 1;
    }
    this.stats.replicasCreated += 1;
    const replica: SimReplica = {
      id: randomUUID(),
      org: input.org,
      name: input.name,
      status: 'preparing',
      waking: false,
      created_at: now(),
      last_activity_at: now(),
      coding_agent: input.codingAgent,
      lifecycle_policy: input.lifecyclePolicy,
      repositories: input.repositories,
      repository_statuses: input.repositories.map((repo) => ({
        repository: repo.name,
        branch: repo.default_branch,
        default_branch: repo.default_branch,
        pr_urls: [],
        start_hooks_completed: false,
        git_diff: null,
      })),
      pull_requests: [],
      chats: [],
      webhook: input.webhook,
      pendingMessage: input.message,
    };
    this.replicas.set(replica.id, replica);
    this.stats.liveReplicas = this.replicas.size;
    this.stats.peakLiveReplicas = Math.max(this.stats.peakLiveReplicas, this.replicas.size);
    this.schedule(replica, this.config.timings.provisionMs, () => this.becomeActive(replica));
    return replica;
  }

  /** Resolves once the replica leaves `preparing` (legacy blocking create). */
  whenProvisioned(replica: SimReplica): Promise<void> {
    if (replica.status !== 'preparing' || !this.replicas.has(replica.id)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.provisionWaiters.get(replica.id) ?? [];
      waiting.push(resolve);
      this.provisionWaiters.set(replica.id, waiting);
    });
  }

  /** Every status change goes through here, so blocked legacy creates are released in one place. */
  private setStatus(replica: SimReplica, status: SimReplica['status']): void {
    replica.status = status;
    if (status !== 'preparing') this.releaseProvisionWaiters(replica);
  }

  /** Releases legacy creates blocked on this replica (it left `preparing`, or was deleted). */
  private releaseProvisionWaiters(replica: SimReplica): void {
    for (const resolve of this.provisionWaiters.get(replica.id) ?? []) resolve();
    this.provisionWaiters.delete(replica.id);
  }

  find(org: string, id: string): SimReplica | undefined {
    const replica = this.replicas.get(id);
    return replica && replica.org === org ? replica : undefined;
  }

  /** 409 unless the engine is reachable: the rule of every engine-proxy endpoint. */
  requireEngine(replica: SimReplica): void {
    if (replica.status === 'sleeping' || replica.status === 'error') {
      throw new ConflictError(`workspace is ${replica.status}`);
    }
  }

  sendMessage(replica: SimReplica, message: string, chatId?: string) {
    this.requireEngine(replica);
    this.touch(replica);
    if (replica.status === 'preparing') {
      replica.pendingMessage = replica.pendingMessage ? `${replica.pendingMessage}\n\n${message}` : message;
      return { status: 'queued' as const, message_id: `msg_${randomUUID()}`, position: 1, chat_id: null };
    }
    const chat = chatId ? replica.chats.find((c) => c.id === chatId) : replica.chats[0];
    if (!chat) throw new NotFound(`chat ${chatId ?? ''} not found`);
    const messageId = `msg_${randomUUID()}`;
    if (chat.processing) {
      chat.queue.push({ id: messageId, message, queuedAt: now() });
      this.publish(replica, 'message.queued', {
        chatId: chat.id,
        messageId,
        queued: true,
        position: chat.queue.length,
      });
      return {
        status: 'queued' as const,
        message_id: messageId,
        position: chat.queue.length,
        chat_id: chat.id,
      };
    }
    this.startTurn(replica, chat, message);
    return { status: 'sent' as const, message_id: messageId, position: null, chat_id: chat.id };
  }

  createChat(replica: SimReplica, provider: string, title?: string): SimChat {
    this.requireEngine(replica);
    const chat = newChat(provider, title ?? 'New chat');
    replica.chats.push(chat);
    return chat;
  }

  wake(replica: SimReplica): void {
    if (replica.status === 'error') throw new ConflictError('workspace is in error and cannot be woken');
    if (replica.status === 'preparing') throw new ConflictError('workspace is still preparing');
    if (replica.status !== 'sleeping' || replica.waking) return;
    replica.waking = true;
    this.schedule(replica, this.config.timings.wakeMs, () => {
      replica.waking = false;
      this.setStatus(replica, 'active');
      this.touch(replica);
      this.webhooks.emit(replica.webhook, replica.id, 'replica.ready', {});
      const suspended = replica.suspendedTurn;
      replica.suspendedTurn = undefined;
      const chat = suspended && replica.chats.find((c) => c.id === suspended.chatId);
      if (chat) this.startTurn(replica, chat, undefined, true);
      else this.scheduleIdle(replica, this.config.timings.sleepAfterWakeMs);
    });
  }

  delete(replica: SimReplica): void {
    this.scheduler.cancel(this.timers.get(replica.id));
    this.timers.delete(replica.id);
    this.replicas.delete(replica.id);
    this.releaseProvisionWaiters(replica);
    this.stats.liveReplicas = this.replicas.size;
    this.webhooks.emit(replica.webhook, replica.id, 'replica.deleted', {});
    this.publish(replica, 'replica.deleted', {});
    this.subscribers.delete(replica.id);
  }

  /** Test hook: force a status (`/__sim/replicas/{id}/state`). */
  force(replica: SimReplica, status: SimReplica['status'], errorMessage?: string): void {
    if (status === 'error') return this.fail(replica, errorMessage ?? 'forced into error');
    this.scheduler.cancel(this.timers.get(replica.id));
    if (status === 'sleeping') return this.sleep(replica);
    this.setStatus(replica, status);
    replica.waking = false;
    if (status === 'active') this.scheduleIdle(replica);
  }

  subscribe(replicaId: string, listener: (event: StreamEvent) => void): () => void {
    let set = this.subscribers.get(replicaId);
    if (!set) {
      set = new Set();
      this.subscribers.set(replicaId, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  private becomeActive(replica: SimReplica): void {
    this.setStatus(replica, 'active');
    for (const status of replica.repository_statuses) status.start_hooks_completed = true;
    this.touch(replica);
    // The first message reaches the agent in the same step, so no poll sees an idle active workspace.
    const chat = newChat(replica.coding_agent, 'Initial task');
    replica.chats.push(chat);
    const message = replica.pendingMessage;
    replica.pendingMessage = undefined;
    this.webhooks.emit(replica.webhook, replica.id, 'replica.ready', {});
    this.startTurn(replica, chat, message);
  }

  private startTurn(replica: SimReplica, chat: SimChat, message: string | undefined, resumed = false): void {
    chat.processing = true;
    chat.updated_at = now();
    if (message !== undefined) {
      chat.lastMessageText = message.slice(0, 200);
      chat.history.push(
        agentEvent('claude-user', { type: 'user', message: { content: [{ type: 'text', text: message }] } }),
      );
    }
    this.touch(replica);
    this.publish(replica, 'chat.updated', { chat: chatEvent(chat) });
    const turnMs = this.config.timings.turnMs;
    // A resumed turn already had its fault roll; it runs to completion.
    if (!resumed && this.random.chance(this.config.behaviour.errorRate)) {
      this.stats.faults.errored += 1;
      this.schedule(replica, Math.floor(turnMs / 2), () =>
        this.fail(replica, 'sandbox ran out of memory during the build'),
      );
      return;
    }
    if (!resumed && this.random.chance(this.config.behaviour.sleepMidTurnRate)) {
      this.stats.faults.sleptMidTurn += 1;
      this.schedule(replica, Math.floor(turnMs / 2), () => {
        replica.suspendedTurn = { chatId: chat.id };
        this.sleep(replica);
      });
      return;
    }
    this.schedule(replica, turnMs, () => this.completeTurn(replica, chat));
  }

  private completeTurn(replica: SimReplica, chat: SimChat): void {
    const opened: { repository: string; branch: string; pr_urls: string[] }[] = [];
    for (const status of replica.repository_statuses) {
      if (status.branch === status.default_branch) status.branch = `replicas/${replica.name}`;
      status.git_diff = {
        added: 12,
        removed: 3,
        full_diff: `diff --git a/README.md b/README.md\n+${replica.name}\n`,
      };
      const entry = { repository: status.repository, branch: status.branch, pr_urls: [] as string[] };
      if (status.pr_urls.length === 0 && this.random.chance(this.config.behaviour.prProbability)) {
        this.prNumber += 1;
        const url = `https://github.com/${status.repository}/pull/${this.prNumber}`;
        status.pr_urls.push(url);
        replica.pull_requests.push({ repository: status.repository, number: this.prNumber, url });
        entry.pr_urls.push(url);
      }
      opened.push(entry);
    }
    chat.processing = false;
    chat.updated_at = now();
    chat.history.push(agentEvent('claude-result', { type: 'result', subtype: 'success' }));
    this.touch(replica);
    this.publish(replica, 'chat.turn_completed', { chatId: chat.id, isComplete: true });
    this.webhooks.emit(replica.webhook, replica.id, 'replica.turn_completed', {
      chat_id: chat.id,
      repositories: opened,
      pr_urls: opened.flatMap((o) => o.pr_urls),
    });
    const next = chat.queue.shift();
    if (next) return this.startTurn(replica, chat, next.message);
    if (replica.lifecycle_policy === 'delete_when_done') return this.delete(replica);
    this.scheduleIdle(replica);
  }

  private scheduleIdle(replica: SimReplica, sleepAfterMs = this.config.timings.sleepAfterMs): void {
    const { deleteAfterInactivityMs } = this.config.timings;
    if (replica.lifecycle_policy === 'delete_after_inactivity') {
      this.schedule(replica, deleteAfterInactivityMs, () => this.delete(replica));
    } else {
      this.schedule(replica, sleepAfterMs, () => this.sleep(replica));
    }
  }

  private sleep(replica: SimReplica): void {
    this.setStatus(replica, 'sleeping');
    replica.waking = false;
    for (const chat of replica.chats) {
      // A suspended turn stays "processing": it is not over, it resumes after wake.
      if (replica.suspendedTurn?.chatId !== chat.id) chat.processing = false;
    }
    this.publish(replica, 'replica.sleeping', {});
  }

  private fail(replica: SimReplica, message: string): void {
    this.scheduler.cancel(this.timers.get(replica.id));
    this.setStatus(replica, 'error');
    replica.waking = false;
    replica.errorMessage = message;
    for (const chat of replica.chats) chat.processing = false;
    this.webhooks.emit(replica.webhook, replica.id, 'replica.error', { message });
    this.publish(replica, 'error', { code: 'sandbox_failed', message });
  }

  private touch(replica: SimReplica): void {
    replica.last_activity_at = now();
  }

  /** One pending lifecycle step per replica: a new step replaces the old one. */
  private schedule(replica: SimReplica, ms: number, step: () => void): void {
    this.scheduler.cancel(this.timers.get(replica.id));
    this.timers.set(
      replica.id,
      this.scheduler.later(ms, () => {
        this.timers.delete(replica.id);
        if (this.replicas.get(replica.id) === replica) step();
      }),
    );
  }

  private publish(replica: SimReplica, type: string, payload: unknown): void {
    const event: StreamEvent = { id: randomUUID(), ts: now(), type, payload };
    for (const listener of this.subscribers.get(replica.id) ?? []) listener(event);
  }
}

export class NotFound extends Error {}

function newChat(provider: string, title: string): SimChat {
  const stamp = now();
  return {
    id: randomUUID(),
    provider,
    title,
    created_at: stamp,
    updated_at: stamp,
    processing: false,
    queue: [],
    history: [],
    lastMessageText: null,
  };
}

function chatEvent(chat: SimChat) {
  return {
    id: chat.id,
    provider: chat.provider,
    title: chat.title,
    createdAt: chat.created_at,
    updatedAt: chat.updated_at,
    processing: chat.processing,
    parentChatId: null,
  };
}

/** A history item as the API nests it: `{timestamp, type, payload: AgentEvent}`. */
function agentEvent(type: string, payload: unknown) {
  const timestamp = now();
  return { timestamp, type, payload: { timestamp, type, payload } };
}
