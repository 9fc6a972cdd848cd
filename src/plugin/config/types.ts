/** A Durable Object binding from `durable_objects.bindings`. */
export interface DurableObjectBinding {
  /** The name on `env` (`env.MY_DO`). */
  name: string;
  /** The exported class that implements the object. */
  className: string;
  /** Set when the class lives in another Worker: only Cloudflare can serve that. */
  scriptName?: string;
}

/** One step of the user's `migrations` history, kept as written. */
export interface MigrationStep {
  tag: string;
  new_classes?: string[];
  new_sqlite_classes?: string[];
  deleted_classes?: string[];
  renamed_classes?: { from: string; to: string }[];
  transferred_classes?: { from: string; from_script: string; to: string }[];
}

/** An R2 bucket binding from `r2_buckets`. */
export interface R2BucketBinding {
  binding: string;
  bucketName?: string;
}

/** A service binding (wrangler's `services`): to another Worker, or to this one's own entrypoints. */
export interface ServiceBinding {
  binding: string;
  /** The Worker's name. */
  service: string;
  /** A named export of that Worker (default: its default export). */
  entrypoint?: string;
  /** What the entrypoint sees as `ctx.props`. */
  props?: Record<string, VarValue>;
}

/** The module types of wrangler's `rules` that a JavaScript Worker can import. */
export type ModuleRuleType = "ESModule" | "CommonJS" | "CompiledWasm" | "Text" | "Data";

/** One of wrangler's module rules (`[[rules]]`): imports matching `globs` are loaded as `type`. */
export interface ModuleRule {
  type: ModuleRuleType;
  globs: string[];
  /** Keep later rules of the same type (wrangler drops them otherwise). */
  fallthrough?: boolean;
}

/** How a request path finds an HTML file (wrangler's `assets.html_handling`). */
export type HtmlHandling = "auto-trailing-slash" | "force-trailing-slash" | "drop-trailing-slash" | "none";

/** What answers a path no asset matches (wrangler's `assets.not_found_handling`). */
export type NotFoundHandling = "none" | "single-page-application" | "404-page";

/** Static assets from wrangler's `assets` block. */
export interface AssetsConfig {
  /** Absolute directory of the files to serve. */
  directory: string;
  /** The `env` name of the binding whose `fetch(request)` serves an asset, if any. */
  binding?: string;
  htmlHandling: HtmlHandling;
  notFoundHandling: NotFoundHandling;
  /** `true`: every request goes to the Worker first; a list: the paths that do (`!/…` excludes). */
  runWorkerFirst: boolean | string[];
}

/** wrangler's custom build (`build`): a shell command run before bundling. */
export interface CustomBuild {
  command: string;
  /** Absolute directory the command runs in (`build.cwd`, default: the config's directory). */
  cwd: string;
  /** Absolute directories whose changes re-run the command in `dotdo dev` (`build.watch_dir`, default `./src`). */
  watchDirs: string[];
}

/** A JSON value as wrangler allows in `vars`. */
export type VarValue = string | number | boolean | null | VarValue[] | { [key: string]: VarValue };

/** A binding in the wrangler config that only Cloudflare provides (KV, D1, queues, …). */
export interface CloudflareOnlyBinding {
  /** Where it is in the wrangler config, e.g. `kv_namespaces[0]`. */
  field: string;
  /** Its name on `env`. */
  name: string;
}

/** The user's Worker project as read from its wrangler config (and `dotdo.config.ts`). */
export interface WorkerProject {
  /** Absolute project directory. */
  root: string;
  /** Absolute path of the wrangler file the project was read from. */
  configFile: string;
  /** Worker name (`name`), or the directory name when absent. */
  name: string;
  /** Absolute path of the entry module (`main`). */
  main: string;
  compatibilityDate?: string;
  compatibilityFlags: string[];
  durableObjects: DurableObjectBinding[];
  /** Classes wrangler's `exports` declares as live Durable Objects (`type: "durable-object"`), which replaces `migrations`. */
  exportedDurableObjects: string[];
  migrations: MigrationStep[];
  vars: Record<string, VarValue>;
  r2Buckets: R2BucketBinding[];
  /** Service bindings to this Worker's own entrypoints (`services` naming the Worker itself); others are Cloudflare-only. */
  loopbackServices: ServiceBinding[];
  /** Cron triggers (`triggers.crons`). */
  crons: string[];
  /** Bundler replacements (`define`), identifier → expression text. */
  define: Record<string, string>;
  /** Module aliases (`alias`), specifier → replacement, relative paths resolved against the root. */
  alias: Record<string, string>;
  /** The user's module rules (`rules`), before wrangler's defaults. */
  rules: ModuleRule[];
  /** `find_additional_modules`: also bundle files under `baseDir` that imports only name at run time. */
  findAdditionalModules: boolean;
  /** Absolute `base_dir` (default: the directory of `main`). */
  baseDir: string;
  /** Static assets (`assets`), with the directory resolved against the root. */
  assets?: AssetsConfig;
  /** The custom build (`build.command`), run before bundling. */
  build?: CustomBuild;
  /** Bindings dotdo's runtime does not provide off Cloudflare. */
  cloudflareOnlyBindings: CloudflareOnlyBinding[];
  /** The whole parsed wrangler config, for outputs that hand it back to wrangler. */
  wrangler: Record<string, unknown>;
  /** Idle time in ms before a live object is evicted off Cloudflare (`dotdo.config.ts`). */
  evictAfterMs?: number;
  /** wrangler's `limits.cpu_ms`: off Cloudflare, how long one statement of an object's SQL may run. */
  cpuLimitMs?: number;
  /** Absolute path of the `dotdo.config.*` file that was applied, if any. */
  dotdoConfigFile?: string;
  /** Build defaults from `dotdo.config.ts`, used when the CLI is not given them. */
  preset?: string;
  outDir?: string;
}

/** What `dotdo.config.ts` may set; every field overrides the wrangler config. */
export interface DotdoConfig {
  /** Wrangler file to read, relative to the project root. */
  wrangler?: string;
  /** Entry module, relative to the project root. */
  main?: string;
  /** Default preset for `dotdo build` when `--preset` is not given. */
  preset?: string;
  /** Output directory, relative to the project root (default `.output`). */
  outDir?: string;
  compatibilityDate?: string;
  /** Merged over the wrangler `vars`. */
  vars?: Record<string, VarValue>;
  evictAfterMs?: number;
}
