"""Check the wiring of infra/terraform against infra/pipeline.json and the least-privilege table.

Terraform evaluates the module (`terraform console` needs no provider) on a copy made of its
variables, its locals and one more local: every resource's arguments per instance, blocks as lists
of objects. A reference to a resource, which only the provider could resolve, becomes a string that
names it: `google_service_account.function[each.key].email` gives
"google_service_account.function[webhook].email".
What the module builds is then compared, in both Gemini modes, with what pipeline.json and the tables
below expect: each topic's subscription, each function, every IAM grant, the results bucket's
versioning and the raw photos' expiry (checkov checks uniform access and public access prevention).

Usage: python -m tools.tf.wiring DIR   (prints one line per error, then wiring_errors=N)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hcl2.query.blocks import BlockView

from tools.tf.hcl import META, expression, load_dir

MODES = ("api_key", "vertex_ai")
EXAMPLE_TFVARS = "terraform.tfvars.example"
FUNCTION, TOPIC, ACCOUNT = "google_cloudfunctions2_function", "google_pubsub_topic", "google_service_account"

USER, VIEWER = "roles/storage.objectUser on bucket ", "roles/storage.objectViewer on bucket "
PUBLISHER, ACCESSOR = "roles/pubsub.publisher on topic ", "roles/secretmanager.secretAccessor on secret "
INVOKER = "roles/run.invoker on function "


def function_grants(mode: str) -> dict[str, set[str]]:
    """The least-privilege table: everything each function's service account may hold."""
    token = ACCESSOR + "telegram-bot-token"
    # Vertex AI has no finer-grained resource to grant on: the documented exception.
    gemini = ACCESSOR + "gemini-api-key" if mode == "api_key" else "roles/aiplatform.user on the project"
    return {
        # /delete erases a chat's objects in all three buckets.
        "webhook": {USER + "raw", USER + "work", USER + "results", PUBLISHER + "receipts-uploaded", token}
        | {ACCESSOR + "telegram-webhook-secret"},
        "preprocess": {VIEWER + "raw", USER + "work", PUBLISHER + "receipts-preprocessed", token},
        "extract": {USER + "work", USER + "results", token, gemini},
        "deadletter": {USER + "raw", USER + "work", token},
    }


# IAM member resource type -> (argument naming the target, the target's resource type, kind of target).
IAM_TARGETS = {
    "google_storage_bucket_iam_member": ("bucket", "google_storage_bucket", "bucket"),
    "google_pubsub_topic_iam_member": ("topic", TOPIC, "topic"),
    "google_pubsub_subscription_iam_member": ("subscription", "google_pubsub_subscription", "subscription"),
    "google_secret_manager_secret_iam_member": ("secret_id", "google_secret_manager_secret", "secret"),
    "google_cloud_run_v2_service_iam_member": ("name", FUNCTION, "function"),
    "google_project_iam_member": ("project", "", "the project"),
}
# Settings each function must get as plain variables (receiptbot/config.py); secrets never are.
REQUIRED_ENV = {
    "webhook": {"GOOGLE_CLOUD_PROJECT", "RAW_BUCKET", "WORK_BUCKET", "RESULTS_BUCKET", "TOPIC_UPLOADED"},
    "preprocess": {"GOOGLE_CLOUD_PROJECT", "RAW_BUCKET", "WORK_BUCKET", "TOPIC_PREPROCESSED"},
    "extract": {"GOOGLE_CLOUD_PROJECT", "WORK_BUCKET", "RESULTS_BUCKET", "GEMINI_MODEL"},
    "deadletter": {"GOOGLE_CLOUD_PROJECT", "RAW_BUCKET", "WORK_BUCKET"},
}
SECRET_NAMES = re.compile(r"TOKEN|SECRET|API_KEY|PASSWORD")


def as_object(block: BlockView, hcl: Callable[[str], str], skip: frozenset[str] = frozenset()) -> str:
    """A block body as an HCL object expression: nested blocks become lists, dynamic ones `for` lists."""
    entries = [f'"{a.name}" = {hcl(a.value_node.to_hcl())}' for a in block.attributes() if a.name not in skip]
    nested: dict[str, list[str]] = {}
    for inner in (b for b in block.blocks() if b.block_type not in skip):
        if inner.block_type == "dynamic":
            label = inner.name_labels[0]
            items = f"[for k, v in {hcl(expression(inner, 'for_each') or '[]')} : {{key = k, value = v}}]"
            content = as_object(inner.blocks("content")[0], hcl)
            nested.setdefault(label, []).append(
                f"[for {expression(inner, 'iterator') or label} in {items} : {content}]"
            )
        else:
            nested.setdefault(inner.block_type, []).append(f"[{as_object(inner, hcl)}]")
    entries += [f'"{name}" = concat({", ".join(parts)})' for name, parts in nested.items()]
    return "{\n" + "\n".join(entries) + "\n}"


def generated_module(tf_dir: Path) -> str:
    """The module's variables and locals, and the local `tf_check`: {resource: {key or name: arguments}}."""
    blocks = [block for _, block in load_dir(tf_dir)]
    types = {
        ".".join(b.labels[:2]).removeprefix("resource.")
        for b in blocks
        if b.block_type in ("resource", "data")
    }
    # type.name, then its index and attributes. (A resource named inside plain string text would be
    # rewritten too; Terraform then refuses the copy, so that fails loudly.)
    reference = re.compile(
        rf"(?<![\w.])((?:{'|'.join(map(re.escape, types))})\.\w+)((?:\[[^\[\]]*\]|\.\w+)*)"
    )

    def named(match: re.Match[str]) -> str:  # google_x.y[each.key].id -> "google_x.y[${each.key}].id"
        text = '"' + match.group(1) + re.sub(r"\[([^\[\]*]+)\]", r"[${\1}]", match.group(2)) + '"'
        return f"[{text}]" if "[*]" in match.group(2) else text  # a splat is a list

    def hcl(text: str) -> str:
        return reference.sub(named, text) if types else text

    module = [block.to_hcl() for block in blocks if block.block_type == "variable"]
    for block in (b for b in blocks if b.block_type == "locals"):
        module += ["locals {", *(f"{a.name} = {hcl(a.value_node.to_hcl())}" for a in block.attributes()), "}"]
    resources = []
    for block in (b for b in blocks if b.block_type == "resource"):
        body = as_object(block, hcl, frozenset(META))
        for_each, count = expression(block, "for_each"), expression(block, "count")
        if for_each:  # each.key and each.value, as Terraform binds them
            each = f"{{for k, v in {hcl(for_each)} : k => {{key = k, value = v}}}}"
            keyed = f"{{for key, each in {each} : key => {body}}}"
        elif count:
            keyed = (
                f"{{for index, count in [for i in range({hcl(count)}) : {{index = i}}] : index => {body}}}"
            )
        else:
            keyed = f'{{"{block.name_labels[1]}" = {body}}}'
        resources.append(f'"{block.name_labels[0]}.{block.name_labels[1]}" = {keyed}')
    return "\n".join([*module, "locals {", "tf_check = {", *resources, "}", "}"])


def evaluate(tf_dir: Path, module: str, variables: list[str]) -> dict[str, Any]:
    """The local `tf_check` of a generated module, evaluated by `terraform console` with these -var flags."""
    with tempfile.TemporaryDirectory() as tmp:  # the module reads ../pipeline.json
        (Path(tmp) / "module").mkdir()
        (Path(tmp) / "module" / "main.tf").write_text(module, encoding="utf-8")
        shutil.copy(tf_dir.parent / "pipeline.json", tmp)
        done = subprocess.run(
            ["terraform", "console", "-no-color", *variables],
            cwd=Path(tmp) / "module",
            input="jsonencode(local.tf_check)\n",
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if done.returncode != 0 or "Error:" in done.stderr:  # console may print an error and exit 0
        message = " ".join(filter(None, (line.strip(" │╷╵") for line in done.stderr.splitlines())))
        raise RuntimeError(message[message.find("Error:") :][:600])
    return json.loads(json.loads(done.stdout.strip().splitlines()[-1]))


def names(value: Any, resource_type: str) -> list[str]:
    """The instances of a resource type a value names: the key of `type.name[key]`, else the name."""
    found = re.findall(rf"(?<![\w.]){resource_type}\.(\w+)(?:\[([^\]]*)\])?", json.dumps(value))
    return [key or name for name, key in found]


def get(body: Any, path: str) -> Any:
    """A value by a dotted path through nested blocks (the first block of each type)."""
    for part in path.split("."):
        body = body.get(part) if isinstance(body, dict) else None
        body = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else body
    return body


def instances(resources: dict[str, Any], resource_type: str) -> list[tuple[str, dict[str, Any]]]:
    """(key, arguments) of every instance of a resource type; the key is the name without for_each/count."""
    return [
        (key, body)
        for address, by_key in resources.items()
        if address.split(".")[0] == resource_type
        for key, body in by_key.items()
    ]


def check_pipeline(pipeline: dict[str, Any]) -> list[str]:
    """pipeline.json's own consistency: subscribers exist, dead-letter topics are subscribed."""
    errors = []
    functions, topics = pipeline["functions"], pipeline["topics"]
    margin = pipeline["subscription_defaults"]["ack_deadline_margin_seconds"]
    for topic, spec in topics.items():
        subscriber, dead = functions.get(spec["subscriber"]), spec["dead_letter_topic"]
        if subscriber is None or subscriber["trigger"] != "push":
            errors.append(f"pipeline.json: {topic}'s subscriber {spec['subscriber']} is not a push function")
        elif subscriber["timeout_seconds"] + margin > 600:  # Pub/Sub's longest ack deadline
            errors.append(f"pipeline.json: {spec['subscriber']}'s timeout + margin exceeds 600 s")
        if dead is not None and dead not in topics:
            errors.append(f"pipeline.json: dead-letter topic {dead} of {topic} has no subscriber")
    for name, fn in functions.items():
        if float(fn["cpu"]) < 1 and fn["max_instance_request_concurrency"] > 1:
            errors.append(f"pipeline.json: {name} has concurrency > 1 with cpu < 1, which Cloud Run refuses")
    return errors


def expected(pipeline: dict[str, Any], mode: str) -> dict[str, dict[str, Any]]:
    """What pipeline.json and the least-privilege table say the module builds, as facts by thing."""
    functions, topics, defaults = pipeline["functions"], pipeline["topics"], pipeline["subscription_defaults"]
    facts: dict[str, dict[str, Any]] = {}
    for topic, spec in topics.items():
        timeout = functions[spec["subscriber"]]["timeout_seconds"]
        facts[f"topic {topic}"] = {
            "subscriptions": 1,
            "push endpoint's function": [spec["subscriber"]],
            "OIDC token's account": ["push_invoker"],
            "retry backoff": [f"{defaults['min_backoff_seconds']}s", f"{defaults['max_backoff_seconds']}s"],
            "ack deadline": timeout + defaults["ack_deadline_margin_seconds"],
            "idle expiry": "",
            "dead-letter topic": [spec["dead_letter_topic"]] if spec["dead_letter_topic"] else [],
        }
    for name, fn in functions.items():
        facts[f"function {name}"] = {
            "service account": [name],
            # Only the webhook takes traffic from the internet (Telegram); Pub/Sub push is internal.
            "ingress": "ALLOW_ALL" if fn["trigger"] == "http" else "ALLOW_INTERNAL_ONLY",
            "timeout": fn["timeout_seconds"],
            "settings missing from the environment": [],
            "secrets in the plain environment": [],
            "TELEGRAM_BOT_TOKEN from Secret Manager": True,
        }
    dead_letters = {
        topic: spec["dead_letter_topic"] for topic, spec in topics.items() if spec["dead_letter_topic"]
    }
    grants = function_grants(mode) | {
        "push_invoker": {INVOKER + name for name, fn in functions.items() if fn["trigger"] == "push"},
        "public": {INVOKER + name for name, fn in functions.items() if fn["trigger"] == "http"},
        "pubsub_agent": {PUBLISHER + dead for dead in dead_letters.values()}
        | {"roles/pubsub.subscriber on subscription " + topic for topic in dead_letters},
        "build": {"roles/cloudbuild.builds.builder on the project"},
    }
    facts |= {f"[{mode}] {who}": {"grant": held} for who, held in grants.items()}
    return facts | {"bucket results": {"versioned": True}, "bucket raw": {"deletes raw/ photos": True}}


def principal(member: str) -> str:
    """Who an IAM member is: a function's name, push_invoker, build, public, pubsub_agent, or itself."""
    accounts = names(member, ACCOUNT)
    if member in ("allUsers", "allAuthenticatedUsers"):
        return "public"
    return accounts[0] if accounts else "pubsub_agent" if "@gcp-sa-pubsub." in member else member


def built(resources: dict[str, Any], mode: str) -> dict[str, dict[str, Any]]:
    """What the module builds, as the same facts."""
    subscriptions: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in instances(resources, TOPIC)}
    for _, sub in instances(resources, "google_pubsub_subscription"):
        for topic in names(sub.get("topic"), TOPIC):
            subscriptions.setdefault(topic, []).append(sub)
    facts: dict[str, dict[str, Any]] = {}
    for topic, subs in subscriptions.items():
        sub = subs[0] if subs else {}
        facts[f"topic {topic}"] = {
            "subscriptions": len(subs),
            "push endpoint's function": names(get(sub, "push_config.push_endpoint"), FUNCTION),
            "OIDC token's account": names(get(sub, "push_config.oidc_token.service_account_email"), ACCOUNT),
            "retry backoff": [
                get(sub, "retry_policy.minimum_backoff"),
                get(sub, "retry_policy.maximum_backoff"),
            ],
            "ack deadline": sub.get("ack_deadline_seconds"),
            "idle expiry": get(sub, "expiration_policy.ttl"),
            "dead-letter topic": names(sub.get("dead_letter_policy"), TOPIC),
        }
    for name, fn in instances(resources, FUNCTION):
        service = get(fn, "service_config") or {}
        env = service.get("environment_variables") or {}
        secrets = {secret["key"] for secret in service.get("secret_environment_variables", [])}
        facts[f"function {name}"] = {
            "service account": names(service.get("service_account_email"), ACCOUNT),
            "ingress": service.get("ingress_settings"),
            "timeout": service.get("timeout_seconds"),
            "settings missing from the environment": sorted(REQUIRED_ENV.get(name, set()) - set(env)),
            "secrets in the plain environment": sorted(filter(SECRET_NAMES.search, env)),
            "TELEGRAM_BOT_TOKEN from Secret Manager": "TELEGRAM_BOT_TOKEN" in secrets,
        }
    for resource_type, (argument, target_type, kind) in IAM_TARGETS.items():
        for _, grant in instances(resources, resource_type):
            target = (
                f"{kind} {' '.join(names(grant.get(argument), target_type)) or '?'}" if target_type else kind
            )
            holder = facts.setdefault(f"[{mode}] {principal(grant['member'])}", {"grant": set()})
            holder["grant"].add(f"{grant['role']} on {target}")
    buckets = dict(instances(resources, "google_storage_bucket"))
    deletes_raw = [
        get(rule, "action.type") == "Delete" and "raw/" in (get(rule, "condition.matches_prefix") or [])
        for rule in buckets.get("raw", {}).get("lifecycle_rule", [])
    ]
    facts["bucket results"] = {"versioned": get(buckets.get("results"), "versioning.enabled") is True}
    facts["bucket raw"] = {"deletes raw/ photos": any(deletes_raw)}
    return facts


def compare(actual: dict[str, dict[str, Any]], wanted: dict[str, dict[str, Any]]) -> list[str]:
    """Every difference between the facts the module builds and the wanted ones."""
    errors = [
        f"{thing}: built, but not in pipeline.json or the tables" for thing in actual.keys() - wanted.keys()
    ]
    for thing, facts in wanted.items():
        if thing not in actual:
            errors.append(f"{thing}: not built")
            continue
        for what, want in facts.items():
            have = actual[thing].get(what)
            if isinstance(want, set):
                errors += [f"{thing}: unexpected {what} {item}" for item in sorted(have - want)]
                errors += [f"{thing}: no {what} {item}" for item in sorted(want - have)]
            elif have != want:
                errors.append(f"{thing}: {what} is {have!r}, expected {want!r}")
    return sorted(errors)


def check_dir(tf_dir: Path) -> list[str]:
    pipeline = json.loads((tf_dir.parent / "pipeline.json").read_text(encoding="utf-8"))
    errors = check_pipeline(pipeline)
    if errors:  # the module cannot be compared with an inconsistent pipeline.json
        return errors
    module = generated_module(tf_dir)
    try:  # the example a deployer copies must pass the variables' validation
        evaluate(tf_dir, module, [f"-var-file={(tf_dir / EXAMPLE_TFVARS).resolve()}"])
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        errors.append(f"{EXAMPLE_TFVARS} is not accepted: {exc}")
    unknown_iam = (
        "an IAM resource this check does not know (_iam_binding/_iam_policy remove grants made elsewhere)"
    )
    for mode in MODES:
        try:
            resources = evaluate(
                tf_dir, module, ["-var=project_id=example-project", f"-var=gemini_mode={mode}"]
            )
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            return [*errors, f"[{mode}] cannot evaluate the module: {exc}"]
        actual, wanted = built(resources, mode), expected(pipeline, mode)
        if mode == MODES[0]:
            iam = (address for address in resources if "_iam_" in address)
            errors += [
                f"{address}: {unknown_iam}" for address in iam if address.split(".")[0] not in IAM_TARGETS
            ]
        else:  # only the grants depend on the mode
            actual, wanted = ({k: v for k, v in d.items() if k.startswith("[")} for d in (actual, wanted))
        errors += compare(actual, wanted)
    return errors


if __name__ == "__main__":
    problems = check_dir(Path(sys.argv[1]))
    print(*problems, f"wiring_errors={len(problems)}", sep="\n")
    sys.exit(1 if problems else 0)
