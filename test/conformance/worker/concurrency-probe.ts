import { DurableObject, type DurableObjectState } from "cloudflare:workers";
import type { Env } from "./env";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * blockConcurrencyWhile in the constructor and in methods. Orderings are made
 * deterministic with signals rather than timing: a method waits for another call's
 * arrival, bounded by a timeout, and reports whether it arrived.
 */
export class ConcurrencyProbe extends DurableObject<Env> {
  private log: string[] = [];
  private arrived: (() => void) | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.log.push("constructor:start");
      await sleep(100);
      this.log.push("constructor:end");
    });
  }

  note(tag: string): string[] {
    this.log.push(tag);
    this.arrived?.();
    return [...this.log];
  }

  history(): string[] {
    return [...this.log];
  }

  /** Without a block, another call gets in while this one awaits. */
  async waitForNote(timeoutMs: number): Promise<boolean> {
    this.log.push("wait:start");
    const arrived = await this.signalOrTimeout(timeoutMs);
    this.log.push("wait:end");
    return arrived;
  }

  /** Inside a block, no other call gets in until it ends. */
  async blockForNote(timeoutMs: number): Promise<boolean> {
    return this.ctx.blockConcurrencyWhile(async () => {
      this.log.push("block:start");
      const arrived = await this.signalOrTimeout(timeoutMs);
      this.log.push("block:end");
      return arrived;
    });
  }

  /** Waits on another object's call; meanwhile calls to this object may run. */
  async waitThroughPeer(peer: string, timeoutMs: number): Promise<boolean> {
    this.log.push("peer wait:start");
    const arrived = await this.env.CONCURRENCY.getByName(peer).waitForNote(timeoutMs);
    this.log.push("peer wait:end");
    return arrived;
  }

  /** Notes the tag here, then on the peer (which ends the peer's wait). */
  async noteThroughPeer(peer: string, tag: string): Promise<string[]> {
    this.log.push(tag);
    await this.env.CONCURRENCY.getByName(peer).note(tag);
    return [...this.log];
  }

  async blockReturns(): Promise<{ v: number }> {
    return this.ctx.blockConcurrencyWhile(async () => ({ v: 1 }));
  }

  async blockThrows(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      throw new RangeError("inside block");
    });
  }

  private signalOrTimeout(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.arrived = () => {
        clearTimeout(timer);
        resolve(true);
      };
    }).finally(() => {
      this.arrived = undefined;
    });
  }
}
