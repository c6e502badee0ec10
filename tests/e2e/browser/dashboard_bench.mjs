// The dashboard's figures on a big community (docs/PERFORMANCE.md, "The dashboard"): zwermd
// started on an existing home (bench_daemon's 10,000-member, 1,000,000-record home), headless
// chromium signed in once, then RUNS reloads of the page, each measured inside the page:
//   - first paint with data: from the navigation's start to the moment the page's loader has
//     drawn every section (body[data-version] set), and chromium's own first-contentful-paint;
//   - page weight: the bytes of every response of that load;
// and, in the same run, the baseline (one trivial view, /api/communities, fetched by the page,
// median of 15) and each view the page reads, fetched alone (median of 5), to show where the
// time goes (and /api/overview, which the page reads them all through); then zwermd's resident
// memory with the page and its event stream open.
// Usage: node dashboard_bench.mjs BIN_DIR OUT_DIR HOME [RUNS] (run_dashboard_test --bench).
import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(path.join(process.cwd(), "package.json"));
const puppeteer = require("puppeteer-core");
const [binDir, outDir, home, runsArg] = process.argv.slice(2);
const runs = Math.max(1, Number(runsArg || 5));
if (!home || !fs.existsSync(path.join(home, "config.json"))) {
  console.error("usage: dashboard_bench.mjs BIN_DIR OUT_DIR HOME [RUNS] (HOME: a zwerm home)");
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function zwerm(...args) {
  return JSON.parse(execFileSync(path.join(binDir, "zwerm"), ["--home", home, "--json", ...args],
                                 { encoding: "utf8", timeout: 120_000, maxBuffer: 256 * 1024 * 1024,
                                   stdio: ["ignore", "pipe", "pipe"] }));
}

const log = fs.openSync(path.join(outDir, "zwermd-bench.log"), "w");
const daemon = spawn(path.join(binDir, "zwermd"), ["--home", home, "--http", "127.0.0.1:0"],
                     { stdio: ["ignore", log, log] });

async function stop() {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  daemon.kill("SIGTERM");
  const done = await Promise.race([new Promise((r) => daemon.once("exit", () => r(true))),
                                   sleep(60_000).then(() => false)]);
  if (!done) daemon.kill("SIGKILL");
}

async function main() {
  let url = null;
  const until = Date.now() + 180_000;  // a million-record start takes seconds
  while (!url && Date.now() < until) {
    try { url = zwerm("dashboard").url; } catch (_) { await sleep(200); }
  }
  if (!url) throw new Error("zwermd did not serve its dashboard within 180 s");
  const base = new URL(url).origin;
  const community = zwerm("status").communities[0];

  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    let bytes = 0;
    page.on("response", (r) => { bytes += Number(r.headers()["content-length"] || 0); });
    // The moment the loader marks the page drawn, on the page's own clock.
    await page.evaluateOnNewDocument(() => {
      window.__drawn = null;
      new MutationObserver(() => {
        if (window.__drawn === null && document.body.dataset.version) {
          window.__drawn = performance.now();
        }
      }).observe(document, { attributes: true, subtree: true,
                                             attributeFilter: ["data-version"] });
    });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(url, { waitUntil: "load" });  // signs in (sets the cookie); not measured
    await page.waitForSelector("body[data-version]", { timeout: 60_000 });

    const loads = [];
    for (let i = 0; i < runs; i++) {
      bytes = 0;
      await page.goto(`${base}/`, { waitUntil: "load" });
      await page.waitForSelector("body[data-version]", { timeout: 60_000 });
      await page.waitForFunction(() => document.getElementById("ties-img").complete,
                                 { timeout: 60_000 });
      const t = await page.evaluate(() => ({
        drawn: window.__drawn,
        fcp: (performance.getEntriesByName("first-contentful-paint")[0] || {}).startTime ?? null,
      }));
      loads.push({ drawn_ms: t.drawn, fcp_ms: t.fcp, bytes });
    }

    const views = await page.evaluate(async (c) => {
      const time = async (target, n) => {
        const ts = [];
        let size = 0;
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          size = (await (await fetch(target)).arrayBuffer()).byteLength;
          ts.push(performance.now() - t0);
        }
        ts.sort((a, b) => a - b);
        return { ms: Number(ts[Math.floor(n / 2)].toFixed(2)), bytes: size };
      };
      const q = `community=${encodeURIComponent(c)}`;
      const out = { baseline_communities: await time("/api/communities", 15) };
      for (const v of ["community", "members", "pulse", "balance", "ties", "requests",
                       "proposals", "circles", "handovers"]) {
        out[v] = await time(`/api/${v}?${q}`, 5);
      }
      out.status = await time("/api/status", 5);
      out["ties.svg"] = await time(`/api/ties.svg?${q}`, 5);
      // The page's first load reads all of the above but the picture in this one request.
      out.overview = await time(`/api/overview?${q}`, 5);
      return out;
    }, community.id);

    const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${daemon.pid}/status`, "utf8"));
    const drawn = median(loads.map((l) => l.drawn_ms));
    const figures = {
      community: { name: community.name, active_members: community.active_members,
                   records: community.records },
      runs: loads,
      first_paint_with_data_ms: Number(drawn.toFixed(1)),
      first_contentful_paint_ms: Number(median(loads.map((l) => l.fcp_ms)).toFixed(1)),
      page_bytes: median(loads.map((l) => l.bytes)),
      baseline_view_ms: views.baseline_communities.ms,
      first_paint_over_baseline: Number((drawn / views.baseline_communities.ms).toFixed(1)),
      views,
      zwermd_rss_kib_with_page_open: rss ? Number(rss[1]) : null,
      console_errors: errors,
    };
    fs.writeFileSync(path.join(outDir, "bench-figures.json"), JSON.stringify(figures, null, 2) + "\n");
    console.log(JSON.stringify(figures, null, 2));
    if (errors.length) process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

try {
  await main();
} catch (e) {
  console.error(String(e && e.stack || e));
  process.exitCode = 1;
} finally {
  await stop();
}
