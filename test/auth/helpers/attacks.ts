import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { ESCAPE_KEYS } from "./escapes";
import { tenantClaims, type TestIssuer } from "./issuer";

/**
 * The catalogue of attacks thrown at anything that guards storage with a token: the runtime
 * (verifier + scoped store) and the gateway. Tenant A (`a`) is the attacker; tenant B (`b`)
 * owns `VICTIM_KEY`.
 */
export const VICTIM_KEY = "do/obj1/lock";

export type Operation =
  | { kind: "get" | "head" | "delete"; key: string }
  | { kind: "put"; key: string }
  | { kind: "list"; prefix: string };

export interface Attack {
  category: string;
  name: string;
  token: string;
  operation: Operation;
  /** Error codes that count as the right rejection. */
  codes: readonly string[];
}

const TOKEN = ["TOKEN_INVALID"] as const;
const steal: Operation = { kind: "put", key: VICTIM_KEY };

export async function buildAttacks(idp: TestIssuer): Promise<Attack[]> {
  const attacks: Attack[] = [];
  const add = (category: string, name: string, token: string, codes: readonly string[], operation: Operation = steal) =>
    attacks.push({ category, name, token, operation, codes });
  const now = Math.floor(Date.now() / 1000);
  const claimsOf = (tenant: string, extra: JWTPayload = {}) => ({
    iss: idp.issuer, aud: idp.audience, iat: now, exp: now + 300, ...tenantClaims(tenant), ...extra,
  });
  const tokenA = await idp.sign(tenantClaims("a"));
  const [headerA = "", payloadA = "", signatureA = ""] = tokenA.split(".");
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  // forged signatures
  const attackerEc = await generateKeyPair("ES256", { extractable: true });
  const attackerRsa = await generateKeyPair("RS256", { extractable: true });
  const esKid = String(idp.publicJwk("ES256").kid);
  const rsKid = String(idp.publicJwk("RS256").kid);
  const forge = (header: Record<string, unknown>, key: CryptoKey, payload: JWTPayload = claimsOf("b")) =>
    new SignJWT(payload).setProtectedHeader({ alg: "ES256", ...header }).sign(key);
  add("forged-signature", "attacker EC key, issuer's kid", await forge({ kid: esKid }, attackerEc.privateKey), TOKEN);
  add("forged-signature", "attacker RSA key, issuer's kid", await forge({ alg: "RS256", kid: rsKid }, attackerRsa.privateKey), TOKEN);
  add("forged-signature", "attacker key, no kid", await forge({}, attackerEc.privateKey), TOKEN);
  add("forged-signature", "attacker key, unknown kid", await forge({ kid: "attacker-1" }, attackerEc.privateKey), TOKEN);
  add("forged-signature", "attacker key, path kid", await forge({ kid: "../../../dev/null" }, attackerEc.privateKey), TOKEN);
  add("forged-signature", "attacker key embedded as jwk header", await forge({ jwk: await exportJWK(attackerEc.publicKey) }, attackerEc.privateKey), TOKEN);
  add("forged-signature", "attacker JWKS via jku header", await forge({ jku: "http://127.0.0.1:9/jwks", kid: "attacker-1" }, attackerEc.privateKey), TOKEN);
  add("forged-signature", "A's signature on a payload naming B", `${headerA}.${encode({ ...JSON.parse(Buffer.from(payloadA, "base64url").toString()), tenant_id: "b" })}.${signatureA}`, TOKEN);
  add("forged-signature", "A's signature with a flipped bit", `${headerA}.${payloadA}.${flipBit(signatureA)}`, TOKEN);
  add("forged-signature", "A's signature truncated", `${headerA}.${payloadA}.${signatureA.slice(0, 20)}`, TOKEN);
  add("forged-signature", "no signature", `${headerA}.${payloadA}.`, TOKEN);
  add("forged-signature", "not a JWT", "not-a-jwt", TOKEN);

  // alg: none
  for (const alg of ["none", "None", "NONE", "nOnE"]) {
    const unsigned = `${encode({ alg, typ: "JWT" })}.${encode(claimsOf("b"))}`;
    add("alg-none", `alg ${alg}, empty signature`, `${unsigned}.`, TOKEN);
    add("alg-none", `alg ${alg}, A's signature kept`, `${unsigned}.${signatureA}`, TOKEN);
  }
  add("alg-none", "alg none with the issuer's kid", `${encode({ alg: "none", kid: esKid })}.${encode(claimsOf("b"))}.`, TOKEN);

  // key confusion: HMAC keyed with material an attacker can read from the JWKS
  const rsaPublic = await importJWK(idp.publicJwk("RS256"), "RS256");
  const ecPublic = await importJWK(idp.publicJwk("ES256"), "ES256");
  const secrets: [string, Uint8Array][] = [
    ["RSA public key PEM", Buffer.from(await exportSPKI(rsaPublic as CryptoKey))],
    ["EC public key PEM", Buffer.from(await exportSPKI(ecPublic as CryptoKey))],
    ["RSA public JWK JSON", Buffer.from(JSON.stringify(idp.publicJwk("RS256")))],
    ["EC public JWK JSON", Buffer.from(JSON.stringify(idp.publicJwk("ES256")))],
    ["RSA modulus bytes", Buffer.from(String(idp.publicJwk("RS256").n), "base64url")],
  ];
  for (const [what, secret] of secrets) {
    for (const alg of ["HS256", "HS512"]) {
      const kid = what.startsWith("RSA") ? rsKid : esKid;
      add("key-confusion", `${alg} keyed with the ${what}`, await new SignJWT(claimsOf("b")).setProtectedHeader({ alg, kid }).sign(secret), TOKEN);
    }
  }

  // time
  const signed = (tenant: string, extra: JWTPayload, header: Record<string, unknown> = {}) => idp.sign({ ...tenantClaims(tenant), ...extra }, header);
  add("expired", "expired a minute ago", await signed("a", { exp: now - 60 }), ["TOKEN_EXPIRED"]);
  add("expired", "expired an hour ago", await signed("a", { exp: now - 3600 }), ["TOKEN_EXPIRED"]);
  add("expired", "expired at the epoch", await signed("a", { exp: 1 }), ["TOKEN_EXPIRED"]);
  add("expired", "expired, RSA-signed", await signed("a", { exp: now - 600 }, { alg: "RS256" }), ["TOKEN_EXPIRED"]);
  add("expired", "no exp at all", await signed("a", { exp: undefined }), TOKEN);
  add("expired", "exp as a string", await signed("a", { exp: "tomorrow" as unknown as number }), TOKEN);
  add("not-yet-valid", "nbf in a minute", await signed("a", { nbf: now + 60 }), ["TOKEN_NOT_YET_VALID"]);
  add("not-yet-valid", "nbf tomorrow", await signed("a", { nbf: now + 86_400 }), ["TOKEN_NOT_YET_VALID"]);
  add("not-yet-valid", "nbf in the far future", await signed("a", { nbf: 2 ** 40 }), ["TOKEN_NOT_YET_VALID"]);
  add("not-yet-valid", "nbf as a string", await signed("a", { nbf: "soon" as unknown as number }), TOKEN);

  // issuer and audience
  for (const [name, iss] of [
    ["another issuer", "https://evil.example"],
    ["issuer with a trailing slash", `${idp.issuer}/`],
    ["issuer as a host prefix", `${idp.issuer}.evil.example`],
    ["issuer in an array", [idp.issuer]],
    ["no issuer", undefined],
  ] as const) {
    add("wrong-issuer", name, await signed("a", { iss: iss as string | undefined }), TOKEN);
  }
  for (const [name, aud] of [
    ["another audience", "urn:other"],
    ["audience list without ours", ["urn:other", "urn:dotdo"]],
    ["our audience with a suffix", `${idp.audience}:admin`],
    ["the issuer as audience", idp.issuer],
    ["no audience", undefined],
  ] as const) {
    add("wrong-audience", name, await signed("a", { aud: aud as string | string[] | undefined }), TOKEN);
  }

  // claims: signed by the issuer but unusable
  const narrow = { bucket: "dotdo-test", prefix: "apps/prod", permissions: ["read", "write", "list"] };
  for (const [name, extra, code] of [
    ["no org_id", { org_id: undefined }, "CLAIMS_MISSING"],
    ["no tenant_id", { tenant_id: undefined }, "CLAIMS_MISSING"],
    ["no storage", { storage: undefined }, "CLAIMS_MISSING"],
    ["no storage.prefix", { storage: { bucket: "dotdo-test", permissions: ["read"] } }, "CLAIMS_MISSING"],
    ["no storage.permissions", { storage: { bucket: "dotdo-test", prefix: "apps/prod" } }, "CLAIMS_MISSING"],
    ["no storage.bucket", { storage: { prefix: "apps/prod", permissions: ["read"] } }, "CLAIMS_MISSING"],
    ["tenant_id '..'", { tenant_id: ".." }, "CLAIMS_INVALID"],
    ["tenant_id '../b'", { tenant_id: "../b" }, "CLAIMS_INVALID"],
    ["tenant_id with a slash", { tenant_id: "a/../b" }, "CLAIMS_INVALID"],
    ["tenant_id full-width", { tenant_id: "\uFF41" }, "CLAIMS_INVALID"],
    ["tenant_id empty", { tenant_id: "" }, "CLAIMS_INVALID"],
    ["tenant_id a number", { tenant_id: 7 }, "CLAIMS_INVALID"],
    ["org_id '.'", { org_id: "." }, "CLAIMS_INVALID"],
    // Probe finding 7: `B` and `b` would share a folder on a case-insensitive file system.
    ["tenant_id differing only in case", { tenant_id: "B" }, "CLAIMS_INVALID"],
    ["org_id differing only in case", { org_id: "Acme" }, "CLAIMS_INVALID"],
    ["prefix differing only in case", { storage: { bucket: "dotdo-test", prefix: "apps/Prod", permissions: ["read"] } }, "CLAIMS_INVALID"],
    ["prefix climbing out", { storage: { bucket: "dotdo-test", prefix: "apps/../..", permissions: ["read"] } }, "CLAIMS_INVALID"],
    ["absolute prefix", { storage: { bucket: "dotdo-test", prefix: "/apps", permissions: ["read"] } }, "CLAIMS_INVALID"],
    ["permissions as a string", { storage: { bucket: "dotdo-test", prefix: "apps/prod", permissions: "read,write" } }, "CLAIMS_INVALID"],
    ["unknown permission", { storage: { bucket: "dotdo-test", prefix: "apps/prod", permissions: ["admin"] } }, "CLAIMS_INVALID"],
    ["objects empty", { storage: { ...narrow, objects: [] } }, "CLAIMS_INVALID"],
    ["objects as a string", { storage: { ...narrow, objects: "obj1" } }, "CLAIMS_INVALID"],
    ["objects climbing out", { storage: { ...narrow, objects: ["../b"] } }, "CLAIMS_INVALID"],
    ["objects in upper case", { storage: { ...narrow, objects: ["OBJ1"] } }, "CLAIMS_INVALID"],
  ] as const) {
    add("bad-claims", name, await signed("a", extra as JWTPayload), [code]);
  }

  // tenant A going after tenant B with its own valid token
  const crossKeys = ["../b/do/obj1/lock", "../../acme/b/do/obj1/lock", "do/../../b/do/obj1/lock", "do/obj1/../../../b/do/obj1/lock", "..%2fb%2fdo%2fobj1%2flock", "..\\b\\do\\obj1\\lock", "\uFF0E\uFF0E/b/do/obj1/lock"];
  for (const key of crossKeys) {
    for (const kind of ["get", "head", "put", "delete"] as const) {
      add("cross-tenant", `${kind} ${JSON.stringify(key)}`, tokenA, ["PATH_FORBIDDEN"], { kind, key });
    }
  }
  // An object id differing only in case from another's shares its folder on a case-insensitive file system.
  for (const kind of ["get", "head", "put", "delete"] as const) {
    add("cross-tenant", `${kind} an object id in upper case`, tokenA, ["PATH_FORBIDDEN"], { kind, key: "do/OBJ1/lock" });
  }
  for (const prefix of ["../b/", "../", "..", "do/../../b/"]) {
    add("cross-tenant", `list ${JSON.stringify(prefix)}`, tokenA, ["PATH_FORBIDDEN"], { kind: "list", prefix });
  }

  // a token narrowed to one object (storage.objects) going after the tenant's other objects
  const objectToken = await signed("a", { storage: { ...narrow, objects: ["obj2"] } });
  for (const kind of ["get", "head", "put", "delete"] as const) {
    add("narrow-grant", `${kind} another object's key`, objectToken, ["PATH_FORBIDDEN"], { kind, key: "do/obj1/lock" });
  }
  for (const prefix of ["", "do/", "do/obj1/", "do/obj"]) {
    add("narrow-grant", `list ${JSON.stringify(prefix)}`, objectToken, ["PATH_FORBIDDEN"], { kind: "list", prefix });
  }

  // permissions the token does not grant
  const grant = (permissions: string[]) => signed("a", { storage: { bucket: "dotdo-test", prefix: "apps/prod", permissions } });
  const readOnly = await grant(["read", "list"]);
  const writeOnly = await grant(["write"]);
  add("permission", "put with a read-only token", readOnly, ["PERMISSION_DENIED"], { kind: "put", key: "do/obj1/lock" });
  add("permission", "delete with a read-only token", readOnly, ["PERMISSION_DENIED"], { kind: "delete", key: "do/obj1/lock" });
  add("permission", "get with a write-only token", writeOnly, ["PERMISSION_DENIED"], { kind: "get", key: "do/obj1/lock" });
  add("permission", "head with a write-only token", writeOnly, ["PERMISSION_DENIED"], { kind: "head", key: "do/obj1/lock" });
  add("permission", "list with a write-only token", writeOnly, ["PERMISSION_DENIED"], { kind: "list", prefix: "" });

  // every path-escape variant, as each operation, with a valid token
  for (const [technique, keys] of Object.entries(ESCAPE_KEYS)) {
    for (const key of keys) {
      for (const kind of ["get", "head", "put", "delete"] as const) {
        add(`path-escape: ${technique}`, `${kind} ${JSON.stringify(key)}`, tokenA, ["PATH_FORBIDDEN"], { kind, key });
      }
      if (!["", "a/", "a/b/"].includes(key)) {
        add(`path-escape: ${technique}`, `list ${JSON.stringify(key)}`, tokenA, ["PATH_FORBIDDEN"], { kind: "list", prefix: key });
      }
    }
  }
  return attacks;
}

function flipBit(base64url: string): string {
  const bytes = Buffer.from(base64url, "base64url");
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString("base64url");
}
