"""Rendering the Kubernetes overlays (kustomize's own Go library, deploy/k8s/render) and
checking what comes out: core objects against the Kubernetes schemas (strict: an unknown field
is an error), operator objects (Strimzi, CloudNativePG, KEDA) against a table of the fields
they cannot do without, and names that must point at something that exists."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
RENDER_SOURCE = K8S / "render"
OVERLAYS = ("single-node", "production")
# The version the manifests are checked against; its schemas ship inside kubernetes-validate.
KUBERNETES_VERSION = "1.33.0"
# The first build downloads kustomize's modules and compiles them: a minute or two on two cores.
BUILD_TIMEOUT_SECONDS = 900

Doc = dict[str, Any]

CORE_GROUPS = frozenset(
    {"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1"}
)

# What each operator needs to act on an object at all; a missing one is an object it rejects or
# (worse) accepts and ignores.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "kafka.strimzi.io/v1beta2/Kafka": (
        ("spec", "kafka", "listeners"),
        ("spec", "kafka", "authorization", "type"),
        ("spec", "kafka", "config", "min.insync.replicas"),
        ("spec", "kafka", "config", "default.replication.factor"),
        ("spec", "entityOperator", "topicOperator"),
        ("spec", "entityOperator", "userOperator"),
    ),
    "kafka.strimzi.io/v1beta2/KafkaNodePool": (
        ("metadata", "labels", "strimzi.io/cluster"),
        ("spec", "replicas"),
        ("spec", "roles"),
        ("spec", "storage", "type"),
    ),
    "kafka.strimzi.io/v1beta2/KafkaTopic": (
        ("metadata", "labels", "strimzi.io/cluster"),
        ("spec", "topicName"),
        ("spec", "partitions"),
        ("spec", "replicas"),
        ("spec", "config", "min.insync.replicas"),
    ),
    "kafka.strimzi.io/v1beta2/KafkaUser": (
        ("metadata", "labels", "strimzi.io/cluster"),
        ("spec", "authentication", "type"),
        ("spec", "authorization", "type"),
        ("spec", "authorization", "acls"),
    ),
    "postgresql.cnpg.io/v1/Cluster": (
        ("spec", "instances"),
        ("spec", "imageName"),
        ("spec", "storage", "size"),
        ("spec", "bootstrap", "initdb", "database"),
        ("spec", "bootstrap", "initdb", "owner"),
        ("spec", "backup", "barmanObjectStore", "destinationPath"),
        ("spec", "backup", "barmanObjectStore", "s3Credentials"),
    ),
    "postgresql.cnpg.io/v1/ScheduledBackup": (
        ("spec", "schedule"),
        ("spec", "cluster", "name"),
    ),
    "keda.sh/v1alpha1/ScaledObject": (
        ("spec", "scaleTargetRef", "name"),
        ("spec", "minReplicaCount"),
        ("spec", "maxReplicaCount"),
        ("spec", "triggers"),
    ),
    "keda.sh/v1alpha1/TriggerAuthentication": (("spec", "secretTargetRef"),),
}
KAFKA_TRIGGER_FIELDS = ("bootstrapServers", "consumerGroup", "topic", "lagThreshold")


class RenderError(Exception):
    pass


def build_renderer(state_dir: Path) -> Path:
    """The render program, built once per change of its sources (cached in `state_dir`)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    binary = state_dir / "render"
    stamp = state_dir / "render.sha256"
    go = _go()
    wanted = _source_digest(go)
    # Two pytest workers may both get here: one builds, the other waits and reuses it.
    with (state_dir / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.exists() and stamp.exists() and stamp.read_text() == wanted:
            return binary
        env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly"}
        subprocess.run(
            [go, "build", "-trimpath", "-o", str(binary), "."],
            cwd=RENDER_SOURCE,
            env=env,
            check=True,
            timeout=BUILD_TIMEOUT_SECONDS,
        )
        stamp.write_text(wanted)
    return binary


def _go() -> str:
    # Where the official tarball puts it, for a shell whose PATH lacks it; else the error is
    # a FileNotFoundError naming it, and the test fails.
    return shutil.which("go") or "/usr/local/go/bin/go"


def _source_digest(go: str) -> str:
    """The sources and the toolchain: a change of either rebuilds."""
    digest = hashlib.sha256()
    version = subprocess.run([go, "version"], capture_output=True, check=True, timeout=60)
    digest.update(version.stdout)
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((RENDER_SOURCE / name).read_bytes())
    return digest.hexdigest()


def render(renderer: Path, kustomization_dir: Path) -> list[Doc]:
    result = subprocess.run(
        [str(renderer), str(kustomization_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RenderError(result.stderr.strip())
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def type_of(doc: Doc) -> str:
    return f"{doc['apiVersion']}/{doc['kind']}"


def name_of(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def of_kind(docs: Iterable[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def schema_problems(docs: Sequence[Doc]) -> list[str]:
    """Every object is either core (checked against the schemas) or in the REQUIRED table."""
    problems = []
    for doc in docs:
        if doc.get("apiVersion") in CORE_GROUPS:
            problems += _core_problems(doc)
        elif type_of(doc) in REQUIRED:
            problems += [
                f"{name_of(doc)}: missing {'.'.join(path)}"
                for path in REQUIRED[type_of(doc)]
                if _lookup(doc, path) is None
            ]
        else:
            problems.append(f"{name_of(doc)}: {type_of(doc)} is neither core nor checked")
    return problems


def _core_problems(doc: Doc) -> list[str]:
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(p) for p in error.path)
        return [f"{name_of(doc)}: {path}: {error.message}"]
    return []


def _lookup(doc: Doc, path: tuple[str, ...]) -> Any:
    node: Any = doc
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def trigger_problems(docs: Sequence[Doc]) -> list[str]:
    problems = []
    for scaled in of_kind(docs, "ScaledObject"):
        for trigger in scaled["spec"]["triggers"]:
            missing = [f for f in KAFKA_TRIGGER_FIELDS if f not in trigger.get("metadata", {})]
            if trigger.get("type") != "kafka" or missing:
                problems.append(f"{name_of(scaled)}: a kafka trigger needs {missing}")
    return problems


def reference_problems(docs: Sequence[Doc], template_secrets: set[str]) -> list[str]:
    """Names that must resolve: Secrets (made by us, by an operator, or from the template),
    autoscaler targets, backup clusters, the Kafka cluster of topics and users."""
    deployments = {d["metadata"]["name"] for d in of_kind(docs, "Deployment")}
    clusters = {d["metadata"]["name"] for d in of_kind(docs, "Cluster")}
    kafkas = {d["metadata"]["name"] for d in of_kind(docs, "Kafka")}
    secrets = (
        {d["metadata"]["name"] for d in of_kind(docs, "Secret")}
        | template_secrets
        | {f"{c}-{suffix}" for c in clusters for suffix in ("app", "superuser", "ca")}
        | {d["metadata"]["name"] for d in of_kind(docs, "KafkaUser")}
        | {f"{k}-cluster-ca-cert" for k in kafkas}
    )
    problems = [
        f"{where}: no Secret {secret}"
        for where, secret in _secret_references(docs)
        if secret not in secrets
    ]
    known = {"Deployment": deployments, "Cluster": clusters, "Kafka": kafkas}
    for doc in docs:
        target = _target_of(doc)
        if target is not None and target[1] not in known[target[0]]:
            problems.append(f"{name_of(doc)}: no {target[0]} {target[1]}")
    return problems


def _target_of(doc: Doc) -> tuple[str, str] | None:
    """The object that `doc` acts on or belongs to, as (kind, name)."""
    if doc["kind"] in ("ScaledObject", "HorizontalPodAutoscaler"):
        return "Deployment", doc["spec"]["scaleTargetRef"]["name"]
    if doc["kind"] == "ScheduledBackup":
        return "Cluster", doc["spec"]["cluster"]["name"]
    if doc["kind"] in ("KafkaTopic", "KafkaUser", "KafkaNodePool"):
        return "Kafka", doc["metadata"]["labels"]["strimzi.io/cluster"]
    return None


def _secret_references(docs: Sequence[Doc]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("secretKeyRef", "secretRef") and isinstance(value, dict):
                    found.append((where, value["name"]))
                elif key == "secret" and isinstance(value, dict) and "secretName" in value:
                    found.append((where, value["secretName"]))
                else:
                    walk(value, where)
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    for doc in docs:
        walk(doc, name_of(doc))
        if doc["kind"] == "TriggerAuthentication":
            found += [(name_of(doc), ref["name"]) for ref in doc["spec"]["secretTargetRef"]]
    return found


def all_problems(docs: Sequence[Doc], template_secrets: set[str]) -> list[str]:
    return (
        schema_problems(docs) + trigger_problems(docs) + reference_problems(docs, template_secrets)
    )


def template_secret_names() -> set[str]:
    path = K8S / "base" / "secrets.template.yaml"
    return {d["metadata"]["name"] for d in yaml.safe_load_all(path.read_text()) if d}
