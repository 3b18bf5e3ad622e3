"""The provisioning command keeps passwords out of its output (which ends up in job logs)."""

import json
import subprocess
import sys
from pathlib import Path

from xkld_shared.testing.infra import TestInfra


def test_provision_prints_no_password_and_writes_dsns_privately(
    tmp_path: Path, infra: TestInfra
) -> None:
    dsn_file = tmp_path / "dsns.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "xkld_shared.provision",
            "--kafka-bootstrap",
            infra.kafka_bootstrap,
            "--topic-prefix",
            "provision-test-",
            "--dsn-file",
            str(dsn_file),
        ],
        env={"XKLD_PG_ADMIN_DSN": infra.admin_dsn, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "-dev@" not in result.stdout
    assert "password" not in result.stdout.lower()
    assert json.loads(result.stdout)["databases"]["registration"]["role"] == "xkld_registration"
    assert dsn_file.stat().st_mode & 0o077 == 0, "the DSN file must be private"
    assert "xkld_registration:" in dsn_file.read_text()


def test_provision_for_one_service_touches_only_that_services_role_and_database(
    infra: TestInfra,
) -> None:
    # On Kubernetes each service's database is a cluster of its own: the setup Job runs this
    # once per cluster, so it must not create the other services' databases there.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "xkld_shared.provision",
            "--kafka-bootstrap",
            infra.kafka_bootstrap,
            "--topic-prefix",
            "provision-test-",
            "--service",
            "loans",
        ],
        env={"XKLD_PG_ADMIN_DSN": infra.admin_dsn, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert list(json.loads(result.stdout)["databases"]) == ["loans"]
