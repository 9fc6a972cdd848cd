/** The health endpoint every server preset answers (served by dotdo's platform entries). */
export const HEALTH_PATH = "/__dotdo/health";
