import type { ReplicaEvent } from '../../contracts';

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

  /** A mark to compare later arrivals against (`arrivedSince`). */
  get mark(): number {
    return this.accepted.length;
  }

  /** Whether an event of one of these types was accepted after `mark`. */
  arrivedSince(mark: number, types: readonly string[]): boolean {
    return this.accepted.slice(mark).some((event) => types.includes(event.type));
  }

  ofType(type: string): ReplicaEvent[] {
    return this.accepted.filter((event) => event.type === type);
  }

  get received(): number {
    return this.seen.size;
  }
}
