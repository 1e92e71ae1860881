"""Check the wiring of infra/terraform against infra/pipeline.json and the least-privilege table.

The module is read with python-hcl2. Its for_each/count expressions and every other value
that depends only on variables and locals are evaluated by Terraform itself (`terraform
console` on a copy of variables.tf and locals.tf: no provider is needed), once per Gemini
mode. References to resources (`google_service_account.function["webhook"]`) are read from
the expressions after `each.key` / `each.value` are replaced by the instance's values.

Checked:
- every topic has one push subscription to its subscriber, with OIDC, a retry policy and
  (where pipeline.json names one) a dead-letter policy; every dead-letter topic has a subscriber;
- every ack deadline is at least the subscriber's timeout (and at most Pub/Sub's 600 s);
- each function's service account holds exactly the roles listed below, none on the project
  except roles/aiplatform.user for extract in Vertex AI mode;
- the webhook is the only public function, and the only one open to internet ingress;
- buckets have uniform access and enforced public access prevention; raw photos expire;
- terraform.tfvars.example passes the variables' validation.

Usage: python -m tools.tf_wiring DIR   (prints one line per error, then wiring_errors=N)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.tf_hcl import Block, dynamic_blocks, is_block_list, load_dir, merged_locals, nested_blocks

MODES = ("api_key", "vertex_ai")
EXAMPLE_VARS = {"project_id": "example-project"}
EXAMPLE_TFVARS = "terraform.tfvars.example"
PUBSUB_MAX_ACK_DEADLINE = 600

OBJECT_USER = "roles/storage.objectUser"
OBJECT_VIEWER = "roles/storage.objectViewer"
PUBLISHER = "roles/pubsub.publisher"
SUBSCRIBER = "roles/pubsub.subscriber"
ACCESSOR = "roles/secretmanager.secretAccessor"
INVOKER = "roles/run.invoker"

Grant = tuple[str, str, str]  # (kind of target, target key, role)


def expected_function_grants(mode: str) -> dict[str, set[Grant]]:
    """The least-privilege table: everything each function's service account may hold."""
    token = ("secret", "telegram-bot-token", ACCESSOR)
    extract = {("bucket", "work", OBJECT_USER), ("bucket", "results", OBJECT_USER), token}
    if mode == "api_key":
        extract.add(("secret", "gemini-api-key", ACCESSOR))
    else:  # Vertex AI has no finer-grained resource to grant on: the documented exception.
        extract.add(("project", "", "roles/aiplatform.user"))
    return {
        # /delete erases a chat's objects in all three buckets.
        "webhook": {
            ("bucket", "raw", OBJECT_USER),
            ("bucket", "work", OBJECT_USER),
            ("bucket", "results", OBJECT_USER),
            ("topic", "receipts-uploaded", PUBLISHER),
            token,
            ("secret", "telegram-webhook-secret", ACCESSOR),
        },
        "preprocess": {
            ("bucket", "raw", OBJECT_VIEWER),
            ("bucket", "work", OBJECT_USER),
            ("topic", "receipts-preprocessed", PUBLISHER),
            token,
        },
        "extract": extract,
        "deadletter": {("bucket", "raw", OBJECT_USER), ("bucket", "work", OBJECT_USER), token},
    }


# Settings each function must get as plain variables (receiptbot/settings.py), and as secrets.
REQUIRED_ENV = {
    "webhook": {"GOOGLE_CLOUD_PROJECT", "RAW_BUCKET", "WORK_BUCKET", "RESULTS_BUCKET", "TOPIC_UPLOADED"},
    "preprocess": {"GOOGLE_CLOUD_PROJECT", "RAW_BUCKET", "WORK_BUCKET", "TOPIC_PREPROCESSED"},
    "extract": {"GOOGLE_CLOUD_PROJECT", "WORK_BUCKET", "RESULTS_BUCKET", "GEMINI_MODEL"},
    "deadletter": {"GOOGLE_CLOUD_PROJECT", "RAW_BUCKET", "WORK_BUCKET"},
}
SECRET_NAMES = re.compile(r"TOKEN|SECRET|API_KEY|PASSWORD")

_REFERENCE = re.compile(r'\b(google_\w+)\.(\w+)(?:\["([^"]+)"\])?')
_IMPURE = re.compile(r"\b(google_\w+|data|module|resource)\.|\bself\.")
_LITERAL_ONLY = re.compile(r'\$\{("(?:[^"\\]|\\.)*")\}')  # "${"text"}" is just "text"


def to_hcl(value: Any) -> str:
    """A python-hcl2 value as HCL expression text."""
    if isinstance(value, str):
        inner = value[2:-1] if value.startswith("${") and value.endswith("}") else None
        if inner is not None and "${" not in inner:
            return f"({inner})"
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(to_hcl(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k)} = {to_hcl(v)}" for k, v in value.items() if k[:2] != "__") + "}"
        )
    raise TypeError(f"cannot write {value!r} as HCL")


def literal(value: Any) -> str:
    """A plain (JSON) value as an HCL literal, `${` escaped so it is never interpolated."""
    return json.dumps(value).replace("${", "$${")


def substitute(value: Any, names: dict[str, Any]) -> Any:
    """Replace `name` / `name.attr...` (each.key, each.value, an iterator) by literals, recursively."""
    if isinstance(value, dict):
        return {k: substitute(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, names) for v in value]
    if not isinstance(value, str):
        return value
    for name, bound in names.items():

        def replace(match: re.Match[str], bound: Any = bound) -> str:
            current = bound
            for attr in filter(None, match.group(1).split(".")):
                if not isinstance(current, dict) or attr not in current:
                    return match.group(0)
                current = current[attr]
            return literal(current)

        value = re.sub(rf"\b{re.escape(name)}((?:\.\w+)*)", replace, value)
    plain = _LITERAL_ONLY.fullmatch(value)
    return json.loads(plain.group(1)) if plain else value


def is_pure(value: Any) -> bool:
    """True when an expression depends only on variables, locals and literals."""
    return not _IMPURE.search(json.dumps(value))


def references(value: Any, resource_type: str) -> list[tuple[str, str | None]]:
    """(resource name, instance key) of every reference to `resource_type` in a value."""
    return [
        (m.group(2), m.group(3))
        for m in _REFERENCE.finditer(json.dumps(value).replace('\\"', '"'))
        if m.group(1) == resource_type
    ]


class Evaluator:
    """Evaluates pure HCL expressions with `terraform console` on a copy of variables and locals."""

    def __init__(self, tf_dir: Path, variables: dict[str, str], var_file: str | None = None) -> None:
        self.tf_dir = tf_dir
        self.variables = variables
        self.var_file = var_file

    def evaluate(self, expressions: dict[str, str]) -> dict[str, Any]:
        if not expressions:
            return {}
        with tempfile.TemporaryDirectory() as tmp:
            module = Path(tmp) / self.tf_dir.name
            module.mkdir()
            for name in ("variables.tf", "locals.tf", *([self.var_file] if self.var_file else [])):
                shutil.copy(self.tf_dir / name, module / name)
            shutil.copy(self.tf_dir.parent / "pipeline.json", Path(tmp) / "pipeline.json")
            body = ", ".join(f"{json.dumps(key)} = {expr}" for key, expr in expressions.items())
            argv = [
                "terraform",
                "console",
                "-no-color",
                *(f"-var={k}={v}" for k, v in self.variables.items()),
            ]
            if self.var_file:
                argv.append(f"-var-file={self.var_file}")
            done = subprocess.run(
                argv,
                cwd=module,
                input=f"jsonencode({{{body}}})\n",
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        if done.returncode != 0:
            lines = [line.strip(" │╷╵") for line in done.stderr.splitlines()]
            first = next(
                (i for i, line in enumerate(lines) if line.startswith("Error:")), max(len(lines) - 8, 0)
            )
            raise RuntimeError(" ".join(line for line in lines[first : first + 8] if line))
        return json.loads(json.loads(done.stdout.strip().splitlines()[-1]))


# Arguments evaluated per instance, and where dynamic blocks are expanded.
WANTED = {
    "google_pubsub_subscription": [
        "ack_deadline_seconds",
        "retry_policy.minimum_backoff",
        "retry_policy.maximum_backoff",
        "expiration_policy.ttl",
    ],
    "google_cloudfunctions2_function": [
        "service_config.ingress_settings",
        "service_config.timeout_seconds",
        "service_config.environment_variables",
    ],
    "google_storage_bucket": [
        "uniform_bucket_level_access",
        "public_access_prevention",
        "versioning.enabled",
    ],
}
DYNAMIC_PLACES = ("", "service_config")
IAM_TARGETS = {  # IAM resource type -> (argument naming the target, kind of target, its resource type)
    "google_storage_bucket_iam_member": ("bucket", "bucket", "google_storage_bucket"),
    "google_pubsub_topic_iam_member": ("topic", "topic", "google_pubsub_topic"),
    "google_pubsub_subscription_iam_member": ("subscription", "subscription", "google_pubsub_subscription"),
    "google_secret_manager_secret_iam_member": ("secret_id", "secret", "google_secret_manager_secret"),
    "google_cloud_run_v2_service_iam_member": ("name", "function", "google_cloudfunctions2_function"),
    "google_project_iam_member": ("project", "project", ""),
}


@dataclass
class Instance:
    block: Block
    key: str | int | None
    body: dict[str, Any]  # each.* replaced by literals

    @property
    def address(self) -> str:
        return self.block.address + ("" if self.key is None else f"[{json.dumps(self.key)}]")


@dataclass
class Model:
    """One Gemini mode's expanded resources and evaluated values."""

    mode: str
    instances: dict[str, list[Instance]] = field(default_factory=dict)  # by resource type
    values: dict[str, Any] = field(default_factory=dict)  # "<address>/<path>" -> evaluated value
    errors: list[str] = field(default_factory=list)

    def of(self, resource_type: str) -> list[Instance]:
        return self.instances.get(resource_type, [])

    def value(self, instance: Instance, path: str) -> Any:
        return self.values.get(f"{instance.address}/{path}")

    def dynamic(self, instance: Instance, where: str, block_type: str) -> list[dict[str, Any]]:
        """The bodies that `dynamic "block_type"` blocks at `where` ("" or a block path) expand to."""
        body = lookup(instance.body, where) if where else instance.body
        contents = []
        for index, (label, dyn) in enumerate(dynamic_blocks(body or {})):
            items = self.values.get(f"{instance.address}/dynamic:{where}:{index}")
            if label != block_type or items is None:
                continue
            iterator = str(dyn.get("iterator", label)).removeprefix("${").removesuffix("}")
            pairs = items.items() if isinstance(items, dict) else enumerate(items)
            contents += [substitute(dyn["content"][0], {iterator: {"key": k, "value": v}}) for k, v in pairs]
        return contents


def lookup(body: dict[str, Any], path: str) -> Any:
    """A value by a dotted path through nested blocks (the first block of each type)."""
    current: Any = body
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
        if is_block_list(current):
            current = current[0]
    return current


def expand(blocks: list[Block], evaluator: Evaluator, mode: str) -> Model:
    """Every resource's instances, with the values the checks need evaluated by Terraform."""
    model = Model(mode)
    resources = [b for b in blocks if b.kind == "resource"]
    meta = {}
    for block in resources:
        for name in ("for_each", "count"):
            if name in block.body:
                if is_pure(block.body[name]):
                    meta[block.address] = to_hcl(block.body[name])
                else:
                    model.errors.append(f"{block.address}: {name} must depend only on variables and locals")
    expanded = evaluator.evaluate(meta)
    for block in resources:
        found = expanded.get(block.address)
        if "for_each" in block.body and found is not None:
            pairs = found.items() if isinstance(found, dict) else ((v, v) for v in found)
            made = [
                Instance(block, k, substitute(block.body, {"each": {"key": k, "value": v}})) for k, v in pairs
            ]
        elif "count" in block.body and found is not None:
            made = [
                Instance(block, i, substitute(block.body, {"count": {"index": i}})) for i in range(int(found))
            ]
        else:
            made = [Instance(block, None, block.body)]
        model.instances.setdefault(block.labels[0], []).extend(made)

    expressions = {}
    for resource_type, paths in WANTED.items():
        for instance in model.of(resource_type):
            for path in paths:
                value = lookup(instance.body, path)
                if value is not None and is_pure(value):
                    expressions[f"{instance.address}/{path}"] = to_hcl(value)
            for where in DYNAMIC_PLACES:
                body = lookup(instance.body, where) if where else instance.body
                for index, (label, dyn) in enumerate(dynamic_blocks(body or {})):
                    if is_pure(dyn.get("for_each")):
                        expressions[f"{instance.address}/dynamic:{where}:{index}"] = to_hcl(dyn["for_each"])
                    else:
                        model.errors.append(
                            f"{instance.address}: dynamic {label} must iterate over variables/locals"
                        )
    model.values = evaluator.evaluate(expressions)
    return model


def check_pipeline(pipeline: dict[str, Any]) -> list[str]:
    """pipeline.json's own consistency: subscribers exist, dead-letter topics are subscribed."""
    errors = []
    functions, topics = pipeline["functions"], pipeline["topics"]
    margin = pipeline["subscription_defaults"]["ack_deadline_margin_seconds"]
    for topic, spec in topics.items():
        subscriber = functions.get(spec["subscriber"])
        if subscriber is None or subscriber["trigger"] != "push":
            errors.append(f"pipeline.json: {topic}'s subscriber {spec['subscriber']} is not a push function")
        elif subscriber["timeout_seconds"] + margin > PUBSUB_MAX_ACK_DEADLINE:
            errors.append(f"pipeline.json: {spec['subscriber']}'s timeout + margin exceeds 600 s")
        dead = spec.get("dead_letter_topic")
        if dead is not None and dead not in topics:
            errors.append(f"pipeline.json: dead-letter topic {dead} of {topic} has no subscriber")
    for name, fn in functions.items():
        if float(fn["cpu"]) < 1 and fn["max_instance_request_concurrency"] > 1:
            errors.append(f"pipeline.json: {name} has concurrency > 1 with cpu < 1, which Cloud Run refuses")
    return errors


def check_topics(model: Model, pipeline: dict[str, Any]) -> list[str]:
    errors = []
    topics = {i.key for i in model.of("google_pubsub_topic")}
    if topics != set(pipeline["topics"]):
        errors.append(
            f"topics {sorted(map(str, topics))} differ from pipeline.json's {sorted(pipeline['topics'])}"
        )
    by_topic: dict[str, list[Instance]] = {}
    for sub in model.of("google_pubsub_subscription"):
        for _, key in references(sub.body.get("topic"), "google_pubsub_topic"):
            by_topic.setdefault(str(key), []).append(sub)
    defaults = pipeline["subscription_defaults"]
    for topic, spec in pipeline["topics"].items():
        subs = by_topic.get(topic, [])
        if len(subs) != 1:
            errors.append(f"topic {topic}: {len(subs)} subscriptions, expected exactly one")
            continue
        sub, where = subs[0], subs[0].address
        timeout = pipeline["functions"][spec["subscriber"]]["timeout_seconds"]
        endpoint = lookup(sub.body, "push_config.push_endpoint")
        if spec["subscriber"] not in [
            key for _, key in references(endpoint, "google_cloudfunctions2_function")
        ]:
            errors.append(f"{where}: does not push to the {spec['subscriber']} function")
        oidc = lookup(sub.body, "push_config.oidc_token.service_account_email")
        if ("push_invoker", None) not in references(oidc, "google_service_account"):
            errors.append(f"{where}: push without an OIDC token of the push invoker service account")
        if "retry_policy" not in nested_blocks(sub.body):
            errors.append(f"{where}: no retry_policy")
        else:
            backoff = (
                model.value(sub, "retry_policy.minimum_backoff"),
                model.value(sub, "retry_policy.maximum_backoff"),
            )
            wanted = (f"{defaults['min_backoff_seconds']}s", f"{defaults['max_backoff_seconds']}s")
            if backoff != wanted:
                errors.append(f"{where}: retry backoff {backoff}, pipeline.json says {wanted}")
        ack = model.value(sub, "ack_deadline_seconds")
        if not isinstance(ack, int | float) or not timeout <= ack <= PUBSUB_MAX_ACK_DEADLINE:
            errors.append(
                f"{where}: ack deadline {ack} is not between {spec['subscriber']}'s timeout {timeout} and 600"
            )
        if model.value(sub, "expiration_policy.ttl") != "":
            errors.append(f'{where}: expires when idle (set expiration_policy {{ ttl = "" }})')
        policies = nested_blocks(sub.body).get("dead_letter_policy", []) + model.dynamic(
            sub, "", "dead_letter_policy"
        )
        dead = spec.get("dead_letter_topic")
        if dead is None:
            continue
        targets = [
            key for p in policies for _, key in references(p.get("dead_letter_topic"), "google_pubsub_topic")
        ]
        if targets != [dead]:
            errors.append(f"{where}: dead-letter policy to {targets}, pipeline.json says {dead}")
    return errors


def check_functions(model: Model, pipeline: dict[str, Any]) -> list[str]:
    errors = []
    found = {i.key: i for i in model.of("google_cloudfunctions2_function")}
    if set(found) != set(pipeline["functions"]):
        errors.append(
            f"functions {sorted(map(str, found))} differ from pipeline.json's {sorted(pipeline['functions'])}"
        )
    for name, fn in found.items():
        spec = pipeline["functions"].get(str(name), {})
        account = references(
            lookup(fn.body, "service_config.service_account_email"), "google_service_account"
        )
        if account != [("function", name)]:
            errors.append(f"{fn.address}: runs as {account}, not its own service account")
        ingress = model.value(fn, "service_config.ingress_settings")
        public = spec.get("trigger") == "http"
        if (ingress == "ALLOW_ALL") != public or ingress is None:
            errors.append(f"{fn.address}: ingress {ingress}; only the http function may be ALLOW_ALL")
        if model.value(fn, "service_config.timeout_seconds") != spec.get("timeout_seconds"):
            errors.append(f"{fn.address}: timeout differs from pipeline.json")
        env = model.value(fn, "service_config.environment_variables") or {}
        missing = REQUIRED_ENV.get(str(name), set()) - set(env)
        if missing:
            errors.append(f"{fn.address}: environment lacks {sorted(missing)}")
        plain_secrets = sorted(k for k in env if SECRET_NAMES.search(k))
        if plain_secrets:
            errors.append(f"{fn.address}: {plain_secrets} set as plain environment variables, not secrets")
        secrets = model.dynamic(fn, "service_config", "secret_environment_variables")
        if "TELEGRAM_BOT_TOKEN" not in {s.get("key") for s in secrets}:
            errors.append(f"{fn.address}: TELEGRAM_BOT_TOKEN is not mounted from Secret Manager")
    return errors


def principal(member: Any, local_values: dict[str, Any]) -> str:
    """Who an IAM member is: function:<name>, push_invoker, build, public, pubsub_agent or the text."""
    text = json.dumps(member)
    for name, key in references(member, "google_service_account"):
        return f"function:{key}" if name == "function" else name
    if "allUsers" in text or "allAuthenticatedUsers" in text:
        return "public"
    local = re.fullmatch(r'"\$\{local\.(\w+)\}"', text)
    if local and "gcp-sa-pubsub" in json.dumps(local_values.get(local.group(1))):
        return "pubsub_agent"
    return text


def grants(model: Model, local_values: dict[str, Any]) -> tuple[dict[str, set[Grant]], list[str]]:
    """Every IAM grant of the module, by principal."""
    held: dict[str, set[Grant]] = {}
    errors = []
    for resource_type, instances in model.instances.items():
        if re.search(r"_iam_(binding|policy)$", resource_type):
            errors.append(
                f"{resource_type}: authoritative IAM would remove grants made elsewhere; use _iam_member"
            )
        if not resource_type.endswith("_iam_member"):
            continue
        if resource_type not in IAM_TARGETS:
            errors.append(f"{resource_type}: an IAM resource this check does not know")
            continue
        argument, kind, target_type = IAM_TARGETS[resource_type]
        for instance in instances:
            keys = (
                [key for _, key in references(instance.body.get(argument), target_type)]
                if target_type
                else [""]
            )
            role = instance.body.get("role")
            if len(keys) != 1 or not isinstance(role, str) or "${" in role:
                errors.append(f"{instance.address}: cannot tell its target or role")
                continue
            who = principal(instance.body.get("member"), local_values)
            held.setdefault(who, set()).add((kind, str(keys[0] or ""), role))
    return held, errors


def check_iam(model: Model, pipeline: dict[str, Any], local_values: dict[str, Any]) -> list[str]:
    held, errors = grants(model, local_values)
    push = {name for name, fn in pipeline["functions"].items() if fn["trigger"] == "push"}
    http = {name for name, fn in pipeline["functions"].items() if fn["trigger"] == "http"}
    dead_topics = {s["dead_letter_topic"] for s in pipeline["topics"].values() if s["dead_letter_topic"]}
    dead_subs = {t for t, s in pipeline["topics"].items() if s["dead_letter_topic"]}
    expected: dict[str, set[Grant]] = {
        f"function:{k}": v for k, v in expected_function_grants(model.mode).items()
    }
    expected |= {
        "push_invoker": {("function", name, INVOKER) for name in push},
        "public": {("function", name, INVOKER) for name in http},
        "pubsub_agent": {("topic", t, PUBLISHER) for t in dead_topics}
        | {("subscription", t, SUBSCRIBER) for t in dead_subs},
        "build": {("project", "", "roles/cloudbuild.builds.builder")},
    }
    for who in sorted(set(held) | set(expected)):
        have, want = held.get(who, set()), expected.get(who)
        if want is None:
            errors.append(f"[{model.mode}] unexpected IAM member {who}: {sorted(have)}")
            continue
        if who.startswith("function:"):
            for grant in sorted(g for g in have if g[0] == "project" and g not in want):
                errors.append(f"[{model.mode}] {who} holds project-level role {grant[2]}")
        for grant in sorted(have - want):
            errors.append(f"[{model.mode}] {who} holds {grant} beyond its list")
        for grant in sorted(want - have):
            errors.append(f"[{model.mode}] {who} lacks {grant}")
    return errors


def check_buckets(model: Model) -> list[str]:
    errors = []
    for bucket in model.of("google_storage_bucket"):
        if model.value(bucket, "uniform_bucket_level_access") is not True:
            errors.append(f"{bucket.address}: uniform bucket-level access is off")
        if model.value(bucket, "public_access_prevention") != "enforced":
            errors.append(f"{bucket.address}: public access prevention is not enforced")
        if bucket.key == "results" and model.value(bucket, "versioning.enabled") is not True:
            errors.append(f"{bucket.address}: results are not versioned")
        if bucket.key == "raw":
            rules = model.dynamic(bucket, "", "lifecycle_rule") + nested_blocks(bucket.body).get(
                "lifecycle_rule", []
            )
            deletes_raw = any(
                lookup(rule, "action.type") == "Delete"
                and "raw/" in json.dumps(lookup(rule, "condition.matches_prefix"))
                for rule in rules
            )
            if not deletes_raw:
                errors.append(f"{bucket.address}: raw photos (raw/) are never deleted")
    return errors


def check_dir(tf_dir: Path) -> list[str]:
    pipeline = json.loads((tf_dir.parent / "pipeline.json").read_text(encoding="utf-8"))
    blocks = load_dir(tf_dir)
    local_values = merged_locals(blocks)
    errors = check_pipeline(pipeline)
    try:  # the example a deployer copies must pass the variables' validation
        Evaluator(tf_dir, {}, EXAMPLE_TFVARS).evaluate({"functions": "local.functions"})
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        errors.append(f"{EXAMPLE_TFVARS} is not accepted: {exc}")
    for mode in MODES:
        evaluator = Evaluator(tf_dir, {**EXAMPLE_VARS, "gemini_mode": mode})
        try:
            model = expand(blocks, evaluator, mode)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            return [*errors, f"[{mode}] cannot evaluate the module's locals: {exc}"]
        errors += model.errors + check_iam(model, pipeline, local_values)
        if mode == MODES[0]:  # the rest does not depend on the mode
            errors += check_topics(model, pipeline) + check_functions(model, pipeline) + check_buckets(model)
    return errors


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    errors = check_dir(Path(argv[1]))
    for error in errors:
        print(error)
    print(f"wiring_errors={len(errors)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
