"""deploy/k8s: every manifest valid against the Kubernetes API schemas (offline), and complete:
each service with probes, resources, config, an autoscaler and a disruption budget."""

from __future__ import annotations

import base64
import copy
import shutil
import subprocess
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from devstack.__main__ import SERVICE_COMMANDS
from servicekit.settings import DEFAULT_PORTS
from services.inquiries.settings import InquiryEnvironment, InquirySettings
from tests.deploy.layout import APP_SERVICES, K8S, is_read_by_the_processes

# An older release many managed clusters still run, and the newest schemas the package ships.
KUBERNETES_VERSIONS = ("1.32.0", kubernetes_validate.latest_version())
OVERLAYS = ("base", "overlays/development", "overlays/production")


def _resource_files() -> list[Path]:
    return sorted(p for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml")


@cache
def _built(overlay: str) -> tuple[dict, ...]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (with its built-in kustomize) is needed to build the overlays")
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S / overlay)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def _objects(overlay: str, kind: str) -> dict[str, dict]:
    return {obj["metadata"]["name"]: obj for obj in _built(overlay) if obj["kind"] == kind}


def _invalid(document: dict, version: str) -> str | None:
    try:
        kubernetes_validate.validate(document, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        return f"{document['kind']}/{document['metadata'].get('name')}: {error.message}"
    return None


@pytest.mark.parametrize("path", _resource_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_every_manifest_file_is_valid_kubernetes(path):
    documents = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    assert documents
    for version in KUBERNETES_VERSIONS:
        assert [e for doc in documents if (e := _invalid(doc, version))] == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_an_overlay_builds_is_valid_kubernetes(overlay):
    for version in KUBERNETES_VERSIONS:
        assert [e for doc in _built(overlay) if (e := _invalid(doc, version))] == []


def test_the_schema_check_rejects_a_misspelled_or_mistyped_field():
    deployment = copy.deepcopy(_objects("base", "Deployment")["search"])
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    assert _invalid(deployment, KUBERNETES_VERSIONS[-1]) is not None
    deployment = copy.deepcopy(_objects("base", "Deployment")["search"])
    deployment["spec"]["replicas"] = "three"
    assert _invalid(deployment, KUBERNETES_VERSIONS[-1]) is not None


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_a_deployment_service_autoscaler_and_disruption_budget(overlay):
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert set(APP_SERVICES) <= set(_objects(overlay, kind)), kind
    deployments = _objects(overlay, "Deployment")
    for name in APP_SERVICES:
        pod_labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        selector = deployments[name]["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()
        assert _objects(overlay, "Service")[name]["spec"]["selector"].items() <= pod_labels.items()
        budget = _objects(overlay, "PodDisruptionBudget")[name]["spec"]
        assert budget["selector"]["matchLabels"].items() <= pod_labels.items()
        autoscaler = _objects(overlay, "HorizontalPodAutoscaler")[name]["spec"]
        assert autoscaler["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert 1 <= autoscaler["minReplicas"] <= autoscaler["maxReplicas"]


def _container(overlay: str, name: str) -> dict:
    (container,) = _objects(overlay, "Deployment")[name]["spec"]["template"]["spec"]["containers"]
    return container


@pytest.mark.parametrize("name", APP_SERVICES)
def test_probes_ask_the_service_if_it_is_alive_and_ready_on_its_port(name):
    container = _container("base", name)
    assert container["ports"] == [{"name": "http", "containerPort": DEFAULT_PORTS[name], "protocol": "TCP"}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    service_ports = _objects("base", "Service")[name]["spec"]["ports"]
    assert [(p["port"], p["targetPort"]) for p in service_ports] == [(DEFAULT_PORTS[name], "http")]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_containers_have_requests_and_limits_and_run_unprivileged(overlay):
    for name, deployment in _objects(overlay, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys(), name
            assert {"cpu", "memory"} <= resources["limits"].keys(), name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["readOnlyRootFilesystem"] is True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_containers_are_configured_from_a_config_map_and_secrets(overlay):
    config_maps = _objects(overlay, "ConfigMap")
    secrets = _objects(overlay, "Secret")
    for name in APP_SERVICES:
        sources = _container(overlay, name)["envFrom"]
        (config,) = [s["configMapRef"]["name"] for s in sources if "configMapRef" in s]
        given = [s["secretRef"]["name"] for s in sources if "secretRef" in s]
        assert config in config_maps
        # Development generates the Secrets; production expects them made by the operator.
        wanted = ["directory-secrets", "inquiries-secrets"] if name == "inquiries" else ["directory-secrets"]
        if overlay == "overlays/development":
            assert all(secret in secrets for secret in given) and len(given) == len(wanted)
            assert [secret.rsplit("-", 1)[0] for secret in given] == wanted
        else:
            assert given == wanted
        assert "env" not in _container(overlay, name)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_inquiries_pods_can_read_the_inquiry_encryption_keys(overlay):
    for name, deployment in _objects(overlay, "Deployment").items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            refs = [s["secretRef"]["name"] for s in container.get("envFrom", []) if "secretRef" in s]
            assert name == "inquiries" or not [r for r in refs if r.startswith("inquiries-secrets")], name
    for config_map in _objects(overlay, "ConfigMap").values():
        assert "INQUIRY_ENCRYPTION_KEYS" not in config_map["data"]
    for secret_name, secret in _objects(overlay, "Secret").items():
        keys = set(secret.get("data", {}))
        assert ("INQUIRY_ENCRYPTION_KEYS" in keys) == secret_name.startswith("inquiries-secrets"), secret_name


def test_production_refuses_the_development_inquiry_key_and_names_a_sender():
    (config,) = _objects("overlays/production", "ConfigMap").values()
    assert config["data"]["DIRECTORY_ENV"] == "production"
    assert "@" in config["data"]["SMTP_FROM"]
    development = next(
        s for n, s in _objects("overlays/development", "Secret").items() if n.startswith("inquiries-")
    )
    key = base64.b64decode(development["data"]["INQUIRY_ENCRYPTION_KEYS"]).decode()
    assert InquirySettings.from_env(InquiryEnvironment(inquiry_encryption_keys=key)).encryption_keys == (key,)
    with pytest.raises(ValueError, match="development key"):
        InquirySettings.from_env(InquiryEnvironment(directory_env="production", inquiry_encryption_keys=key))


def test_the_development_cluster_has_a_mail_server_where_profiles_sends_its_notifications():
    secret = next(
        s for n, s in _objects("overlays/development", "Secret").items() if n.startswith("directory-")
    )
    smtp = urlsplit(base64.b64decode(secret["data"]["SMTP_URL"]).decode())
    service = _objects("overlays/development", "Service")[smtp.hostname]
    assert smtp.port in [p["port"] for p in service["spec"]["ports"]]
    assert smtp.hostname in _objects("overlays/development", "Deployment")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_configuration_holds_only_settings_the_processes_read(overlay):
    for config_map in _objects(overlay, "ConfigMap").values():
        for key in config_map["data"]:
            assert is_read_by_the_processes(key), key
    for secret in _objects(overlay, "Secret").values():
        for key in secret.get("data", {}):
            assert is_read_by_the_processes(key), key


def test_service_urls_in_the_configuration_name_the_services():
    (config,) = _objects("base", "ConfigMap").values()
    services = _objects("base", "Service")
    for name in APP_SERVICES:
        port = services[name]["spec"]["ports"][0]["port"]
        assert config["data"][f"{name.upper()}_URL"] == f"http://{name}:{port}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_deployment_runs_its_services_image_target_with_the_images_command(overlay):
    for name in SERVICE_COMMANDS:
        container = _container(overlay, name)
        image = container["image"].rsplit(":", 1)[0]
        assert image.endswith(f"therapist-directory/{name}"), image
        assert "command" not in container and "args" not in container


def test_production_pins_released_images_and_keeps_no_credentials():
    for name in APP_SERVICES:
        image = _container("overlays/production", name)["image"]
        assert ":" in image.rsplit("/", 1)[-1] and not image.endswith((":latest", ":dev"))
    assert _objects("overlays/production", "Secret") == {}


def test_mongodb_and_rabbitmq_are_external_services_in_the_namespace():
    services = _objects("base", "Service")
    for name in ("mongodb", "rabbitmq"):
        assert services[name]["spec"]["type"] == "ExternalName"
