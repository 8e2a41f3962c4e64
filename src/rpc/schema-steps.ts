/**
 * SQLite schemas applied as numbered steps. A step never changes once it
 * has shipped; new shapes come as new steps appended to the list.
 */

/** Applies the steps of `steps` not yet applied, in order. Returns the schema version. */
export function applySchema(sql: SqlStorage, steps: string[]): number {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_steps (step INTEGER PRIMARY KEY)");
  const done = sql.exec<{ step: number | null }>("SELECT MAX(step) AS step FROM schema_steps").one().step ?? 0;
  for (let step = done + 1; step <= steps.length; step++) {
    sql.exec(steps[step - 1]!);
    sql.exec("INSERT INTO schema_steps (step) VALUES (?)", step);
  }
  return steps.length;
}
