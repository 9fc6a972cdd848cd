/**
 * workerd's own Durable Object tests (`src/workerd/api/tests/` in the workerd repository,
 * ported unchanged into this folder), with each one's configuration taken from its
 * `.wd-test` file: Durable Object bindings, text and JSON bindings, service bindings to the
 * test's own entrypoints, compatibility flags. The last suite is ours (`io-context-test.js`),
 * written in their style to run through the same harness.
 */
export interface PortedSuite {
  /** Name in test reports; several suites may run one file with different settings. */
  readonly name: string;
  /** The ported test module in this folder. */
  readonly file: string;
  /** Binding → class; `sql` for a SQLite-backed namespace (`enableSql` in the `.wd-test`). */
  readonly durableObjects: Readonly<Record<string, { className: string; sql: boolean }>>;
  /** Text and JSON bindings, as their values. */
  readonly bindings?: Readonly<Record<string, unknown>>;
  /** Service bindings to the test Worker itself: binding → entrypoint (`default` for the default export). */
  readonly services?: Readonly<Record<string, string>>;
  /** The `.wd-test`'s flags, less those that are defaults by `COMPATIBILITY_DATE` (workerd refuses them). */
  readonly compatibilityFlags: readonly string[];
}

/** The `.wd-test` files name no compatibility date: this one is given on every runtime. */
export const COMPATIBILITY_DATE = "2025-09-01";

const example = (sql: boolean) => ({ ns: { className: "DurableObjectExample", sql } });

export const SUITES: readonly PortedSuite[] = [
  { name: "sql-test", file: "sql-test.js", durableObjects: example(true), compatibilityFlags: ["experimental", "nodejs_compat"] },
  { name: "sql-restrict-names-test", file: "sql-restrict-names-test.js", durableObjects: example(true), compatibilityFlags: ["nodejs_compat"] },
  {
    name: "sql-resizable-arraybuffer-test",
    file: "sql-resizable-arraybuffer-test.js",
    durableObjects: example(true),
    compatibilityFlags: ["experimental", "nodejs_compat"],
  },
  {
    name: "actor-kv-test",
    file: "actor-kv-test.js",
    durableObjects: { ns: { className: "ActorKvTest", sql: false } },
    compatibilityFlags: ["experimental", "nodejs_compat"],
  },
  {
    name: "sync-kv-test",
    file: "sync-kv-test.js",
    durableObjects: { ns: { className: "MyActor", sql: true } },
    compatibilityFlags: ["enable_ctx_exports", "nodejs_compat"],
  },
  { name: "actor-alarms-test", file: "actor-alarms-test.js", durableObjects: example(false), compatibilityFlags: ["experimental", "nodejs_compat"] },
  {
    name: "actor-alarms-delete-test",
    file: "actor-alarms-delete-test.js",
    durableObjects: example(false),
    compatibilityFlags: ["experimental", "nodejs_compat"],
  },
  { name: "actor-stub-test", file: "actor-stub-test.js", durableObjects: example(false), compatibilityFlags: ["experimental", "nodejs_compat", "js_rpc"] },
  {
    name: "actor-block-concurrency-depth-test",
    file: "actor-block-concurrency-depth-test.js",
    durableObjects: { ns: { className: "DepthTester", sql: false } },
    compatibilityFlags: ["experimental", "nodejs_compat", "js_rpc"],
  },
  {
    name: "delete-all-deletes-alarm-test (delete_all_deletes_alarm)",
    file: "delete-all-deletes-alarm-test.js",
    durableObjects: example(false),
    bindings: { EXPECT_ALARM_DELETED: "true" },
    compatibilityFlags: ["experimental", "nodejs_compat", "delete_all_deletes_alarm"],
  },
  {
    name: "delete-all-deletes-alarm-test (delete_all_preserves_alarm)",
    file: "delete-all-deletes-alarm-test.js",
    durableObjects: example(false),
    bindings: { EXPECT_ALARM_DELETED: "false" },
    compatibilityFlags: ["experimental", "nodejs_compat", "delete_all_preserves_alarm"],
  },
  { name: "websocket-hibernation", file: "websocket-hibernation.js", durableObjects: example(false), compatibilityFlags: ["experimental", "nodejs_compat"] },
  {
    name: "js-rpc-test",
    file: "js-rpc-test.js",
    durableObjects: { MyActor: { className: "MyActor", sql: false }, ActorNoExtends: { className: "ActorNoExtends", sql: false } },
    bindings: { twelve: 12 },
    services: { self: "nonClass", MyService: "MyService", MyServiceProxy: "MyServiceProxy", defaultExport: "default", GreeterFactory: "GreeterFactory" },
    compatibilityFlags: [
      "nodejs_compat",
      "enable_abortsignal_rpc",
      "enhanced_error_serialization",
      "enable_ctx_exports",
      "experimental",
      "fetch_legacy_url",
      "rpc_params_transfer_stubs",
    ],
  },
  {
    name: "stub-storage-test",
    file: "stub-storage-test.js",
    durableObjects: { MY_ACTOR: { className: "MyActor", sql: true } },
    compatibilityFlags: ["experimental", "nodejs_compat", "allow_irrevocable_stub_storage", "enable_ctx_exports", "service_binding_extra_handlers"],
  },
  {
    name: "io-context-test",
    file: "io-context-test.js",
    durableObjects: { ns: { className: "Probe", sql: true } },
    services: { Service: "Service" },
    compatibilityFlags: ["nodejs_compat"],
  },
];
