#!/usr/bin/python3
"""Record batches compressed by independent implementations, for Runnel's codec tests.

`/usr/bin/python3 scripts/make-codec-fixtures.py` (Debian's Python, where
the packages below install) writes test/fixtures/codecs.json:
one records section (records encoded here, not by Runnel) compressed with
zlib (gzip), Google's libsnappy (xerial framing as Kafka's Java client
writes it, and raw as librdkafka writes it), liblz4 (frames as Kafka's Java
client writes them, and with linked blocks, content size and every
checksum) and libzstd (with and without content size, and two frames),
each wrapped in a magic-2 record batch with its CRC-32C. The output is
committed; the Debian packages it needs are not:
    apt-get install -y python3-snappy python3-lz4 python3-zstandard

`/usr/bin/python3 scripts/make-codec-fixtures.py verify` reads JSON from stdin,
{"plain": base64, "gzip": base64, "snappy": ..., "lz4": ..., "zstd": ...},
and checks that these libraries decode each to "plain" (what
scripts/bench/codecs.mjs --interop sends: Runnel's own output).
"""
import base64
import gzip
import json
import struct
import sys
import zlib

import lz4.frame
import snappy
import zstandard

BASE_OFFSET = 100
BASE_TIMESTAMP = 1_700_000_000_000
RECORDS = 1000
XERIAL_HEADER = b"\x82SNAPPY\x00" + struct.pack(">ii", 1, 1)


def crc32c(data: bytes) -> int:
    table = crc32c.table
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


crc32c.table = []
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    crc32c.table.append(c)


def varint(value: int) -> bytes:
    v = (value << 1) ^ (value >> 63)  # zigzag
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def field(data):
    return varint(-1) if data is None else varint(len(data)) + data


def make_records():
    kinds = ["click", "view", "purchase", "signup"]
    records = []
    for i in range(RECORDS):
        key = None if i % 7 == 0 else f"user-{(i * 7919) % 503}".encode()
        value = None if i % 97 == 5 else json.dumps({"id": i, "type": kinds[i % 4], "amount": (i * 37) % 1000 / 10, "note": "é" * (i % 3)}).encode()
        headers = [("trace", f"t{i}".encode())] if i % 5 == 0 else []
        if i % 50 == 1:
            headers.append(("empty", None))
        records.append({"key": key, "value": value, "headers": headers, "timestamp_delta": (i * 13) % 5000 - 100})
    return records


def encode_records(records) -> bytes:
    out = bytearray()
    for i, r in enumerate(records):
        body = bytes([0]) + varint(r["timestamp_delta"]) + varint(i) + field(r["key"]) + field(r["value"]) + varint(len(r["headers"]))
        for name, value in r["headers"]:
            body += field(name.encode()) + field(value)
        out += varint(len(body)) + body
    return bytes(out)


def batch(section: bytes, codec: int, records) -> bytes:
    deltas = [r["timestamp_delta"] for r in records]
    after_crc = struct.pack(">hiqqqhii", codec, len(records) - 1, BASE_TIMESTAMP, BASE_TIMESTAMP + max(deltas), -1, -1, -1, len(records)) + section
    # base offset, batch length, partition leader epoch, magic, CRC-32C over everything after it
    return struct.pack(">qiib", BASE_OFFSET, 4 + 1 + 4 + len(after_crc), 3, 2) + struct.pack(">I", crc32c(after_crc)) + after_crc


def xerial(section: bytes) -> bytes:
    out = bytearray(XERIAL_HEADER)
    for start in range(0, len(section), 32 * 1024):
        block = snappy.compress(section[start : start + 32 * 1024])
        out += struct.pack(">i", len(block)) + block
    return bytes(out)


def zstd_streamed(data: bytes) -> bytes:
    c = zstandard.ZstdCompressor(level=3, write_content_size=False, write_checksum=True).compressobj()
    return c.compress(data) + c.flush()


def variants(section: bytes):
    half = len(section) // 2
    plain_zstd = zstandard.ZstdCompressor(level=3, write_content_size=True)
    return {
        "gzip": (1, gzip.compress(section, mtime=0)),
        "snappy_xerial": (2, xerial(section)),
        "snappy_raw": (2, snappy.compress(section)),
        "lz4_kafka": (3, lz4.frame.compress(section, block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=False, store_size=False)),
        "lz4_checked": (3, lz4.frame.compress(section, block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=True, content_checksum=True, block_checksum=True, store_size=True)),
        "zstd_sized": (4, plain_zstd.compress(section)),
        "zstd_streamed": (4, zstd_streamed(section)),
        "zstd_two_frames": (4, plain_zstd.compress(section[:half]) + plain_zstd.compress(section[half:])),
    }


def text(data):
    return None if data is None else data.decode()


def make():
    records = make_records()
    section = encode_records(records)
    fixture = {
        "made_by": f"scripts/make-codec-fixtures.py: zlib {zlib.ZLIB_RUNTIME_VERSION}, python-snappy, lz4 {lz4.library_version_string()}, zstd {zstandard.ZSTD_VERSION}",
        "records_section_bytes": len(section),
        "batches": {name: {"codec": codec, "base64": base64.b64encode(batch(data, codec, records)).decode()} for name, (codec, data) in variants(section).items()},
        "records": [
            {
                "offset": BASE_OFFSET + i,
                "timestampMs": BASE_TIMESTAMP + r["timestamp_delta"],
                "key": text(r["key"]),
                "value": text(r["value"]),
                "headers": [{"name": n, "value": text(v)} for n, v in r["headers"]],
            }
            for i, r in enumerate(records)
        ],
    }
    records_json = ",\n  ".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in fixture.pop("records"))
    head = json.dumps(fixture, indent=1)[:-2]  # without the closing brace: the records follow, one a line
    with open("test/fixtures/codecs.json", "w") as f:
        f.write(f'{head},\n "records": [\n  {records_json}\n ]\n}}\n')
    print(f"wrote test/fixtures/codecs.json ({len(section)}-byte records section, {len(fixture['batches'])} batches)")


def xerial_decode(data: bytes) -> bytes:
    assert data[:16] == XERIAL_HEADER, "xerial header"
    out, pos = bytearray(), 16
    while pos < len(data):
        (length,) = struct.unpack(">i", data[pos : pos + 4])
        out += snappy.decompress(data[pos + 4 : pos + 4 + length])
        pos += 4 + length
    return bytes(out)


def verify():
    got = {k: base64.b64decode(v) for k, v in json.load(sys.stdin).items()}
    plain = got.pop("plain")
    decoders = {
        "gzip": gzip.decompress,
        "snappy": xerial_decode,
        "lz4": lz4.frame.decompress,
        "zstd": lambda d: zstandard.ZstdDecompressor().decompressobj().decompress(d),
    }
    failed = 0
    for name, data in got.items():
        ok = decoders[name](data) == plain
        failed += not ok
        print(f"{name}: {'decoded by the reference library' if ok else 'MISMATCH'} ({len(data)} bytes)")
    if "lz4" in got:
        flg, bd, hc = got["lz4"][4:7]
        print(f"lz4 frame descriptor: FLG 0x{flg:02x} BD 0x{bd:02x} HC 0x{hc:02x}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    verify() if sys.argv[1:] == ["verify"] else make()
