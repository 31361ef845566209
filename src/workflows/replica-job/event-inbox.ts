import type { ReplicaEvent } from '../../contracts';

export const TURN_EVENTS = ['replica.turn_completed', 'replica.error', 'replica.deleted'] as const;
export const AWAKE_EVENTS = ['replica.ready', 'replica.error', 'replica.deleted'] as const;

/**
 * Webhook deliveries for one job. Redeliveries and duplicates (same event id) count once; events of other
 * replicas are ignored once the job knows its replica; events arriving before that are held, because the
 * platform may call back before the create activity's result is recorded.
 */
export class EventInbox {
  private readonly seen = new Set<string>();
  private pending: ReplicaEvent[] = [];
  private readonly accepted: ReplicaEvent[] = [];
  private replicaId?: string;

  add(event: ReplicaEvent): void {
    if (this.seen.has(event.eventId)) return;
    this.seen.add(event.eventId);
    if (this.replicaId === undefined) this.pending.push(event);
    else if (event.replicaId === this.replicaId) this.accepted.push(event);
  }

  bind(replicaId: string): void {
    this.replicaId = replicaId;
    for (const event of this.pending) if (event.replicaId === replicaId) this.accepted.push(event);
    this.pending = [];
  }

  /** How many accepted events have one of these types; a rising count is the cue to look again. */
  count(types: readonly string[]): number {
    return this.accepted.filter((event) => types.includes(event.type)).length;
  }

  ofType(type: string): ReplicaEvent[] {
    return this.accepted.filter((event) => event.type === type);
  }

  get received(): number {
    return this.seen.size;
  }
}
