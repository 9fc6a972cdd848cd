/** The part of a Workers KV namespace binding the revocation list reads (so no Workers types are needed). */
export interface KvNamespaceLike {
  get(key: string): Promise<string | null>;
}

/** How long an answer is kept in the isolate before KV is asked again. */
const CACHE_MS = 10_000;
/** Answers kept at most; beyond, the cache starts again (each entry is a token id and a flag). */
const CACHE_ENTRIES = 10_000;

/**
 * The Worker gateway's revocation list: a KV namespace bound as `DOTDO_REVOKED`, where a token
 * id (`jti`) is revoked while a key of that name exists (its value is free: a reason, say).
 * Written with `wrangler kv key put --binding DOTDO_REVOKED <jti> <reason>`, best with an
 * expiration at the token's `exp`, after which KV drops the key and the token is refused for
 * its age anyway. Answers are kept in the isolate for 10 s, so a KV read is made per token id
 * at most that often; a key written elsewhere reaches every location within KV's propagation
 * time (up to a minute). A KV read that fails is an error, never a "not revoked".
 */
export function revocationKv(namespace: KvNamespaceLike): (jti: string) => Promise<boolean> {
  const answers = new Map<string, { revoked: boolean; until: number }>();
  return async (jti) => {
    const now = Date.now();
    const cached = answers.get(jti);
    if (cached && cached.until > now) return cached.revoked;
    const revoked = (await namespace.get(jti)) !== null;
    if (answers.size >= CACHE_ENTRIES) answers.clear();
    answers.set(jti, { revoked, until: now + CACHE_MS });
    return revoked;
  };
}
