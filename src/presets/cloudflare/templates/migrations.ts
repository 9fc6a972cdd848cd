import type { MigrationStep, WorkerProject } from "../../../plugin/config";

/**
 * The user's migration history, kept as written, plus one step creating every bound class the
 * history has not created yet, as a SQLite-backed class (the storage dotdo's runtime matches).
 */
export function migrationsWithSqliteClasses(project: WorkerProject): MigrationStep[] {
  const created = new Set<string>();
  for (const step of project.migrations) {
    for (const name of [...(step.new_classes ?? []), ...(step.new_sqlite_classes ?? [])]) created.add(name);
    for (const { from, to } of [...(step.renamed_classes ?? []), ...(step.transferred_classes ?? [])]) {
      created.delete(from);
      created.add(to);
    }
    for (const name of step.deleted_classes ?? []) created.delete(name);
  }
  const missing = [...new Set(project.durableObjects.filter((b) => b.scriptName === undefined).map((b) => b.className))].filter(
    (name) => !created.has(name),
  );
  if (missing.length === 0) return project.migrations;
  const tags = new Set(project.migrations.map((step) => step.tag));
  let n = 1;
  while (tags.has(`dotdo-v${n}`)) n++;
  return [...project.migrations, { tag: `dotdo-v${n}`, new_sqlite_classes: missing }];
}
