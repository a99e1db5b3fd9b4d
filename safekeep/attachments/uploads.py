"""Uploaded files stay in memory, never in a plaintext temporary file on disk, and memory is bounded.

Django's default writes anything over 2.5 MB to a temporary file; for a photo of a child's injury
that is a plaintext copy outside our encryption. This handler keeps up to the ceiling in memory;
past it, it keeps nothing more and marks the file too_big, so the page can say "too big" beside
the file input and keep everything else that was typed (the other form fields still arrive).
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class BoundedMemoryUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        self.too_big = False

    def receive_data_chunk(self, raw_data, start):
        if not self.too_big:
            if start + len(raw_data) > settings.SAFEKEEP_UPLOAD_MEMORY_CEILING:
                self.too_big = True
                self.buffer = BytesIO()
            else:
                self.buffer.write(raw_data)
        return None  # the last handler: nothing passes further

    def file_complete(self, file_size):
        self.buffer.seek(0)
        upload = InMemoryUploadedFile(file=self.buffer, field_name=self.field_name, name=self.file_name,
                                      content_type=self.content_type, size=file_size, charset=self.charset,
                                      content_type_extra=self.content_type_extra)
        upload.too_big = self.too_big
        return upload
