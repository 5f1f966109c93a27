"""The Kubernetes manifests (deploy/kubernetes) keep the safe settings that Rasa's deprecated
Helm chart gets wrong by default: no HTTP API, CORS from an allowlist, no fixed token or
password, a lock store for several servers, the action server private, only the chat paths
public, and limits on request size and rate."""
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"
KUSTOMIZATION = yaml.safe_load((K8S / "kustomization.yaml").read_text())
DOCS = [doc for name in KUSTOMIZATION["resources"]
        for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]


def of_kind(kind):
    return [doc for doc in DOCS if doc["kind"] == kind]


def pod_specs():
    for doc in DOCS:
        if doc["kind"] == "Deployment":
            yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]
        if doc["kind"] == "CronJob":
            yield doc["metadata"]["name"], doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def containers():
    for name, spec in pod_specs():
        for container in spec["containers"]:
            yield f"{name}/{container['name']}", container


CONTAINERS = dict(containers())
RASA = CONTAINERS["trust-coach/rasa"]
ACTIONS = CONTAINERS["trust-coach/actions"]
CONFIG = of_kind("ConfigMap")[0]["data"]


def command_line(container):
    return " ".join(container.get("command", []) + container.get("args", []))


def test_every_manifest_file_is_applied():
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert files == set(KUSTOMIZATION["resources"])


def test_the_http_api_is_off():
    assert "--enable-api" not in command_line(RASA)
    assert "rasa run " in command_line(RASA)


def test_cors_comes_from_an_allowlist_never_star():
    assert '--cors $(echo "$RASA_CORS"' in command_line(RASA)
    origins = CONFIG["RASA_CORS"].split()
    assert origins and all(o.startswith("https://") and "*" not in o for o in origins)


def test_no_password_or_token_is_written_in_the_manifests():
    assert not of_kind("Secret")
    for name, container in CONTAINERS.items():
        for env in container.get("env", []):
            if any(word in env["name"] for word in ("PASSWORD", "TOKEN", "SECRET", "KEY")):
                assert "value" not in env and "secretKeyRef" in env["valueFrom"], (name, env)
    for key in CONFIG:
        assert not any(word in key for word in ("PASSWORD", "TOKEN", "SECRET")), key


def test_several_servers_share_a_redis_lock_store_and_a_tracker_store():
    assert "--endpoints deploy/endpoints.production.yml" in command_line(RASA)
    endpoints = yaml.safe_load((ROOT / "deploy" / "endpoints.production.yml").read_text())
    assert endpoints["lock_store"]["type"] == "stores.lock_store.RenewingRedisLockStore"
    assert endpoints["tracker_store"]["type"] == "SQL"
    deployment = next(d for d in of_kind("Deployment") if d["metadata"]["name"] == "trust-coach")
    assert deployment["spec"]["replicas"] >= 2
    assert CONFIG["REDIS_HOST"] in {s["metadata"]["name"] for s in of_kind("Service")}


def test_the_action_server_is_reachable_only_from_its_own_pod():
    env = {e["name"]: e.get("value") for e in ACTIONS["env"]}
    assert env["SANIC_HOST"] == "127.0.0.1"
    assert CONFIG["ACTION_ENDPOINT_URL"].startswith("http://127.0.0.1:5055/")
    assert "--port 5055" in command_line(ACTIONS)
    for service in of_kind("Service"):
        assert all(port["port"] != 5055 for port in service["spec"]["ports"])


def test_only_the_chat_paths_are_public_with_size_and_rate_limits():
    ingress = of_kind("Ingress")[0]
    paths = {p["path"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
    assert paths == {"/webhooks/rest/webhook", "/socket.io/"}
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/proxy-body-size"] == "64k"
    assert int(notes["nginx.ingress.kubernetes.io/limit-rps"]) > 0
    assert int(notes["nginx.ingress.kubernetes.io/limit-connections"]) > 0
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"  # socket.io sessions
    assert ingress["spec"]["tls"]


def test_conversations_expire():
    job = of_kind("CronJob")[0]
    assert "purge_conversations.py --days" in command_line(CONTAINERS["purge-conversations/purge"])
    assert float(CONFIG["RETENTION_DAYS"]) > 0 and job["spec"]["schedule"]


def test_no_message_text_in_the_logs():
    for name in ("trust-coach/rasa", "trust-coach/actions"):
        env = {e["name"]: e.get("value") for e in CONTAINERS[name]["env"]}
        assert env["LOG_LEVEL"] == "INFO", name  # DEBUG would log what people type


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_containers_run_unprivileged_with_a_memory_limit(name):
    container = CONTAINERS[name]
    pod = dict(pod_specs())[name.split("/")[0]]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["resources"]["limits"]["memory"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed here")
def test_kustomize_renders_the_manifests():
    rendered = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True,
                              check=True).stdout
    kinds = [doc["kind"] for doc in yaml.safe_load_all(rendered) if doc]
    assert sorted(kinds) == sorted(doc["kind"] for doc in DOCS)
    assert "image: registry.example.org/trust-coach:1" in rendered
