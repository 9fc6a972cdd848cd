// The tests use the public entry point, plus the one internal helper they need to build names.
export * from "../../src/runtime/iceberg";
export { compatibleName as compatibleNameForTest } from "../../src/runtime/iceberg/names";
