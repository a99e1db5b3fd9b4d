from django.conf import settings
from django.db import models
from django.db.models import Q

from safekeep.authz.roles import Role, role_label
from safekeep.core.classification import NOT_PERSONAL, PERSONAL


class Organisation(models.Model):
    class Kind(models.TextChoices):
        GROUP = "group", "Group"
        TRUST = "trust", "Trust"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Where the policies send group notifications (exploitation policy 10.1).
    safeguarding_email = models.EmailField(blank=True)

    data_classification = {"id": NOT_PERSONAL, "name": NOT_PERSONAL, "kind": NOT_PERSONAL,
                           "safeguarding_email": NOT_PERSONAL}

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Region(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="regions")
    name = models.CharField(max_length=200)

    data_classification = {"id": NOT_PERSONAL, "organisation": NOT_PERSONAL, "name": NOT_PERSONAL}

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="region_name_unique")]

    def __str__(self):
        return self.name


class Establishment(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", "School"
        CHILDRENS_HOME = "childrens_home", "Children's home"
        COLLEGE = "college", "College"

    class Nation(models.TextChoices):
        # Each nation has its own bank holidays and statutory guidance.
        ENGLAND = "ENG", "England"
        WALES = "WLS", "Wales"
        SCOTLAND = "SCT", "Scotland"
        NORTHERN_IRELAND = "NIR", "Northern Ireland"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="establishments")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="establishments", null=True, blank=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    nation = models.CharField(max_length=3, choices=Nation.choices, default=Nation.ENGLAND)
    # Ofsted or DfE unique reference number; optional because not every home has one yet.
    urn = models.CharField("Unique reference number (URN)", max_length=20, blank=True)
    local_authority = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    data_classification = {"id": NOT_PERSONAL, "organisation": NOT_PERSONAL, "region": NOT_PERSONAL,
                           "name": NOT_PERSONAL, "kind": NOT_PERSONAL, "nation": NOT_PERSONAL,
                           "urn": NOT_PERSONAL, "local_authority": NOT_PERSONAL, "is_active": NOT_PERSONAL}

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="establishment_name_unique")]

    def __str__(self):
        return self.name

    @property
    def linked_peers(self) -> list["Establishment"]:
        """The other half (or halves) of an integrated education and care pair."""
        return [link.second for link in self.links_as_first.all()] + [link.first for link in
                                                                     self.links_as_second.all()]

    @property
    def safeguarding_lead_title(self) -> str:
        """Schools have a DSL; children's homes call the same person the safeguarding lead."""
        return role_label(Role.DSL, self.kind).lower()


class EstablishmentLink(models.Model):
    """An integrated education and care pair: a school and a children's home that share children.

    Exploitation policy section 11.3 ("Integrated education and care settings"): a concern
    recorded at one is shared with the other's safeguarding lead and noted on the child's file there.
    """

    first = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="links_as_first")
    second = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="links_as_second")

    data_classification = {"id": NOT_PERSONAL, "first": NOT_PERSONAL, "second": NOT_PERSONAL}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="establishment_link_unique"),
            models.CheckConstraint(condition=~Q(first=models.F("second")), name="establishment_link_not_self"),
        ]


class LocalContact(models.Model):
    """Who to call: the local authority front door, LADO, police, placing authorities (exploitation policy 12.0)."""

    class Kind(models.TextChoices):
        LA_FRONT_DOOR = "la_front_door", "Local authority front door (children's services)"
        LADO = "lado", "Local authority designated officer (LADO)"
        POLICE = "police", "Police"
        PLACING_AUTHORITY = "placing_authority", "Placing authority"
        EARLY_HELP = "early_help", "Early help"
        OTHER = "other", "Other"

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="local_contacts")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True)
    notes = models.CharField(max_length=500, blank=True)

    # Contacts are public services, but a named officer's email is personal data.
    data_classification = {"id": NOT_PERSONAL, "establishment": NOT_PERSONAL, "kind": NOT_PERSONAL,
                           "name": PERSONAL, "phone": PERSONAL, "email": PERSONAL, "url": NOT_PERSONAL,
                           "notes": PERSONAL}

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


class Location(models.Model):
    """A place a concern can happen: somewhere on site, off site, or an online platform.

    An administrator keeps the list, so "where" can be counted for the patterns leaders look for
    (DESIGN.md: places). A place no longer used is retired, never deleted: old concerns still name it.
    """

    class Kind(models.TextChoices):
        ON_SITE = "on_site", "On site"
        OFF_SITE = "off_site", "Off site"
        ONLINE = "online", "Online"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="locations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100)
    retired = models.BooleanField(default=False)

    data_classification = {"id": NOT_PERSONAL, "establishment": NOT_PERSONAL, "kind": NOT_PERSONAL,
                           "name": NOT_PERSONAL, "retired": NOT_PERSONAL}

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["establishment", "name"], name="location_name_unique")]

    def __str__(self):
        return self.name


class TermDate(models.Model):
    """One term of a school or college. School days are working days inside a term (KCSIE's "5 school
    days" for a child protection file); with no terms loaded, every working day counts."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=60)
    starts_on = models.DateField()
    ends_on = models.DateField()

    data_classification = {"id": NOT_PERSONAL, "establishment": NOT_PERSONAL, "name": NOT_PERSONAL,
                           "starts_on": NOT_PERSONAL, "ends_on": NOT_PERSONAL}

    class Meta:
        ordering = ["starts_on"]

    def __str__(self):
        return f"{self.name} ({self.starts_on:%-d %B %Y} to {self.ends_on:%-d %B %Y})"


class HotspotThresholds(models.Model):
    """An establishment's own thresholds for the hotspot flag (CoC 2.4-2.5, CE 5.1-5.2), over the defaults of
    the statutory baseline pack's `hotspots:` section. One row per establishment, only if it sets its own; an
    empty figure keeps the pack's. Set by the safeguarding lead or the head, audited."""

    establishment = models.OneToOneField(Establishment, on_delete=models.CASCADE, related_name="hotspot_thresholds")
    place_concerns = models.PositiveSmallIntegerField(null=True, blank=True)
    place_days = models.PositiveSmallIntegerField(null=True, blank=True)
    kind_concerns = models.PositiveSmallIntegerField(null=True, blank=True)
    kind_days = models.PositiveSmallIntegerField(null=True, blank=True)
    year_group_concerns = models.PositiveSmallIntegerField(null=True, blank=True)
    year_group_days = models.PositiveSmallIntegerField(null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    FIGURES = ("place_concerns", "place_days", "kind_concerns", "kind_days", "year_group_concerns",
               "year_group_days")
    data_classification = {"id": NOT_PERSONAL, "establishment": NOT_PERSONAL, "place_concerns": NOT_PERSONAL,
                           "place_days": NOT_PERSONAL, "kind_concerns": NOT_PERSONAL, "kind_days": NOT_PERSONAL,
                           "year_group_concerns": NOT_PERSONAL, "year_group_days": NOT_PERSONAL,
                           "set_by": PERSONAL, "set_at": PERSONAL}
