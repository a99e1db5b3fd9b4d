"""Loading policy pack versions and adopting them. Permission checked and audited in one transaction."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.roles import Permission
from safekeep.core import clock
from safekeep.policy.packs import PackInvalid, pack_id_in, parse_packs, parse_packs_once, shipped_texts

from .models import PackAdoption, PolicyPackVersion
from .selectors import organisation_texts
from .signals import pack_adopted


def _store(text: str, pack, actor) -> PolicyPackVersion:
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = PolicyPackVersion.objects.filter(pack=pack.pack, version=pack.version).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise ValidationError(f"Version {pack.version} of {pack.title} is already loaded with different "
                                  "content. Give the revised pack a new version.")
        return existing
    return PolicyPackVersion.objects.create(pack=pack.pack, version=pack.version, title=pack.title, text=text,
                                            sha256=digest, loaded_by=actor)


@transaction.atomic
def pack_load(*, actor, organisation, file_name: str, text: str) -> PolicyPackVersion:
    """Check a pack against the others the organisation uses, and keep it as a new version (not yet adopted)."""
    role = require_permission(actor, Permission.POLICY_ADOPT, action="policy.load", organisation_id=organisation.pk)
    texts = organisation_texts(organisation.pk, leaving_out=pack_id_in(text))
    name = file_name if file_name not in texts else f"uploaded {file_name}"
    texts[name] = text  # last, so its pack is the last one read
    try:
        pack = parse_packs(texts)[-1]
    except PackInvalid as invalid:
        raise ValidationError([str(e) for e in invalid.errors]) from None
    version = _store(text, pack, actor)
    audit_record(actor=actor, action="policy.load", obj=version, role=role,
                 detail={"pack": pack.pack, "version": pack.version})
    return version


@transaction.atomic
def pack_adopt(*, actor, pack_version: PolicyPackVersion, organisation, establishment=None) -> PackAdoption:
    """From now on, new concerns at this organisation (or establishment) follow this version."""
    role = require_permission(actor, Permission.POLICY_ADOPT, action="policy.adopt", organisation_id=organisation.pk)
    if establishment is not None and establishment.organisation_id != organisation.pk:
        raise ValidationError("Choose an establishment of this organisation.")
    return _adopt(actor=actor, pack_version=pack_version, organisation=organisation, establishment=establishment,
                  role=role)


def _adopt(*, actor, pack_version, organisation, establishment, role="") -> PackAdoption:
    current = PackAdoption.objects.filter(organisation=organisation, establishment=establishment,
                                          pack_version__pack=pack_version.pack, ended_at__isnull=True)
    current.update(ended_at=clock.now())
    adoption = PackAdoption.objects.create(pack_version=pack_version, organisation=organisation,
                                           establishment=establishment, adopted_by=actor)
    audit_record(actor=actor, action="policy.adopt", obj=pack_version, role=role,
                 establishment_id=getattr(establishment, "pk", None),
                 detail={"pack": pack_version.pack, "version": pack_version.version, "organisation": organisation.pk})
    pack_adopted.send(sender=PackAdoption, adoption=adoption, actor=actor, role=role)
    return adoption


@transaction.atomic
def shipped_packs_install(*, organisation=None, adopt: tuple[str, ...] = ()) -> list[PolicyPackVersion]:
    """Store the packs that ship with Safekeep (idempotent); optionally adopt some for a new organisation.

    Run by the platform (migrations, organisation set-up), so it has no actor.
    """
    texts = shipped_texts()
    packs = parse_packs_once(tuple(texts.items()))
    versions = [_store(texts[name], pack, None) for name, pack in zip(texts, packs, strict=True)]
    for version in versions:
        if organisation is not None and version.pack in adopt:
            _adopt(actor=None, pack_version=version, organisation=organisation, establishment=None)
    return versions
