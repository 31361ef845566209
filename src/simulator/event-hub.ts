import { randomUUID } from 'node:crypto';
import type { EngineEventPayload, EngineEventType } from '../replicas/schemas/engine-event';
import { now } from './model';

/** The engine protocol version `engine.ready` announces. */
export const ENGINE_VERSION = 'v1';

/** One message of `GET /v1/replica/{id}/events`: the `EngineEvent` envelope. */
export interface StreamEvent {
  id: string;
  ts: string;
  type: EngineEventType;
  payload: unknown;
}

export interface StreamListener {
  event(event: StreamEvent): void;
  /** The engine went away (slept, failed, deleted): the connection closes. */
  end(): void;
}

/** The open event streams of every replica; publishing is typed by the documented event types. */
export class EventHub {
  private readonly listeners = new Map<string, Set<StreamListener>>();

  subscribe(replicaId: string, listener: StreamListener): () => void {
    let set = this.listeners.get(replicaId);
    if (!set) {
      set = new Set();
      this.listeners.set(replicaId, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  count(replicaId: string): number {
    return this.listeners.get(replicaId)?.size ?? 0;
  }

  publish<T extends EngineEventType>(replicaId: string, type: T, payload: EngineEventPayload<T>): void {
    const event = streamEvent(type, payload);
    for (const listener of [...(this.listeners.get(replicaId) ?? [])]) listener.event(event);
  }

  end(replicaId: string): void {
    const set = this.listeners.get(replicaId);
    this.listeners.delete(replicaId);
    for (const listener of [...(set ?? [])]) listener.end();
  }

  clear(): void {
    for (const replicaId of [...this.listeners.keys()]) this.end(replicaId);
  }
}

export function streamEvent<T extends EngineEventType>(type: T, payload: EngineEventPayload<T>): StreamEvent {
  return { id: randomUUID(), ts: now(), type, payload };
}
