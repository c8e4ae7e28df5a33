/** Source of the current time; injected everywhere so tests are deterministic. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests: starts at `start` and moves only when told. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  /** Move forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.ms += ms;
  }
  /** Jump to an absolute instant. */
  set(at: Date | string): void {
    this.ms = new Date(at).getTime();
  }
}
