// Browser journeys through the wangge web UI in headless Chromium (Debian's /usr/bin/chromium).
// Starts `wangge demo` on a free loopback port in a temporary data dir, then walks the main
// paths as a person would: an administrator changes the tree, a grid worker sees only the grid,
// and a case goes round the loop (report → dispatch → feedback → verify → rate → close) as the
// resident, the community secretary and the grid worker, each in their own browser session.
// Someone without an account reports from a phone, placing it by building search and by the
// phone's position, and follows it by its link and by its number.
// Prints "N passed, N failed" and exits non-zero on any failure.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
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

if (!existsSync(browserPath)) {
  console.log(`SKIPPED: no Chromium at ${browserPath} (install Debian's chromium or set CHROMIUM); the browser journeys did not run.`);
  process.exit(0);
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
  // The debug build makes the demo street in about 45 s (its party life included).
  await waitUp(base, 150000);

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

  await journey("a case goes round the loop: report, dispatch, feedback, verify, rate, close", async () => {
    // A resident reports from a phone, with a photo and a building.
    const res = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await login(res, "jm-liuan");
    await res.goto(base + "/cases/new");
    await res.fill("input[name=title]", "浏览器上报：楼道堆物堵住通道");
    await res.fill("textarea[name=description]", "三单元楼道里堆放了旧家具和纸箱，堆物堵住通道，老人上下楼不方便");
    await res.waitForSelector("#suggest:not([hidden])", { timeout: 5000 });
    check((await res.textContent("#suggest")).length > 0, "a category is suggested as the resident types");
    check((await res.textContent("#suggest")).includes("楼道堆物"), "the suggestion names the category");
    await res.selectOption("select[name=category]", "WY03");
    await res.selectOption("select[name=building_id]", { index: 1 });
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
    await res.setInputFiles("input[name=photos]", { name: "灯.png", mimeType: "image/png", buffer: png });
    await Promise.all([res.waitForURL(/\/cases\/\d+$/), res.click("form[action^='/cases/new'] button[type=submit]")]);
    const flash = await res.textContent(".flash.ok");
    check(flash.includes("已上报"), "the resident is told the case number");
    const caseUrl = res.url();
    const caseNo = (await res.textContent(".facts code")).trim();
    check(/^\d{4}-\d{6}$/.test(caseNo), `a case number like 2026-000123 (${caseNo})`);
    check(await res.locator(".cols .photos:not(.small) img").count() === 1, "the photo is on the case page");
    check((await res.request.get(base + await res.locator(".photos img").first().getAttribute("src"))).ok(), "the photo is served to its reporter");
    check((await res.textContent(".status.big")).includes("待受理"), "it waits to be accepted");

    // The community secretary accepts and dispatches to the suggested grid.
    const sj = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await login(sj, "liuan-sj");
    await sj.goto(base + "/todo");
    check((await sj.content()).includes(caseNo), "the case is in the secretary's to-do");
    await sj.goto(caseUrl);
    const act = async (page, action, fill) => {
      const form = page.locator(`form:has(input[name=action][value=${action}])`);
      await form.locator("xpath=ancestor::details").evaluate((d) => { d.open = true; });
      if (fill) await fill(form);
      await Promise.all([page.waitForNavigation(), form.locator("button[type=submit]").click()]);
      const ok = page.locator(".flash.ok");
      check(await ok.count() === 1, `${action}: ${await page.locator(".flash").first().textContent().catch(() => "no message")}`);
    };
    await act(sj, "accept");
    await act(sj, "dispatch", async (f) => {
      const chosen = await f.locator("select[name=target]").inputValue();
      check(chosen !== "", "the routing suggestion is preselected");
    });
    check((await sj.textContent(".status.big")).includes("待签收"), "dispatched, waiting for the grid worker");

    // The grid worker acknowledges on a phone, reports the fix with a photo, verifies.
    const w = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await login(w, "wgy-liuan-1");
    await w.goto(base + "/todo");
    check((await w.content()).includes(caseNo), "the case is in the grid worker's to-do");
    await w.goto(caseUrl);
    await act(w, "acknowledge");
    await act(w, "feedback", async (f) => {
      await f.locator("textarea[name=text]").fill("已联系住户清走旧家具和纸箱，楼道恢复畅通");
      await f.locator("input[name=photos]").setInputFiles({ name: "修好.png", mimeType: "image/png", buffer: png });
    });
    await act(w, "verify", async (f) => { await f.locator("input[name=passed][value=yes]").check(); });
    check((await w.textContent(".status.big")).includes("待评价"), "verified, waiting for the reporter's rating");

    // The resident rates; the case closes and the timeline tells the whole story.
    await res.goto(caseUrl);
    await act(res, "rate", async (f) => {
      await f.locator("input[name=contacted][value=yes]").check();
      await f.locator("input[name=solved][value=yes]").check();
      await f.locator("input[name=satisfaction][value=satisfied]").check();
      await f.locator("textarea[name=text]").fill("修得很快，谢谢");
    });
    check((await res.textContent(".status.big")).includes("已结案"), "the case is closed");
    const timeline = await res.textContent(".timeline");
    for (const step of ["上报", "受理", "派遣", "签收", "反馈", "核查", "评价"]) {
      check(timeline.includes(step), `the timeline shows ${step}`);
    }
    for (const p of [res, sj, w]) await p.close();
  });

  await journey("someone without an account places a report by building search and position, then follows it by link or number", async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, geolocation: { latitude: 30.2105, longitude: 120.1103 }, permissions: ["geolocation"] });
    const pub = await ctx.newPage();
    await pub.goto(base + "/report");
    check(await pub.locator("input[name=lat]:not([type=hidden])").count() === 0, "no coordinates to type");
    await pub.click("button[data-locate]");
    await pub.waitForFunction(() => document.querySelector("[data-place-info]").textContent.includes("已定位"));
    check((await pub.textContent("[data-place-info]")).includes("网格"), "the position names its grid");
    await pub.fill("input[data-place-search]", "柳岸 3幢");
    await pub.waitForSelector(".placehit");
    check((await pub.textContent(".placehit")).includes("3幢"), "the building is found by what people call it");
    await pub.click(".placehit");
    check((await pub.inputValue("input[name=building_id]")) !== "", "the pick sets the building");
    await pub.fill("input[name=title]", "浏览器匿名反映：东门路灯不亮");
    await pub.fill("textarea[name=description]", "小区东门路灯坏了三天，晚上很黑");
    await pub.fill("input[name=reporter_phone]", "13912345678");
    await Promise.all([pub.waitForLoadState("load"), pub.click("form[action^='/report'] button[type=submit]")]);
    check(await pub.locator("svg.qr").count() === 1, "a QR code of the follow-up link");
    const link = await pub.getAttribute("a.btn.primary", "href");
    check(link.startsWith(base + "/track/"), `a whole link (${link})`);
    const caseNo = (await pub.textContent(".caseno")).trim();
    await pub.goto(link);
    check((await pub.textContent("h1")).includes("东门路灯"), "the link opens the case");
    // Without the link: the number and the phone's last four digits.
    const other = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const p2 = await other.newPage();
    await p2.goto(base + "/track");
    await p2.fill("input[name=no]", caseNo);
    await p2.fill("input[name=tail]", "5678");
    await Promise.all([p2.waitForURL(/\/track\/.+\?g=/), p2.click("button[type=submit]")]);
    check((await p2.textContent("h1")).includes("东门路灯"), "the lookup opens the case");
    // The community finds it placed on its grid, not "outside every grid".
    const sj = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await login(sj, "liuan-sj");
    await sj.goto(base + "/cases?q=" + encodeURIComponent(caseNo));
    await sj.click(`text=${caseNo}`);
    check(!(await sj.content()).includes("不在网格内"), "placed on its grid");
    for (const c of [ctx, other]) await c.close();
    await sj.close();
  });

  await journey("the command centre drills down its map, reads its warnings and lists, and the wall refreshes", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await login(page, "qinghe-zz");
    await page.goto(base + "/stats/dashboard");
    check((await page.textContent("h1"))?.includes("清河街道"), "the street's dashboard");
    check(await page.locator("svg.gridmap a").count() >= 2, "the communities on the map");
    check((await page.textContent("body")).includes("您今天值班"), "today's duty knows who is on it");
    await Promise.all([page.waitForNavigation(), page.click("svg.gridmap a >> nth=0")]);
    check((await page.textContent("h1"))?.includes("社区"), "a community's dashboard by its map");
    check(await page.locator("a:has-text('返回清河街道')").count() === 1, "and the way back up");
    await page.click("a:has-text('超期件数')");
    check(page.url().includes("map=overdue"), "the map switches to overdue");
    await page.goto(base + "/stats/warnings");
    check((await page.textContent("body")).includes("每月一题候选"), "the warnings");
    await page.fill("form.row input[name=word]", "漏水");
    await Promise.all([page.waitForNavigation(), page.click("form.row button[type=submit]")]);
    check((await page.textContent(".flash.ok"))?.includes("已增加"), "a watched word added");
    await page.goto(base + "/stats/lists");
    check(await page.locator("table").count() >= 1, "the three lists");
    await page.goto(base + "/stats/report");
    check((await page.textContent("article.report")).includes("一、工作情况"), "the monthly report");
    const wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await login(wall, "qinghe-zz");
    await wall.goto(base + "/stats/screen");
    check(await wall.locator("meta[http-equiv=refresh]").count() === 1, "the wall refreshes itself");
    check(!(await wall.content()).includes("彭晓梅"), "and names nobody");
    await wall.close();
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
