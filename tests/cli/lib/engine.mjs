// engine.mjs - runs the explorer's engine (build/explorer.wasm) under node as
// the page does (src/explore/page.js): node engine.mjs ENGINE.wasm FN X,Y
// STEPS OPT [SCHEDULE [NOISE SEED]] prints the engine's CSV of that run, which must equal
// `descent trace --fn FN --start X,Y --steps STEPS --opt OPT [--schedule S]
// [--noise NOISE --seed SEED]`
// byte for byte. A refused input prints the engine's message on stderr and
// exits 2.
import fs from 'fs';

const [wasm, fn, start, steps, opt, schedule = '', noise = '0', seed = '0'] = process.argv.slice(2);
const mod = await WebAssembly.compile(fs.readFileSync(wasm));
const stubs = {};
for (const imp of WebAssembly.Module.imports(mod)) {
  if (imp.kind === 'function') (stubs[imp.module] ??= {})[imp.name] = () => 52;
}
const E = (await WebAssembly.instantiate(mod, stubs)).exports;
E._initialize();
const put = (s) => {
  const b = new TextEncoder().encode(s), m = new Uint8Array(E.memory.buffer);
  m.set(b, E.input_buffer());
  m[E.input_buffer() + b.length] = 0;
};
const str = (p) => {
  const m = new Uint8Array(E.memory.buffer);
  let q = p;
  while (m[q]) q++;
  return new TextDecoder().decode(m.subarray(p, q));
};
const refuse = (what) => { process.stderr.write(what + ': ' + str(E.message()) + '\n'); process.exit(2); };

put(fn);
if (E.set_function() !== 0) refuse('--fn');
if (E.set_noise(Number(noise), Number(seed)) !== 0) refuse('--noise');
put(opt);
if (E.set_optimizer(0) !== 0) refuse('--opt');
put(schedule);
if (E.set_schedule(0) !== 0) refuse('--schedule');
const [x, y] = start.split(',').map(Number);
E.set_start(x, y);
if (E.run(0, Number(steps)) < 0) refuse('run');
process.stdout.write(str(E.csv(0)));
