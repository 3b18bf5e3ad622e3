"""Every Kubernetes overlay renders, validates, and says what the deployment promises."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from xkld_shared import provision
from xkld_shared.contracts.topics import Stream, Topics

from .k8s_checks import (
    OVERLAYS,
    REPO,
    Doc,
    all_problems,
    name_of,
    of_kind,
    template_secret_names,
)

# The first test to ask for the renderer may wait for its first build (kustomize compiled from
# source: minutes on a busy two-core machine), which counts against that test's timeout.
pytestmark = pytest.mark.timeout(900)


def _processes_scripts_run_supervises() -> set[str]:
    """The long-running processes of a single machine (scripts/run), minus the fake gateway."""
    text = (REPO / "scripts" / "run").read_text()
    block = text.split("SERVICES=(", 1)[1].split(")", 1)[0]
    names = {m.group(1) for m in re.finditer(r'^\s*"(\S+)\s', block, re.MULTILINE)}
    return names - {"fake-sms"}


def _by_name(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in of_kind(docs, kind)}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_of_an_overlay_passes_the_schemas_and_its_references_resolve(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    assert all_problems(rendered[overlay], template_secret_names()) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_that_runs_on_one_machine_has_a_deployment_with_probes_pdb_and_spread(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered[overlay]
    deployments = _by_name(docs, "Deployment")
    assert set(deployments) == _processes_scripts_run_supervises()
    budgets = {
        d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for d in of_kind(docs, "PodDisruptionBudget")
    }
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        (app,) = pod["containers"]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert app[probe]["httpGet"]["port"] == "http", (name, probe)
        assert app["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert {"cpu", "memory"} <= set(app["resources"]["requests"]), name
        assert {"cpu", "memory"} <= set(app["resources"]["limits"]), name
        assert {c["topologyKey"] for c in pod["topologySpreadConstraints"]} == {
            "kubernetes.io/hostname",
            "topology.kubernetes.io/zone",
        }
        assert name in budgets
        assert app["image"].startswith("registry.example.com/xkld"), "the overlay sets the image"


def test_the_topics_are_exactly_those_the_code_uses_with_explicit_partitions(
    rendered: dict[str, list[Doc]],
) -> None:
    expected = {spec.name: spec for spec in Topics("").all_specs(partitions=12)}
    for overlay in OVERLAYS:
        topics = {
            t["spec"]["topicName"]: t["spec"] for t in of_kind(rendered[overlay], "KafkaTopic")
        }
        assert set(topics) == set(expected), overlay
        for name, spec in expected.items():
            assert topics[name]["partitions"] == spec.partitions, (overlay, name)
            for key, value in spec.config:
                assert str(topics[name]["config"][key]) == value, (overlay, name, key)


@pytest.mark.parametrize(
    ("overlay", "brokers", "replication", "min_isr", "db_instances"),
    [("production", 3, 3, 2, 3), ("single-node", 1, 1, 1, 1)],
)
def test_each_overlay_has_its_own_number_of_brokers_replicas_and_database_instances(
    rendered: dict[str, list[Doc]],
    overlay: str,
    brokers: int,
    replication: int,
    min_isr: int,
    db_instances: int,
) -> None:
    docs = rendered[overlay]
    (kafka,) = of_kind(docs, "Kafka")
    (pool,) = of_kind(docs, "KafkaNodePool")
    assert pool["spec"]["replicas"] == brokers
    assert set(pool["spec"]["roles"]) == {"controller", "broker"}, "KRaft, no ZooKeeper"
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == replication
    assert config["min.insync.replicas"] == min_isr
    assert config["auto.create.topics.enable"] is False
    for topic in of_kind(docs, "KafkaTopic"):
        assert topic["spec"]["replicas"] == replication
        assert topic["spec"]["config"]["min.insync.replicas"] == min_isr
    clusters = of_kind(docs, "Cluster")
    # One database cluster per service that owns a database (the provisioning list).
    assert {c["metadata"]["name"] for c in clusters} == {f"{s}-db" for s in provision.SERVICES}
    for cluster in clusters:
        assert cluster["spec"]["instances"] == db_instances
        synchronous = cluster["spec"]["postgresql"].get("synchronous")
        if db_instances > 1:
            assert synchronous == {"method": "any", "number": 1, "dataDurability": "required"}
        else:
            assert synchronous is None
    backed_up = {b["spec"]["cluster"]["name"] for b in of_kind(docs, "ScheduledBackup")}
    assert backed_up == {c["metadata"]["name"] for c in clusters}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_consumer_scales_on_the_lag_of_its_own_groups_up_to_the_partition_count(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered[overlay]
    topics = of_kind(docs, "KafkaTopic")
    partitions = {t["spec"]["topicName"]: t["spec"]["partitions"] for t in topics}
    users = _by_name(docs, "KafkaUser")
    scaled = _by_name(docs, "ScaledObject")
    assert set(scaled) == {"loans", "notifications", "reporting", "outreach"}
    for name, obj in scaled.items():
        triggers = [t["metadata"] for t in obj["spec"]["triggers"]]
        groups_allowed = {
            acl["resource"]["name"]
            for acl in users[f"xkld-{name}"]["spec"]["authorization"]["acls"]
            if acl["resource"]["type"] == "group"
        }
        assert {t["consumerGroup"] for t in triggers} == groups_allowed, name
        for trigger in triggers:
            assert trigger["consumerGroup"] == f"{name}.{trigger['topic'].removeprefix('xkld.')}"
            assert obj["spec"]["maxReplicaCount"] <= partitions[trigger["topic"]], name
        assert 1 <= obj["spec"]["minReplicaCount"] <= obj["spec"]["maxReplicaCount"]
    http_scaled = _by_name(docs, "HorizontalPodAutoscaler")
    assert {"registration", "portal"} <= set(http_scaled)
    for hpa in http_scaled.values():
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_clients_use_tls_and_scram_with_their_own_user_and_nobody_else_gets_kafka(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered[overlay]
    users = _by_name(docs, "KafkaUser")
    (kafka,) = of_kind(docs, "Kafka")
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True
    assert listener["authentication"]["type"] == "scram-sha-512"
    for name, deployment in _by_name(docs, "Deployment").items():
        env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        if name in ("identity", "portal"):
            assert "XKLD_KAFKA_SASL_USERNAME" not in env, name
            continue
        assert env["XKLD_KAFKA_SECURITY_PROTOCOL"]["value"] == "SASL_SSL"
        assert env["XKLD_KAFKA_SASL_MECHANISM"]["value"] == "SCRAM-SHA-512"
        user = env["XKLD_KAFKA_SASL_USERNAME"]["value"]
        assert user == f"xkld-{name}"
        assert users[user]["spec"]["authentication"]["type"] == "scram-sha-512"
        password = env["XKLD_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]
        assert password == {"name": user, "key": "password"}


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels, and In/Exists expressions) against labels."""
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        value = labels.get(expression["key"])
        if expression["operator"] == "In" and value not in expression["values"]:
            return False
        if expression["operator"] == "Exists" and value is None:
            return False
    return True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_may_reach_its_own_database_and_no_other(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    docs = rendered[overlay]
    policies = of_kind(docs, "NetworkPolicy")
    by_name = _by_name(docs, "NetworkPolicy")
    assert set(by_name["xkld-default-deny"]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    workloads = of_kind(docs, "Deployment") + of_kind(docs, "Job")
    for workload in workloads:
        labels = workload["spec"]["template"]["metadata"]["labels"]
        for common in ("xkld-default-deny", "xkld-dns"):
            assert _selects(by_name[common]["spec"]["podSelector"], labels), name_of(workload)
        reachable = set()
        for policy in policies:
            if not _selects(policy["spec"]["podSelector"], labels):
                continue
            for rule in policy["spec"].get("egress", []):
                for peer in rule["to"]:
                    selects = peer.get("podSelector", {}).get("matchLabels", {})
                    if cluster := selects.get("cnpg.io/cluster"):
                        reachable.add(cluster)
        database = labels.get("xkld.io/database")
        assert reachable == ({f"{database}-db"} if database else set()), name_of(workload)
    assert {
        d["metadata"]["name"]
        for d in of_kind(docs, "Deployment")
        if "xkld.io/database" not in d["spec"]["template"]["metadata"]["labels"]
    } == {"portal"}


def test_strimzi_pods_that_inherit_part_of_are_not_caught_by_xkld_policies(
    rendered: dict[str, list[Doc]],
) -> None:
    # Strimzi copies the Kafka resource's app.kubernetes.io/part-of onto its pods.
    broker = {
        "app.kubernetes.io/part-of": "xkld",
        "app.kubernetes.io/name": "kafka",
        "strimzi.io/cluster": "xkld",
        "strimzi.io/broker-role": "true",
    }
    for overlay in OVERLAYS:
        caught = [
            name_of(p)
            for p in of_kind(rendered[overlay], "NetworkPolicy")
            if _selects(p["spec"]["podSelector"], broker)
        ]
        assert caught == [], overlay


def test_the_secret_template_is_not_part_of_any_overlay(rendered: dict[str, list[Doc]]) -> None:
    for overlay in OVERLAYS:
        secrets = {name_of(d) for d in of_kind(rendered[overlay], "Secret")}
        assert secrets == {"Secret/xkld-keda-kafka"}, overlay


def test_the_render_program_pins_kustomize_v0_21_2() -> None:
    go_mod = (REPO / "deploy" / "k8s" / "render" / "go.mod").read_text()
    assert "sigs.k8s.io/kustomize/api v0.21.2" in go_mod
    assert "sigs.k8s.io/kustomize/kyaml v0.21.2" in go_mod
    assert Path(REPO / "deploy" / "k8s" / "render" / "go.sum").stat().st_size > 0


def test_every_dead_letter_topic_has_a_suspended_replay_whose_user_may_read_it_and_write_back(
    rendered: dict[str, list[Doc]],
) -> None:
    topics = Topics("")
    for overlay in OVERLAYS:
        docs = rendered[overlay]
        (user,) = [
            u for u in of_kind(docs, "KafkaUser") if u["metadata"]["name"] == "xkld-dlq-replay"
        ]
        allowed = {
            (acl["resource"].get("name"), op)
            for acl in user["spec"]["authorization"]["acls"]
            for op in acl["operations"]
        }
        replayed = set()
        for job in of_kind(docs, "CronJob"):
            assert job["spec"]["suspend"] is True, (overlay, name_of(job))  # run by hand only
            pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            args = pod["containers"][0]["args"]
            if args[0] == "xkld_shared.messaging.replay_dlq":
                replayed.add(args[1])
        for stream in Stream:
            dlq, topic = topics.dlq_of(stream), topics.of(stream)
            assert dlq in replayed, (overlay, dlq)
            assert {(dlq, "Read"), (topic, "Write")} <= allowed, (overlay, stream)
