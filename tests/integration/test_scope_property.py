"""Property: for any mix of roles (some ended) and enrolments (some ended), the list of children a
person can see, the single-record check and an independent reading of the rules all agree."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safekeep.authz.access import NotVisible
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import ROLES, Permission, Role, Scope
from safekeep.children.models import Enrolment
from safekeep.children.selectors import access_child, children_visible_to
from safekeep.core import clock
from tests.world import LOCATIONS, build_world, make_user

memberships = st.lists(
    st.tuples(st.sampled_from(list(Role)), st.sampled_from(LOCATIONS), st.booleans()), min_size=0, max_size=4)
enrolment_ended = st.fixed_dictionaries({location: st.booleans() for location in LOCATIONS})


def _oracle(world, granted, ended_enrolments, permission):
    """Which children the rules say are visible, computed from the world's shape, not from Safekeep's code."""
    visible = set()
    for role, location, ended in granted:
        if ended or permission not in ROLES[role].permissions:
            continue
        scope = ROLES[role].scopes[0]
        place = world.establishments[location]
        for child_location, child in world.children.items():
            if ended_enrolments[child_location]:
                continue
            at = world.establishments[child_location]
            if (scope == Scope.ESTABLISHMENT and at == place
                    or scope == Scope.REGION and place.region_id is not None and at.region_id == place.region_id
                    or scope == Scope.ORGANISATION and at.organisation_id == place.organisation_id):
                visible.add(child.pk)
    return visible


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(granted=memberships, ended_enrolments=enrolment_ended, permission=st.sampled_from(
    [Permission.CHILD_VIEW, Permission.CHILD_SEARCH]))
def test_list_single_record_and_rules_agree(granted, ended_enrolments, permission):
    with transaction.atomic():
        world = build_world()
        person = make_user("subject@example.org", world.organisations["one"])
        for role, location, ended in granted:
            place = world.establishments[location]
            scope = ROLES[role].scopes[0]
            target = {Scope.ESTABLISHMENT: {"establishment": place}, Scope.REGION: {"region": place.region},
                      Scope.ORGANISATION: {}}[scope]
            if scope == Scope.REGION and place.region is None:
                granted = [g for g in granted if g != (role, location, ended)]
                continue
            RoleMembership.objects.get_or_create(
                user=person, role=role, scope=scope, organisation=place.organisation, **target,
                ended_at=clock.now() if ended else None)
        for location, ended in ended_enrolments.items():
            if ended:
                Enrolment.objects.filter(child=world.children[location]).update(
                    end_date=date.today() - timedelta(days=1))
        expected = _oracle(world, granted, ended_enrolments, permission)
        listed = set(children_visible_to(person, permission).values_list("pk", flat=True))
        assert listed == expected
        for child in world.children.values():
            try:
                access_child(person, child.pk, permission=permission)
                opened = True
            except NotVisible:
                opened = False
            assert opened == (child.pk in expected)
        transaction.set_rollback(True)
