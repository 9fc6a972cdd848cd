// The playground page: plain DOM and fetch, no build step, so any static file server can ship it.
const $ = (id) => document.getElementById(id);
const counter = () => encodeURIComponent($("counter-name").value);

/** Calls the Worker's API: the JSON body, or what runtime lacks (`unavailable`); throws on errors. */
async function api(method, path) {
  const response = await fetch(path, { method });
  const body = await response.json().catch(() => ({}));
  if (!response.ok && !body.unavailable) throw new Error(`${method} ${path}: ${body.error ?? `${response.status} ${response.statusText}`}`);
  return body;
}

// Whatever fails shows at the top of the page.
window.addEventListener("unhandledrejection", (event) => show($("error"), event.reason?.message ?? String(event.reason), true));

function show(target, text, isError = false) {
  target.textContent = text;
  target.classList.toggle("error", isError);
}

// Runtime and storage: dotdo's servers answer /__dotdo/info; on workerd the Worker does.
async function showServing() {
  const info = await api("GET", "/__dotdo/info");
  $("runtime").textContent = info.version ? `${info.runtime} ${info.version}` : info.runtime;
  $("storage").textContent =
    info.storage === "workerd" ? "workerd's own Durable Object storage" : info.storage === null ? "memory only (no store)" : `${info.storage} (Iceberg checkpoints)`;
}

async function showCount() {
  $("count").textContent = (await api("GET", `/api/counter/${counter()}`)).count;
}

$("increment").onclick = async () => {
  $("count").textContent = (await api("POST", `/api/counter/${counter()}/increment`)).count;
};

$("checkpoint").onclick = async () => {
  show($("checkpoint-result"), "saving…");
  const result = await api("POST", `/api/counter/${counter()}/checkpoint`);
  if (result.unavailable) return show($("checkpoint-result"), result.unavailable, true);
  show($("checkpoint-result"), result.changed ? `saved checkpoint #${result.sequence}` : `nothing changed since checkpoint #${result.sequence}`);
};

$("list-checkpoints").onclick = async () => {
  const result = await api("GET", `/api/counter/${counter()}/checkpoints`);
  const table = $("checkpoints");
  if (result.unavailable) {
    table.hidden = true;
    return show($("checkpoints-note"), result.unavailable);
  }
  show($("checkpoints-note"), result.checkpoints.length === 0 ? "No checkpoint yet." : "Pick one to go back to its state.");
  table.hidden = result.checkpoints.length === 0;
  table.tBodies[0].replaceChildren(...result.checkpoints.map(checkpointRow));
};

function checkpointRow({ sequence, timestampMs, count }) {
  const row = document.createElement("tr");
  row.dataset.sequence = sequence;
  const button = document.createElement("button");
  button.textContent = "Go back here";
  button.onclick = async () => {
    const result = await api("POST", `/api/counter/${counter()}/restore?sequence=${sequence}`);
    if (result.unavailable) return show($("checkpoints-note"), result.unavailable, true);
    $("count").textContent = result.count;
    show($("checkpoints-note"), `Restored checkpoint #${sequence}: the count is ${result.count} again.`);
  };
  for (const text of [`#${sequence}`, new Date(timestampMs).toLocaleTimeString(), count]) {
    row.insertCell().textContent = text;
  }
  row.insertCell().append(button);
  return row;
}

// Chat: one WebSocket per page; the room broadcasts every message to every member.
$("chat-user").value = `guest-${Math.random().toString(36).slice(2, 6)}`;
let socket;
$("join").onclick = () => {
  socket?.close();
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/api/room/lobby?user=${encodeURIComponent($("chat-user").value)}`);
  socket.onopen = () => {
    $("chat-text").disabled = $("send").disabled = false;
    $("chat-text").focus();
  };
  socket.onmessage = ({ data }) => {
    const event = JSON.parse(data);
    if (event.members) $("members").textContent = event.members.join(", ");
    const line = document.createElement("li");
    line.textContent = event.kind === "message" ? `${event.user}: ${event.text}` : `* ${event.user} ${event.kind}`;
    $("messages").append(line);
    line.scrollIntoView({ block: "nearest" });
  };
  socket.onclose = () => ($("chat-text").disabled = $("send").disabled = true);
};
$("chat-form").onsubmit = (event) => {
  event.preventDefault();
  socket.send($("chat-text").value);
  $("chat-text").value = "";
};

// Alarms: schedule, then poll until it has fired.
async function showTimer() {
  const { pending, fired } = await api("GET", "/api/timer/jobs");
  $("timer-pending").textContent = pending === null ? "No alarm pending." : `Alarm due at ${new Date(pending).toLocaleTimeString()}…`;
  $("fired").replaceChildren(
    ...fired.map((f) => {
      const item = document.createElement("li");
      item.textContent = `fired: ${f.note} (due ${new Date(f.due).toLocaleTimeString()}, ran ${f.fired - f.due} ms later)`;
      return item;
    }),
  );
  return pending;
}

$("schedule").onclick = async () => {
  const seconds = encodeURIComponent($("timer-seconds").value);
  const note = encodeURIComponent($("timer-note").value);
  await api("POST", `/api/timer/jobs/schedule?seconds=${seconds}&note=${note}`);
  while ((await showTimer()) !== null) await new Promise((done) => setTimeout(done, 500));
};

$("rpc").onclick = async () => {
  const { counter: name, count, asked } = await api("POST", `/api/scoreboard/board/read?counter=${counter()}`);
  $("rpc-result").textContent = `counter "${name}" says ${count} (call #${asked} from the scoreboard)`;
};

$("counter-name").onchange = showCount;
await Promise.all([showServing(), showCount(), showTimer()]);
