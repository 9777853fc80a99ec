// Times an ONNX model with ONNX Runtime (the npm package onnxruntime-node,
// which ships libonnxruntime.so) the way sparse-run times a sparsec
// library: seeded random inputs, warm-up, then median / p95 over
// repetitions, on a chosen number of intra-op threads.
//
//   node ort_bench.js model.onnx --threads=1 --repetitions=50 [--seq=128]
//        [--json]
'use strict';
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const options = {threads: 1, repetitions: 50, warmup: 5, seq: 128, json: false};
  const positional = [];
  for (const arg of argv) {
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match) { positional.push(arg); continue; }
    const [, key, value] = match;
    if (!(key in options)) throw new Error(`unknown option --${key}`);
    options[key] = key === 'json' ? true : Number(value);
  }
  if (positional.length !== 1) throw new Error('usage: ort_bench.js model.onnx [--threads=N] [--repetitions=N] [--seq=N] [--json]');
  options.model = positional[0];
  return options;
}

// The same generator on every run: inputs in [-1, 1).
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(options.model, {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const random = seededRandom(1);
  const feeds = {};
  for (const name of session.inputNames) {
    const meta = session.inputMetadata.find((m) => m.name === name);
    const shape = meta.shape.map((d) => (typeof d === 'number' ? d : options.seq));
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; ++i) data[i] = random();
    feeds[name] = new ort.Tensor('float32', data, shape);
  }
  for (let i = 0; i < options.warmup; ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < options.repetitions; ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const result = {
    model: options.model, threads: options.threads, seq: options.seq,
    repetitions: options.repetitions, median_ms: quantile(times, 0.5),
    p95_ms: quantile(times, 0.95), min_ms: times[0],
  };
  if (options.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`${options.model}: ${options.threads} thread(s), median ${result.median_ms.toFixed(3)} ms, ` +
                `p95 ${result.p95_ms.toFixed(3)} ms, min ${result.min_ms.toFixed(3)} ms`);
  }
}

main().catch((error) => { console.error(`ort_bench: ${error.message}`); process.exit(1); });
