/* page.js - the explorer's page: loads the engine (descent's C optimizers in
 * WebAssembly, src/explore/engine.c), keeps the state (function, start,
 * steps, up to six optimizers) in the URL hash in the command line's own
 * syntax, and redraws the contour map, loss chart and surface from the
 * engine's paths. No number drawn here is computed by this script: paths,
 * losses, gradients and rates all come from the engine. */
'use strict';

const $ = (id) => document.getElementById(id);
const PALETTE = ['#000000', '#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'];
const DS_ERR_NONFINITE = 7; /* descent/error.h */
const GRID = 240;           /* contour grid points per side */

/* ---- the engine ---- */
let E = null;
const enc = new TextEncoder(), dec = new TextDecoder();

async function loadEngine() {
  const text = atob($('engine').textContent.trim());
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const mod = await WebAssembly.compile(bytes);
  const stubs = {}; /* WASI calls the engine never makes: "not supported" */
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.kind === 'function') (stubs[imp.module] ??= {})[imp.name] = () => 52;
  }
  E = (await WebAssembly.instantiate(mod, stubs)).exports;
  E._initialize();
}

function put(s) {
  const b = enc.encode(s);
  if (b.length > E.input_capacity()) return false;
  const m = new Uint8Array(E.memory.buffer), p = E.input_buffer();
  m.set(b, p);
  m[p + b.length] = 0;
  return true;
}

function str(p) {
  if (!p) return null;
  const m = new Uint8Array(E.memory.buffer);
  let q = p;
  while (m[q]) q++;
  return dec.decode(m.subarray(p, q));
}

const f64 = (p, n) => new Float64Array(E.memory.buffer, p, n);

/* ---- rules and their keys, from the engine's default specs ---- */
const RULES = {};
const KEYS = {
  lr: { kind: 'log', min: -5, max: 1, label: 'lr η' },
  eps: { kind: 'log', min: -12, max: 0, label: 'eps ε' },
  momentum: { kind: 'lin', max: 0.999, step: 0.001, label: 'momentum μ' },
  dampening: { kind: 'lin', max: 0.999, step: 0.001, label: 'dampening τ' },
  beta1: { kind: 'lin', max: 0.999, step: 0.001, label: 'beta1 β₁' },
  beta2: { kind: 'lin', max: 0.9999, step: 0.0001, label: 'beta2 β₂' },
  alpha: { kind: 'lin', max: 0.999, step: 0.001, label: 'alpha α' },
  rho: { kind: 'lin', max: 0.999, step: 0.001, label: 'rho ρ' },
  weight_decay: { kind: 'lin', max: 1, step: 0.001, label: 'weight decay λ' },
  clip_norm: { kind: 'lin', max: 10, step: 0.1, label: 'clip_norm' },
  nesterov: { kind: 'bool' }, amsgrad: { kind: 'bool' }, eps_inside: { kind: 'bool' },
  centered: { kind: 'bool' },
  momentum_schedule: { kind: 'enum', words: ['constant', 'sutskever'] },
};

function loadRules() {
  for (let t = 0; ; t++) {
    const spec = str(E.default_spec(t));
    if (!spec) break;
    const [name, rest] = spec.split(':');
    RULES[name] = rest.split(',').map((kv) => kv.split('='));
  }
}

const FORMULAS = {
  sgd: 'g ← ∇f(x) + λx   v ← μv + (1−τ)g   x ← x − η·(nesterov ? g + μv : v)',
  nag: 'g ← ∇f(x − μv)   v ← μv + ηg   x ← x − v   (look-ahead)',
  adagrad: 'G ← G + g²   x ← x − η·g / (√G + ε)',
  rmsprop: 's ← αs + (1−α)g²   x ← x − η·g / (√s + ε)',
  rmsprop_nesterov: 'g ← ∇f(x − μv)   s ← αs + (1−α)g²   v ← μv + η·g/√(s+ε)   x ← x − v',
  adam: 'm ← β₁m + (1−β₁)g   v ← β₂v + (1−β₂)g²   x ← x − η·m̂ / (√v̂ + ε),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)',
  adamw: 'x ← x − ηλx, then Adam: x ← x − η·m̂ / (√v̂ + ε)',
  adamax: 'm ← β₁m + (1−β₁)g   u ← max(β₂u, |g| + ε)   x ← x − η/(1−β₁ᵗ)·m/u',
  nadam: 'Adam with Nesterov momentum on m: x ← x − η·(μₜ₊₁m/(1−Πμ) + (1−μₜ)g/(1−Πμ)) / (√v̂ + ε)',
  radam: 'Adam with the variance rectified by rₜ once ρₜ > 5, plain momentum before',
  adadelta: 's ← ρs + (1−ρ)g²   Δ ← √(u+ε)/√(s+ε)·g   u ← ρu + (1−ρ)Δ²   x ← x − ηΔ',
  lion: 'c ← β₁m + (1−β₁)g   x ← x − η·(sign(c) + λx)   m ← β₂m + (1−β₂)g',
  linesearch: 'x ← x − η*·g, η* the candidate rate with the lowest f(x − ηg)',
};

/* ---- state ---- */
const state = { fn: 'rosenbrock', start: [-1.5, 2], steps: 200, t: 200, noise: 0, seed: 0, opts: [] };
let info = null, grid = null, playing = false, csvTimer = 0, lastTiming = null;
const bg = document.createElement('canvas');
const view = { az: -0.7, el: 0.6 };

/* ---- the function ---- */
function showFnError(text, message) {
  const m = /^column (\d+)/.exec(message || '');
  let caret = '';
  if (m) caret = text + '\n' + ' '.repeat(Number(m[1]) - 1) + '^\n';
  $('fn-error').textContent = message ? caret + message : '';
}

function setFunction(text) {
  if (!put(text)) {
    showFnError(text, 'expression longer than ' + E.input_capacity() + ' characters');
    return false;
  }
  if (E.set_function() !== 0) {
    showFnError(text, str(E.message()));
    return false;
  }
  showFnError(text, '');
  state.fn = text;
  const v = f64(E.function_info(), 14);
  info = { win: [v[0], v[1], v[2], v[3]], log: v[4] > 0, minima: [] };
  for (let i = 0; i < v[5]; i++) info.minima.push([v[6 + 2 * i], v[7 + 2 * i]]);
  computeGrid();
  return true;
}

/* Levels: log-spaced where the function asks for it or its values crowd
 * near the bottom of their range; the surface uses the same transform. */
function computeGrid() {
  const [x0, x1, y0, y1] = info.win;
  const vals = f64(E.grid(GRID, GRID, x0, x1, y0, y1), GRID * GRID).slice();
  const finite = vals.filter(Number.isFinite).sort((a, b) => a - b);
  const lo = finite.length ? finite[0] : 0, hi = finite.length ? finite[finite.length - 1] : 1;
  const mid = finite.length ? finite[finite.length >> 1] : 0.5;
  const log = lo >= 0 && (info.log || mid - lo < (hi - lo) / 50);
  const span = hi - lo || 1;
  const z = (v) => (log ? Math.log10((v - lo) / span + 1e-6) / 6 + 1 : (v - lo) / span);
  grid = { vals, lo, hi, log, z };
  paintBackground();
}

/* From pale yellow (low) to light blue (high); contour lines a shade darker. */
function bandColor(b, n, edge) {
  const s = b / (n - 1), k = edge ? 0.72 : 1;
  return [k * (252 - 110 * s), k * (248 - 70 * s), k * (222 + 10 * s)];
}

function paintBackground() {
  const n = 24, img = new ImageData(GRID, GRID);
  const band = grid.vals.map((v) => (Number.isFinite(v) ? Math.min(n - 1, Math.floor(grid.z(v) * n)) : n - 1));
  for (let j = 0; j < GRID; j++) {
    for (let i = 0; i < GRID; i++) {
      const k = j * GRID + i, b = band[k];
      const edge = (i + 1 < GRID && band[k + 1] !== b) || (j + 1 < GRID && band[k + GRID] !== b);
      const c = bandColor(b, n, edge);
      const p = 4 * ((GRID - 1 - j) * GRID + i);
      img.data.set([c[0], c[1], c[2], 255], p);
    }
  }
  bg.width = bg.height = GRID;
  bg.getContext('2d').putImageData(img, 0, 0);
}

/* ---- optimizers ---- */
function specOf(o) {
  const parts = RULES[o.rule].filter(([k, d]) => o.vals[k] !== undefined && o.vals[k] !== d)
    .map(([k]) => k + '=' + o.vals[k]);
  return o.rule + (parts.length ? ':' + parts.join(',') : '');
}

/* Runs optimizer i in the engine; its rows are copied out of the module. */
function runSlot(i) {
  const o = state.opts[i], err = o.node.querySelector('.opt-error');
  if (!put(specOf(o)) || E.set_optimizer(i) !== 0) {
    err.textContent = '--opt: ' + str(E.message());
    return;
  }
  if (!put(o.schedule) || E.set_schedule(i) !== 0) {
    err.textContent = '--schedule: ' + str(E.message());
    return;
  }
  E.set_start(state.start[0], state.start[1]);
  const n = E.run(i, state.steps);
  o.status = E.status(i);
  o.n = Math.max(n, 0);
  o.rows = n > 0 ? f64(E.path(i), 3 * n).slice() : new Float64Array(0);
  err.textContent = n < 0 ? str(E.message())
    : o.status === DS_ERR_NONFINITE ? 'note: ' + str(E.message()) + '; drawn up to there' : '';
}

function runAll() {
  for (let i = 0; i < state.opts.length; i++) runSlot(i);
}

function makeKey(o, k, def) {
  const d = KEYS[k] || { kind: 'text' }, label = document.createElement('label');
  const name = document.createElement('span');
  name.className = 'k';
  name.textContent = d.label || k;
  label.append(name);
  const val = () => (o.vals[k] !== undefined ? o.vals[k] : def);
  const set = (v) => { o.vals[k] = String(v); changed(o); };
  if (d.kind === 'bool' || d.kind === 'enum') {
    const input = document.createElement(d.kind === 'bool' ? 'input' : 'select');
    if (d.kind === 'bool') {
      input.type = 'checkbox';
      input.checked = val() === '1';
      input.addEventListener('change', () => set(input.checked ? 1 : 0));
    } else {
      for (const w of d.words) input.add(new Option(w, w, false, w === val()));
      input.addEventListener('change', () => set(input.value));
    }
    label.append(input);
    return label;
  }
  const field = document.createElement('input');
  field.type = d.kind === 'text' ? 'text' : 'number';
  field.value = val();
  field.setAttribute('aria-label', k);
  if (d.kind === 'log' || d.kind === 'lin') {
    const range = document.createElement('input');
    range.type = 'range';
    range.setAttribute('aria-label', k + (d.kind === 'log' ? ' (log scale)' : ''));
    range.min = d.kind === 'log' ? d.min : 0;
    range.max = d.max;
    range.step = d.kind === 'log' ? 0.01 : d.step;
    const toRange = (v) => (d.kind === 'log' ? (v > 0 ? Math.log10(v) : d.min) : v);
    range.value = toRange(Number(val()));
    range.addEventListener('input', () => {
      const r = Number(range.value), v = d.kind === 'log' ? Number((10 ** r).toPrecision(3)) : r;
      field.value = v;
      set(v);
    });
    field.addEventListener('change', () => { range.value = toRange(Number(field.value)); set(field.value); });
    label.append(range);
  } else {
    field.addEventListener('change', () => set(field.value));
  }
  label.append(field);
  return label;
}

function buildOpt(o) {
  const keys = o.node.querySelector('.keys');
  keys.replaceChildren(...RULES[o.rule].map(([k, d]) => makeKey(o, k, d)));
  o.node.querySelector('.rule').value = o.rule;
  o.node.querySelector('.schedule').value = o.schedule;
  o.node.querySelector('.color').value = o.color;
  o.node.querySelector('.swatch').style.background = o.color;
  o.node.style.borderColor = o.color;
}

function addOpt(spec, schedule) {
  if (state.opts.length >= E.slots()) return null;
  const [rule, rest] = spec.split(':');
  if (!RULES[rule]) return null;
  const used = state.opts.map((x) => x.color);
  const o = { rule, vals: {}, schedule: schedule || '', rows: null, n: 0, status: 0,
              color: PALETTE.find((c) => !used.includes(c)) || PALETTE[0] };
  for (const kv of rest ? rest.split(',') : []) {
    const [k, v] = kv.split('=');
    o.vals[k] = v;
  }
  o.node = $('opt-template').content.firstElementChild.cloneNode(true);
  const sel = o.node.querySelector('.rule');
  for (const r of Object.keys(RULES)) sel.add(new Option(r, r));
  sel.addEventListener('change', () => {
    const lr = o.vals.lr;
    o.rule = sel.value;
    o.vals = lr !== undefined ? { lr } : {};
    buildOpt(o);
    changed(o);
  });
  o.node.querySelector('.schedule').addEventListener('input', (ev) => { o.schedule = ev.target.value.trim(); changed(o); });
  o.node.querySelector('.color').addEventListener('input', (ev) => { o.color = ev.target.value; buildOpt(o); redraw(); });
  o.node.querySelector('.remove').addEventListener('click', () => {
    state.opts.splice(state.opts.indexOf(o), 1);
    o.node.remove();
    rerun();
  });
  o.node.querySelector('.copy').addEventListener('click', () => copy(o.node.querySelector('.cmd')));
  state.opts.push(o);
  $('opts').append(o.node);
  buildOpt(o);
  return o;
}

/* One optimizer changed: rerun it alone, then redraw everything. */
function changed(o) {
  const t0 = performance.now();
  runSlot(state.opts.indexOf(o));
  redraw(t0);
}

function rerun() {
  const t0 = performance.now();
  runAll();
  redraw(t0);
}

/* ---- drawing ---- */
function mapXY(x, y, w, h) {
  const [x0, x1, y0, y1] = info.win;
  const clamp = (v) => Math.max(-1e5, Math.min(1e5, v));
  return [clamp(((x - x0) / (x1 - x0)) * w), clamp(h - ((y - y0) / (y1 - y0)) * h)];
}

function drawMap() {
  const c = $('map'), g = c.getContext('2d'), w = c.width, h = c.height;
  g.imageSmoothingEnabled = true;
  g.drawImage(bg, 0, 0, w, h);
  for (const m of info.minima) {
    const [px, py] = mapXY(m[0], m[1], w, h);
    g.fillStyle = '#f5c400';
    g.font = '18px sans-serif';
    g.fillText('★', px - 7, py + 6);
  }
  for (const o of state.opts) {
    if (!o.n) continue;
    const last = Math.min(state.t, o.n - 1);
    g.strokeStyle = o.color;
    g.lineWidth = 2;
    g.beginPath();
    for (let k = 0; k <= last; k++) {
      const [px, py] = mapXY(o.rows[3 * k], o.rows[3 * k + 1], w, h);
      if (k) g.lineTo(px, py); else g.moveTo(px, py);
    }
    g.stroke();
    const [px, py] = mapXY(o.rows[3 * last], o.rows[3 * last + 1], w, h);
    g.fillStyle = o.color;
    g.beginPath();
    g.arc(px, py, 4, 0, 2 * Math.PI);
    g.fill();
  }
  const [sx, sy] = mapXY(state.start[0], state.start[1], w, h);
  g.strokeStyle = '#000';
  g.lineWidth = 2;
  g.beginPath();
  g.arc(sx, sy, 6, 0, 2 * Math.PI);
  g.stroke();
}

function drawLoss() {
  const c = $('loss'), g = c.getContext('2d'), w = c.width, h = c.height, pad = 44;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, w, h);
  let lo = Infinity, hi = -Infinity;
  for (const o of state.opts) {
    for (let k = 0; k < o.n; k++) {
      const v = o.rows[3 * k + 2];
      if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
  }
  if (!(lo <= hi)) return;
  const log = lo > 0 && hi / lo > 100;
  const tr = (v) => (log ? Math.log10(v) : v);
  const a = tr(lo), b = tr(hi) > a ? tr(hi) : a + 1;
  const X = (k) => pad + ((w - pad - 8) * k) / Math.max(1, state.steps);
  const Y = (v) => h - 18 - ((h - 28) * (tr(v) - a)) / (b - a);
  g.fillStyle = '#555';
  g.font = '11px sans-serif';
  g.fillText(hi.toPrecision(3), 2, 12);
  g.fillText(lo.toPrecision(3), 2, h - 20);
  g.fillText('0', pad, h - 4);
  g.fillText(String(state.steps), w - 30, h - 4);
  $('loss-caption').textContent = 'Loss per step (' + (log ? 'log' : 'linear') + ' scale)';
  for (const o of state.opts) {
    g.strokeStyle = o.color;
    g.lineWidth = 1.5;
    g.beginPath();
    for (let k = 0; k < o.n; k++) {
      const y = Math.max(-1e5, Math.min(1e5, Y(o.rows[3 * k + 2])));
      if (k) g.lineTo(X(k), y); else g.moveTo(X(k), y);
    }
    g.stroke();
  }
  g.strokeStyle = '#888';
  g.beginPath();
  g.moveTo(X(state.t), 0);
  g.lineTo(X(state.t), h - 16);
  g.stroke();
}

/* A wireframe of the grid (every 8th point) and the paths, turned by view. */
function drawSurface() {
  const c = $('surface'), g = c.getContext('2d'), w = c.width, h = c.height;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, w, h);
  const [x0, x1, y0, y1] = info.win, ca = Math.cos(view.az), sa = Math.sin(view.az);
  const ce = Math.cos(view.el), se = Math.sin(view.el), s = Math.min(w, h) * 0.42;
  const proj = (u, v, z) => { /* u, v in [-1, 1], z in [0, 1] */
    const px = u * ca - v * sa, py = u * sa + v * ca;
    return [w / 2 + s * px, h / 2 + s * 0.9 * (py * se - (z - 0.5) * 1.2 * ce)];
  };
  const zOf = (v) => (Number.isFinite(v) ? Math.max(0, Math.min(1.2, grid.z(v))) : 1.2);
  const step = 8, n = Math.floor((GRID - 1) / step) + 1;
  g.strokeStyle = 'rgba(60,60,90,0.35)';
  g.lineWidth = 1;
  for (let pass = 0; pass < 2; pass++) {
    for (let a = 0; a < n; a++) {
      g.beginPath();
      for (let b = 0; b < n; b++) {
        const i = (pass ? a : b) * step, j = (pass ? b : a) * step;
        const [px, py] = proj((2 * i) / (GRID - 1) - 1, (2 * j) / (GRID - 1) - 1, zOf(grid.vals[j * GRID + i]));
        if (b) g.lineTo(px, py); else g.moveTo(px, py);
      }
      g.stroke();
    }
  }
  for (const o of state.opts) {
    const last = Math.min(state.t, o.n - 1);
    g.strokeStyle = o.color;
    g.lineWidth = 2;
    g.beginPath();
    for (let k = 0; k <= last; k++) {
      const u = (2 * (o.rows[3 * k] - x0)) / (x1 - x0) - 1, v = (2 * (o.rows[3 * k + 1] - y0)) / (y1 - y0) - 1;
      const [px, py] = proj(Math.max(-1.5, Math.min(1.5, u)), Math.max(-1.5, Math.min(1.5, v)), zOf(o.rows[3 * k + 2]));
      if (k) g.lineTo(px, py); else g.moveTo(px, py);
    }
    g.stroke();
  }
}

const num = (v) => (Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v));
const pair = (a, b) => '(' + num(a) + ', ' + num(b) + ')';

/* The rule, then the current step's numbers, all from the engine. */
function formula(o, i) {
  if (!o.n) return FORMULAS[o.rule] || '';
  const t = Math.min(state.t, o.n - 1), r = o.rows;
  const gr = f64(E.gradient(r[3 * t], r[3 * t + 1]), 3);
  let text = FORMULAS[o.rule] + '\n' + 't = ' + t + '   η_t = ' + num(E.lr_at(i, t)) +
    '   x_t = ' + pair(r[3 * t], r[3 * t + 1]) + '   f(x_t) = ' + num(r[3 * t + 2]) +
    '\n∇f(x_t) = ' + pair(gr[1], gr[2]);
  if (t + 1 < o.n) {
    text += '\nx_t+1 = ' + pair(r[3 * t + 3], r[3 * t + 4]) + '   Δx = ' +
      pair(r[3 * t + 3] - r[3 * t], r[3 * t + 4] - r[3 * t + 1]);
  }
  return text;
}

/* --noise SIGMA --seed S, as trace and plot take them ('' without noise). */
function noiseArgs() {
  return state.noise > 0 ? ' --noise ' + state.noise + ' --seed ' + state.seed : '';
}

function shellWord(s) {
  return /^[A-Za-z0-9_.,:=\/+-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'";
}

function commands() {
  const base = 'descent trace --fn ' + shellWord(state.fn) + ' --start ' + state.start.join(',');
  state.opts.forEach((o, i) => {
    o.node.querySelector('.opt-title').textContent = specOf(o);
    o.node.querySelector('.formula').textContent = formula(o, i);
    o.node.querySelector('.cmd').textContent = base + ' --opt ' + shellWord(specOf(o)) +
      ' --steps ' + state.steps + (o.schedule ? ' --schedule ' + shellWord(o.schedule) : '') + noiseArgs();
  });
  $('add-opt').disabled = state.opts.length >= E.slots();
  const scheds = [...new Set(state.opts.map((o) => o.schedule))];
  $('plot-cmd').textContent = 'descent plot --fn ' + shellWord(state.fn) + ' --start ' +
    state.start.join(',') + ' --steps ' + state.steps +
    state.opts.map((o) => ' --opt ' + shellWord(specOf(o))).join('') +
    (scheds.length === 1 && scheds[0] ? ' --schedule ' + shellWord(scheds[0]) : '') + noiseArgs() + ' -o paths.svg' +
    (scheds.length > 1 ? '\n# the schedules differ: plot takes one --schedule, trace each optimizer' : '');
}

/* ---- the hash: fn=...&start=X,Y&steps=N&opt=SPEC[&schedule=S]... ---- */
const enc1 = (s) => s.replace(/[^A-Za-z0-9_.,:=^*()\/-]/g, (ch) => encodeURIComponent(ch));

function hashOf() {
  let h = 'fn=' + enc1(state.fn) + '&start=' + state.start.join(',') + '&steps=' + state.steps;
  if (state.noise > 0) h += '&noise=' + state.noise + '&seed=' + state.seed;
  for (const o of state.opts) h += '&opt=' + enc1(specOf(o)) + (o.schedule ? '&schedule=' + enc1(o.schedule) : '');
  return h;
}

function readHash(h) {
  const items = h.replace(/^#/, '').split('&').filter(Boolean).map((kv) => {
    const at = kv.indexOf('=');
    return [kv.slice(0, at), decodeURIComponent(kv.slice(at + 1))];
  });
  const opts = [];
  let fn = null;
  for (const [k, v] of items) {
    if (k === 'fn') fn = v;
    else if (k === 'start') {
      const p = v.split(',').map(Number);
      if (p.length === 2 && p.every(Number.isFinite)) state.start = p;
    } else if (k === 'steps' && Number(v) >= 1) state.steps = Math.min(10000, Math.floor(Number(v)));
    else if (k === 'noise' && Number(v) >= 0) state.noise = Number(v);
    else if (k === 'seed' && Number(v) >= 0) state.seed = Math.floor(Number(v));
    else if (k === 'opt') opts.push([v, '']);
    else if (k === 'schedule' && opts.length) opts[opts.length - 1][1] = v;
  }
  return { fn, opts };
}

function applyState(h) {
  state.noise = 0;
  state.seed = 0;
  const { fn, opts } = readHash(h);
  for (const o of state.opts) o.node.remove();
  state.opts = [];
  const list = opts.length ? opts : [['sgd:lr=0.001', ''], ['sgd:lr=0.001,momentum=0.9', ''], ['adam:lr=0.05', '']];
  for (const [spec, sched] of list) addOpt(spec, sched);
  const text = fn || 'rosenbrock';
  syncFnControls(text);
  if (!setFunction(text)) setFunction('rosenbrock');
  E.set_noise(state.noise, state.seed);
  state.t = state.steps;
  syncProblemControls();
  rerun();
}

/* ---- controls ---- */
function syncFnControls(text) {
  const sel = $('fn-select');
  const builtin = [...sel.options].some((op) => op.value === text);
  sel.value = builtin ? text : '';
  if (!builtin) $('fn-expr').value = text;
}

function syncProblemControls() {
  $('start-x').value = state.start[0];
  $('start-y').value = state.start[1];
  $('steps').value = state.steps;
  $('noise').value = state.noise;
  $('noise-out').textContent = state.noise;
  $('seed').value = state.seed;
  $('t').max = state.steps;
  $('t').value = state.t;
  $('t-out').textContent = state.t;
}

function redraw(t0) {
  const t1 = performance.now();
  state.t = Math.min(state.t, state.steps);
  syncProblemControls();
  drawMap();
  drawLoss();
  drawSurface();
  commands();
  const t2 = performance.now();
  if (t0 !== undefined) {
    lastTiming = { run: t1 - t0, draw: t2 - t1 };
    $('timing').textContent = (t2 - t0).toFixed(1) + ' ms (engine ' + (t1 - t0).toFixed(1) +
      ' ms, drawing ' + (t2 - t1).toFixed(1) + ' ms)';
  }
  $('share').href = '#' + hashOf();
  document.body.dataset.csvFor = '';
  clearTimeout(csvTimer);
  csvTimer = setTimeout(settle, 120);
}

/* Once the sliders rest: the hash (history.replaceState at every frame of
 * a drag would be throttled by the browser) and the data views, byte for
 * byte what `descent trace` prints. */
function settle() {
  const h = hashOf();
  if (location.hash.slice(1) !== h) history.replaceState(null, '', '#' + h);
  state.opts.forEach((o, i) => {
    const text = str(E.csv(i)) || '';
    o.node.querySelector('.csv').textContent = text;
    o.node.querySelector('.download').href = 'data:text/csv;charset=utf-8,' + encodeURIComponent(text);
  });
  document.body.dataset.csvFor = hashOf();
}

function copy(pre) {
  const text = pre.textContent;
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => selectText(pre));
  else selectText(pre);
}

function selectText(node) {
  const r = document.createRange();
  r.selectNodeContents(node);
  getSelection().removeAllRanges();
  getSelection().addRange(r);
}

function setStart(x, y) {
  state.start = [Number(x.toFixed(3)), Number(y.toFixed(3))];
  rerun();
}

function mapPoint(ev) {
  const c = $('map'), r = c.getBoundingClientRect(), [x0, x1, y0, y1] = info.win;
  return [x0 + ((ev.clientX - r.left) / r.width) * (x1 - x0), y1 - ((ev.clientY - r.top) / r.height) * (y1 - y0)];
}

function wireMap() {
  const c = $('map');
  let dragging = false, pending = null;
  const move = (ev) => {
    pending = mapPoint(ev);
    requestAnimationFrame(() => { if (pending) { setStart(...pending); pending = null; } });
  };
  c.addEventListener('pointerdown', (ev) => { dragging = true; c.setPointerCapture(ev.pointerId); move(ev); });
  c.addEventListener('pointermove', (ev) => { if (dragging) move(ev); });
  c.addEventListener('pointerup', () => { dragging = false; });
  c.addEventListener('keydown', (ev) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[ev.key];
    if (!d) return;
    ev.preventDefault();
    const [x0, x1, y0, y1] = info.win;
    setStart(state.start[0] + (d[0] * (x1 - x0)) / 50, state.start[1] + (d[1] * (y1 - y0)) / 50);
  });
  const s = $('surface');
  let turning = null;
  s.addEventListener('pointerdown', (ev) => { turning = [ev.clientX, ev.clientY]; s.setPointerCapture(ev.pointerId); });
  s.addEventListener('pointerup', () => { turning = null; });
  s.addEventListener('pointermove', (ev) => {
    if (!turning) return;
    view.az += (ev.clientX - turning[0]) * 0.01;
    view.el = Math.max(0.1, Math.min(1.5, view.el + (ev.clientY - turning[1]) * 0.01));
    turning = [ev.clientX, ev.clientY];
    drawSurface();
  });
}

function play() {
  if (!playing) return;
  const last = Math.max(...state.opts.map((o) => o.n - 1), 0);
  if (state.t >= last) { togglePlay(false); return; }
  state.t = Math.min(last, state.t + Math.max(1, Math.round(state.steps / 300)));
  redraw();
  requestAnimationFrame(play);
}

function togglePlay(on) {
  playing = on;
  $('play').textContent = on ? 'Pause' : 'Play';
  if (on) {
    if (state.t >= state.steps) state.t = 0;
    requestAnimationFrame(play);
  }
}

function wireControls() {
  const sel = $('fn-select');
  for (let i = 0; ; i++) {
    const name = str(E.function_name(i));
    if (!name) break;
    sel.add(new Option(name, name));
  }
  sel.add(new Option('expression (type it below)', ''));
  sel.addEventListener('change', () => {
    const text = sel.value || $('fn-expr').value || 'x^2 + 10*y^2';
    if (!sel.value) $('fn-expr').value = text;
    if (setFunction(text)) rerun();
  });
  $('fn-expr').addEventListener('input', (ev) => {
    const text = ev.target.value;
    if (!text.trim()) return;
    if (setFunction(text)) { sel.value = ''; rerun(); }
  });
  $('start-x').addEventListener('change', (ev) => { if (ev.target.value !== '') setStart(Number(ev.target.value), state.start[1]); });
  $('start-y').addEventListener('change', (ev) => { if (ev.target.value !== '') setStart(state.start[0], Number(ev.target.value)); });
  $('steps').addEventListener('change', (ev) => {
    const n = Math.floor(Number(ev.target.value));
    if (!(n >= 1 && n <= 10000)) { ev.target.value = state.steps; return; }
    state.steps = n;
    state.t = n;
    rerun();
  });
  $('noise').addEventListener('input', (ev) => {
    state.noise = Number(ev.target.value);
    E.set_noise(state.noise, state.seed);
    rerun();
  });
  $('seed').addEventListener('change', (ev) => {
    const n = Math.floor(Number(ev.target.value));
    if (!(n >= 0 && n < 2 ** 53)) { ev.target.value = state.seed; return; }
    state.seed = n;
    E.set_noise(state.noise, state.seed);
    rerun();
  });
  $('t').addEventListener('input', (ev) => { state.t = Number(ev.target.value); redraw(); });
  $('play').addEventListener('click', () => togglePlay(!playing));
  $('step-fwd').addEventListener('click', () => { togglePlay(false); state.t = Math.min(state.steps, state.t + 1); redraw(); });
  $('step-back').addEventListener('click', () => { togglePlay(false); state.t = Math.max(0, state.t - 1); redraw(); });
  $('add-opt').addEventListener('click', () => { if (addOpt('adam:lr=0.05', '')) rerun(); });
  document.querySelector('button[data-copy]').addEventListener('click', () => copy($('plot-cmd')));
  window.addEventListener('hashchange', () => { if (location.hash.slice(1) !== hashOf()) applyState(location.hash); });
  wireMap();
}

/* Median time of `reps` full redraws (every optimizer rerun, every view
 * drawn), for BENCHMARKS.md (tests/browser/bench.mjs). */
function benchmark(reps) {
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    runAll();
    redraw(t0);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], min: times[0], max: times[times.length - 1], last: lastTiming };
}

/* Mean time per frame over `n` animation frames that each rerun every
 * optimizer and redraw: what a drag of the start point costs, paint
 * included (about 16.7 ms when the frame rate, not the work, limits it). */
function frames(n) {
  return new Promise((resolve) => {
    let k = 0, t0 = 0;
    const tick = (now) => {
      if (k === 0) t0 = now;
      if (k++ === n) { resolve((now - t0) / n); return; }
      runAll();
      redraw(performance.now());
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

(async () => {
  await loadEngine();
  loadRules();
  wireControls();
  applyState(location.hash);
  window.explorer = { benchmark, frames, state: () => hashOf() };
  document.body.dataset.ready = '1';
})();
