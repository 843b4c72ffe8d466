// Browser journeys through the wangge web UI in headless Chromium (Debian's /usr/bin/chromium).
// Starts `wangge demo` on a free loopback port in a temporary data dir, then walks the main
// paths as a person would: an administrator changes the tree, a grid worker sees only the grid.
// Prints "N passed, N failed" and exits non-zero on any failure.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = process.env.WANGGE_BIN || join(process.env.CARGO_TARGET_DIR || "target", "debug", "wangge");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function waitUp(base, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try { if ((await fetch(base + "/healthz")).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("wangge did not start");
}

const results = [];
async function journey(name, fn) {
  try { await fn(); results.push([name, null]); console.log(`ok   ${name}`); }
  catch (e) { results.push([name, e]); console.log(`FAIL ${name}: ${e.message}`); }
}
function check(cond, msg) { if (!cond) throw new Error(msg); }

const dir = mkdtempSync(join(tmpdir(), "wangge-e2e-"));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(bin, ["demo", "--listen", `127.0.0.1:${port}`, "--data-dir", dir], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, WANGGE_LOG: "warn" } });
const browser = await chromium.launch({
  executablePath: browserPath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function login(page, user) {
  await page.goto(base + "/login");
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", "wangge-demo");
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
}

try {
  await waitUp(base, 30000);

  await journey("an administrator adds a grid, renames it and sees it in the audit log", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await login(page, "qinghe-admin");
    await page.goto(base + "/org");
    await page.click("text=柳岸社区");
    check(await page.locator("svg.gridmap").count() === 1, "the community page has its grid map");
    await page.click("summary:has-text('添加下级')");
    await page.fill("form[action$='/children'] input[name=name]", "柳岸社区浏览器网格");
    await page.fill("form[action$='/children'] input[name=code]", "33019900100177");
    await Promise.all([page.waitForURL(/\/org\/nodes\/\d+$/), page.click("form[action$='/children'] button[type=submit]")]);
    check((await page.textContent(".flash.ok"))?.includes("已添加"), "a success message");
    await page.click("summary:has-text('修改名称和编码')");
    await page.fill("form[action$='/edit'] input[name=name]", "柳岸社区第七网格");
    await Promise.all([page.waitForNavigation(), page.click("form[action$='/edit'] button[type=submit]")]);
    check((await page.textContent("h1"))?.includes("柳岸社区第七网格"), "the new name shows");
    await page.goto(base + "/audit");
    check((await page.content()).includes("柳岸社区第七网格"), "the audit log records it");
    await page.close();
  });

  await journey("a bad boundary is refused with a Chinese message", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await login(page, "admin");
    await page.goto(base + "/org?q=柳岸社区第一网格");
    await page.click(".card ul.plain a:has-text('柳岸社区第一网格')");
    await page.click("summary:has-text('设置边界')");
    await page.fill("form[action$='/boundary'] textarea", '{"type":"Point","coordinates":[120,30]}');
    await Promise.all([page.waitForNavigation(), page.click("form[action$='/boundary'] button.primary")]);
    check((await page.textContent(".flash.err"))?.includes("边界不是有效的多边形"), "the error is shown");
    await page.close();
  });

  await journey("a grid worker on a phone sees only the grid", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await login(page, "wgy-liuan-1");
    await page.goto(base + "/org");
    const text = await page.textContent("ul.tree");
    check(text.includes("柳岸社区第一网格"), "the own grid is listed");
    check(text.includes("1幢"), "with its buildings");
    check(!text.includes("柳岸社区第二网格"), "the sibling grid is not");
    await page.click("button.navtoggle");
    check(await page.isVisible("#sidenav a:has-text('我的账号')"), "the phone menu opens");
    await page.click("text=退出");
    await page.waitForURL(/\/login/);
    await page.close();
  });
} finally {
  await browser.close();
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}

const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
