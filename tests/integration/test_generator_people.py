"""The generated group's people can sign in where the page benchmarks sign them in: under production settings,
whose password hashers do not include the test settings' quick one."""

import pytest
from django.conf import global_settings
from django.contrib.auth import authenticate
from django.test import override_settings

from bench.generator.base import PASSWORD, build_group

pytestmark = pytest.mark.django_db


def test_a_generated_dsl_signs_in_with_the_bench_password_under_the_production_hashers(rf):
    group = build_group(establishments=2, children=4, seed=1, name="Harbour Bench Group 1")
    dsl = group.dsl_at[group.establishments[0].pk]
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        assert authenticate(rf.post("/accounts/login/"), username=dsl.email, password=PASSWORD) == dsl
        assert authenticate(rf.post("/accounts/login/"), username=dsl.email, password="not the password") is None
