"""docker-compose.yml is well formed (Docker does not run here, so CI checks its structure).

A JSON schema covering the part of the Compose specification the file uses (unknown keys are
errors, so a typo like `helthcheck` fails), then the deployment's own rules: dependencies exist
and are health-checked, volumes are declared, Redis fsyncs every write, the load balancer's
upstreams are the compose services, and every PAIRBOARD_* variable is a real setting.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kernels.gateway.settings import GatewaySettings
from kernels.settings import KernelSettings
from server.settings import Settings

REPO = Path(__file__).resolve().parents[2]

_STRINGS = {"type": "array", "items": {"type": "string"}}
_COMMAND = {"oneOf": [{"type": "string"}, _STRINGS]}
HEALTHCHECK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["test"],
    "properties": {
        "test": {"oneOf": [{"type": "string"}, {**_STRINGS, "minItems": 2}]},
        "interval": {"type": "string", "pattern": r"^\d+(ms|s|m)$"},
        "timeout": {"type": "string", "pattern": r"^\d+(ms|s|m)$"},
        "start_period": {"type": "string", "pattern": r"^\d+(ms|s|m)$"},
        "retries": {"type": "integer", "minimum": 1},
    },
}
SERVICE = {
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["image"]}, {"required": ["build"]}],
    "properties": {
        "image": {"type": "string"},
        "build": {"oneOf": [{"type": "string"}, {"type": "object"}]},
        "restart": {"enum": ["no", "always", "on-failure", "unless-stopped"]},
        "command": _COMMAND,
        "environment": {
            "type": "object",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        },
        "depends_on": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["condition"],
                "properties": {
                    "condition": {
                        "enum": [
                            "service_started",
                            "service_healthy",
                            "service_completed_successfully",
                        ]
                    }
                },
            },
        },
        "healthcheck": HEALTHCHECK,
        "ports": {"type": "array", "items": {"type": "string", "pattern": r"^\d+:\d+$"}},
        "volumes": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^[^:]+:[^:]+(:ro)?$"},
        },
        "cap_add": _STRINGS,
        "security_opt": _STRINGS,
        "cgroup": {"enum": ["host", "private"]},
    },
}
COMPOSE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["services"],
    "patternProperties": {"^x-": {}},
    "properties": {
        "services": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": SERVICE,
            "propertyNames": {"pattern": r"^[a-z0-9][a-z0-9_-]*$"},
        },
        "volumes": {"type": "object", "additionalProperties": {"type": ["object", "null"]}},
    },
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded  # YAML anchors and merge keys (<<) are resolved by the loader


def test_compose_file_matches_the_schema(compose: dict[str, Any]) -> None:
    jsonschema.validate(compose, COMPOSE_SCHEMA)


def test_the_schema_rejects_a_misspelt_key(compose: dict[str, Any]) -> None:
    broken = {**compose, "services": {**compose["services"]}}
    broken["services"]["redis"] = {**compose["services"]["redis"], "helthcheck": {"test": "x"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, COMPOSE_SCHEMA)


def test_the_topology_is_redis_postgres_gateway_two_servers_and_a_load_balancer(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert sorted(services) == ["gateway", "lb", "postgres", "redis", "server-1", "server-2"]
    for name in ("server-1", "server-2"):
        env = services[name]["environment"]
        assert env["PAIRBOARD_REDIS_URL"] == "redis://redis:6379/0"
        assert env["PAIRBOARD_DATABASE_URL"].startswith("postgresql://")
        assert env["PAIRBOARD_KERNEL_PROVIDER"] == "gateway"
        assert env["PAIRBOARD_GATEWAY_URL"] == "http://gateway:8888"
    redis_command = services["redis"]["command"]
    assert redis_command[redis_command.index("--appendonly") + 1] == "yes"
    assert redis_command[redis_command.index("--appendfsync") + 1] == "always"


def test_every_dependency_exists_and_is_health_checked(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency]


def test_named_volumes_are_declared_and_bind_mounts_exist(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} uses undeclared volume {source}"


def test_every_pairboard_variable_is_a_real_setting(compose: dict[str, Any]) -> None:
    known = {f"PAIRBOARD_{f.upper()}" for f in Settings.model_fields}
    known |= {f"PAIRBOARD_KERNEL_{f.upper()}" for f in KernelSettings.model_fields}
    known |= {f"PAIRBOARD_GATEWAY_{f.upper()}" for f in GatewaySettings.model_fields}
    for name, service in compose["services"].items():
        for variable in service.get("environment", {}):
            if variable.startswith("PAIRBOARD_"):
                assert variable in known, f"{name}: {variable} is not a setting"


def test_the_load_balancer_hashes_on_the_session_over_both_replicas(
    compose: dict[str, Any],
) -> None:
    conf = (REPO / "deploy" / "nginx.conf").read_text()
    upstreams = re.findall(r"^\s*server\s+([\w-]+):8000\b", conf, flags=re.M)
    assert upstreams == ["server-1", "server-2"]
    assert re.search(r"hash \$pairboard_session consistent;", conf)
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    pattern = re.search(r"~\^/ws/\(\?<sid>\[\^/\]\+\)/", conf)
    assert pattern is not None, "websocket paths hash on their session id"


def test_the_dockerfile_installs_the_server_and_the_sandbox_kernelspec() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -e . jupyter-kernel-gateway" in dockerfile
    for copied in ("server/", "kernels/", "scenarios/"):
        assert f"COPY {copied} {copied}" in dockerfile
        assert (REPO / copied).is_dir()
    assert "python -m kernels.sandbox.provisioner /app/jupyter/kernels" in dockerfile
    assert "bubblewrap" in dockerfile
