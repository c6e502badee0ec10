// zwerm dashboard: reads the node's views from /api/ and redraws a community when /events
// says a record of it was applied. Builds every element with the DOM (never innerHTML), so
// names and titles written by members are text, never markup.
"use strict";

const state = { communities: [], current: null, members: new Map(), version: 0, timer: null };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function fill(id, ...nodes) {
  const target = document.getElementById(id);
  target.replaceChildren(...nodes);
  return target;
}

function text(id, value) {
  document.getElementById(id).textContent = value;
}

async function api(name, params) {
  const q = new URLSearchParams(params || {});
  const res = await fetch(`/api/${name}?${q}`, { credentials: "same-origin" });
  if (!res.ok) {
    let why = res.statusText;
    try { why = (await res.json()).error || why; } catch (_) { /* not JSON */ }
    throw new Error(`${name}: ${why}`);
  }
  return res.json();
}

function ago(ts) {
  if (!ts) return "never";
  const s = Math.max(0, (Date.now() - ts) / 1000);
  if (s < 90) return "just now";
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

function nameOf(id) {
  return state.members.get(id) || (id ? id.slice(0, 8) : "?");
}

function count(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function empty(what) {
  return el("li", { class: "empty" }, what);
}

// ---- sections --------------------------------------------------------------------------

function drawPulse(p) {
  const weeks = p.weeks || [];
  const W = 720, H = 180, left = 28, bottom = 20, top = 8;
  const maxR = Math.max(1, ...weeks.map((w) => w.records));
  const maxA = Math.max(1, ...weeks.map((w) => w.active_members));
  const bw = (W - left) / Math.max(1, weeks.length);
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
                         "aria-label": "records (bars) and active members (line) per week" });
  const y = (v, max) => H - bottom - (v / max) * (H - bottom - top);
  s.append(svg("line", { class: "axis", x1: left, y1: H - bottom, x2: W, y2: H - bottom }));
  s.append(svg("text", { x: 0, y: top + 10 }, String(maxR)));
  s.append(svg("text", { x: 0, y: H - bottom }, "0"));
  let line = "";
  weeks.forEach((w, i) => {
    const x = left + i * bw;
    const h = H - bottom - y(w.records, maxR);
    const bar = svg("rect", { class: "records", x: x + 1, y: H - bottom - h,
                              width: Math.max(1, bw - 2), height: h });
    bar.append(svg("title", {}, `week of ${new Date(w.week_start_ts).toISOString().slice(0, 10)}: ` +
                   `${w.records} records, ${w.active_members} active members`));
    s.append(bar);
    line += `${line ? "L" : "M"}${(x + bw / 2).toFixed(1)},${y(w.active_members, maxA).toFixed(1)} `;
    if (i % 13 === 0) {
      s.append(svg("text", { class: "muted", x, y: H - 5 },
                   new Date(w.week_start_ts).toISOString().slice(0, 7)));
    }
  });
  if (line) s.append(svg("path", { class: "active", d: line }));
  fill("pulse-chart", s);
  const warning = document.getElementById("pulse-warning");
  if (p.fading) {
    warning.textContent = `Fading: ${p.records_last_4_weeks} records in the last 4 weeks, ` +
      `fewer than half of the ${p.records_8_weeks_before} in the 8 weeks before.`;
    warning.hidden = false;
  } else {
    warning.hidden = true;
  }
  const total = weeks.reduce((a, w) => a + w.records, 0);
  text("pulse-note", `${total} records in ${weeks.length} weeks; ` +
       `${p.records_last_4_weeks} in the last 4 (bars: records, line: active members).`);
}

function drawBalance(b) {
  const rows = [...(b.members || [])].sort((a, c) => (c.given + c.taken) - (a.given + a.taken) ||
                                                     a.name.localeCompare(c.name)).slice(0, 40);
  const W = 480, rowH = 22, mid = 240, label = 110;
  const max = Math.max(1, ...rows.map((r) => Math.max(r.given, r.taken)));
  const s = svg("svg", { viewBox: `0 0 ${W} ${Math.max(1, rows.length) * rowH + 18}`,
                         role: "img", "aria-label": "given and taken per member" });
  s.append(svg("text", { class: "muted", x: mid + 4, y: 12 }, "given →"));
  s.append(svg("text", { class: "muted", x: mid - 60, y: 12 }, "← taken"));
  rows.forEach((r, i) => {
    const y = 18 + i * rowH;
    const scale = (mid - label) / max;
    s.append(svg("text", { x: 0, y: y + 14 }, r.name || r.id.slice(0, 8)));
    s.append(svg("rect", { class: "taken", x: mid - r.taken * scale, y: y + 3,
                           width: r.taken * scale, height: rowH - 8 }));
    s.append(svg("rect", { class: "given", x: mid, y: y + 3, width: r.given * ((W - mid - 40) / max),
                           height: rowH - 8 }));
    const flags = (r.flags || []).map((f) => (f === "carries" ? "carries" : "only asks")).join(", ");
    s.append(svg("text", { class: "muted", x: mid + 4 + r.given * ((W - mid - 40) / max), y: y + 14 },
                 `${r.given}/${r.taken}${flags ? " " + flags : ""}`));
  });
  fill("balance-chart", s).dataset.members = String(rows.length);
}

function drawTies(t) {
  document.getElementById("ties-img").src =
    `/api/ties.svg?${new URLSearchParams({ community: state.current, v: String(state.version) })}`;
  text("ties-summary", `${t.active_members} active members, ${t.ties} ties of ` +
       `${t.possible_ties} possible (density ${t.density.toFixed(2)}), ` +
       `${t.isolated_count} without ties, ${count(t.components, "group", "groups")}.`);
}

function drawMembers(m) {
  text("members-count", `${m.active} active of ${m.total}` +
       (m.next_cursor ? `, the first ${m.members.length} shown` : ""));
  fill("members-rows", ...m.members.map((r) => el("tr", { "data-id": r.id },
    el("td", {}, r.name || r.id.slice(0, 8)),
    el("td", { class: "hide-narrow" }, (r.skills || []).join(", ")),
    el("td", { class: "n" }, r.records), el("td", { class: "n" }, r.given),
    el("td", { class: "n" }, r.taken), el("td", { class: "hide-narrow" }, ago(r.last_active_ts)))));
}

// Each request comes with the members who know its first tag best, its author left out
// (/api/requests asks the node for them: no lookup per request).
function drawRequests(r) {
  text("requests-count", `${r.open} open, ${r.answered} answered`);
  const items = r.requests.slice(0, 20).map((q) => {
    const li = el("li", { "data-id": q.id }, el("strong", {}, q.title), " ",
                  el("span", { class: "meta" }, `asked by ${q.author.name} ${ago(q.ts)}`));
    for (const t of q.tags) li.append(" ", el("span", { class: "tag" }, t));
    if (q.tags.length) {
      const names = ((q.who_knows || {}).members || []).slice(0, 3)
        .map((m) => m.name || m.id.slice(0, 8));
      li.append(el("div", { class: "meta" },
                   names.length ? `who knows ${q.tags[0]}: ${names.join(", ")}` :
                                  `nobody has shown ${q.tags[0]} yet`));
    }
    return li;
  });
  fill("requests-list", ...(items.length ? items : [empty("no open requests")]));
}

function drawAgreements(c, p) {
  const agreements = (c.agreements || []).map((a) => el("li", {}, a.text, " ",
    el("span", { class: "meta" }, `proposed by ${a.proposed_by.name}, adopted ${ago(a.adopted_ts)}`)));
  fill("agreements-list", ...(agreements.length ? agreements : [empty("no agreements yet")]));
  const open = (p.proposals || []).map((x) => el("li", { "data-id": x.id },
    el("strong", {}, x.action), " ", x.text || (x.member ? x.member.name : ""), " ",
    el("span", { class: "meta" },
       `${x.active_endorsers} of ${p.endorsers_needed_now} endorsements; by ${x.author.name}; ` +
       `endorsed by ${x.endorsers.map(nameOf).join(", ")}`)));
  fill("proposals-list", ...(open.length ? open : [empty("no open proposals")]));
}

function drawCircles(c) {
  const items = (c.circles || []).map((x) => el("li", {}, el("strong", {}, x.name), " ",
    x.purpose, " ", el("span", { class: "meta" },
      `${count(x.members.length, "member", "members")}, ${count(x.records, "record", "records")}, ` +
      `opened by ${x.opened_by.name}`)));
  fill("circles-list", ...(items.length ? items : [empty("no circles")]));
}

function drawSteward(c, h) {
  text("steward-now", c.steward ? `${c.steward.name || c.steward.id.slice(0, 8)} is the steward.` :
                                   "No steward.");
  const items = (h.entries || []).map((e) => el("li", {},
    `${e.author.name} handed over to ${nameOf(e.body && e.body.to)}`, " ",
    el("span", { class: "meta" }, ago(e.ts))));
  fill("handovers-list", ...(items.length ? items : [empty("no handovers yet")]));
}

function drawSync(s, name) {
  const peers = (s.peers || []).filter((p) => p.community === name);
  fill("peers-rows", ...(peers.length ? peers.map((p) => el("tr", {},
    el("td", {}, p.name || p.member.slice(0, 8)), el("td", {}, p.direction),
    el("td", {}, p.endpoint), el("td", {}, ago(p.since_ts)))) :
    [el("tr", {}, el("td", { colspan: "4", class: "empty" }, "no peer connected"))]));
  const behind = (s.lag || []).filter((l) => l.community === name && l.behind > 0);
  text("sync-lag", behind.length ?
       `behind on ${behind.length} feeds: ` +
       behind.map((l) => `${l.name || l.member.slice(0, 8)} by ${l.behind}`).join(", ") :
       "caught up with every feed the peers announced");
}

// ---- loading -----------------------------------------------------------------------------

function drawNav() {
  fill("communities", ...state.communities.map((c) => {
    const a = el("a", { href: `#${c.id}` }, c.name);
    if (c.id === state.current) a.setAttribute("aria-current", "true");
    return a;
  }));
}

// One request reads everything the page draws (/api/overview): the communities, the one shown
// (the one the address names, else the default, else the first) and each section's view.
async function load() {
  const wanted = location.hash.slice(1);
  const all = await api("overview", wanted ? { community: wanted } : {});
  state.communities = all.communities;
  if (!state.communities.length || !all.current) {
    text("title", "zwerm");
    text("purpose", "This node is in no community yet.");
    return;
  }
  state.current = all.current;
  drawNav();
  const { community, members, pulse, balance, ties, requests, proposals, circles, handovers,
          status } = all;
  state.members = new Map(members.members.map((m) => [m.id, m.name || m.id.slice(0, 8)]));
  text("title", community.name);
  text("purpose", community.purpose);
  document.title = `${community.name} · zwerm`;
  drawPulse(pulse);
  drawBalance(balance);
  drawTies(ties);
  drawMembers(members);
  drawAgreements(community, proposals);
  drawCircles(circles);
  drawSteward(community, handovers);
  drawSync(status, community.name);
  drawRequests(requests);
  state.version += 1;
  document.body.dataset.version = String(state.version);
}

function reload() {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => load().catch(showError), 100);
}

function showError(e) {
  const live = document.getElementById("live");
  live.dataset.state = "error";
  live.textContent = `could not load: ${e.message}`;
}

function listen() {
  const live = document.getElementById("live");
  const events = new EventSource("/events");
  events.addEventListener("open", () => {
    live.dataset.state = "live";
    live.textContent = "live";
    // A stream closed for falling behind (a big catch-up) missed events: read everything again.
    if (state.version > 0) reload();
  });
  events.addEventListener("error", () => {
    live.dataset.state = "connecting";
    live.textContent = "reconnecting…";
  });
  events.addEventListener("record", (e) => {
    const r = JSON.parse(e.data);
    if (r.community === state.current || !state.current) reload();
  });
}

window.addEventListener("hashchange", reload);
document.addEventListener("DOMContentLoaded", () => {
  load().catch(showError);
  listen();
});
