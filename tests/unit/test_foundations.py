import os
import subprocess
import sys

from django.apps import apps

from safekeep.core.classification import DataClass


def test_every_field_of_every_safekeep_model_is_classified():
    unclassified = []
    for model in apps.get_models():
        if not model.__module__.startswith("safekeep."):
            continue
        declared = getattr(model, "data_classification", {})
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue
            if field.name not in declared or not isinstance(declared[field.name], DataClass):
                unclassified.append(f"{model._meta.label}.{field.name}")
    assert unclassified == []


def test_production_settings_pass_the_deploy_check():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {"SAFEKEEP_ENV": "production", "SECRET_KEY": "x" * 64 + "-production-check-key-!",
           "SAFEKEEP_AUDIT_KEY": "audit-" + "0123456789abcdef" * 3, "SAFEKEEP_FIELD_KEY": "field-" + "fedcba9876543210" * 3, "ALLOWED_HOSTS": "safekeep.example.org"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)} | {"SAFEKEEP_ENV": "production"}
    result = subprocess.run([sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY must be set in production" in result.stderr


def test_every_audit_action_written_by_the_code_has_plain_words():
    """A new action name must come with the words the audit screens show for it."""
    import re
    from pathlib import Path

    from safekeep.audit.actions import ACTION_WORDS

    written = set()
    for path in Path("safekeep").rglob("*.py"):
        # argparse's add_argument(action="append") is not an audit action.
        text = "\n".join(line for line in path.read_text().splitlines() if "add_argument(" not in line)
        written |= set(re.findall(r'action="([a-z_.]+)"', text))
        written |= set(re.findall(r'NotVisible\("([a-z_.]+)"', text))
        written |= set(re.findall(r'self\._deny\(request, "([a-z_.]+)"', text))
        for prefix in re.findall(r'action=f"([a-z_.]+)\.\{', text):
            written |= {f"{prefix}.create", f"{prefix}.update"}
    assert written, "the search for action names found nothing"
    assert sorted(written - set(ACTION_WORDS)) == []


def test_the_policy_package_never_touches_the_database():
    """safekeep/policy holds pure rules (DESIGN.md section 4): no ORM, so they can be tested alone."""
    from pathlib import Path

    offending = [str(path) for path in Path("safekeep/policy").rglob("*.py")
                 if "django.db" in path.read_text() or "models" in path.read_text()]
    assert offending == []
