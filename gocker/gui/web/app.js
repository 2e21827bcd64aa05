// gocker's web console. Everything from the server is put in the page with textContent.
"use strict";
const token = new URLSearchParams(location.search).get("token") || "";
function api(path, opts = {}) {
  opts.headers = Object.assign({ "X-Gocker-Token": token }, opts.headers || {});
  return fetch("/api" + path, opts);
}
function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
}
async function refresh() {
  const res = await api("/containers");
  const list = await res.json();
  const body = document.querySelector("#containers tbody");
  body.replaceChildren();
  for (const c of list) {
    const tr = document.createElement("tr");
    [c.name || "-", c.id.slice(0, 12), c.statusText, (c.args || []).join(" "), "", c.address, "", "", ""].forEach((t) => cell(tr, t));
    body.appendChild(tr);
  }
}
refresh();
setInterval(refresh, 2000);
