"""Attachments and the body map (issue 4): checked by content, metadata stripped, encrypted at rest, only ever
downloaded, one transaction with the concern. Sources: security-tests.md R19, R20; docs/domain/attachments-and-body-map.md.
"""

import json
import shutil
import struct
import subprocess
import uuid
import zlib
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import ExifTags, Image

from safekeep.accounts import services as accounts
from safekeep.attachments import files, services
from safekeep.attachments.models import Attachment, BodyMark, PendingUpload
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns.models import Concern
from safekeep.concerns.services import concern_submit
from safekeep.core import clock

XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="51,30.2N"/></rdf:RDF>'
       b'</x:xmpmeta>')


def jpeg_with_gps(size=(64, 48)) -> bytes:
    """A phone photo as it arrives: camera make, sideways orientation, GPS in EXIF and XMP, a comment."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6  # rotate 90 degrees to show upright
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(out, "JPEG", exif=exif, comment=b"taken at 4 Elm Road", xmp=XMP)
    return out.getvalue()


def png(size=(8, 8)) -> bytes:
    out = BytesIO()
    Image.new("RGBA", size, (10, 20, 30, 255)).save(out, "PNG")
    return out.getvalue()


def png_header_claiming(width, height) -> bytes:
    """A tiny file whose header claims a huge picture (a "pixel flood")."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type)


def exiftool_tags(data: bytes) -> dict:
    if shutil.which("exiftool") is None:
        return {}
    result = subprocess.run(["exiftool", "-j", "-G", "-a", "-"], input=data, capture_output=True, check=True)
    return json.loads(result.stdout)[0]


# --- Checked by content, cleaned ----------------------------------------------------------------------------

def test_a_photo_keeps_its_pixels_and_loses_gps_exif_xmp_and_comments():
    original = jpeg_with_gps()
    assert Image.open(BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the sample really has GPS
    clean = files.clean(upload("IMG_0001.JPG", original))
    image = Image.open(BytesIO(clean.data))
    assert clean.content_type == "image/jpeg" and clean.filename == "IMG_0001.jpg"
    assert image.size == (48, 64)  # turned upright before the orientation tag was dropped
    assert len(image.getexif()) == 0 and not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)
    assert b"GPS" not in clean.data and b"Elm Road" not in clean.data and b"PhoneMaker" not in clean.data
    tags = exiftool_tags(clean.data)
    assert not [k for k in tags if "GPS" in k or k.startswith(("EXIF:", "XMP:")) or "Comment" in k], tags


@pytest.mark.parametrize("name,data", [
    ("photo.jpg", b"<html><script>alert(1)</script></html>"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'),
    ("bruise.png", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><svg>&e;</svg>'),
    ("report.pdf", b"%PDF-1.7\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n"),
    ("photo.jpg", b"PK\x03\x04" + b"\x00" * 40),
    ("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg <script>alert(1)</script>"),
])
def test_anything_that_is_not_really_a_photo_is_refused_in_plain_words(name, data):
    with pytest.raises(ValidationError) as refused:
        files.clean(upload(name, data))
    assert "cannot be added" in " ".join(refused.value.messages) or "could not be read" in " ".join(
        refused.value.messages)


def test_a_jpeg_html_polyglot_is_neutralised_by_re_encoding():
    polyglot = jpeg_with_gps() + b"<html><script>alert(document.cookie)</script></html>"
    clean = files.clean(upload("photo.jpg", polyglot))
    assert b"<script" not in clean.data and b"<html" not in clean.data


def test_a_pixel_flood_header_is_refused_without_being_decoded():
    with pytest.raises(ValidationError) as refused:
        files.clean(upload("flood.png", png_header_claiming(50_000, 50_000), "image/png"))
    assert "too many pixels" in refused.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.SAFEKEEP_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        files.clean(upload("big.jpg", jpeg_with_gps((400, 400))))
    assert "too big" in refused.value.messages[0]


def test_file_names_are_display_text_only():
    assert files.display_name("../../etc/passwd", "png") == "passwd.png"
    assert files.display_name("C:\\Users\\x\\photo.exe", "jpg") == "photo.jpg"
    assert files.display_name("gnp\u202eexe.jpg", "jpg") == "gnpexe.jpg"  # no right-to-left override
    assert files.display_name("", "webp") == "attachment.webp"


def test_stored_bytes_are_encrypted_and_decrypt_back(world):
    staff = world.people["here"]
    concern = world.concerns["here"]
    clean = files.clean(upload("photo.png", png(), "image/png"))
    attachment = services._store(staff, concern, clean)
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM attachments_attachment WHERE id = %s", [attachment.pk])
        stored = bytes(cursor.fetchone()[0])
    assert clean.data not in stored and b"PNG" not in stored and b"IHDR" not in stored
    assert files.decrypt(stored) == clean.data


# --- The recording page: kept across round trips, attached on send, nothing written on failure ---------------

def _page_base(client, world, **extra):
    here = world.children["here"]
    page = client.get(f"/concerns/new/?child={here.pk}").content.decode()
    key = page.split('name="key" value="')[1].split('"')[0]
    return {"key": key, "establishment": world.establishments["here"].pk, "child": [here.pk],
            f"role-{here.pk}": "harmed", "narrative": "Bruise on her arm, she said she fell", **extra}


def test_a_chosen_photo_survives_a_round_trip_and_is_attached_on_send(client, world, adopted, signed_in):
    staff = world.personas[Role.STAFF]
    signed_in(staff)
    base = _page_base(client, world)
    found = client.post("/concerns/new/", {**base, "intent": "find", "find_q": "here",
                                           "attachment": upload("photo.jpg", jpeg_with_gps())}).content.decode()
    assert "photo.jpg — kept" in found and "Bruise on her arm" in found
    assert 'enctype="multipart/form-data"' in found
    pending = PendingUpload.objects.get(user=staff, draft_key=base["key"])
    assert b"JFIF" not in bytes(pending.ciphertext)  # kept encrypted, on the server, not in the browser
    marked = client.post("/concerns/new/", {**base, "intent": "mark-add", "new_mark_side": "back",
                                            "new_mark_region": "left_forearm",
                                            "new_mark_description": "Purple bruise, 3 cm"}).content.decode()
    assert "Purple bruise, 3 cm" in marked and "photo.jpg — kept" in marked
    sent = client.post("/concerns/new/", {**base, "occurred_date": "2026-11-20", "intent": "send",
                                          "mark-side": "back", "mark-region": "left_forearm",
                                          "mark-description": "Purple bruise, 3 cm"})
    assert sent.status_code == 302, sent.content.decode()[:2000]
    concern = Concern.objects.get(idempotency_key=base["key"])
    attachment = concern.attachments.get()
    assert attachment.filename == "photo.jpg" and attachment.added_by == staff
    assert not PendingUpload.objects.filter(draft_key=base["key"]).exists()
    assert [(m.number, m.side, m.region) for m in concern.body_marks.all()] == [(1, "back", "left_forearm")]
    detail = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "Back, left forearm or wrist:" in detail and "Purple bruise, 3 cm" in detail
    assert f"/concerns/{concern.pk}/attachments/{attachment.pk}/" in detail
    assert 'aria-hidden="true"' in detail.split("<svg")[1]  # the drawing is decorative; the list is the text


def test_a_refused_file_shows_an_error_beside_the_input_and_keeps_the_draft(client, world, adopted, signed_in):
    signed_in(world.personas[Role.STAFF])
    base = _page_base(client, world)
    page = client.post("/concerns/new/", {**base, "occurred_date": "2026-11-20", "intent": "send",
                                          "attachment": upload("photo.jpg", b"<html>hi</html>")})
    text = page.content.decode()
    assert page.status_code == 200 and 'id="attachment-error"' in text and "cannot be added" in text
    assert "Bruise on her arm" in text and 'href="#attachment"' in text
    assert not Concern.objects.filter(idempotency_key=base["key"]).exists()


def test_a_file_over_the_memory_ceiling_is_refused_without_losing_the_draft(client, world, adopted, signed_in,
                                                                           settings):
    settings.SAFEKEEP_UPLOAD_MEMORY_CEILING = 2000
    signed_in(world.personas[Role.STAFF])
    base = _page_base(client, world)
    text = client.post("/concerns/new/", {"attachment": upload("big.jpg", jpeg_with_gps((600, 600))), **base,
                                          "intent": "find"}).content.decode()
    assert "too big" in text and "Bruise on her arm" in text


def test_marks_are_numbered_in_order_and_one_can_be_removed(client, world, adopted, signed_in):
    signed_in(world.personas[Role.STAFF])
    base = _page_base(client, world)
    marks = {"mark-side": ["front", "back", "front"], "mark-region": ["head", "upper_body", "left_hand"],
             "mark-description": ["Graze", "Red mark", "Cut"]}
    page = client.post("/concerns/new/", {**base, **marks, "intent": "mark-remove:2"}).content.decode()
    assert "Graze" in page and "Cut" in page and "Red mark" not in page
    incomplete = client.post("/concerns/new/", {**base, "intent": "mark-add", "new_mark_side": "front",
                                                "new_mark_description": "Bruise"}).content.decode()
    assert "Choose where on the body each mark is." in incomplete and 'id="new_mark-error"' in incomplete


def test_the_pending_file_of_another_person_is_never_attached(world, adopted):
    other = world.personas[Role.DSL]
    pending = services.pending_upload_keep(actor=other, draft_key="k", upload=upload("p.png", png(), "image/png"))
    from safekeep.authz.access import NotVisible

    with pytest.raises(NotVisible):
        concern_submit(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                       children=[{"child": world.children["here"], "role": "harmed"}], occurred_at=clock.now(),
                       narrative="x", idempotency_key="steal", attachments=[pending])


def test_nothing_is_written_when_saving_a_file_fails_inside_the_submission(world, adopted, monkeypatch):
    staff = world.personas[Role.STAFF]
    pending = services.pending_upload_keep(actor=staff, draft_key="k2", upload=upload("p.png", png(), "image/png"))
    before = (Concern.objects.count(), ChronologyEntry.objects.count(), BodyMark.objects.count())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_store", broken)
    with pytest.raises(RuntimeError):
        concern_submit(actor=staff, establishment=world.establishments["here"],
                       children=[{"child": world.children["here"], "role": "harmed"}], occurred_at=clock.now(),
                       narrative="Bruise", idempotency_key="fails",
                       body_marks=[{"side": "front", "region": "head", "description": "Graze"}],
                       attachments=[pending])
    assert (Concern.objects.count(), ChronologyEntry.objects.count(), BodyMark.objects.count()) == before
    assert PendingUpload.objects.filter(pk=pending.pk).exists()  # still there to try again


def test_a_bad_mark_is_refused_before_anything_is_written(world, adopted):
    with pytest.raises(ValidationError) as refused:
        concern_submit(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                       children=[{"child": world.children["here"], "role": "harmed"}], occurred_at=clock.now(),
                       narrative="x", idempotency_key="bad-mark",
                       body_marks=[{"side": "inside", "region": "head", "description": "x"}])
    assert "body_marks" in refused.value.message_dict
    assert not Concern.objects.filter(idempotency_key="bad-mark").exists()


def test_pending_uploads_older_than_a_day_are_deleted(world):
    from safekeep.attachments.tasks import pending_uploads_expire

    staff = world.personas[Role.STAFF]
    old = services.pending_upload_keep(actor=staff, draft_key="old", upload=upload("p.png", png(), "image/png"))
    PendingUpload.objects.filter(pk=old.pk).update(created_at=clock.now() - timedelta(days=1, minutes=1))
    new = services.pending_upload_keep(actor=staff, draft_key="new", upload=upload("p.png", png(), "image/png"))
    assert pending_uploads_expire.call() == "1 files deleted"
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [new.pk]


# --- Downloads ---------------------------------------------------------------------------------------------

def test_a_download_is_always_an_attachment_and_audited(client, world, signed_in):
    signed_in(world.personas[Role.DSL])
    concern, attachment = world.concerns["here"], world.attachments["here"]
    response = client.get(f"/concerns/{concern.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and "photo.png" in response[
        "Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Type"] == "image/png" and "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(action="attachment.download", object_id=str(attachment.pk)).count() == 1


@pytest.mark.parametrize("who", ["staff_not_recorder", "dsl_elsewhere", "governor"])
def test_nobody_who_may_not_see_the_concern_can_download_its_files(client, world, signed_in, who):
    concern, attachment = world.concerns["here"], world.attachments["here"]
    if who == "dsl_elsewhere":
        concern, attachment = world.concerns["elsewhere"], world.attachments["elsewhere"]
    user = {"staff_not_recorder": world.personas[Role.STAFF], "dsl_elsewhere": world.personas[Role.DSL],
            "governor": world.personas[Role.GOVERNOR]}[who]
    signed_in(user)
    response = client.get(f"/concerns/{concern.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 404
    # Another concern's id with this attachment: still nothing.
    signed_in(world.personas[Role.DSL])
    mixed = client.get(f"/concerns/{world.concerns['here'].pk}/attachments/{world.attachments['region'].pk}/")
    assert mixed.status_code == 404


def test_the_recorder_downloads_and_adds_after_sending(client, world, signed_in):
    recorder = world.people["here"]  # recorded the world's concern "here"
    signed_in(recorder)
    concern = world.concerns["here"]
    added = client.post(f"/concerns/{concern.pk}/attachments/", {"attachment": upload("later.jpg", jpeg_with_gps())})
    assert added.status_code == 302
    attachment = concern.attachments.order_by("-id").first()
    assert attachment.filename == "later.jpg"
    assert ChronologyEntry.objects.filter(child=world.children["here"], kind="concern.attachment").count() == 1
    served = client.get(f"/concerns/{concern.pk}/attachments/{attachment.pk}/")
    assert served.status_code == 200 and not Image.open(BytesIO(served.content)).getexif()
    assert not [k for k in exiftool_tags(served.content) if "GPS" in k]
    refused = client.post(f"/concerns/{concern.pk}/attachments/",
                          {"attachment": upload("x.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")})
    assert refused.status_code == 200 and "cannot be added" in refused.content.decode()


# --- API ---------------------------------------------------------------------------------------------------

def test_the_api_records_body_marks_uploads_a_photo_and_lists_both(client, world, adopted):
    staff = world.personas[Role.STAFF]
    _, token = accounts.api_token_create(actor=staff, name="x", mfa_passed=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"establishment": world.establishments["here"].pk,
            "children": [{"child": world.children["here"].pk, "role": "harmed"}],
            "occurred_at": "2026-11-20T13:15:00Z", "narrative": "Marks on both arms.",
            "body_marks": [{"side": "front", "region": "left_upper_arm", "description": "Grip marks"},
                           {"side": "front", "region": "right_upper_arm", "description": "Grip marks too"}]}
    recorded = client.post("/api/v1/concerns/", body, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()), **auth)
    assert recorded.status_code == 201, recorded.content
    concern_id = recorded.json()["id"]
    assert [m["number"] for m in recorded.json()["body_marks"]] == [1, 2]
    sent = client.post(f"/api/v1/concerns/{concern_id}/attachments/",
                       {"file": upload("screenshot.png", png(), "image/png")}, **auth)
    assert sent.status_code == 201, sent.content
    meta = sent.json()
    assert meta["filename"] == "screenshot.png" and meta["content_type"] == "image/png" and meta["size"] > 0
    detail = client.get(f"/api/v1/concerns/{concern_id}/", **auth).json()
    assert detail["attachments"] == [meta]
    assert detail["body_marks"][1] == {"number": 2, "side": "front", "region": "right_upper_arm",
                                       "description": "Grip marks too"}
    served = client.get(meta["download_url"], **auth)
    assert served.status_code == 200 and served["Content-Disposition"].startswith("attachment;")
    bad = client.post(f"/api/v1/concerns/{concern_id}/attachments/",
                      {"file": upload("page.jpg", b"<html></html>")}, **auth)
    assert bad.status_code == 400 and "cannot be added" in json.dumps(bad.json())
    assert Attachment.objects.filter(concern_id=concern_id).count() == 1


def test_a_webp_screenshot_is_accepted_and_re_encoded():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (51.0, 30.0, 12.5)}
    out = BytesIO()
    Image.new("RGB", (20, 10), (0, 120, 200)).save(out, "WEBP", exif=exif, xmp=XMP)
    assert Image.open(BytesIO(out.getvalue())).getexif()  # the sample really carries EXIF
    clean = files.clean(upload("Screenshot 2026-11-20.webp", out.getvalue(), "application/octet-stream"))
    assert clean.content_type == "image/webp" and clean.filename == "Screenshot 2026-11-20.webp"
    image = Image.open(BytesIO(clean.data))
    assert len(image.getexif()) == 0 and not {"exif", "xmp"} & set(image.info)
    assert b"xmpmeta" not in clean.data and b"PhoneMaker" not in clean.data


def test_mark_descriptions_and_file_names_are_shown_as_text_never_as_markup(client, world, signed_in):
    concern = world.concerns["here"]
    BodyMark.objects.create(concern=concern, number=1, side="front", region="head",
                            description='<script>alert(1)</script><img src=x onerror="alert(2)">')
    signed_in(world.personas[Role.DSL])
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
