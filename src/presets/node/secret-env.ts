/** Settings a deployed server needs but that must never be written into generated files. */
export const SECRET_ENV = ["R2_ENDPOINT", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY", "JWT_TOKEN", "DOTDO_CLUSTER_SECRET"];
