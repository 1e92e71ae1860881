"""Check the wiring of infra/terraform against infra/pipeline.json and the least-privilege table.

Terraform evaluates the module (`terraform console` needs no provider) on a copy made of its
variables, its locals and one more local, output as `tf_check`: every resource's arguments per
instance, blocks as lists of objects. The module's variables validate pipeline.json (its ranges),
so a wrong pipeline.json is reported here with Terraform's own message naming the field. Each example
is evaluated too, with its terraform.tfvars.example, calling that copy of the module (a local module
needs only `terraform init -backend=false`, no provider). A reference to a resource, which only
the provider could resolve, becomes a string that names it:
`google_service_account.function[each.key].email` gives "google_service_account.function[webhook].email".
What the module builds is then compared, in both Gemini modes, with what pipeline.json and the tables
below expect: each topic's subscription, each function (its environment against receiptbot/config.py's
settings, its secrets pinned to a version), every IAM grant (Firestore's with its condition), the
Firestore database and indexes, the alerts and their channels, the raw photos' expiry (checkov checks
uniform access and public access prevention).

Usage: python -m tools.tf.wiring DIR   (prints one line per error, then wiring_errors=N)
"""

from __future__ import annotations

import ast
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

from tools.tf.hcl import META, expression, load_dir, module_dirs

MODES = ("api_key", "vertex_ai")
MODULE = Path("modules") / "receipt-bot"
EXAMPLE_TFVARS = "terraform.tfvars.example"
PROJECT, DATABASE = "example-project", "receipt-bot"  # the evaluation's project, the default database
# What the module is evaluated with, besides pipeline.json and the mode.
INPUTS = {
    "project_id": PROJECT,
    "repo_root": "/nowhere",  # only the source bundles read it, and they are not evaluated
    "secret_versions": {"telegram-bot-token": "3", "telegram-webhook-secret": "2", "gemini-api-key": "1"},
    "notification_channels": ["projects/example-project/notificationChannels/1"],
}
CONFIG = Path(__file__).resolve().parents[2] / "receiptbot" / "config.py"
FUNCTION, TOPIC, ACCOUNT = "google_cloudfunctions2_function", "google_pubsub_topic", "google_service_account"

USER, VIEWER = "roles/storage.objectUser on bucket ", "roles/storage.objectViewer on bucket "
PUBLISHER, ACCESSOR = "roles/pubsub.publisher on topic ", "roles/secretmanager.secretAccessor on secret "
INVOKER = "roles/run.invoker on function "
DATABASE_NAME = f"projects/{PROJECT}/databases/{DATABASE}"
# Firestore's only per-database grant: the project role, conditioned on the database.
FIRESTORE = (
    f'roles/datastore.user on the project if resource.name == "{DATABASE_NAME}"'
    f' || resource.name.startsWith("{DATABASE_NAME}/")'
)


def function_grants(mode: str) -> dict[str, set[str]]:
    """The least-privilege table: everything each function's service account may hold."""
    token = ACCESSOR + "telegram-bot-token"
    # Vertex AI has no finer-grained resource to grant on: the documented exception.
    gemini = ACCESSOR + "gemini-api-key" if mode == "api_key" else "roles/aiplatform.user on the project"
    return {
        # /delete erases a chat's photos in both buckets and its records.
        "webhook": {
            USER + "raw",
            USER + "work",
            PUBLISHER + "receipts-uploaded",
            PUBLISHER + "exports-requested",
        }
        | {token, ACCESSOR + "telegram-webhook-secret", FIRESTORE},
        "preprocess": {VIEWER + "raw", USER + "work", PUBLISHER + "receipts-preprocessed", token, FIRESTORE},
        "extract": {USER + "work", token, gemini, FIRESTORE},
        "export": {USER + "work", token, FIRESTORE},
        "deadletter": {USER + "raw", USER + "work", token, FIRESTORE},
    }


# IAM member resource type -> (argument naming the target, the target's resource type, kind of target).
IAM_TARGETS = {
    "google_storage_bucket_iam_member": ("bucket", "google_storage_bucket", "bucket"),
    "google_pubsub_topic_iam_member": ("topic", TOPIC, "topic"),
    "google_pubsub_subscription_iam_member": ("subscription", "google_pubsub_subscription", "subscription"),
    "google_secret_manager_secret_iam_member": ("secret_id", "google_secret_manager_secret", "secret"),
    "google_cloud_run_v2_service_iam_member": ("name", FUNCTION, "function"),
    "google_artifact_registry_repository_iam_member": (
        "repository",
        "google_artifact_registry_repository",
        "repository",
    ),
    "google_project_iam_member": ("project", "", "the project"),
}
# Settings each function must get as plain variables (receiptbot/config.py); secrets never are.
REQUIRED_ENV = {
    "webhook": {"RAW_BUCKET", "WORK_BUCKET", "TOPIC_UPLOADED", "TOPIC_EXPORTS", "FIRESTORE_DATABASE"},
    "preprocess": {"RAW_BUCKET", "WORK_BUCKET", "TOPIC_PREPROCESSED", "FIRESTORE_DATABASE"},
    "extract": {"WORK_BUCKET", "FIRESTORE_DATABASE", "GEMINI_MODEL"},
    "export": {"WORK_BUCKET", "FIRESTORE_DATABASE"},
    "deadletter": {"RAW_BUCKET", "WORK_BUCKET", "FIRESTORE_DATABASE"},
}
# Read by the runtime, not by receiptbot/config.py: structured logs, gunicorn's threads.
RUNTIME_ENV = {"LOG_EXECUTION_ID", "THREADS"}
SECRET_NAMES = re.compile(r"TOKEN|SECRET|API_KEY|PASSWORD")
PINNED = re.compile(r"^[1-9][0-9]*$")
# The alerts the module must have, by the metric each watches.
ALERT_METRICS = {
    "pubsub.googleapis.com/subscription/oldest_unacked_message_age",
    "pubsub.googleapis.com/subscription/push_request_count",
    "pubsub.googleapis.com/topic/send_message_operation_count",
    "run.googleapis.com/request_count",
}
RECEIPT_INDEXES = {("chat_id", "month"), ("chat_id", "user_id", "month")}


def settings_variables(config: Path = CONFIG) -> set[str]:
    """The environment variables receiptbot/config.py's Settings reads: each field's alias(es).

    Read from the source (this venv has no pydantic): `alias="X"`, `validation_alias=AliasChoices(...)`.
    """
    tree = ast.parse(config.read_text(encoding="utf-8"))
    settings = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "Settings")
    names = set()
    for call in (n for n in ast.walk(settings) if isinstance(n, ast.Call)):
        for keyword in call.keywords:
            if keyword.arg in ("alias", "validation_alias"):
                names |= {
                    n.value
                    for n in ast.walk(keyword.value)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
    return names


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


def generated(tf_dir: Path) -> str:
    """The variables and locals of the module in tf_dir, with the local `tf_check` ({resource: {key or
    name: arguments}}) as an output; an example's module calls are kept, their arguments rewritten."""
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
    for block in (b for b in blocks if b.block_type == "module"):
        arguments = (f"{a.name} = {hcl(a.value_node.to_hcl())}" for a in block.attributes())
        module += [f'module "{block.name_labels[0]}" {{', *arguments, "}"]
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
    output = 'output "tf_check" {\nvalue = local.tf_check\n}'
    return "\n".join([*module, "locals {", "tf_check = {", *resources, "}", "}", output])


def evaluate(tf_dir: Path, root: Path, expression_text: str, variables: list[str]) -> Any:
    """An expression evaluated by `terraform console` in `root` (a module or an example under tf_dir),
    on generated copies of the module and the examples laid out as in the repository."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "infra" / "terraform"
        shutil.copy(tf_dir.parent / "pipeline.json", copy.parent.mkdir(parents=True) or copy.parent)
        for directory in module_dirs(tf_dir):
            target = copy / directory.relative_to(tf_dir)
            target.mkdir(parents=True)
            (target / "main.tf").write_text(generated(directory), encoding="utf-8")
            if (directory / EXAMPLE_TFVARS).is_file():
                shutil.copy(directory / EXAMPLE_TFVARS, target)
        where = copy / root.relative_to(tf_dir)
        if "module" in (where / "main.tf").read_text(encoding="utf-8"):  # local modules: no provider needed
            terraform(where, ["init", "-backend=false", "-input=false", "-no-color"], "")
        done = terraform(where, ["console", "-no-color", *variables], f"jsonencode({expression_text})\n")
    return json.loads(json.loads(done.stdout.strip().splitlines()[-1]))


def terraform(where: Path, argv: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["terraform", *argv], cwd=where, input=stdin, capture_output=True, text=True, timeout=180, check=False
    )
    if done.returncode != 0 or "Error:" in done.stderr:  # console may print an error and exit 0
        raise RuntimeError("; ".join(errors_of(done.stderr)) or done.stderr.strip()[-600:])
    return done


def errors_of(stderr: str) -> list[str]:
    """Each error Terraform printed: its title and its message (the validation's error_message)."""
    found = []
    for part in stderr.split("Error: ")[1:]:
        lines = [line.strip(" │╷╵") for line in part.splitlines()]
        title, rest = lines[0].strip(), [line for line in lines[1:] if line.strip()]
        # The message follows the source excerpt ("on main.tf line ...", "├──", "│ var.x is ...").
        message = [
            line
            for line in rest
            if not line.startswith(("on ", "├", "│", "This was checked"))
            and not re.match(r"^(\d+:|\S+\.tf:\d+)", line)
        ]
        found.append(f"{title}: {' '.join(message).strip()}"[:600])
    return found


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
            "variables that are not settings of receiptbot/config.py": [],
            "secrets in the plain environment": [],
            "TELEGRAM_BOT_TOKEN from Secret Manager": True,
            "secret versions not pinned": [],
        }
    dead_letters = {
        topic: spec["dead_letter_topic"] for topic, spec in topics.items() if spec["dead_letter_topic"]
    }
    grants = function_grants(mode) | {
        "push_invoker": {INVOKER + name for name, fn in functions.items() if fn["trigger"] == "push"},
        "public": {INVOKER + name for name, fn in functions.items() if fn["trigger"] == "http"},
        "pubsub_agent": {PUBLISHER + dead for dead in dead_letters.values()}
        | {"roles/pubsub.subscriber on subscription " + topic for topic in dead_letters},
        # A build runs third-party `pip install`: its logs, its sources and its images, nothing else.
        "build": {
            "roles/logging.logWriter on the project",
            "roles/storage.objectViewer on bucket sources",
            "roles/artifactregistry.writer on repository functions",
        },
    }
    facts |= {f"[{mode}] {who}": {"grant": held} for who, held in grants.items()}
    return facts | {
        "bucket raw": {"deletes raw/ photos": True},
        "firestore": {
            "databases": [{"name": DATABASE, "type": "FIRESTORE_NATIVE", "point-in-time recovery": True}],
            "delete protection": [True],
            "receipts indexes": RECEIPT_INDEXES,
            "TTL fields": {
                f"{c}.expires_at"
                for c in ("pending_fixes", "albums", "quotas", "quota_receipts", "quota_notices")
            },
        },
        "alerts": {"metrics watched": ALERT_METRICS, "policies without a notification channel": []},
    }


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
            "variables that are not settings of receiptbot/config.py": sorted(
                set(env) - settings_variables() - RUNTIME_ENV
            ),
            "secrets in the plain environment": sorted(filter(SECRET_NAMES.search, env)),
            "TELEGRAM_BOT_TOKEN from Secret Manager": "TELEGRAM_BOT_TOKEN" in secrets,
            "secret versions not pinned": sorted(
                f"{secret['key']}={secret.get('version')}"
                for secret in service.get("secret_environment_variables", [])
                if not PINNED.match(str(secret.get("version")))
            ),
        }
    for resource_type, (argument, target_type, kind) in IAM_TARGETS.items():
        for _, grant in instances(resources, resource_type):
            target = (
                f"{kind} {' '.join(names(grant.get(argument), target_type)) or '?'}" if target_type else kind
            )
            condition = get(grant, "condition.expression")
            holder = facts.setdefault(f"[{mode}] {principal(grant['member'])}", {"grant": set()})
            holder["grant"].add(f"{grant['role']} on {target}" + (f" if {condition}" if condition else ""))
    buckets = dict(instances(resources, "google_storage_bucket"))
    deletes_raw = [
        get(rule, "action.type") == "Delete" and "raw/" in (get(rule, "condition.matches_prefix") or [])
        for rule in buckets.get("raw", {}).get("lifecycle_rule", [])
    ]
    facts["bucket raw"] = {"deletes raw/ photos": any(deletes_raw)}
    databases = [body for _, body in instances(resources, "google_firestore_database")]
    facts["firestore"] = {
        "databases": [
            {
                "name": db.get("name"),
                "type": db.get("type"),
                "point-in-time recovery": db.get("point_in_time_recovery_enablement")
                == "POINT_IN_TIME_RECOVERY_ENABLED",
            }
            for db in databases
        ],
        "delete protection": [
            db.get("delete_protection_state") == "DELETE_PROTECTION_ENABLED"
            and db.get("deletion_policy") == "PREVENT"
            for db in databases
        ],
        "receipts indexes": {
            tuple(field.get("field_path") for field in index.get("fields", []))
            for _, index in instances(resources, "google_firestore_index")
            if index.get("collection") == "receipts"
        },
        "TTL fields": {
            f"{field.get('collection')}.{field.get('field')}"
            for _, field in instances(resources, "google_firestore_field")
            if field.get("ttl_config")
        },
    }
    policies = dict(instances(resources, "google_monitoring_alert_policy"))
    facts["alerts"] = {
        "metrics watched": set(
            re.findall(r'metric\.type = "([^"]+)"', json.dumps(list(policies.values())).replace('\\"', '"'))
        ),
        "policies without a notification channel": sorted(
            k for k, p in policies.items() if not p.get("notification_channels")
        ),
    }
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
    """The module's wiring in both Gemini modes, and each example with its terraform.tfvars.example."""
    pipeline = json.loads((tf_dir.parent / "pipeline.json").read_text(encoding="utf-8"))
    errors = [
        f"receiptbot/config.py has no setting {name}, which {function} needs"
        for function, needed in REQUIRED_ENV.items()
        for name in sorted(needed - settings_variables())
    ]
    for example in sorted(d for d in module_dirs(tf_dir) if d.parent.name == "examples"):
        try:  # what a deployer copies must pass the module's validation (pipeline.json's ranges included)
            tfvars = f"-var-file={EXAMPLE_TFVARS}" if (example / EXAMPLE_TFVARS).is_file() else "-input=false"
            modules = [b.name_labels[0] for _, b in load_dir(example) if b.block_type == "module"]
            evaluate(
                tf_dir,
                example,
                "{" + ", ".join(f"{m} = module.{m}.tf_check" for m in modules) + "}",
                [tfvars],
            )
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            errors.append(f"{example.relative_to(tf_dir)}: {exc}")
    unknown_iam = (
        "an IAM resource this check does not know (_iam_binding/_iam_policy remove grants made elsewhere)"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".tfvars.json") as inputs:
        json.dump(INPUTS | {"pipeline": pipeline}, inputs)
        inputs.flush()
        for mode in MODES:
            try:
                resources = evaluate(
                    tf_dir,
                    tf_dir / MODULE,
                    "local.tf_check",
                    [f"-var-file={inputs.name}", f"-var=gemini_mode={mode}"],
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
