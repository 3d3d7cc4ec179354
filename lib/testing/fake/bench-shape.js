// The bench's stream shapes: `model: "bench-s<chunks>-d<delayMs>"` asks for that many text deltas, that far apart.
'use strict';

const BENCH_MODEL = /^bench-s(\d{1,6})-d(\d{1,7})$/;
// Frames of larger shapes are built per request instead of kept: the bench uses a handful of small ones.
const MAX_CACHED_CHUNKS = 10_000;
const MAX_CACHED_SHAPES = 32;

/** `{ chunks, delayMs }` of a streamed request's bench model, or undefined. */
function benchShape(body) {
  const m = body.stream === true && typeof body.model === 'string' ? BENCH_MODEL.exec(body.model) : null;
  return m ? { chunks: Number(m[1]), delayMs: Number(m[2]) } : undefined;
}

/** `build(chunks)` remembered per chunk count (bounded), so a request only picks prepared buffers. */
function memoByChunks(build) {
  const cache = new Map();
  return function framesFor(chunks) {
    let frames = cache.get(chunks);
    if (frames) return frames;
    frames = build(chunks);
    if (chunks <= MAX_CACHED_CHUNKS && cache.size < MAX_CACHED_SHAPES) cache.set(chunks, frames);
    return frames;
  };
}

module.exports = { BENCH_MODEL, benchShape, memoByChunks };
