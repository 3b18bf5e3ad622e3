"""The overlays, rendered once per run by kustomize built from source (deploy/k8s/render)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .k8s_checks import K8S, OVERLAYS, REPO, Doc, build_renderer, render


@pytest.fixture(scope="session")
def renderer() -> Path:
    # No Go, no test: a missing toolchain fails here (FileNotFoundError), it never skips.
    return build_renderer(REPO / ".state" / "k8s-render")


@pytest.fixture(scope="session")
def rendered(renderer: Path) -> dict[str, list[Doc]]:
    return {overlay: render(renderer, K8S / "overlays" / overlay) for overlay in OVERLAYS}
