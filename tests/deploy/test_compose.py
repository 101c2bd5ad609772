"""deploy/compose.yaml: valid Compose, scalable services, start-up order, matching credentials."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from importlib import resources
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest

from tests.deploy.layout import (
    APP_SERVICES,
    DEPLOY,
    REPO,
    compose,
    definitions,
    dockerfile,
    is_read_by_the_processes,
)


@pytest.fixture(scope="module")
def compose_validator():
    # The Compose specification's JSON schema, as shipped by check-jsonschema (no network).
    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json")
    schema = json.loads(text.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def _errors(validator, document) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(document)]


def test_the_compose_file_is_valid_against_the_compose_specification(compose_validator):
    assert _errors(compose_validator, compose()) == []


def test_the_compose_schema_check_rejects_a_broken_file(compose_validator):
    broken = copy.deepcopy(compose())
    broken["services"]["gateway"]["depends_on"]["search"]["condition"] = "service_happy"
    broken["services"]["search"]["healthcheck"]["interval"] = {"seconds": 10}
    errors = _errors(compose_validator, broken)
    assert any(e.startswith("$.services.gateway") and "'depends_on'" in e for e in errors)
    assert "$.services.search.healthcheck.interval: {'seconds': 10} is not of type 'string'" in errors


def test_only_the_gateway_publishes_a_port():
    publishing = {name for name, service in compose()["services"].items() if service.get("ports")}
    assert publishing == {"gateway"}


@pytest.mark.parametrize("name", [s for s in APP_SERVICES if s != "gateway"])
def test_a_service_can_be_scaled_to_several_replicas(name):
    service = compose()["services"][name]
    # Fixed names or host ports would collide between replicas (`--scale search=3`).
    assert "container_name" not in service
    assert "hostname" not in service
    assert "ports" not in service
    assert service["environment"]["BIND_HOST"] == "0.0.0.0"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_service_runs_its_own_image_target(name):
    service = compose()["services"][name]
    build = service["build"]
    assert (DEPLOY / build["context"]).resolve() == REPO
    assert build["target"] == name
    assert dockerfile(REPO / build["dockerfile"]).stage(name)
    assert "command" not in service  # the image's command is the run command's


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_service_starts_once_mongodb_and_rabbitmq_are_ready_and_reports_its_health(name):
    service = compose()["services"][name]
    assert service["depends_on"]["mongo-init"] == {"condition": "service_completed_successfully"}
    assert service["depends_on"]["rabbitmq"] == {"condition": "service_healthy"}
    assert service["healthcheck"]["test"] == ["CMD", "python", "/opt/directory/healthcheck.py"]
    assert service["restart"] == "unless-stopped"


def test_the_gateway_starts_after_the_services_are_healthy():
    depends_on = compose()["services"]["gateway"]["depends_on"]
    for name in ("profiles", "approaches", "search", "inquiries"):
        assert depends_on[name] == {"condition": "service_healthy"}


def test_mongodb_is_a_replica_set_initialised_before_anything_uses_it():
    services = compose()["services"]
    command = services["mongodb"]["command"]
    replica_set = command[command.index("--replSet") + 1]
    init = services["mongo-init"]
    assert init["depends_on"]["mongodb"] == {"condition": "service_healthy"}
    assert init["environment"]["MONGO_REPLICA_SET"] == replica_set
    assert "healthcheck" in services["mongodb"] and "healthcheck" in services["rabbitmq"]
    for name in APP_SERVICES:
        uri = urlsplit(services[name]["environment"]["MONGODB_URI"])
        assert parse_qs(uri.query)["replicaSet"] == [replica_set]
        assert f"{uri.hostname}:{uri.port or 27017}" == init["environment"]["MONGO_REPLICA_SET_HOST"]


def test_every_mounted_file_exists():
    for service in compose()["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), source


def _password_matches(user: dict, password: str) -> bool:
    # rabbit_password_hashing_sha256: base64(salt(4) + sha256(salt + password))
    assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256"
    raw = base64.b64decode(user["password_hash"])
    salt, digest = raw[:4], raw[4:]
    return hashlib.sha256(salt + password.encode()).digest() == digest


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_services_log_in_to_rabbitmq_with_a_user_the_definitions_create(name):
    url = urlsplit(compose()["services"][name]["environment"]["AMQP_URL"])
    topology = definitions()
    vhost = url.path.lstrip("/")
    user = next(u for u in topology["users"] if u["name"] == url.username)
    assert _password_matches(user, url.password)
    assert "administrator" not in user["tags"]
    assert vhost in {v["name"] for v in topology["vhosts"]}
    assert {"user": url.username, "vhost": vhost} in [
        {"user": p["user"], "vhost": p["vhost"]} for p in topology["permissions"]
    ]


def test_every_environment_variable_is_one_the_processes_read():
    for name in compose()["services"]["search"]["environment"]:
        assert is_read_by_the_processes(name), name


def test_only_the_inquiries_service_is_given_the_inquiry_encryption_keys():
    # The keys unseal visitors' messages: no other container may read them from its environment.
    holders = {
        name
        for name, service in compose()["services"].items()
        if "INQUIRY_ENCRYPTION_KEYS" in service.get("environment", {})
    }
    assert holders == {"inquiries"}


def test_profiles_sends_its_notifications_to_the_mail_service_unless_told_otherwise():
    services = compose()["services"]
    smtp = urlsplit(services["profiles"]["environment"]["SMTP_URL"].removeprefix("${SMTP_URL:-").rstrip("}"))
    assert (smtp.scheme, smtp.hostname) == ("smtp", "mail")
    assert "mail" in services and "ports" not in services["mail"]


@pytest.mark.parametrize("name", ["profiles", "inquiries"])
def test_a_service_with_settings_of_its_own_still_has_the_shared_ones(name):
    environment = compose()["services"][name]["environment"]
    assert environment.items() >= compose()["services"]["search"]["environment"].items()
    for variable in environment:
        assert is_read_by_the_processes(variable), variable
