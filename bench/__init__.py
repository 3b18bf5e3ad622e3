"""Benchmarks against the real Kafka and PostgreSQL: they print figures and assert nothing."""
