// A seeded pseudo-random generator (mulberry32): the soak's every choice
// (fault schedule, partitions, waits) comes from it, so a seed replays
// the same plan. Each workload gets its own stream (`fork`), so adding
// one does not shift the choices of the others.

/** A generator for `seed` (an unsigned 32-bit integer). */
export function rngFor(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    /** A float in [0, 1). */
    next,
    /** An integer in [min, max] (inclusive). */
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    /** One element of `list`. */
    pick: (list) => list[Math.floor(next() * list.length)],
    /** A new generator whose seed depends on this one's seed and `name`. */
    fork: (name) => rngFor(hash(`${seed}:${name}`)),
  };
}

/** FNV-1a of a string: 32 bits. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
