"""kafka-python (Debian's python3-kafka) as the end-to-end tests drive it.

`/usr/bin/python3 test/e2e/kafka-python-client.py '<json>'` with
{"mode": "produce"|"consume", "bootstrap", "api_version": [0, 9] | [0, 10, 1] | …,
 "topic", "count", "partitions", "compression"?, "group"?}: produces
`count` records (key k{i}, value v{i}, to partition i % partitions), or
consumes `count` records in group `group` from the earliest offset and
commits, printing them as JSON [[partition, offset, key, value, timestamp], …].
A pinned `api_version` makes kafka-python speak that broker's protocol
without asking ApiVersions (Kafka 0.9's has no ApiVersions at all).
With {"mode": "admin", "bootstrap", "topic", "groups"}, KafkaAdminClient (which
asks ApiVersions) sets the topic's retention.ms to 5000, describes it and the
broker's log.retention.ms, grows the topic to 3 partitions, describes ACLs and
deletes `groups`, printing each outcome as JSON.
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer

args = json.loads(sys.argv[1])
api_version = tuple(args["api_version"]) if "api_version" in args else None


def admin(args):
    from kafka import KafkaAdminClient
    from kafka.admin import (ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, ConfigResource, ConfigResourceType, NewPartitions,
                             ResourcePatternFilter, ResourceType)
    client = KafkaAdminClient(bootstrap_servers=args["bootstrap"], client_id="py-admin")
    topic = args["topic"]
    out = {"api_version": list(client.config["api_version"])}
    altered = client.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.ms": "5000"})])
    out["alter"] = [[r[3], r[0]] for r in altered.resources]
    entries = lambda responses: [[e[0], e[1], e[2], e[3]] for response in responses for r in response.resources for e in r[4]]
    out["topic_configs"] = entries(client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.ms": None})]))
    out["broker_configs"] = entries(client.describe_configs([ConfigResource(ConfigResourceType.BROKER, "0", configs={"log.retention.ms": None})]))
    grown = client.create_partitions({topic: NewPartitions(3)})
    out["partitions"] = [[t[0], t[1]] for t in grown.topic_errors]
    try:
        patterns = ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)
        client.describe_acls(ACLFilter(principal=None, host="*", operation=ACLOperation.ANY, permission_type=ACLPermissionType.ANY, resource_pattern=patterns))
        out["acls"] = None
    except Exception as e:
        out["acls"] = type(e).__name__
    out["groups"] = [[g, error.__name__] for g, error in client.delete_consumer_groups(args["groups"])]
    client.close()
    print(json.dumps(out))


if args["mode"] == "admin":
    admin(args)
elif args["mode"] == "produce":
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
