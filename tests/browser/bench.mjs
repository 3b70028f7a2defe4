// bench.mjs - the explorer's redraw time in Debian's chromium, for
// BENCHMARKS.md (run by tools/bench-explorer.sh): node bench.mjs PAGE.html
// opens the page with 6 optimizers x 500 steps on rosenbrock and prints, as
// JSON, the median / min / max of 50 synchronous full redraws (every
// optimizer rerun by the engine, map, loss chart, surface, formulas and
// commands drawn) and the mean frame time of 120 animation frames that
// each do a full redraw (paint included; 16.7 ms = the 60 Hz frame rate).
import { chromium } from 'playwright-core';
import path from 'path';

const opts = ['adam:lr=0.05', 'sgd:lr=0.001', 'sgd:lr=0.001,momentum=0.9', 'nag:lr=0.001',
              'rmsprop:lr=0.01', 'adagrad:lr=0.5'];
const hash = 'fn=rosenbrock&start=-1.5,2&steps=500' + opts.map((o) => '&opt=' + o).join('');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--no-first-run', '--disable-extensions'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto('file://' + path.resolve(process.argv[2]) + '#' + hash);
  await page.waitForSelector('body[data-ready="1"]');
  await page.evaluate(() => window.explorer.benchmark(10)); // warm up the JIT
  const sync = await page.evaluate(() => window.explorer.benchmark(50));
  const frame = await page.evaluate(() => window.explorer.frames(120));
  console.log(JSON.stringify({ optimizers: 6, steps: 500, sync_ms: sync, frame_ms: frame }));
} finally {
  await browser.close();
}
