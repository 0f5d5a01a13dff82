"""The logs a link runs over, one module each:

    sync.log.protocol   `ChangeLog`, `LogReader`, `Record`: what every log implements
    sync.log.kafka      `KafkaLog` (aiokafka), for production, with `KafkaClientSettings`
    sync.log.kafka_tls  its TLS (SASL_SSL): the client's SSL context, and why a handshake failed
    sync.log.embedded   `EmbeddedLog` (SQLite), for a single host without Kafka

Import from the module that holds a name: nothing is re-exported here, so that code using
the protocol or the embedded log never loads aiokafka.
"""
