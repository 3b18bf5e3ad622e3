"""The ports the harness gives services are ones the kernel does not hand out by itself."""

from __future__ import annotations

from pathlib import Path

from xkld_shared.testing.processes import free_port


def test_a_free_port_is_below_the_kernels_ephemeral_range_and_drawn_at_random() -> None:
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = {free_port() for _ in range(50)}
    assert all(port < low for port in ports), sorted(ports)
    assert len(ports) > 40, "two workers drawing in step would take the same ports"
