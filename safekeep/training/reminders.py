"""The email that reminds someone their training is due again soon, sent by the worker each morning.

Once per course per person per cycle: each completion is claimed with a conditional UPDATE on its reminded_at
(the pattern of safekeep/actions/escalation.py), so two runs at once, or every morning of the lead time, send it
once; the next completion of the course starts the next cycle. The email names the course and the date, never
anything about a child (house rule 6).
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import formats

from safekeep.audit.services import audit_record
from safekeep.core import clock
from safekeep.establishments.models import Establishment

from .models import TrainingCompletion
from .selectors import courses_followed, roles_held_at

logger = logging.getLogger(__name__)
FOOTER = "Safekeep\nThis email never contains information about a child.\n"


def send_training_reminders(today=None) -> int:
    """Tell each person whose last completion of a course falls due within the course's lead time (and is not yet
    overdue). Returns how many were told."""
    today = today or clock.today()
    sent = 0
    for course, following in courses_followed(Establishment.objects.filter(is_active=True)).values():
        if course.months is None:
            continue
        later = TrainingCompletion.objects.filter(person=OuterRef("person"), course_code=course.code,
                                                  completed_on__gt=OuterRef("completed_on"))
        asked = roles_held_at(following, course.roles).filter(user=OuterRef("person"))
        due = (TrainingCompletion.objects.filter(course_code=course.code, reminded_at__isnull=True,
                                                 completed_on__gte=course.current_from(today),
                                                 completed_on__lt=course.not_expiring_from(today))
               .filter(~Exists(later), Exists(asked)).select_related("person"))
        for completion in due:
            try:
                sent += _remind(completion, course)
            except Exception as problem:  # noqa: BLE001  (one bad row must not stop the others' reminders)
                logger.error("Training reminder %s failed (%s): tried again at the next run", completion.pk,
                             type(problem).__name__)
    return sent


def _remind(completion, course) -> int:
    with transaction.atomic():
        if not TrainingCompletion.objects.filter(pk=completion.pk, reminded_at__isnull=True).update(
                reminded_at=clock.now()):
            return 0
        audit_record(actor=None, action="training.remind", obj=completion, establishment_id=completion.establishment_id,
                     detail={"person": completion.person_id, "course": course.code})
        due = formats.date_format(course.due_on(completion.completed_on), "j F Y")
        link = settings.SAFEKEEP_BASE_URL + reverse("training:mine")
        person = completion.person
        transaction.on_commit(lambda: send_mail(
            "Safekeep: your safeguarding training is due again soon",
            f"Hello,\n\nYour training “{course.title}” is due again by {due}. Book it now so it does not lapse.\n\n"
            f"Sign in to see your training: {link}\n\n{FOOTER}", None, [person.email]))
    return 1
