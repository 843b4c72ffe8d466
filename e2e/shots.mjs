// Screenshots of pages as their users see them, at a phone's and a desk's width, for a person
// to look at: `node shots.mjs BASE OUT user:path[:name] …` (a running demo at BASE; `-` as the
// user for a page without an account). Not a test: it asserts nothing.
import { chromium } from "playwright-core";

const [base, out, ...specs] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
for (const spec of specs) {
  const [user, path, name] = spec.split("|");
  // SHOT_SIZES="1920x1080" for the wall; a phone's and a desk's width by default.
  const sizes = (process.env.SHOT_SIZES || "390x844,1440x900").split(",").map((s) => s.split("x").map(Number));
  for (const [w, h] of sizes) {
    const ctx = await browser.newContext({ viewport: { width: w, height: h }, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    if (user !== "-") {
      await page.goto(base + "/login");
      await page.fill("input[name=username]", user);
      await page.fill("input[name=password]", "wangge-demo");
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
    }
    await page.goto(base + path);
    await page.screenshot({ path: `${out}/${name || user}-${w}.png`, fullPage: w < 1900 });
    await ctx.close();
  }
}
await browser.close();
