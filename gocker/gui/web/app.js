// gocker's web console. Everything that comes from the server (names, commands, log output,
// errors) reaches the page through textContent only: nothing a container says becomes markup.
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
const $ = (sel) => document.querySelector(sel);
const state = { selected: null, containers: [], history: new Map(), logAbort: null };

async function api(path, opts = {}) {
  opts.headers = Object.assign({ "X-Gocker-Token": token }, opts.headers || {});
  const res = await fetch("/api" + path, opts);
  if (!res.ok && res.status !== 204) {
    let message = res.status + " " + res.statusText;
    try { message = (await res.json()).error || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return res;
}

function say(text) { $("#status").textContent = text; }

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function bytes(n) {
  if (n === null || n === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : String(n)) + " " + units[i];
}

function uptime(c) {
  if (c.status !== "running" || !c.startedAt) return "-";
  let s = Math.max(0, Math.floor((Date.now() - Date.parse(c.startedAt)) / 1000));
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  s %= 60;
  return d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m ? m + "m " + s + "s" : s + "s";
}

function shortId(c) { return c.id.slice(0, 12); }

// The list: one row per container, rebuilt from the server's answer every 2 seconds.
async function refresh() {
  let list;
  try {
    list = await (await api("/containers")).json();
  } catch (e) {
    say("Cannot reach gocker gui: " + e.message);
    return;
  }
  state.containers = list;
  await Promise.all(list.filter((c) => c.status === "running").map(sampleStats));
  const body = $("#containers tbody");
  const focusedId = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.id : null;
  body.replaceChildren();
  for (const c of list) {
    const st = state.history.get(c.id);
    const last = c.status === "running" && st && st.length ? st[st.length - 1] : null;
    const tr = el("tr");
    tr.tabIndex = 0;
    tr.dataset.id = c.id;
    if (c.id === state.selected) tr.classList.add("selected");
    tr.appendChild(el("td", c.name || "-", "name"));
    tr.appendChild(el("td", shortId(c)));
    tr.appendChild(el("td", c.statusText, c.status === "running" ? "running" : ""));
    tr.appendChild(el("td", (c.args || []).join(" ") || "sh", "cmd"));
    tr.appendChild(el("td", uptime(c)));
    tr.appendChild(el("td", [c.address].concat(c.ports || []).join(" ")));
    tr.appendChild(el("td", last ? last.cpuPercent.toFixed(1) + " %" : "-"));
    tr.appendChild(el("td", last ? bytes(last.memory) + " / " + (last.memoryLimit ? bytes(last.memoryLimit) : "no limit") : "-"));
    tr.appendChild(el("td", last ? last.pids + " / " + (last.pidsLimit || "no limit") : "-"));
    tr.addEventListener("click", () => select(c.id));
    tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(c.id); } });
    body.appendChild(tr);
    if (c.id === focusedId) tr.focus();
  }
  $("#empty").hidden = list.length > 0;
  say(list.length + " container" + (list.length === 1 ? "" : "s") + ", updated " + new Date().toLocaleTimeString());
  if (state.selected) {
    const c = list.find((x) => x.id === state.selected);
    if (c) showDetails(c); else closeDetails();
  }
}

async function sampleStats(c) {
  try {
    const s = await (await api("/containers/" + c.id + "/stats")).json();
    s.at = Date.now();
    const h = state.history.get(c.id) || [];
    h.push(s);
    while (h.length && h[0].at < Date.now() - 5 * 60 * 1000) h.shift();
    state.history.set(c.id, h);
  } catch (e) { /* it stopped meanwhile */ }
}

// The details panel: the record's configuration, the chart and the followed log.
function select(id) {
  const changed = state.selected !== id;
  state.selected = id;
  const c = state.containers.find((x) => x.id === id);
  if (!c) return;
  $("#details").hidden = false;
  showDetails(c);
  for (const tr of document.querySelectorAll("#containers tbody tr")) tr.classList.toggle("selected", tr.dataset.id === id);
  if (changed) followLogs(c);
  $("#details-title").scrollIntoView({ block: "nearest" });
}

function showDetails(c) {
  $("#details-title").textContent = "Details: " + (c.name || shortId(c));
  const rows = [
    ["ID", c.id], ["Name", c.name || "-"], ["Status", c.statusText],
    ["Exit code", c.exitCode === null || c.exitCode === undefined ? "-" : String(c.exitCode)],
    ["Command", (c.args || []).join(" ") || "sh"], ["Root filesystem", c.rootfs],
    ["Created", c.created], ["Started", c.startedAt || "-"], ["Finished", c.finishedAt || "-"],
    ["Hostname", c.hostname], ["Network", c.address.startsWith("(") ? c.network : c.network + " (" + c.address + ")"],
    ["Ports", (c.ports || []).join(", ") || "-"],
    ["Limits", "CPU " + (c.cpuLimit || "max") + ", memory " + (c.memoryLimit || "max") + ", pids " + (c.pidsLimit || "max")],
    ["Mounts", ["/ (" + c.storage + (c.readOnly ? ", read-only" : "") + ")"].concat(c.volumes || []).join(", ")],
    ["Namespaces", "mount, uts, ipc, pid" + (c.network === "host" ? "" : ", network") + (c.userns ? ", user (" + c.userns + ")" : "")],
    ["Runtime", c.runtime], ["Cgroup", c.cgroupsPath || "-"], ["Remove on exit", c.autoRemove ? "yes" : "no"],
  ];
  const dl = $("#summary");
  dl.replaceChildren();
  for (const [k, v] of rows) { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v === undefined ? "-" : String(v))); }
  $("#stop").disabled = c.status !== "running";
  drawChart(state.history.get(c.id) || []);
}

function closeDetails() {
  state.selected = null;
  if (state.logAbort) state.logAbort.abort();
  $("#details").hidden = true;
}

// Both lines are percents (CPU of one CPU, memory of its limit or of 1 GiB), on a scale that
// grows with the highest value shown; the time axis grows from 1 to 5 minutes.
function drawChart(points) {
  const cv = $("#chart");
  const g = cv.getContext("2d");
  const w = cv.width, h = cv.height;
  g.clearRect(0, 0, w, h);
  const now = Date.now();
  const span = Math.min(5 * 60 * 1000, Math.max(60 * 1000, points.length ? now - points[0].at : 0));
  const mem = (p) => (100 * p.memory) / (p.memoryLimit || 1024 * 1024 * 1024);
  let top = 10;
  for (const p of points) top = Math.max(top, p.cpuPercent * 1.2, mem(p) * 1.2);
  g.strokeStyle = "#d9dde5";
  g.fillStyle = "#5c6475";
  g.font = "11px sans-serif";
  g.lineWidth = 1;
  for (let y = 0; y <= 4; y++) { g.beginPath(); g.moveTo(0, (h * y) / 4); g.lineTo(w, (h * y) / 4); g.stroke(); }
  g.fillText(top.toFixed(0) + " %", 4, 12);
  g.fillText("-" + Math.round(span / 60000) + " min", 4, h - 4);
  const line = (color, value) => {
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    points.forEach((p, i) => {
      const x = w - ((now - p.at) / span) * w, y = h - (value(p) / top) * (h - 4) - 2;
      if (i) g.lineTo(x, y); else g.moveTo(x, y);
    });
    g.stroke();
  };
  line("#1f5fbf", (p) => p.cpuPercent);
  line("#c2570c", mem);
}

// logs -f: the server streams one JSON record a line for as long as the container runs.
async function followLogs(c) {
  if (state.logAbort) state.logAbort.abort();
  const abort = new AbortController();
  state.logAbort = abort;
  const pre = $("#logs");
  pre.replaceChildren();
  const max = 5000;
  try {
    const res = await api("/containers/" + c.id + "/logs?follow=1&tail=1000", { signal: abort.signal });
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += dec.decode(value, { stream: true });
      const lines = rest.split("\n");
      rest = lines.pop();
      const stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      const frag = document.createDocumentFragment();
      for (const l of lines) {
        if (!l) continue;
        const r = JSON.parse(l);
        if (r.error) { frag.appendChild(el("span", "[" + r.error + "]\n", "stderr")); continue; }
        frag.appendChild(el("span", r.log, r.stream === "stderr" ? "stderr" : ""));
      }
      pre.appendChild(frag);
      while (pre.childNodes.length > max) pre.removeChild(pre.firstChild);
      if (stick) pre.scrollTop = pre.scrollHeight;
    }
    if (state.logAbort === abort) pre.appendChild(el("span", "[the container stopped]\n", "stderr"));
  } catch (e) {
    if (e.name !== "AbortError") pre.appendChild(el("span", "[logs: " + e.message + "]\n", "stderr"));
  }
}

async function act(what, confirmText, call) {
  const c = state.containers.find((x) => x.id === state.selected);
  if (!c || !window.confirm(confirmText.replace("%s", c.name || shortId(c)))) return;
  say(what + " " + (c.name || shortId(c)) + "…");
  try {
    await call(c);
    say(what + " " + (c.name || shortId(c)) + ": done");
  } catch (e) {
    say(what + " failed: " + e.message);
  }
  await refresh();
}

$("#stop").addEventListener("click", () =>
  act("Stopping", "Stop %s? (SIGTERM, then SIGKILL after 10 s)", (c) => api("/containers/" + c.id + "/stop", { method: "POST" })));
$("#remove").addEventListener("click", () =>
  act("Removing", "Remove %s with its files and log? A running container is killed first.", async (c) => {
    await api("/containers/" + c.id + "?force=1", { method: "DELETE" });
    closeDetails();
  }));
$("#close").addEventListener("click", closeDetails);
document.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && state.selected) closeDetails(); });

// The command field, split as a shell would split words (quotes, backslashes), no expansion.
function splitWords(text) {
  const words = [];
  let cur = null, quote = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') { quote = ch; cur = cur || ""; }
    else if (ch === "\\" && i + 1 < text.length) cur = (cur || "") + text[++i];
    else if (/\s/.test(ch)) { if (cur !== null) words.push(cur); cur = null; }
    else cur = (cur || "") + ch;
  }
  if (quote) throw new Error("Command: unterminated " + quote + " quote");
  if (cur !== null) words.push(cur);
  return words;
}

const lines = (text) => text.split("\n").map((s) => s.trim()).filter((s) => s);

// The same rules as `gocker run` (the server checks again and its error is shown as it is).
function formRequest(f) {
  const req = { rootfs: f.rootfs.value.trim(), args: splitWords(f.command.value) };
  if (!req.rootfs.startsWith("/")) throw new Error("Root filesystem: an absolute directory path, e.g. /srv/rootfs");
  for (const k of ["name", "hostname", "cpuLimit", "memoryLimit", "pidsLimit", "network"]) req[k] = f[k].value.trim();
  if (req.name && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/.test(req.name))
    throw new Error("Name: letters, digits, _ . - (starting with a letter or digit), at most 64");
  if (req.cpuLimit && !/^(max|\d+(\.\d+)?)$/.test(req.cpuLimit)) throw new Error("CPU limit: a number of CPUs (0.5, 2) or max");
  if (req.memoryLimit && !/^(max|\d+[kKmMgGtT]?[bB]?)$/.test(req.memoryLimit)) throw new Error("Memory limit: a size (64M, 1G) or max");
  if (req.pidsLimit && !/^(max|\d+)$/.test(req.pidsLimit)) throw new Error("PIDs limit: a number or max");
  req.volumes = lines(f.volumes.value);
  for (const v of req.volumes) if (!/^\/[^:]*:\/[^:]*(:(ro|rw))?$/.test(v)) throw new Error("Volume " + v + ": expected /SRC:/DST[:ro]");
  req.ports = lines(f.ports.value);
  for (const p of req.ports) if (!/^([0-9.]+:)?\d+:\d+(\/(tcp|udp))?$/.test(p)) throw new Error("Port " + p + ": expected [IP:]HOST:CTR[/tcp|udp]");
  req.env = lines(f.env.value);
  for (const e of req.env) if (!/^[^=]+=/.test(e)) throw new Error("Environment " + e + ": expected K=V");
  req.readOnly = f.readOnly.checked;
  req.rm = f.rm.checked;
  return req;
}

$("#create").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target, err = $("#form-error");
  err.textContent = "";
  let req;
  try { req = formRequest(f); } catch (e) { err.textContent = e.message; return; }
  const button = f.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const c = await (await api("/containers", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req) })).json();
    say("Created " + (c.name || shortId(c)));
    await refresh();
    select(c.id);
  } catch (e) {
    err.textContent = "The server refused: " + e.message;
  } finally {
    button.disabled = false;
  }
});

refresh();
setInterval(refresh, 2000);
