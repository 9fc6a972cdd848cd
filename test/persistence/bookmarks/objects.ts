import { DurableObject } from "../../../src/runtime/index";

/** Notes in SQL, and the bookmark API around them. */
export class Notes extends DurableObject {
  #table(): void {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS notes (text TEXT)");
  }

  add(text: string): void {
    this.#table();
    this.ctx.storage.sql.exec("INSERT INTO notes VALUES (?)", text);
  }

  notes(): string[] {
    this.#table();
    return this.ctx.storage.sql.exec("SELECT text FROM notes ORDER BY rowid").toArray().map((row) => String(row.text));
  }

  bookmark(): Promise<string> {
    return this.ctx.storage.getCurrentBookmark();
  }

  bookmarkForTime(time: number): Promise<string> {
    return this.ctx.storage.getBookmarkForTime(time);
  }

  /** Cloudflare's recipe: ask for the restore, then restart the object. */
  async restoreTo(bookmark: string, restart: boolean): Promise<string> {
    const undo = await this.ctx.storage.onNextSessionRestoreBookmark(bookmark);
    if (restart) this.ctx.abort("restoring a bookmark");
    return undo;
  }
}
