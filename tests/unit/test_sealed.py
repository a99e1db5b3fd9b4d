"""Files kept encrypted at rest (core.sealed): each kind under its own key, none readable as another."""

import pytest
from cryptography.exceptions import InvalidTag

from safekeep.attachments import files
from safekeep.chronology.pdf import seal, unseal
from safekeep.transfers import package

PHOTO = b"\x89PNG a photo of a bruise"


def test_each_kind_of_file_reads_back_as_it_was_and_is_not_stored_as_it_was():
    for encrypt, decrypt in ((files.encrypt, files.decrypt), (package.encrypt, package.decrypt), (seal, unseal)):
        sealed = encrypt(PHOTO)
        assert PHOTO not in sealed and decrypt(sealed) == PHOTO
        assert encrypt(PHOTO) != sealed  # a new nonce each time


def test_a_file_of_one_kind_cannot_be_opened_as_another():
    with pytest.raises(InvalidTag):
        package.decrypt(files.encrypt(PHOTO))
    with pytest.raises(InvalidTag):
        unseal(package.encrypt(PHOTO))


def test_an_unknown_version_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown attachment encryption version"):
        files.decrypt(b"\x02" + files.encrypt(PHOTO)[1:])
