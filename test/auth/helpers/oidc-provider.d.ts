// oidc-provider ships no type declarations and @types/oidc-provider is not a dependency:
// these cover only what the test provider uses.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export interface KoaContextWithOIDC {
    path: string;
    method: string;
    status: number;
    body: unknown;
    oidc: { params?: Record<string, unknown> };
  }

  export type Configuration = Record<string, unknown> & {
    findAccount?: (ctx: KoaContextWithOIDC, id: string) => unknown;
    extraTokenClaims?: (ctx: KoaContextWithOIDC, token: unknown) => unknown;
  };

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): void;
    on(event: string, listener: (ctx: KoaContextWithOIDC, ...rest: unknown[]) => void): void;
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
