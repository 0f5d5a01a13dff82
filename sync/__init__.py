"""The one-way sync: change events, the outbox relay, Kafka and the embedded log, upward
aggregation, the zone mirror and its classification guard.

`sync` imports `graph` only, and reads no environment.
"""
