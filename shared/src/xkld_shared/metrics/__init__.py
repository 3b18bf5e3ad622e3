"""Prometheus metrics: one registry per service process, exposed at `/metrics`."""

from xkld_shared.metrics.service import ServiceMetrics

__all__ = ["ServiceMetrics"]
