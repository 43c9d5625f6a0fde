"""Receipts on S3-compatible storage (RECEIPTS_S3_BUCKET): private objects, served only by the view.

The bucket is moto's S3 server, run in this process on a free port of 127.0.0.1: real HTTP
through boto3 and django-storages, never AWS. The storage is configured with exactly the
options settings.py builds from the environment (its _receipts_storage(), called with the
variables set), and Receipt's file fields are pointed at it: Django evaluates a FileField's
storage callable once, when the models load, so switching STORAGES alone would not reach them.
"""

from __future__ import annotations

import io
import json
import logging
import re
import uuid

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer
from PIL import Image

from learningday import settings as project_settings
from reimbursements.models import Claim, Receipt
from reimbursements.s3storage import S3ReceiptStorage
from tests.factories import ClaimFactory, jpeg_bytes
from tests.learningday.test_settings import PRODUCTION, manage

CREDENTIALS = {"RECEIPTS_S3_ACCESS_KEY_ID": "testing", "RECEIPTS_S3_SECRET_ACCESS_KEY": "testing"}
RANDOM_NAME = re.compile(r"[0-9a-f]{4}/[A-Za-z0-9_-]{32}\.jpg")
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


@pytest.fixture(scope="session")
def s3_endpoint():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the test output
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    """A fresh bucket on the local server, and a boto3 client to look into it."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    bucket = f"receipts-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    return client, bucket


@pytest.fixture
def receipts_on_s3(s3, s3_endpoint, settings, monkeypatch):
    """STORAGES["receipts"] as settings.py builds it for the bucket, and the model using it."""
    _client, bucket = s3
    env = {
        "RECEIPTS_S3_BUCKET": bucket,
        "RECEIPTS_S3_ENDPOINT_URL": s3_endpoint,
        "RECEIPTS_S3_REGION": "eu-central-1",
        **CREDENTIALS,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = project_settings._receipts_storage()
    assert config["BACKEND"] == "reimbursements.s3storage.S3ReceiptStorage"
    settings.STORAGES = {**settings.STORAGES, "receipts": config}  # the setting_changed signal empties the cache
    storage = storages["receipts"]
    for field in ("file", "thumbnail"):
        monkeypatch.setattr(Receipt._meta.get_field(field), "storage", storage)
    return storage


def object_key(name: str) -> str:
    return f"receipts/{name}"


@pytest.mark.django_db
def test_a_receipt_lands_in_the_bucket_under_a_random_name_private_and_encrypted(s3, receipts_on_s3):
    client, bucket = s3
    claim = ClaimFactory(with_receipt=True)
    receipt = claim.receipts.get()
    assert RANDOM_NAME.fullmatch(receipt.file.name)
    assert RANDOM_NAME.fullmatch(receipt.thumbnail.name)

    keys = {entry["Key"] for entry in client.list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {object_key(receipt.file.name), object_key(receipt.thumbnail.name)}
    for key in keys:
        head = client.head_object(Bucket=bucket, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
        assert head["ContentType"] == "image/jpeg"
        acl = client.get_object_acl(Bucket=bucket, Key=key)
        assert [(g["Grantee"].get("ID"), g["Permission"]) for g in acl["Grants"]] == [
            (acl["Owner"]["ID"], "FULL_CONTROL")
        ]
        assert not any(g["Grantee"].get("URI") in PUBLIC_GROUPS for g in acl["Grants"])

    body = client.get_object(Bucket=bucket, Key=object_key(receipt.file.name))["Body"].read()
    assert len(body) == receipt.size
    assert Image.open(io.BytesIO(body)).format == "JPEG"


@pytest.mark.django_db
def test_reading_back_through_the_storage_gives_the_same_bytes(s3, receipts_on_s3):
    client, bucket = s3
    receipt = ClaimFactory(with_receipt=True).receipts.get()
    stored = client.get_object(Bucket=bucket, Key=object_key(receipt.file.name))["Body"].read()
    with receipts_on_s3.open(receipt.file.name, "rb") as handle:
        assert handle.read() == stored
    with receipt.file.open("rb") as handle:
        assert handle.read() == stored


def test_a_name_already_taken_is_not_overwritten(s3, receipts_on_s3):
    first = receipts_on_s3.save("ab/name.jpg", ContentFile(b"first"))
    second = receipts_on_s3.save("ab/name.jpg", ContentFile(b"second"))
    assert first == "ab/name.jpg"
    assert second != first
    assert receipts_on_s3.open(first).read() == b"first"
    receipts_on_s3.delete(second)
    assert not receipts_on_s3.exists(second)


@pytest.mark.django_db
def test_receipts_on_s3_have_no_url(receipts_on_s3):
    receipt = ClaimFactory(with_receipt=True).receipts.get()
    with pytest.raises(ValueError, match="no public URL"):
        receipts_on_s3.url(receipt.file.name)
    with pytest.raises(ValueError, match="no public URL"):
        receipt.file.url  # noqa: B018


def test_the_storage_refuses_a_public_acl(s3_endpoint):
    for options in ({"default_acl": "public-read"}, {"object_parameters": {"ACL": "public-read-write"}}):
        with pytest.raises(ImproperlyConfigured, match="Receipts must stay private"):
            S3ReceiptStorage(bucket_name="receipts", endpoint_url=s3_endpoint, **options)


@pytest.mark.django_db
def test_the_receipt_view_serves_the_s3_object_to_the_claimant_only(s3, receipts_on_s3, client, member, outsider):
    client_s3, bucket = s3
    claim = ClaimFactory(claimant=member, state="submitted", with_receipt=True)
    receipt = claim.receipts.get()
    stored = client_s3.get_object(Bucket=bucket, Key=object_key(receipt.file.name))["Body"].read()

    client.force_login(member)
    response = client.get(f"/claims/{claim.pk}/receipt/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == stored
    thumbnail = client.get(f"/claims/{claim.pk}/receipt/?thumbnail=1")
    assert thumbnail.status_code == 200
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).format == "JPEG"

    client.force_login(outsider)
    assert client.get(f"/claims/{claim.pk}/receipt/").status_code == 404


@pytest.mark.django_db
def test_a_receipt_filed_through_the_form_goes_to_the_bucket(s3, receipts_on_s3, member_client, frozen):
    from tests.reimbursements.test_views import claim_form, upload

    client_s3, bucket = s3
    member_client.post("/claims/new/", {**claim_form(), "receipts": [upload(data=jpeg_bytes("red"))]})
    receipt = Claim.objects.get().receipts.get()
    keys = {entry["Key"] for entry in client_s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert object_key(receipt.file.name) in keys
    served = member_client.get(f"/claims/{receipt.claim_id}/receipt/")
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).format == "JPEG"


# --- Start-up: settings from the environment ----------------------------------------------------------

# Blank every RECEIPTS_S3_* variable the surrounding shell may have set (empty means unset).
UNSET = dict.fromkeys(project_settings._RECEIPTS_S3_VARIABLES, "")
S3_ENV = {
    **UNSET,
    "RECEIPTS_S3_BUCKET": "learningday-receipts",
    "RECEIPTS_S3_ENDPOINT_URL": "https://minio.internal:9000",
    "RECEIPTS_S3_REGION": "eu-central-1",
    **CREDENTIALS,
}


def test_a_bucket_turns_on_the_s3_backend(tmp_path):
    code = (
        "import json; from django.conf import settings as s; from django.core.files.storage import storages; "
        "from reimbursements.models import Receipt; st = storages['receipts']; "
        "print(json.dumps([s.STORAGES['receipts'], type(st).__name__, st.location, "
        "Receipt._meta.get_field('file').storage is st]))"
    )
    result = manage("shell", "-v", "0", "-c", code, env=S3_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    config, class_name, location, used_by_the_model = json.loads(result.stdout)
    assert config == {
        "BACKEND": "reimbursements.s3storage.S3ReceiptStorage",
        "OPTIONS": {
            "bucket_name": "learningday-receipts",
            "location": "receipts",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "endpoint_url": "https://minio.internal:9000",
            "region_name": "eu-central-1",
            "access_key": "testing",
            "secret_key": "testing",
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
    assert (class_name, location, used_by_the_model) == ("S3ReceiptStorage", "receipts", True)


def test_without_a_bucket_receipts_stay_on_disk_and_encryption_can_be_left_to_the_bucket(tmp_path):
    code = "from django.conf import settings as s; print(s.STORAGES['receipts'])"
    on_disk = manage("shell", "-v", "0", "-c", code, env=UNSET, tmp_path=tmp_path)
    assert on_disk.stdout.strip() == "{'BACKEND': 'reimbursements.storage.ReceiptStorage'}"
    env = {**S3_ENV, "RECEIPTS_S3_SERVER_SIDE_ENCRYPTION": "false", "RECEIPTS_S3_ACCESS_KEY_ID": ""}
    env["RECEIPTS_S3_SECRET_ACCESS_KEY"] = ""
    code = "from django.conf import settings as s; o = s.STORAGES['receipts']['OPTIONS']; print(sorted(o))"
    result = manage("shell", "-v", "0", "-c", code, env=env, tmp_path=tmp_path)
    assert "object_parameters" not in result.stdout
    assert "access_key" not in result.stdout  # boto3's own credential chain
    assert "bucket_name" in result.stdout


def test_deploy_check_passes_with_receipts_on_s3(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, **S3_ENV}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RECEIPTS_S3_ENDPOINT_URL": "minio.internal:9000"}, "RECEIPTS_S3_ENDPOINT_URL: expected an http(s) URL"),
        ({"RECEIPTS_S3_ENDPOINT_URL": "https://minio:port"}, "RECEIPTS_S3_ENDPOINT_URL: expected an http(s) URL"),
        ({"RECEIPTS_S3_BUCKET": "s3://learningday-receipts"}, "RECEIPTS_S3_BUCKET: expected a bucket name"),
        ({"RECEIPTS_S3_REGION": "eu central"}, "RECEIPTS_S3_REGION: expected a region such as eu-central-1"),
        (
            {"RECEIPTS_S3_SECRET_ACCESS_KEY": ""},
            "RECEIPTS_S3_SECRET_ACCESS_KEY: required when RECEIPTS_S3_ACCESS_KEY_ID is set",
        ),
        ({"RECEIPTS_S3_SERVER_SIDE_ENCRYPTION": "maybe"}, "RECEIPTS_S3_SERVER_SIDE_ENCRYPTION: expected true or false"),
        ({"RECEIPTS_S3_BUCKET": ""}, "RECEIPTS_S3_BUCKET: required when RECEIPTS_S3_ENDPOINT_URL is set"),
    ],
)
def test_a_wrong_s3_value_stops_start_up_naming_the_variable(tmp_path, env, message):
    result = manage("check", env={**S3_ENV, **env}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: Environment variable {message}" in result.stderr


@pytest.mark.django_db
def test_a_receipt_whose_object_is_gone_from_the_bucket_is_a_404(s3, receipts_on_s3, client):
    s3_client, bucket = s3
    claim = ClaimFactory(with_receipt=True, state="submitted")
    receipt = claim.receipts.get()
    s3_client.delete_object(Bucket=bucket, Key=object_key(receipt.file.name))
    client.force_login(claim.claimant)
    assert client.get(f"/claims/{claim.pk}/receipt/{receipt.pk}/").status_code == 404
