# onnx.bash - for the tests that check descent's ONNX files (sourced after
# common.bash): PY, Debian's python3 that sees python3-onnx (checked), and
# ort/ holding ONNX Runtime (npm onnxruntime-node, pinned in
# tests/onnx/package-lock.json, installed with npm ci --ignore-scripts) and
# compare.js, which runs a file on rows against `descent predict`'s output.
PY=/usr/bin/python3
$PY -c 'import onnx' || fail "python3-onnx missing: run tools/deps.sh"
mkdir ort && cp "$DS_SOURCE_DIR"/tests/onnx/{package.json,package-lock.json,compare.js} ort/
(cd ort && quiet npm ci --ignore-scripts --no-audit --no-fund)
