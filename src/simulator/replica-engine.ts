import type { EngineEventPayload, EngineEventType } from '../replicas/schemas/engine-event';
import { answerEvents, answerText, userEvents } from './agent-events';
import { chatSummary, repoStates, statusSnapshot } from './engine-views';
import { ENGINE_VERSION, EventHub } from './event-hub';
import { now, type SimChat, type SimMessage, type SimReplica } from './model';
import type { SeededRandom } from './random';
import { newChat, newMessage, newReplica, type NewChat, type NewMessage, type NewReplica } from './records';
import { LIFECYCLE, ReplicaTimers } from './replica-timers';
import { replicaListItem, repositoryStatuses } from './replica-views';
import type { Scheduler } from './scheduler';
import type { SimConfig } from './sim-config';
import type { SimStats } from './stats';
import type { WebhookDispatcher } from './webhook-dispatcher';
import { WorkspaceChanges, type CodeHostLink } from './workspace-changes';

/** Raised by engine operations the API answers with 409 (workspace asleep or in error). */
export class ConflictError extends Error {}

/** Raised for a missing sub-resource (a chat); the API answers 404 `{error, details}`. */
export class NotFound extends Error {
  constructor(
    message: string,
    readonly details: string | null = null,
  ) {
    super(message);
  }
}

export type MessageInput = NewMessage;

export interface ChatInput extends NewChat {
  /** Echoed in `chat.created`. */
  clientRequestId?: string;
}

/**
 * The workspace lifecycle: preparing → active (+ first turn), turns that answer and open PRs, queued
 * messages, chats per agent, sleep after inactivity, wake, error, and the lifecycle policies. Emits
 * webhooks and the engine's stream events in the order a real turn produces them.
 */
export class ReplicaEngine {
  readonly replicas = new Map<string, SimReplica>();
  readonly events = new EventHub();
  private readonly timers: ReplicaTimers;
  private readonly provisionWaiters = new Map<string, (() => void)[]>();
  private readonly changes: WorkspaceChanges;
  private created = 0;

  constructor(
    private readonly config: SimConfig,
    private readonly random: SeededRandom,
    scheduler: Scheduler,
    private readonly stats: SimStats,
    private readonly webhooks: WebhookDispatcher,
    codeHost?: CodeHostLink,
  ) {
    this.timers = new ReplicaTimers(scheduler);
    this.changes = new WorkspaceChanges(config, random, codeHost);
  }

  create(input: NewReplica): SimReplica {
    if ([...this.replicas.values()].some((r) => r.org === input.org && r.name === input.name)) {
      this.stats.duplicateNames += 1;
    }
    this.stats.replicasCreated += 1;
    this.created += 1;
    const replica = newReplica(input, this.created);
    this.stats.createdReplicas[replica.id] = { name: replica.name, pullRequests: [] };
    this.replicas.set(replica.id, replica);
    this.stats.liveReplicas = this.replicas.size;
    this.stats.peakLiveReplicas = Math.max(this.stats.peakLiveReplicas, this.replicas.size);
    this.timers.schedule(replica.id, LIFECYCLE, this.config.timings.provisionMs, () =>
      this.becomeActive(replica),
    );
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

  chatOf(replica: SimReplica, chatId: string): SimChat {
    const chat = replica.chats.find((c) => c.id === chatId);
    if (!chat) throw new NotFound('Chat not found', `replica ${replica.id} has no chat ${chatId}`);
    return chat;
  }

  /** The chat of an agent (by default the workspace's current one); without one asked for, any chat. */
  defaultChat(replica: SimReplica, codingAgent?: string): SimChat | undefined {
    const agent = codingAgent ?? replica.coding_agent;
    const sameAgent = replica.chats.find((chat) => chat.provider === agent);
    return sameAgent ?? (codingAgent ? undefined : replica.chats[0]);
  }

  /**
   * A message goes to the chat it names, else to a chat of the agent it names (opened if the
   * workspace has none), else to the chat of the workspace's current agent; it queues while that
   * chat is busy. While preparing, it waits for the first turn.
   */
  sendMessage(replica: SimReplica, input: MessageInput) {
    this.requireEngine(replica);
    this.touch(replica);
    const message = newMessage(input);
    if (replica.status === 'preparing') {
      if (input.chatId) this.chatOf(replica, input.chatId);
      replica.pending.push(message);
      const position = replica.pending.length - 1;
      return { status: 'queued' as const, message_id: message.id, position, chat_id: null };
    }
    const chat = this.chatFor(replica, input.chatId, input.codingAgent);
    const position = this.deliver(replica, chat, message);
    return position > 0
      ? { status: 'queued' as const, message_id: message.id, position, chat_id: chat.id }
      : { status: 'sent' as const, message_id: message.id, position: null, chat_id: chat.id };
  }

  createChat(replica: SimReplica, input: ChatInput): SimChat {
    this.requireEngine(replica);
    // A client-generated id makes the create idempotent: a retry answers the chat it made.
    const existing = input.id ? replica.chats.find((c) => c.id === input.id) : undefined;
    return existing ?? this.openChat(replica, input);
  }

  /** Deleting a chat interrupts its turn, if one is running, and drops its queue. */
  deleteChat(replica: SimReplica, chatId: string): void {
    this.requireEngine(replica);
    const chat = this.chatOf(replica, chatId);
    if (chat.processing) {
      this.timers.cancel(replica.id, chat.id);
      this.publish(replica, 'chat.interrupted', {
        chatId: chat.id,
        interrupted: true,
        queue: chat.queue.map((m) => m.id),
      });
      this.endTurn(replica, chat, false);
    }
    replica.chats = replica.chats.filter((c) => c !== chat);
    replica.suspendedChats = replica.suspendedChats.filter((id) => id !== chat.id);
    this.publish(replica, 'chat.deleted', { chatId: chat.id });
    if (replica.status === 'active') this.settle(replica);
  }

  /**
   * Sleeping (or archived) → waking → active, then `replica.ready`; a suspended turn resumes. `cause`
   * tells an explicit `POST /wake` from a read that wakes the workspace.
   */
  wake(replica: SimReplica, cause: keyof SimStats['wakes'] = 'requested'): void {
    if (replica.status === 'error') throw new ConflictError('workspace is in error and cannot be woken');
    if (replica.status === 'preparing') throw new ConflictError('workspace is still preparing');
    if ((replica.status !== 'sleeping' && replica.status !== 'archived') || replica.waking) return;
    this.stats.wakes[cause] += 1;
    replica.waking = true;
    this.timers.schedule(replica.id, LIFECYCLE, this.config.timings.wakeMs, () => {
      this.awaken(replica);
      this.notify(replica, 'replica.ready', {});
    });
  }

  delete(replica: SimReplica): void {
    this.timers.cancelAll(replica.id);
    this.replicas.delete(replica.id);
    this.releaseProvisionWaiters(replica);
    this.stats.liveReplicas = this.replicas.size;
    this.notify(replica, 'replica.deleted', {});
    this.events.end(replica.id);
  }

  /** Test hook: force a status (`/__sim/replicas/{id}/state`). */
  force(replica: SimReplica, status: SimReplica['status'], errorMessage?: string): void {
    if (status === 'error') return this.fail(replica, errorMessage ?? 'forced into error');
    if (status === 'sleeping' || status === 'archived') return this.sleep(replica, status);
    if (status === 'preparing') {
      this.timers.cancelAll(replica.id);
      return this.setStatus(replica, status);
    }
    if (replica.status === 'active') return;
    // The pending step (provisioning or a wake) happens now instead.
    this.timers.cancel(replica.id, LIFECYCLE);
    if (replica.status === 'preparing') return this.becomeActive(replica);
    this.awaken(replica);
  }

  /** Engine state for `engine.status.changed` and `GET /__sim/replicas/{id}`. */
  snapshot(replica: SimReplica) {
    return statusSnapshot(replica, this.events.count(replica.id));
  }

  private setStatus(replica: SimReplica, status: SimReplica['status']): void {
    replica.status = status;
    if (status !== 'preparing') this.releaseProvisionWaiters(replica);
  }

  /** Releases legacy creates blocked on this replica (it left `preparing`, or was deleted). */
  private releaseProvisionWaiters(replica: SimReplica): void {
    for (const resolve of this.provisionWaiters.get(replica.id) ?? []) resolve();
    this.provisionWaiters.delete(replica.id);
  }

  private chatFor(replica: SimReplica, chatId?: string, codingAgent?: string): SimChat {
    if (chatId) return this.chatOf(replica, chatId);
    // An active workspace without a chat of that agent (or without any chat) opens one.
    return (
      this.defaultChat(replica, codingAgent) ??
      this.openChat(replica, { provider: codingAgent ?? replica.coding_agent })
    );
  }

  private openChat(replica: SimReplica, input: ChatInput): SimChat {
    const chat = newChat(input);
    replica.chats.push(chat);
    this.publish(replica, 'chat.created', {
      chat: chatSummary(chat),
      ...(input.clientRequestId !== undefined && { clientRequestId: input.clientRequestId }),
    });
    return chat;
  }

  /** Hands a message to a chat: it starts a turn, or queues behind the running one. Returns its position. */
  private deliver(replica: SimReplica, chat: SimChat, message: SimMessage): number {
    const stamp = now();
    chat.lastMessageText = message.message.slice(0, 200);
    replica.lastChatMessage = { text: chat.lastMessageText, agent: chat.provider, timestamp: stamp };
    replica.coding_agent = chat.provider;
    if (message.senderUserId !== undefined || message.senderEmail !== undefined) {
      chat.senders.push({
        senderUserId: message.senderUserId ?? '',
        senderEmail: message.senderEmail ?? '',
        recordedAt: stamp,
      });
    }
    const queued = chat.processing;
    if (queued) chat.queue.push(message);
    const position = queued ? chat.queue.length : 0;
    this.publish(replica, 'chat.turn.accepted', {
      chatId: chat.id,
      messageId: message.id,
      queued,
      position,
    });
    if (!queued) this.startTurn(replica, chat, message);
    return position;
  }

  private becomeActive(replica: SimReplica): void {
    this.setStatus(replica, 'active');
    replica.engineStartedAt = Date.now();
    for (const status of replica.repository_statuses) status.start_hooks_completed = true;
    this.touch(replica);
    this.publish(replica, 'engine.ready', { version: ENGINE_VERSION });
    this.publish(replica, 'hooks.started', { running: true, completed: false });
    this.publish(replica, 'repo.discovered', { repos: repoStates(replica) });
    this.publish(replica, 'hooks.completed', { running: false, completed: true });
    this.publish(replica, 'repo.status.changed', { repos: repoStates(replica) });
    this.notify(replica, 'replica.ready', {});
    // The first message reaches the agent in the same step, so no poll sees an idle active workspace.
    const [first, ...later] = replica.pending;
    replica.pending = [];
    if (first) {
      const chat = this.openChat(replica, { provider: replica.coding_agent, title: 'Initial task' });
      this.deliver(replica, chat, first);
    }
    for (const message of later) {
      this.deliver(replica, this.chatFor(replica, message.chatId, message.codingAgent), message);
    }
    this.settle(replica);
  }

  /** Back to active after a wake (or a forced status): suspended turns resume where they were. */
  private awaken(replica: SimReplica): void {
    replica.waking = false;
    this.setStatus(replica, 'active');
    replica.engineStartedAt = Date.now();
    this.touch(replica);
    const suspended = replica.suspendedChats;
    replica.suspendedChats = [];
    for (const chat of replica.chats) {
      if (suspended.includes(chat.id) && chat.turn) this.startTurn(replica, chat, chat.turn, true);
    }
    this.settle(replica, this.config.timings.sleepAfterWakeMs);
  }

  private startTurn(replica: SimReplica, chat: SimChat, message: SimMessage, resumed = false): void {
    chat.processing = true;
    chat.turn = message;
    chat.updated_at = now();
    // A working agent is not idle: no sleep or inactivity delete while a turn runs.
    this.timers.cancel(replica.id, LIFECYCLE);
    this.touch(replica);
    if (!resumed) {
      replica.turnsStarted += 1;
      this.stats.turnsStarted += 1;
      this.stats.turnsByReplica[replica.id] = replica.turnsStarted;
      chat.history.push(...userEvents(chat.provider, message.message));
      this.publish(replica, 'chat.turn.started', { chatId: chat.id, messageId: message.id });
    }
    this.publish(replica, 'chat.updated', { chat: chatSummary(chat) });
    this.publish(replica, 'engine.status.changed', { status: this.snapshot(replica) });
    const turnMs = this.config.timings.turnMs;
    const halfway = Math.floor(turnMs / 2);
    // A resumed turn already had its fault roll; it runs to completion.
    if (!resumed && this.random.chance(this.config.behaviour.errorRate)) {
      this.stats.faults.errored += 1;
      const failure = 'sandbox ran out of memory during the build';
      return this.timers.schedule(replica.id, chat.id, halfway, () => this.fail(replica, failure));
    }
    if (!resumed && this.random.chance(this.config.behaviour.sleepMidTurnRate)) {
      this.stats.faults.sleptMidTurn += 1;
      return this.timers.schedule(replica.id, chat.id, halfway, () => this.sleep(replica));
    }
    this.timers.schedule(replica.id, chat.id, turnMs, () => this.completeTurn(replica, chat));
  }

  private completeTurn(replica: SimReplica, chat: SimChat): void {
    const opened = this.changes.apply(replica, chat.turn?.message ?? '');
    this.stats.createdReplicas[replica.id]?.pullRequests.push(...opened);
    const [said, ...result] = answerEvents(chat.provider, answerText(chat.turn?.message ?? '', opened));
    for (const event of [said, ...result]) if (event) chat.history.push(event);
    if (said) this.publish(replica, 'chat.turn.delta', { chatId: chat.id, event: said });
    this.publish(replica, 'repo.status.changed', { repos: repoStates(replica) });
    for (const event of result) this.publish(replica, 'chat.turn.delta', { chatId: chat.id, event });
    replica.turnsCompleted += 1;
    this.stats.turnsCompleted += 1;
    this.endTurn(replica, chat, true);
    this.notify(replica, 'replica.turn_completed', {
      chat_id: chat.id,
      repository_statuses: repositoryStatuses(replica),
      pr_urls: opened,
    });
    const next = chat.queue.shift();
    if (next) return this.startTurn(replica, chat, next);
    this.settle(replica);
  }

  private endTurn(replica: SimReplica, chat: SimChat, isComplete: boolean): void {
    chat.processing = false;
    chat.turn = undefined;
    chat.updated_at = now();
    this.touch(replica);
    this.publish(replica, 'chat.turn.completed', { chatId: chat.id, isComplete });
    this.publish(replica, 'chat.updated', { chat: chatSummary(chat) });
    this.publish(replica, 'engine.status.changed', { status: this.snapshot(replica) });
  }

  /** Once no chat works, the lifecycle policy decides: delete when done, or wait for inactivity. */
  private settle(replica: SimReplica, sleepAfterMs = this.config.timings.sleepAfterMs): void {
    if (replica.chats.some((chat) => chat.processing)) return;
    if (replica.lifecycle_policy === 'delete_when_done' && replica.turnsCompleted > 0) {
      return this.delete(replica);
    }
    const { deleteAfterInactivityMs } = this.config.timings;
    if (replica.lifecycle_policy === 'delete_after_inactivity') {
      this.timers.schedule(replica.id, LIFECYCLE, deleteAfterInactivityMs, () => this.delete(replica));
    } else {
      this.timers.schedule(replica.id, LIFECYCLE, sleepAfterMs, () => this.sleep(replica));
    }
  }

  /** The sandbox pauses: running turns are suspended (still processing) and streams drop. */
  private sleep(replica: SimReplica, status: 'sleeping' | 'archived' = 'sleeping'): void {
    this.timers.cancelAll(replica.id);
    replica.suspendedChats = replica.chats.filter((chat) => chat.processing).map((chat) => chat.id);
    this.setStatus(replica, status);
    replica.waking = false;
    this.events.end(replica.id);
  }

  private fail(replica: SimReplica, message: string): void {
    this.timers.cancelAll(replica.id);
    for (const chat of replica.chats) if (chat.processing) this.endTurn(replica, chat, false);
    replica.suspendedChats = [];
    this.setStatus(replica, 'error');
    replica.waking = false;
    replica.errorMessage = message;
    const created = this.stats.createdReplicas[replica.id];
    if (created) created.error = message;
    this.notify(replica, 'replica.error', { message });
    this.publish(replica, 'error', { code: 'sandbox_failed', message });
    this.events.end(replica.id);
  }

  private touch(replica: SimReplica): void {
    replica.last_activity_at = now();
  }

  private notify(replica: SimReplica, type: string, data: Record<string, unknown>): void {
    this.webhooks.emit(replica.webhook, replicaListItem(replica), type, data);
  }

  private publish<T extends EngineEventType>(
    replica: SimReplica,
    type: T,
    payload: EngineEventPayload<T>,
  ): void {
    this.events.publish(replica.id, type, payload);
  }
}
