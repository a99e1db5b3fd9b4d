import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from safekeep.audit.models import AuditEvent
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment

@pytest.fixture
def load(django_capture_on_commit_callbacks):
    """Press "Load" and let the background task run (the test settings run tasks at once, after commit)."""

    def press(client, batch_url):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(batch_url + "load/")

    return press


HEADINGS = "Admission Number,UPN,Legal Forename,Legal Surname,Preferred Forename,Date of Birth,Gender,Year Group," \
           "SEN Status,Looked After\n"


def _upload(client, world, text, kind="children"):
    return client.post("/imports/", {
        "establishment": world.establishments["here"].pk, "kind": kind,
        "file": SimpleUploadedFile("pupils.csv", text.encode(), content_type="text/csv"),
    })


def test_a_file_with_a_bad_row_is_refused_whole_with_the_line_in_plain_words(client, world, signed_in):
    signed_in(world.personas[Role.ADMINISTRATOR])
    before = Child.objects.count()
    page = _upload(client, world, HEADINGS + "A1,,Ada,Lovelace,,01/02/2013,Female,Year 8,N,No\n"
                                             "A2,,Bo,Smith,,31/02/2013,Male,Year 8,X,Maybe\n")
    text = page.content.decode()
    assert "Nothing has been loaded" in text
    assert "Line 3:" in text and "is not a date like 31/01/2015" in text and "should be Yes or No" in text
    assert Child.objects.count() == before


def test_loading_the_same_file_twice_updates_and_never_duplicates(client, world, signed_in, load):
    signed_in(world.personas[Role.ADMINISTRATOR])
    rows = "A1,A123456789012,Ada,Lovelace,Addy,01/02/2013,Female,Year 8,K,Yes\nA2,,Bo,Smith,,03/04/2014,Male,Year 7,N,No\n"
    response = _upload(client, world, HEADINGS + rows)
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "2 new" in preview and "Nothing has been saved yet" in preview
    assert Child.objects.filter(last_name="Lovelace").count() == 0
    load(client, response["Location"])
    done = client.get(response["Location"]).content.decode()
    assert "2 of 2 rows (100%)" in done and "2 new" in done
    ada = Child.objects.get(last_name="Lovelace")
    assert (ada.preferred_name, ada.send_status, ada.looked_after) == ("Addy", "support", True)

    again = _upload(client, world, HEADINGS + rows.replace("Year 8", "Year 9"))
    load(client, again["Location"])
    assert "1 updated, 1 unchanged" in client.get(again["Location"]).content.decode()
    assert Child.objects.filter(last_name="Lovelace").count() == 1
    assert Child.objects.get(last_name="Lovelace").year_group == "Year 9"
    assert Enrolment.objects.filter(child__last_name="Lovelace").count() == 1
    assert AuditEvent.objects.filter(action="child.import.create").count() == 2


def test_a_staff_file_adds_people_with_their_roles(client, world, signed_in, load):
    signed_in(world.personas[Role.ADMINISTRATOR])
    response = _upload(client, world, "Staff Code,Email,Forename,Surname,Job Title,Safekeep role\n"
                                      "T1,new.dsl@example.org,Ola,Nowak,Assistant head,Deputy DSL\n", kind="staff")
    load(client, response["Location"])
    membership = RoleMembership.objects.get(user__email="new.dsl@example.org")
    assert (membership.role, membership.establishment) == (Role.DEPUTY_DSL, world.establishments["here"])


def test_a_staff_row_with_another_organisations_email_is_refused_at_the_check(client, world, signed_in):
    signed_in(world.personas[Role.ADMINISTRATOR])
    outsider = world.people["elsewhere"]
    page = _upload(client, world, f"Email,Full name\nnew.person@example.org,Ola Nowak\n{outsider.email},Someone\n",
                   kind="staff").content.decode()
    assert "Nothing has been loaded" in page and "Line 3: This email address already belongs" in page
    outsider.refresh_from_db()
    assert outsider.full_name != "Someone"
