/**
 * Which webhook URLs a production server refuses: those naming the
 * loopback, private, link-local or otherwise non-public addresses
 * (server-side request forgery: a subscription must not turn Runnel into a
 * way to reach what sits beside it). Names are judged as written — IP
 * literals by their range, `localhost` and `*.localhost` as loopback —
 * and not resolved: a Worker cannot resolve names, and on Cloudflare's
 * network a fetch never reaches a private address anyway.
 */

/** IPv4 ranges that are not public: [first octets, prefix length, what it is]. */
const PRIVATE_V4: [number[], number, string][] = [
  [[0], 8, "'this network'"],
  [[10], 8, "private"],
  [[100, 64], 10, "shared (carrier-grade NAT)"],
  [[127], 8, "loopback"],
  [[169, 254], 16, "link-local"],
  [[172, 16], 12, "private"],
  [[192, 0, 0], 24, "IETF protocol assignments"],
  [[192, 168], 16, "private"],
  [[198, 18], 15, "benchmarking"],
  [[224], 4, "multicast"],
  [[240], 4, "reserved"],
];

/** Why `url`'s host is not a public address (the words for a 400), or null when it may be. */
export function nonPublicHost(url: URL): string | null {
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return `${host} is the loopback`;
  if (host.startsWith("[")) return v6Problem(host.slice(1, -1));
  const v4 = parseV4(host);
  return v4 === null ? null : v4Problem(v4, host);
}

function v4Problem(octets: number[], host: string): string | null {
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  for (const [prefix, bits, what] of PRIVATE_V4) {
    const base = ((prefix[0] ?? 0) << 24 | (prefix[1] ?? 0) << 16 | (prefix[2] ?? 0) << 8) >>> 0;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === (base & mask) >>> 0) return `${host} is a ${what} address`;
  }
  return null;
}

/** Four octets of a dotted IPv4 literal (as the URL parser writes every IPv4 host), or null for a name. */
function parseV4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function v6Problem(address: string): string | null {
  const groups = expandV6(address);
  if (groups === null) return `[${address}] is not an address`;
  const [g0, , , , , g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  if (groups.every((g) => g === 0)) return "[::] is the unspecified address";
  if (groups.slice(0, 7).every((g) => g === 0) && g7 === 1) return "[::1] is the loopback";
  if ((g0 & 0xfe00) === 0xfc00) return `[${address}] is a unique local (private) address`;
  if ((g0 & 0xffc0) === 0xfe80) return `[${address}] is a link-local address`;
  if ((g0 & 0xff00) === 0xff00) return `[${address}] is a multicast address`;
  // IPv4-mapped (::ffff:a.b.c.d): judged as the IPv4 address it maps.
  if (groups.slice(0, 5).every((g) => g === 0) && g5 === 0xffff) {
    const octets = [g6! >> 8, g6! & 0xff, g7 >> 8, g7 & 0xff];
    return v4Problem(octets, `[${address}]`);
  }
  return null;
}

/** The eight 16-bit groups of an IPv6 literal as the URL parser writes it (hex groups, `::`, no dotted tail), or null. */
function expandV6(address: string): number[] | null {
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const part = (s: string) => (s === "" ? [] : s.split(":"));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return null;
  const all = [...head, ...new Array<string>(fill).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => Number.parseInt(g, 16));
}
