"""The checks of test_k8s_overlays.py can fail: a deliberately broken overlay of the real base
is rejected, whichever way it is broken."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .k8s_checks import K8S, RenderError, all_problems, render, template_secret_names

# The first test to ask for the renderer may wait for its first build (kustomize compiled from
# source: minutes on a busy two-core machine), which counts against that test's timeout.
pytestmark = pytest.mark.timeout(900)


def _overlay(tmp_path: Path, patch: str, *, extra: str = "") -> Path:
    # kustomize takes a base outside the overlay's directory, but only by a relative path.
    base = os.path.relpath(K8S / "base", tmp_path)
    (tmp_path / "patch.yaml").write_text(patch)
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        f"resources:\n  - {base}\n"
        "patches:\n  - path: patch.yaml\n" + extra
    )
    return tmp_path


def _problems(renderer: Path, overlay: Path) -> list[str]:
    return all_problems(render(renderer, overlay), template_secret_names())


def test_an_unknown_field_in_a_deployment_fails_strict_validation(
    renderer: Path, tmp_path: Path
) -> None:
    overlay = _overlay(
        tmp_path,
        """apiVersion: apps/v1
kind: Deployment
metadata: {name: loans}
spec:
  template:
    spec:
      containers:
        - name: app
          livenessProbe: {httpGet: {path: /health, port: http}, periodSecs: 10}
""",
    )
    problems = _problems(renderer, overlay)
    assert len(problems) == 1
    assert problems[0].startswith("Deployment/loans:")
    assert "periodSecs" in problems[0]


def test_a_wrongly_typed_field_fails_validation(renderer: Path, tmp_path: Path) -> None:
    overlay = _overlay(
        tmp_path,
        """apiVersion: apps/v1
kind: Deployment
metadata: {name: reporting}
spec: {revisionHistoryLimit: five}
""",
    )
    problems = _problems(renderer, overlay)
    assert [p.split(":")[0] for p in problems] == ["Deployment/reporting"]
    assert "revisionHistoryLimit" in problems[0]


def test_a_kafka_without_listeners_fails_the_required_fields_check(
    renderer: Path, tmp_path: Path
) -> None:
    overlay = _overlay(
        tmp_path,
        """apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata: {name: xkld}
spec:
  kafka:
    listeners: null
""",
    )
    assert _problems(renderer, overlay) == ["Kafka/xkld: missing spec.kafka.listeners"]


def test_a_secret_nobody_makes_and_a_scaled_object_without_target_are_reported(
    renderer: Path, tmp_path: Path
) -> None:
    overlay = _overlay(
        tmp_path,
        """apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: loans}
spec:
  scaleTargetRef: {name: loan}
""",
        extra="""  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: registration}
      spec:
        template:
          spec:
            containers:
              - name: app
                env:
                  - name: XKLD_BLIND_INDEX_KEY
                    valueFrom:
                      secretKeyRef: {name: registration-keyz, key: XKLD_BLIND_INDEX_KEY}
""",
    )
    problems = _problems(renderer, overlay)
    assert "ScaledObject/loans: no Deployment loan" in problems
    assert "Deployment/registration: no Secret registration-keyz" in problems


def test_an_overlay_that_kustomize_cannot_build_fails_to_render(
    renderer: Path, tmp_path: Path
) -> None:
    overlay = _overlay(tmp_path, "", extra="  - path: missing.yaml\n")
    with pytest.raises(RenderError, match=r"missing\.yaml"):
        render(renderer, overlay)
