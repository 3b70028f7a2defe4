# onnx.bash - for the tests that check descent's ONNX files (sourced after
# common.bash): PY, Debian's python3 that sees python3-onnx (checked), and
# ort/ holding ONNX Runtime (npm onnxruntime-node, pinned in
# tests/onnx/package-lock.json) and compare.js, which runs a file on rows
# against `descent predict`'s output. ort/ is tests/onnx itself where
# tools/deps.sh installed the package there for this lock file (one install
# for every test and stage), else a copy installed here with npm ci
# --ignore-scripts.
PY=/usr/bin/python3
$PY -c 'import onnx' || fail "python3-onnx missing: run tools/deps.sh"
ort_src=$DS_SOURCE_DIR/tests/onnx
if cmp -s "$ort_src/package-lock.json" "$ort_src/node_modules/.descent-lock"; then
    ln -s "$ort_src" ort
else
    mkdir ort && cp "$ort_src"/{package.json,package-lock.json,compare.js} ort/
    (cd ort && quiet npm ci --ignore-scripts --no-audit --no-fund)
fi
