import type { Identity } from "./session";

/** One line for people: who, where they may store, until when. */
export function describeIdentity(identity: Identity): string {
  const who = identity.subject ?? "(no subject)";
  const grant = identity.storage
    ? `org ${identity.storage.org}, tenant ${identity.storage.tenant}, bucket ${identity.storage.bucket}` +
      `${identity.storage.prefix ? `/${identity.storage.prefix}` : ""} [${identity.storage.permissions.join(", ")}]`
    : "no storage grant";
  const until = identity.expiresAt ? `, token valid until ${identity.expiresAt.toISOString()}` : "";
  return `${who} at ${identity.issuer}: ${grant}${until}`;
}
