"""kafka-python (Debian's python3-kafka) as the end-to-end tests drive it.

`/usr/bin/python3 test/e2e/kafka-python-client.py '<json>'` with
{"mode": "produce"|"consume", "bootstrap", "api_version": [0, 9] | [0, 10, 1] | …,
 "topic", "count", "partitions", "compression"?, "group"?}: produces
`count` records (key k{i}, value v{i}, to partition i % partitions), or
consumes `count` records in group `group` from the earliest offset and
commits, printing them as JSON [[partition, offset, key, value, timestamp], …].
A pinned `api_version` makes kafka-python speak that broker's protocol
without asking ApiVersions (Kafka 0.9's has no ApiVersions at all).
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer

args = json.loads(sys.argv[1])
api_version = tuple(args["api_version"])

if args["mode"] == "produce":
    producer = KafkaProducer(
        bootstrap_servers=args["bootstrap"],
        api_version=api_version,
        acks="all",
        compression_type=args.get("compression"),
        linger_ms=20,
    )
    for i in range(args["count"]):
        producer.send(args["topic"], key=f"k{i}".encode(), value=f"v{i}".encode(), partition=i % args["partitions"])
    producer.flush(timeout=30)
    producer.close(timeout=10)
else:
    consumer = KafkaConsumer(
        args["topic"],
        bootstrap_servers=args["bootstrap"],
        api_version=api_version,
        group_id=args["group"],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=30000,
    )
    seen = []
    for m in consumer:
        seen.append([m.partition, m.offset, None if m.key is None else m.key.decode(), m.value.decode(), m.timestamp])
        if len(seen) == args["count"]:
            break
    consumer.commit()
    consumer.close()
    print(json.dumps(seen))
