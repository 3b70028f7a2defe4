// compare.js - runs an ONNX model exported by descent in ONNX Runtime
// (onnxruntime-node, pinned in package-lock.json) on the rows descent
// predicted, and compares: node compare.js [--shape=CxHxW] MODEL ROWS PREDICTED [LABELS]
//   --shape    feed each row as a C x H x W image (NCHW, descent's row
//              order): the input [N, C, H, W] of a layer network's export
//   ROWS       an IDX images file (.gz or raw; pixels / 255, as descent reads
//              them) or a CSV file of feature rows without a header
//   PREDICTED  `descent predict` CSV output (a header, then the class and
//              the probabilities, or the outputs)
//   LABELS     an IDX labels file: the accuracy of ONNX Runtime's argmax
// Prints {"rows", "max_abs_diff", "argmax_agree", "accuracy"} as JSON.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const ort = require('onnxruntime-node');

function readMaybeGz(path) {
    const b = fs.readFileSync(path);
    return b[0] === 0x1f && b[1] === 0x8b ? zlib.gunzipSync(b) : b;
}

function readRows(path) {
    if (/\.csv$/.test(path)) {
        const lines = fs.readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
        const width = lines[0].split(',').length;
        const x = new Float32Array(lines.length * width);
        lines.forEach((l, i) => l.split(',').forEach((v, j) => (x[i * width + j] = parseFloat(v))));
        return {x, n: lines.length, width};
    }
    const b = readMaybeGz(path);
    const n = b.readUInt32BE(4), width = b.readUInt32BE(8) * b.readUInt32BE(12);
    const x = new Float32Array(n * width);
    for (let i = 0; i < n * width; i++) x[i] = b[16 + i] / 255; // rounded to float32 on store
    return {x, n, width};
}

function argmax(v, off, k) {
    let best = 0;
    for (let j = 1; j < k; j++) if (v[off + j] > v[off + best]) best = j;
    return best;
}

async function main() {
    const args = process.argv.slice(2);
    const shape = args[0].startsWith('--shape=') ? args.shift().slice(8).split('x').map(Number) : null;
    const [model, rowsPath, predPath, labelsPath] = args;
    const rows = readRows(rowsPath);
    if (shape && shape.reduce((a, b) => a * b) !== rows.width) throw new Error(`--shape ${shape.join('x')}: the rows have ${rows.width} values`);
    const pred = fs.readFileSync(predPath, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const session = await ort.InferenceSession.create(model);
    const res = await session.run({input: new ort.Tensor('float32', rows.x, [rows.n, ...(shape || [rows.width])])});
    const out = res.output.data, k = res.output.dims[1];
    if (pred.length !== rows.n) throw new Error(`descent predicted ${pred.length} rows, ONNX Runtime got ${rows.n}`);
    const classify = pred[0].length === k + 1;
    let maxdiff = 0, agree = 0;
    for (let i = 0; i < rows.n; i++) {
        const p = classify ? pred[i].slice(1) : pred[i];
        if (p.length !== k) throw new Error(`row ${i}: ${p.length} values, the model has ${k} outputs`);
        for (let j = 0; j < k; j++) maxdiff = Math.max(maxdiff, Math.abs(out[i * k + j] - p[j]));
        if (classify && argmax(out, i * k, k) === pred[i][0]) agree++;
    }
    let accuracy = null;
    if (labelsPath) {
        const lb = readMaybeGz(labelsPath);
        let right = 0;
        for (let i = 0; i < rows.n; i++) if (argmax(out, i * k, k) === lb[8 + i]) right++;
        accuracy = right / rows.n;
    }
    console.log(JSON.stringify({rows: rows.n, max_abs_diff: maxdiff, argmax_agree: classify ? agree : null, accuracy}));
}

main().catch((e) => {
    console.error(`compare.js: ${e.message}`);
    process.exit(1);
});
