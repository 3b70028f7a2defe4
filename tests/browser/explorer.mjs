// explorer.mjs - the explorer page in Debian's chromium, driven through the
// DevTools protocol by playwright-core (pinned in package.json and its lock
// file; no bundled browser). Run by tests/cli/explorer_browser.sh:
//   node explorer.mjs PAGE.html OUT_DIR [HASH]
// Loads the page from disk with the network off and checks: no console
// message or page error; the engine's CSV of each optimizer (written to
// OUT_DIR/csv<i>.txt with its hash for the shell to compare with `descent
// trace`); moving the lr slider by keyboard changes the path, its CSV and
// the hash; dragging on the map moves the start; a bad expression shows
// its column; screenshots at 375 px and 1280 px wide (OUT_DIR/shot-*.png).
import { chromium } from 'playwright-core';
import fs from 'fs';
import path from 'path';

const [page_file, out, hash = ''] = process.argv.slice(2);
const problems = [];
const fail = (msg) => { console.error('FAIL: ' + msg); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-extensions'],
});
try {
  const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  await context.route(/^(?!file:|data:)/, (route) => { problems.push('network: ' + route.request().url()); route.abort(); });
  const page = await context.newPage();
  page.on('console', (m) => problems.push('console ' + m.type() + ': ' + m.text()));
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  const url = 'file://' + path.resolve(page_file) + (hash ? '#' + hash : '');
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  const settled = async () => page.waitForFunction(
    () => document.body.dataset.csvFor && document.body.dataset.csvFor === location.hash.slice(1), null,
    { timeout: 30000 });
  await settled();

  // the data views, for the shell to compare with `descent trace`
  const dump = async (tag) => {
    const csvs = await page.$$eval('pre[data-trace-csv]', (els) => els.map((e) => e.textContent));
    const h = await page.evaluate(() => location.hash.slice(1));
    fs.writeFileSync(path.join(out, tag + '.hash'), h + '\n');
    csvs.forEach((c, i) => fs.writeFileSync(path.join(out, `${tag}.csv${i}`), c));
    return { csvs, h };
  };
  const before = await dump('loaded');
  if (before.csvs.length === 0) fail('no data-trace-csv element');

  // the first optimizer's lr slider, by keyboard
  const slider = page.locator('fieldset.opt').first().locator('input[type=range]').first();
  await slider.focus();
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
  await settled();
  const after = await dump('slider');
  if (after.h === before.h) fail('the hash did not change when the lr slider moved');
  if (after.csvs[0] === before.csvs[0]) fail('the path did not change when the lr slider moved');
  if (after.csvs.slice(1).join() !== before.csvs.slice(1).join()) fail('other optimizers changed');

  // drag on the map: the start follows
  await page.locator('#map').scrollIntoViewIfNeeded();
  const box = await page.locator('#map').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.6, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction((h) => location.hash.slice(1) !== h, after.h, { timeout: 30000 });
  await settled();
  const dragged = await dump('dragged');
  if (/start=-1.5,2(&|$)/.test(dragged.h) || dragged.h === after.h) fail('dragging did not move the start: ' + dragged.h);

  // a bad expression: the message names the column, the paths stay
  await page.fill('#fn-expr', 'x^2 + 10*');
  const msg = await page.textContent('#fn-error');
  if (!msg.includes('column 10: expected a number')) fail('bad expression message: ' + msg);
  await page.fill('#fn-expr', 'x^2 + 10*y^2');
  await settled();
  if ((await page.textContent('#fn-error')) !== '') fail('the error stayed after a good expression');
  const typed = await dump('typed');
  if (!typed.h.startsWith('fn=x^2%20%2B%2010*y^2&')) fail('the expression is not in the hash: ' + typed.h);

  // two widths, not blank
  for (const w of [375, 1280]) {
    await page.setViewportSize({ width: w, height: 900 });
    await page.screenshot({ path: path.join(out, `shot-${w}.png`), fullPage: true });
  }
  const shots = await page.evaluate(() => {
    const c = document.getElementById('map'), g = c.getContext('2d');
    const d = g.getImageData(0, 0, c.width, c.height).data, colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) colours.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
    return colours.size;
  });
  if (shots < 10) fail('the contour map has ' + shots + ' colours: blank?');
  if (process.env.DS_BENCH_REPS) {
    const r = await page.evaluate((n) => window.explorer.benchmark(n), Number(process.env.DS_BENCH_REPS));
    fs.writeFileSync(path.join(out, 'bench.json'), JSON.stringify(r) + '\n');
  }
} finally {
  await browser.close();
}
if (problems.length) fail('the page logged:\n  ' + problems.join('\n  '));
