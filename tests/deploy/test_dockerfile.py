"""The one image runs every process the manifests name: each workspace member is in it, and
so are the browser assets a clean clone does not have (they are git-ignored)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "deploy/Dockerfile").read_text(encoding="utf-8")
# A COPY instruction with its line continuations joined: sources then destination.
COPIES = [
    line.split()[1:]
    for line in re.sub(r"\\\n\s*", " ", DOCKERFILE).splitlines()
    if line.startswith("COPY ")
]


def _members() -> list[Path]:
    workspace = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    found = [m for pattern in workspace["members"] for m in sorted(REPO.glob(pattern))]
    return [m for m in found if (m / "pyproject.toml").is_file()]


def _name(member: Path) -> str:
    return str(tomllib.loads((member / "pyproject.toml").read_text())["project"]["name"])


def _runtime_members() -> list[Path]:
    wanted = set(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])
    return [m for m in _members() if _name(m) in wanted]


def _copied_from_context() -> set[str]:
    return {src for args in COPIES if not args[0].startswith("--from") for src in args[:-1]}


def _packages_in_image() -> set[str]:
    copied = _copied_from_context()
    return {
        package.name
        for member in _runtime_members()
        if f"{member.relative_to(REPO)}/src" in copied
        for package in (member / "src").iterdir()
        if (package / "__init__.py").is_file()
    }


def test_every_workspace_member_is_known_to_the_image_and_every_runtime_one_installed() -> None:
    copied = _copied_from_context()
    for member in _members():
        assert f"{member.relative_to(REPO)}/pyproject.toml" in copied, member
    for member in _runtime_members():
        assert f"{member.relative_to(REPO)}/src" in copied, member


def test_every_module_the_manifests_run_is_a_package_in_the_image() -> None:
    packages = _packages_in_image()
    run: set[str] = set()
    for manifest in (REPO / "deploy/k8s").rglob("*.yaml"):
        text = manifest.read_text(encoding="utf-8")
        run |= {m.split(".")[0] for m in re.findall(r'args: \["([A-Za-z_.]+)"', text)}
    assert run, "no container command found: the manifests' shape changed"
    assert run <= packages, sorted(run - packages)


def test_the_git_ignored_browser_assets_are_built_into_the_image() -> None:
    ignored = [
        line.strip("/")
        for line in (REPO / ".gitignore").read_text().splitlines()
        if "/static/" in line or line.endswith("axe.min.js")
    ]
    from_assets = [args[-1] for args in COPIES if args[0] == "--from=assets"]
    for directory in (d for d in ignored if "/src/" in d):  # shipped code, not test support
        assert any(dest.startswith(directory) for dest in from_assets), directory
