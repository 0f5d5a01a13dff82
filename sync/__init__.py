"""The one-way sync: change events, the outbox relay, Kafka and the embedded log, upward
aggregation, the zone mirror and its classification guard.

    events, snapshots    what crosses a link: a change event and the entry it carries
                         (its JSON Schema in schema/)
    links, instances     the routes (upward, mirror), their topics and consumer groups
    guard                may this event cross this link, and in what form (pure)
    relay                the source's end: outbox → guard → the link's topics
    consumer, apply      the target's end: the link's topic → guard → store → commit
    security             what either end refused: security events and dead letters
    log/                 the logs a link runs over: protocol, kafka, embedded
    topics, acls         a link's topics created on a log; Kafka principals and grants
    worker, status,      one instance's relays and consumers supervised, and what they did
    metrics
    errors               the sync's errors, each saying whether it is retriable

`sync` imports `graph` only, and reads no environment.
"""
