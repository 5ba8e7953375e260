// The phone page: starts calls and sends the caller's inputs to the phone
// server's JSON API, then shows the call's state. No library, no network
// beyond the page's own server.
"use strict";

const $ = (id) => document.getElementById(id);
let call = null; // the last state the server sent
let spoken = 0; // prompts already read aloud

async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = "status" + (kind ? " " + kind : "");
}

function setButtons() {
  const live = call !== null && !call.ended;
  for (const id of ["press", "speak", "silence", "hangup"]) $(id).disabled = !live;
  for (const button of $("keypad").querySelectorAll("button")) button.disabled = !live;
}

function speakAloud(lines) {
  if (!$("voice").checked || !("speechSynthesis" in window)) return;
  for (const line of lines) speechSynthesis.speak(new SpeechSynthesisUtterance(line));
}

function markGraph(state) {
  const graph = $("graph");
  for (const node of graph.querySelectorAll(".tf-node, .tf-edge")) {
    node.classList.remove("current", "visited", "taken");
  }
  if (!state) return;
  for (const name of state.visited) {
    const node = graph.querySelector(`.tf-node[data-endpoint="${CSS.escape(name)}"]`);
    if (node) node.classList.add(name === state.endpoint ? "current" : "visited");
  }
  for (const [from, to] of state.taken) {
    const selector = `.tf-edge[data-from="${CSS.escape(from)}"][data-to="${CSS.escape(to)}"]`;
    const edge = graph.querySelector(selector);
    if (edge) edge.classList.add("taken");
  }
}

function showJson(exchanges) {
  const box = $("json");
  box.replaceChildren();
  exchanges.forEach((exchange, index) => {
    const details = document.createElement("details");
    details.open = index === exchanges.length - 1;
    const summary = document.createElement("summary");
    summary.textContent = `POST ${exchange.url.replace(/tropo_token=[^&]+/, "tropo_token=...")} -> ${exchange.status ?? "(raised)"}`;
    const sent = document.createElement("pre");
    sent.textContent = "sent:\n" + JSON.stringify(exchange.request, null, 2);
    const answered = document.createElement("pre");
    const body = exchange.response;
    answered.textContent = "answered:\n" + (typeof body === "string" ? body : JSON.stringify(body, null, 2));
    details.append(summary, sent, answered);
    box.append(details);
  });
}

function show(state) {
  call = state;
  const transcript = $("transcript");
  transcript.replaceChildren(
    ...state.heard.map((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      return item;
    }),
  );
  speakAloud(state.heard.slice(spoken));
  spoken = state.heard.length;
  $("log").textContent = state.log.join("\n");
  const kind = state.error ? "error" : state.ended ? "ended" : "";
  setStatus(state.status + (state.error ? " " + state.error : ""), kind);
  showJson(state.exchanges);
  markGraph(state);
  setButtons();
}

async function loadGraph() {
  const rule = $("route").value;
  $("graph").replaceChildren();
  $("graph-summary").textContent = "Exploring every path...";
  try {
    const data = await api("GET", "api/graph?rule=" + encodeURIComponent(rule));
    $("graph").innerHTML = data.svg; // drawn by the package, names escaped
    $("graph-summary").textContent = data.summary;
    markGraph(call);
  } catch (error) {
    $("graph-summary").textContent = error.message;
  }
}

async function start(text) {
  spoken = 0;
  try {
    const body = { rule: $("route").value };
    if (text !== undefined) body.text = text;
    show(await api("POST", "api/calls", body));
  } catch (error) {
    setStatus(error.message, "error");
  }
}

async function act(action, value) {
  if (!call || call.ended) return;
  try {
    show(await api("POST", "api/calls/" + call.id, { action, value }));
    return true;
  } catch (error) {
    setStatus(error.message, "error");
    return false;
  }
}

async function init() {
  const { routes } = await api("GET", "api/routes");
  const select = $("route");
  for (const route of routes) {
    const option = document.createElement("option");
    option.value = route.rule;
    option.textContent = `${route.rule} (${route.endpoint})`;
    select.append(option);
  }
  if (!routes.length) setStatus("This app has no Tropo session route.", "error");
  select.addEventListener("change", loadGraph);
  $("dial").addEventListener("click", () => start());
  $("send-text").addEventListener("click", () => start($("first-text").value));
  for (const button of $("keypad").querySelectorAll("button")) {
    button.addEventListener("click", () => { $("keys").value += button.textContent; });
  }
  $("press").addEventListener("click", async () => {
    if (await act("press", $("keys").value)) $("keys").value = "";
  });
  $("speak").addEventListener("click", async () => {
    if (await act("speak", $("speech").value)) $("speech").value = "";
  });
  $("silence").addEventListener("click", () => act("silence"));
  $("hangup").addEventListener("click", () => act("hangup"));
  $("keys").addEventListener("keydown", (e) => { if (e.key === "Enter") $("press").click(); });
  $("speech").addEventListener("keydown", (e) => { if (e.key === "Enter") $("speak").click(); });
  setButtons();
  if (routes.length) await loadGraph();
}

init();
