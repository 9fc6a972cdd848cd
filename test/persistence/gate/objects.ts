import { DurableObject, WebSocketPair, type WebSocket } from "../../../src/runtime/index";

/** Writes a row per call or socket message, and answers only afterwards. */
export class Journal extends DurableObject {
  #ready = false;

  #table(): void {
    if (this.#ready) return;
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS lines (text TEXT)");
    this.#ready = true;
  }

  write(text: string): string {
    this.#table();
    this.ctx.storage.sql.exec("INSERT INTO lines VALUES (?)", text);
    return text;
  }

  /** Writes, then tells `url` about it: the request must not leave before the write is stored. */
  async writeAndNotify(text: string, url: string): Promise<number> {
    this.write(text);
    return (await fetch(url, { method: "POST", body: text })).status;
  }

  lines(): string[] {
    this.#table();
    return this.ctx.storage.sql.exec("SELECT text FROM lines ORDER BY rowid").toArray().map((row) => String(row.text));
  }

  override async fetch(): Promise<Response> {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client } as ResponseInit);
  }

  override webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): void {
    socket.send(`stored ${this.write(String(message))}`);
  }
}
