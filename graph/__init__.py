"""The catalog graph: the domain model, its rules and its two stores (Neo4j, embedded SQLite).

`graph` imports neither `sync` nor `federation`, and reads no environment: its configuration
is passed in by the caller.
"""
