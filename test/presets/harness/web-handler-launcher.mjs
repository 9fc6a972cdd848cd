// Stands in for Vercel's Node.js launcher, which cannot run here: it imports a function whose
// default export is web-standard `{ fetch }` and calls it for every request on PORT.
// Usage: node web-handler-launcher.mjs <function module>
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";

const { default: handler } = await import(pathToFileURL(process.argv[2]).href);

const server = createServer(async (req, res) => {
  if (req.url === "/__dotdo/health") return res.end("ok");
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : Readable.toWeb(req);
  const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers: req.headers, body, duplex: "half" });
  const response = await handler.fetch(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});
server.listen(Number(process.env.PORT), process.env.HOST);
process.once("SIGTERM", () => server.close(() => process.exit(0)));
