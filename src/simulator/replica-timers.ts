import type { Scheduler } from './scheduler';

/** The slot of a replica's lifecycle step (provision, wake, idle sleep or delete, mid-turn faults). */
export const LIFECYCLE = 'lifecycle';

/**
 * Pending steps per replica, one per slot: the lifecycle slot, and one slot per chat for its turn, so
 * turns in different chats run side by side. A new step replaces the one pending in its slot.
 */
export class ReplicaTimers {
  private readonly slots = new Map<string, Map<string, NodeJS.Timeout>>();

  constructor(private readonly scheduler: Scheduler) {}

  schedule(replicaId: string, slot: string, ms: number, step: () => void): void {
    this.cancel(replicaId, slot);
    let slots = this.slots.get(replicaId);
    if (!slots) {
      slots = new Map();
      this.slots.set(replicaId, slots);
    }
    const timer = this.scheduler.later(ms, () => {
      if (this.slots.get(replicaId)?.get(slot) !== timer) return;
      this.slots.get(replicaId)?.delete(slot);
      step();
    });
    slots.set(slot, timer);
  }

  cancel(replicaId: string, slot: string): void {
    const slots = this.slots.get(replicaId);
    this.scheduler.cancel(slots?.get(slot));
    slots?.delete(slot);
  }

  cancelAll(replicaId: string): void {
    for (const timer of this.slots.get(replicaId)?.values() ?? []) this.scheduler.cancel(timer);
    this.slots.delete(replicaId);
  }
}
