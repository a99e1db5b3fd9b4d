"""Saving a peer group and writing its chronology. Each service checks permission, writes the change, the
group's chronology entry and the audit event in one transaction (house rule 4)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.roles import Permission
from safekeep.children.selectors import children_at
from safekeep.core import clock

from .models import PeerGroup, PeerGroupEntry, PeerGroupMember

RECORD = Permission.PEER_GROUP_RECORD
MAX_NAME = 200
MAX_MEMBERS = 200


def _child_ids(values) -> list[int]:
    ids = []
    for value in values or ():
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            raise ValidationError({"children": "Choose children from the list."}) from None
    return list(dict.fromkeys(ids))


def _children_here(actor, establishment, ids, *, at_least: int) -> list:
    """The chosen children, each on roll or placed at the establishment and visible to the person."""
    if len(ids) < at_least:
        raise ValidationError({"children": "Choose at least two children: a peer group is about children together."
                               if at_least > 1 else "Choose at least one child to add."})
    if len(ids) > MAX_MEMBERS:
        raise ValidationError({"children": f"A peer group can have up to {MAX_MEMBERS} children."})
    found = {child.pk: child for child in children_at(actor, establishment.pk).filter(pk__in=ids)}
    if len(found) != len(ids):
        raise ValidationError({"children": "Choose children from this establishment's list."})
    return [found[pk] for pk in ids]


def _names(children) -> str:
    return ", ".join(sorted(child.display_name for child in children))


@transaction.atomic
def peer_group_save(*, actor, establishment, name: str, children, from_cluster: bool = False) -> PeerGroup:
    """Save a peer group at an establishment, from a cluster of the peer graph or by hand (CoC 2.5(f))."""
    role = require_permission(actor, RECORD, action="peergroup.create", establishment_id=establishment.pk)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the peer group a name the team will recognise, such as where its children meet."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Keep the name to {MAX_NAME} characters."
    try:
        members = _children_here(actor, establishment, _child_ids(children), at_least=2)
    except ValidationError as problem:
        errors |= problem.message_dict
        members = []
    if errors:
        raise ValidationError(errors)
    group = PeerGroup.objects.create(establishment=establishment, name=name, from_cluster=from_cluster,
                                     created_by=actor)
    PeerGroupMember.objects.bulk_create([PeerGroupMember(group=group, child=child, added_by=actor)
                                         for child in members])
    how = "from a cluster of children named together in concerns" if from_cluster else "by hand"
    PeerGroupEntry.objects.create(group=group, kind=PeerGroupEntry.Kind.SAVED, occurred_at=clock.now(),
                                  recorded_by=actor, text=f"Saved {how} by {actor.full_name}, with "
                                                          f"{len(members)} children: {_names(members)}.")
    audit_record(actor=actor, action="peergroup.create", obj=group, role=role, establishment_id=establishment.pk,
                 detail={"children": len(members), "from_cluster": from_cluster})
    return group


@transaction.atomic
def peer_group_add_children(*, actor, group: PeerGroup, children) -> list:
    """Add children to a saved peer group; the group's chronology says who joined and who added them."""
    role = require_permission(actor, RECORD, action="peergroup.member.add", establishment_id=group.establishment_id,
                              obj=group)
    group = PeerGroup.objects.select_for_update().get(pk=group.pk)
    already = set(group.members.values_list("child_id", flat=True))
    ids = [pk for pk in _child_ids(children) if pk not in already]
    if not ids and children:
        raise ValidationError({"children": "They are already in this peer group."})
    added = _children_here(actor, group.establishment, ids, at_least=1)
    PeerGroupMember.objects.bulk_create([PeerGroupMember(group=group, child=child, added_by=actor) for child in added])
    PeerGroupEntry.objects.create(group=group, kind=PeerGroupEntry.Kind.JOINED, occurred_at=clock.now(),
                                  recorded_by=actor, text=f"{actor.full_name} added {_names(added)}.")
    audit_record(actor=actor, action="peergroup.member.add", obj=group, role=role,
                 establishment_id=group.establishment_id, detail={"children": [child.pk for child in added]})
    return added


@transaction.atomic
def peer_group_note_add(*, actor, group: PeerGroup, text: str, occurred_at=None) -> PeerGroupEntry:
    """A note in the group's own chronology: what the team saw or did about the group as a whole (CE 5.2)."""
    role = require_permission(actor, RECORD, action="peergroup.note", establishment_id=group.establishment_id,
                              obj=group)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = "Write the note: what happened or what was done about the group."
    if occurred_at is not None and occurred_at > clock.now():
        errors["occurred_at"] = "Say when it happened: it cannot be in the future."
    if errors:
        raise ValidationError(errors)
    entry = PeerGroupEntry.objects.create(group=group, kind=PeerGroupEntry.Kind.NOTE,
                                          occurred_at=occurred_at or clock.now(), recorded_by=actor, text=text)
    audit_record(actor=actor, action="peergroup.note", obj=group, role=role, establishment_id=group.establishment_id,
                 detail={"entry": entry.pk})
    return entry
