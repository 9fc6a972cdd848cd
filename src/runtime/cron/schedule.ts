import { Cron } from "croner";
import { errorWithCode } from "../errors";

/** A cron expression Cloudflare would not accept. */
export class CronExpressionError extends errorWithCode("CRON_INVALID") {}

/**
 * Cloudflare's cron dialect: five fields in UTC, weekdays 1–7 from Sunday (Quartz style, so
 * `0 17 * * 1` is Sunday), `L`, `W` and `#` where Cloudflare allows them.
 */
export function parseCron(expression: string): Cron {
  if (expression.trim().split(/\s+/).length !== 5) {
    throw new CronExpressionError(`cron ${JSON.stringify(expression)} must have five fields: minute hour day-of-month month day-of-week`);
  }
  try {
    return new Cron(expression, { timezone: "UTC", paused: true, alternativeWeekdays: true });
  } catch (error) {
    throw new CronExpressionError(`cron ${JSON.stringify(expression)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** The first time after `after` (ms since the epoch) that `cron` fires, or null if it never does again. */
export function nextTick(cron: Cron, after: number): number | null {
  return cron.nextRun(new Date(after))?.getTime() ?? null;
}
