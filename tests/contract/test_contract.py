"""Contract fuzzing: schemathesis generates requests from `GET /openapi.yaml` of a real
`minnow serve` and checks every answer against the contract: never a 5xx, only documented
status codes, the documented content type, bodies and headers that match their schemas.
It runs twice, signed in through the web session (cookie + CSRF header, as the browser's
script does) and with an API key, with a fixed seed and a bounded number of examples per
operation. Targeted requests then reach the codes random data cannot (401, 403, 409, 413,
429, …), and the last test fails for any documented (operation, status) never seen.
Not a load test and not a substitute for the behaviour tests in Tests/MinnowTests."""
import os

import hypothesis
import hypothesis.strategies as st
import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from minnow_server import png

# Zip archives (import, evaluate) go on the wire as raw bytes, like any binary body.
schemathesis.serializer.alias("application/zip", "application/octet-stream")

SEED = 20261206
# Per operation and phase; CONTRACT_MAX_EXAMPLES=200 for a deeper run by hand.
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]

# Fuzzing never touches these with the seeded world's own ids or credentials; the targeted
# tests below reach their documented codes on throwaway objects instead.
#   DELETE (any): deleting the seeded project, image, iteration, key, device, bridge,
#     deployment or label would turn every later example into a 404.
#   POST .../deployments/{deployment}/key: rotating the key would lose the prediction key.
DESTRUCTIVE_ON_SEEDED = {("POST", "/v1/projects/{projectId}/deployments/{deployment}/key")}
# Operations left out of fuzzing altogether (each reached by a targeted test):
#   DELETE /v1/auth/me: deletes the signed-in user and everything the fuzzer works on.
#   POST /v1/auth/logout: revokes the session the fuzzer signs in with.
EXCLUDED = {("DELETE", "/v1/auth/me"), ("POST", "/v1/auth/logout")}


@pytest.fixture(scope="session")
def contract_schema(world):
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "no-shrink": True, "database": "none",
                       # Credentials come from the test (cookie or key), never generated.
                       "with-security-parameters": False},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
                   "stateful": {"enabled": False}},
    })
    schema = schemathesis.openapi.from_url(world.url + "/openapi.yaml", config=config)
    schema.config.update(base_url=world.url)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        # Half of the examples address the seeded objects (so operations get past 404),
        # the other half keep the generated values.
        operation = context.operation
        if not path_parameters or operation.method.upper() == "DELETE" or (operation.method.upper(), operation.path) in DESTRUCTIVE_ON_SEEDED:
            return st.just(path_parameters)
        seeded = {name: world.ids.get(name, value) for name, value in path_parameters.items()}
        if operation.path.endswith("/frames"):
            seeded["deviceId"] = world.camera_device  # frames go to the seeded camera, not the board
        return st.sampled_from([path_parameters, seeded])

    @schema.hook
    def map_query(context, query):
        # Long polls: `wait` up to 60 s (25 s when absent, for a claim) per example would make
        # the run take hours; at most 1 s here.
        query = dict(query or {})
        if context.operation.path.endswith("/installs/next") and "wait" not in query:
            query["wait"] = 1
        if isinstance(query.get("wait"), int) and not isinstance(query["wait"], bool) and query["wait"] > 1:
            query["wait"] = 1
        return query

    @schema.hook
    def flatmap_headers(context, headers):
        if context.operation is None or context.operation.path != "/v1/predict/{deployment}":
            return st.just(headers)
        return st.sampled_from([headers, {**(headers or {}), "Prediction-Key": world.prediction_key}])

    return schema


schema = schemathesis.pytest.from_fixture("contract_schema")


def _call_and_check(world, case, **kwargs):
    response = case.call(**kwargs)
    world.record(case.operation.method, case.operation.path, response.status_code)
    case.validate_response(response, checks=CHECKS)
    return response


def _skip_excluded(case):
    if (case.operation.method.upper(), case.operation.path) in EXCLUDED:
        pytest.skip("destructive for the fuzzer's own session; covered by a targeted test")


# With valid credentials only these answer 401: a wrong password, a wrong prediction key.
UNAUTHORIZED_WHEN_SIGNED_IN = {("POST", "/v1/auth/login"), ("PUT", "/v1/auth/password"), ("POST", "/v1/predict/{deployment}")}


def _assert_still_signed_in(case, response):
    # Otherwise the run would go on testing only the 401 path and still pass.
    key = (case.operation.method.upper(), case.operation.path)
    assert response.status_code != 401 or key in UNAUTHORIZED_WHEN_SIGNED_IN, f"signed out: {response.text}"


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_signed_in_with_the_web_session(world, case):
    _skip_excluded(case)
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    response = _call_and_check(world, case, cookies={"minnow_session": world.session_cookie},
                               headers={"X-CSRF-Token": world.csrf, "Origin": world.url})
    _assert_still_signed_in(case, response)
    # A person may do everything with what they own: a 403 here would be a refused CSRF token.
    assert response.status_code != 403, response.text


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_with_an_api_key(world, case):
    _skip_excluded(case)
    response = _call_and_check(world, case, headers={"Authorization": f"Bearer {world.api_key}"})
    _assert_still_signed_in(case, response)


# Targeted requests: what random data cannot reach. Each goes through the same checks.

def _operations(contract_schema):
    for path, item in contract_schema.raw_schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                yield method.upper(), path, operation


def _secured(contract_schema, method, path):
    operation = contract_schema.raw_schema["paths"][path][method.lower()]
    return operation.get("security", contract_schema.raw_schema.get("security")) != []


def _valid_input(world, method, path):
    """A well-formed request body (and required query) for each operation that needs one,
    so that authentication and permissions are what decides the answer."""
    iteration, image = world.ids["iterationId"], world.ids["imageId"]
    inputs = {
        "PUT /v1/auth/password": {"body": {"currentPassword": "wrong password", "newPassword": "another password"}},
        "POST /v1/api-keys": {"body": {"name": "k", "projectId": world.ids["projectId"], "permissions": ["read"]}},
        "POST /v1/projects": {"body": {"name": "p", "task": "classification"}},
        "PATCH /v1/projects/{projectId}": {"body": {"description": "d"}},
        "POST /v1/projects/{projectId}/images": {"body": {"label": "cat"}, "media_type": "multipart/form-data"},
        "POST /v1/projects/{projectId}/images/batch": {"body": {"imageIds": [image], "action": "unlabel"}},
        "PATCH /v1/projects/{projectId}/images/{imageId}": {"body": {"label": "cat"}},
        "POST /v1/projects/{projectId}/images/import": {"body": b"PK\x05\x06" + bytes(18), "media_type": "application/zip"},
        "PATCH /v1/projects/{projectId}/labels/{label}": {"body": {"name": "cat"}},
        "DELETE /v1/projects/{projectId}/labels/{label}": {"query": {"images": "unlabel"}},
        "POST /v1/projects/{projectId}/iterations/{iterationId}/evaluate": {"body": {"projectId": world.ids["projectId"]}, "media_type": "application/json"},
        "POST /v1/projects/{projectId}/iterations/{iterationId}/quick-test": {"body": png(1, size=16), "media_type": "image/png"},
        "POST /v1/projects/{projectId}/deployments": {"body": {"name": "other", "iterationId": iteration}},
        "PATCH /v1/projects/{projectId}/deployments/{deployment}": {"body": {"iterationId": iteration}},
        "POST /v1/projects/{projectId}/devices": {"body": {"name": "board-2"}},
        "PATCH /v1/projects/{projectId}/devices/{deviceId}": {"body": {"profile": "mps2-an386"}},
        "POST /v1/projects/{projectId}/devices/{deviceId}/installs": {"body": {"iterationId": iteration}},
        "POST /v1/projects/{projectId}/devices/{deviceId}/observations": {"body": {"items": [{"output": [1, 2]}]}},
        "POST /v1/projects/{projectId}/bridges/{bridgeName}/heartbeat": {"body": {"ports": []}},
        "POST /v1/projects/{projectId}/bridges/{bridgeName}/installs/{installId}/progress": {"body": {"stage": "flashing"}},
        "POST /v1/projects/{projectId}/bridges/{bridgeName}/installs/next": {"query": {"wait": 0}},
        "PATCH /v1/api-keys/{keyId}": {"body": {"framesPerMinute": 60}},
        "POST /v1/projects/{projectId}/devices/{deviceId}/frames": {"body": png(2, size=16), "media_type": "image/png",
                                                                   "path_parameters": {"deviceId": world.camera_device}},
        "POST /v1/projects/{projectId}/images/from-observations": {"body": {"observationIds": [world.ids["observationId"]]}},
    }
    return dict(inputs.get(f"{method} {path}", {}))


def _request(world, contract_schema, method, path, *, credentials="token", path_parameters=None, **case_fields):
    """Sends one request through schemathesis (so its answer is checked like a fuzzed one),
    with the seeded ids for path parameters unless given; records and returns the response."""
    operation = contract_schema[path][method]
    parameters = {name: world.ids[name] for name in world.ids if "{" + name + "}" in path}
    parameters.update(path_parameters or {})
    headers = dict(case_fields.pop("headers", {}) or {})
    if credentials == "token":
        headers["Authorization"] = f"Bearer {world.token}"
    elif credentials is not None:
        headers["Authorization"] = f"Bearer {credentials}"
    case = operation.Case(path_parameters=parameters, headers=headers, **case_fields)
    return _call_and_check(world, case)


def test_without_credentials_every_secured_operation_is_401(world, contract_schema):
    answers = {}
    for method, path, _ in _operations(contract_schema):
        if _secured(contract_schema, method, path):
            answers[(method, path)] = _request(world, contract_schema, method, path, credentials=None,
                                               **_valid_input(world, method, path)).status_code
    assert {key: status for key, status in answers.items() if status != 401} == {}


def test_a_key_without_the_permission_is_403(world, contract_schema):
    # A key with only `predict` may do nothing else: not the project's data, not account or
    # key management, not acting as a bridge.
    answers = {}
    for method, path, _ in _operations(contract_schema):
        if _secured(contract_schema, method, path):
            answers[(method, path)] = _request(world, contract_schema, method, path, credentials=world.predict_only_key,
                                               **_valid_input(world, method, path)).status_code
    assert {key: status for key, status in answers.items() if status != 403} == {}


class _DeclaredLength:
    """A body that declares `length` bytes in Content-Length and sends only its first 64 KB:
    the server refuses a declared size over its limit (413) once the body starts, so no
    gigabytes move."""

    def __init__(self, length):
        self.length = length
        self.sent = False

    def __len__(self):
        return self.length

    def read(self, *_):
        if self.sent:
            return b""
        self.sent = True
        return bytes(65536)


def _too_large(world, contract_schema, method, path, limit, media_type, headers=None, path_parameters=None):
    parameters = {**{n: v for n, v in world.ids.items() if "{" + n + "}" in path}, **(path_parameters or {})}
    response = requests.request(method, world.url + path.format(**parameters), data=_DeclaredLength(limit + 1), timeout=30,
                                headers={"Content-Type": media_type, **world.bearer(), **(headers or {})})
    case = contract_schema[path][method].Case(path_parameters=parameters)
    world.record(method, path, response.status_code)
    case.validate_response(response, checks=CHECKS)
    return response


def test_accounts(world, contract_schema):
    register, login = "/v1/auth/register", "/v1/auth/login"
    credentials = {"username": "newcomer", "password": "correct horse"}
    assert _request(world, contract_schema, "POST", register, credentials=None, body=credentials).status_code == 201
    assert _request(world, contract_schema, "POST", register, credentials=None, body=credentials).status_code == 409
    assert _request(world, contract_schema, "POST", login, credentials=None, body=credentials).status_code == 200
    # The 11th failed sign-in for one username within the window is 429 (10 by default).
    wrong = {"username": "newcomer", "password": "wrong password"}
    answers = [_request(world, contract_schema, "POST", login, credentials=None, body=wrong) for _ in range(11)]
    assert [a.status_code for a in answers] == [401] * 10 + [429]
    assert int(answers[-1].headers["retry-after"][0]) > 0  # lowercase keys, lists of values

    spare_password, spare_logout, spare_delete, _ = world.spare_tokens
    changed = _request(world, contract_schema, "PUT", "/v1/auth/password", credentials=spare_password,
                       body={"currentPassword": "contract-password-1", "newPassword": "a new password"})
    assert changed.status_code == 200
    assert _request(world, contract_schema, "GET", "/v1/auth/me", credentials=spare_password).status_code == 401
    assert _request(world, contract_schema, "POST", "/v1/auth/logout", credentials=spare_logout).status_code == 204
    assert _request(world, contract_schema, "GET", "/v1/auth/me", credentials=spare_logout).status_code == 401
    assert _request(world, contract_schema, "DELETE", "/v1/auth/me", credentials=spare_delete).status_code == 204
    assert _request(world, contract_schema, "GET", "/v1/auth/me", credentials=spare_delete).status_code == 401


def test_api_keys_and_projects(world, contract_schema):
    unknown = {"name": "k", "projectId": "00000000-0000-4000-8000-000000000000", "permissions": ["read"]}
    assert _request(world, contract_schema, "POST", "/v1/api-keys", body=unknown).status_code == 404
    created = _request(world, contract_schema, "POST", "/v1/api-keys",
                       body={**unknown, "projectId": world.ids["projectId"]})
    assert created.status_code == 201
    assert _request(world, contract_schema, "DELETE", "/v1/api-keys/{keyId}",
                    path_parameters={"keyId": created.json()["id"]}).status_code == 204

    assert _request(world, contract_schema, "PATCH", "/v1/projects/{projectId}", body={"name": ""}).status_code == 422
    spare = _request(world, contract_schema, "POST", "/v1/projects", body={"name": "Spare", "task": "detection"})
    assert spare.status_code == 201
    assert _request(world, contract_schema, "PATCH", "/v1/projects/{projectId}", body={"name": "Spare"}).status_code == 409
    assert _request(world, contract_schema, "DELETE", "/v1/projects/{projectId}",
                    path_parameters={"projectId": spare.json()["id"]}).status_code == 204


def test_images_and_labels(world, contract_schema):
    images = "/v1/projects/{projectId}/images"
    uploaded = _request(world, contract_schema, "POST", images, query={"label": "spare"}, media_type="multipart/form-data",
                        body={"files": [png(7001, size=16), png(7002, size=16)]})
    assert uploaded.status_code == 200 and uploaded.json()["accepted"] == 2, uploaded.text
    first, second = (f["imageId"] for f in uploaded.json()["files"])
    batch = _request(world, contract_schema, "POST", images + "/batch", body={"imageIds": [first], "action": "move", "split": "test"})
    assert batch.status_code == 200 and batch.json() == {"changed": 1}
    assert _request(world, contract_schema, "DELETE", images + "/{imageId}", path_parameters={"imageId": first}).status_code == 204
    deleted = _request(world, contract_schema, "DELETE", "/v1/projects/{projectId}/labels/{label}",
                       path_parameters={"label": "spare"}, query={"images": "delete"})
    assert deleted.status_code == 200 and deleted.json() == {"changed": 1}
    assert _request(world, contract_schema, "GET", images + "/{imageId}", path_parameters={"imageId": second}).status_code == 404

    assert _too_large(world, contract_schema, "POST", images + "/import", 2 << 30, "application/zip").status_code == 413


def test_iterations(world, contract_schema):
    base = "/v1/projects/{projectId}/iterations"
    # The seed iteration is published, so it stays.
    assert _request(world, contract_schema, "DELETE", base + "/{iterationId}").status_code == 409
    answer = _request(world, contract_schema, "POST", base + "/{iterationId}/quick-test", body=png(3, size=16), media_type="image/png")
    assert answer.status_code == 200 and answer.json()["label"] in ("cat", "dog")
    assert _too_large(world, contract_schema, "POST", base + "/{iterationId}/quick-test", 16 << 20, "image/png").status_code == 413
    assert _too_large(world, contract_schema, "POST", base + "/{iterationId}/evaluate", 512 << 20, "application/zip").status_code == 413

    # Two untrained iterations (no worker runs them): what needs a trained one is 409. The
    # fuzzer may have given seed images labels of its own (too few images to train) or changed
    # the project's input, so first its labels go, fresh cat and dog images come, and the
    # configuration names everything.
    labels = _request(world, contract_schema, "GET", "/v1/projects/{projectId}/labels").json()["items"]
    for label in {item["label"] for item in labels} - {"cat", "dog"}:
        assert _request(world, contract_schema, "DELETE", "/v1/projects/{projectId}/labels/{label}",
                        path_parameters={"label": label}, query={"images": "delete"}).status_code == 200
    for label, base_seed in (("cat", 9000), ("dog", 9500)):
        fresh = _request(world, contract_schema, "POST", "/v1/projects/{projectId}/images", media_type="multipart/form-data",
                         query={"label": label, "split": "train"}, body={"files": [png(base_seed + i, size=16) for i in range(10)]})
        assert fresh.status_code == 200 and fresh.json()["accepted"] == 10, fresh.text
    configuration = {"epochs": 1, "architecture": "tiny-cnn", "input": {"width": 16, "height": 16, "colorMode": "grayscale"}}
    created = [_request(world, contract_schema, "POST", base, body=configuration) for _ in range(2)]
    assert [c.status_code for c in created] == [202, 202], created[0].text
    queued = [c.json() for c in created]
    untrained = {"iterationId": queued[0]["id"]}
    assert _request(world, contract_schema, "GET", base + "/{iterationId}/artifacts/{kind}",
                    path_parameters={**untrained, "kind": "tflite"}).status_code == 409
    assert _request(world, contract_schema, "POST", base + "/{iterationId}/quick-test", path_parameters=untrained,
                    body=png(3, size=16), media_type="image/png").status_code == 409
    assert _request(world, contract_schema, "POST", base + "/{iterationId}/evaluate", path_parameters=untrained,
                    body={"projectId": world.ids["projectId"]}, media_type="application/json").status_code == 409
    assert _request(world, contract_schema, "PATCH", "/v1/projects/{projectId}/deployments/{deployment}",
                    body=untrained).status_code == 409
    assert _request(world, contract_schema, "POST", "/v1/projects/{projectId}/devices/{deviceId}/installs",
                    body=untrained).status_code == 409
    # Cancelled through the job and through the iteration, then deleted.
    assert _request(world, contract_schema, "POST", "/v1/jobs/{jobId}/cancel",
                    path_parameters={"jobId": queued[0]["jobId"]}).status_code == 200
    assert _request(world, contract_schema, "POST", base + "/{iterationId}/cancel",
                    path_parameters={"iterationId": queued[1]["id"]}).status_code == 200
    for iteration in queued:
        assert _request(world, contract_schema, "DELETE", base + "/{iterationId}",
                        path_parameters={"iterationId": iteration["id"]}).status_code == 204


def test_deployments_and_predictions(world, contract_schema):
    base = "/v1/projects/{projectId}/deployments"
    spare = {"deployment": "spare"}
    body = {"name": "spare", "iterationId": world.ids["iterationId"]}
    assert _request(world, contract_schema, "POST", base, body=body).status_code == 201
    assert _request(world, contract_schema, "POST", base, body=body).status_code == 409
    assert _request(world, contract_schema, "PATCH", base + "/{deployment}", path_parameters=spare,
                    body={"iterationId": world.ids["iterationId"]}).status_code == 200
    rotated = _request(world, contract_schema, "POST", base + "/{deployment}/key", path_parameters=spare)
    assert rotated.status_code == 200
    key = {"Prediction-Key": rotated.json()["predictionKey"]}

    predict = "/v1/predict/{deployment}"
    answer = _request(world, contract_schema, "POST", predict, credentials=None, path_parameters=spare, headers=key,
                      body=png(5, size=16), media_type="image/png")
    assert answer.status_code == 200 and len(answer.json()["predictions"]) == 1
    assert _too_large(world, contract_schema, "POST", predict, 64 << 20, "image/png", headers=key,
                      path_parameters=spare).status_code == 413
    # Over --prediction-rate-limit per minute: 429 with Retry-After.
    answers = [_request(world, contract_schema, "POST", predict, credentials=None, path_parameters=spare, headers=key,
                        body=png(5, size=16), media_type="image/png")
               for _ in range(world.predictions_per_minute + 1)]
    assert answers[-1].status_code == 429 and {a.status_code for a in answers} <= {200, 429}
    assert int(answers[-1].headers["retry-after"][0]) > 0  # lowercase keys, lists of values
    assert _request(world, contract_schema, "DELETE", base + "/{deployment}", path_parameters=spare).status_code == 204


def test_devices_and_bridges(world, contract_schema):
    devices = "/v1/projects/{projectId}/devices"
    created = _request(world, contract_schema, "POST", devices, body={"name": "board-3"})
    assert created.status_code == 201
    board3 = {"deviceId": created.json()["id"]}
    assert _request(world, contract_schema, "POST", devices, body={"name": "board-3"}).status_code == 409
    assert _request(world, contract_schema, "PATCH", devices + "/{deviceId}", path_parameters=board3,
                    body={"name": "board-1"}).status_code == 409
    # No board profile, then no bridge: nothing to install with.
    install = {"iterationId": world.ids["iterationId"]}
    assert _request(world, contract_schema, "POST", devices + "/{deviceId}/installs", path_parameters=board3, body=install).status_code == 422
    assert _request(world, contract_schema, "PATCH", devices + "/{deviceId}", path_parameters=board3,
                    body={"profile": "mps2-an386"}).status_code == 200
    assert _request(world, contract_schema, "POST", devices + "/{deviceId}/installs", path_parameters=board3, body=install).status_code == 422
    assert _request(world, contract_schema, "DELETE", devices + "/{deviceId}", path_parameters=board3).status_code == 204

    # The `targeted` bridge carries its built install through to success, as `minnow bridge` does.
    bridges = "/v1/projects/{projectId}/bridges"
    bridge_key = {"credentials": world.api_key}
    targeted = {"bridgeName": "targeted", "installId": world.targeted_install}
    assert _request(world, contract_schema, "POST", bridges + "/{bridgeName}/heartbeat", **bridge_key,
                    path_parameters={"bridgeName": "not a bridge name!"}, body={"ports": []}).status_code == 422
    claimed = _request(world, contract_schema, "POST", bridges + "/{bridgeName}/installs/next", **bridge_key,
                       path_parameters=targeted, query={"wait": 0})
    assert claimed.status_code == 200 and claimed.json()["install"]["id"] == world.targeted_install
    assert _request(world, contract_schema, "POST", bridges + "/{bridgeName}/installs/next", **bridge_key,
                    path_parameters=targeted, query={"wait": 0}).status_code == 204
    held = bridges + "/{bridgeName}/installs/{installId}"
    firmware = _request(world, contract_schema, "GET", held + "/firmware", **bridge_key, path_parameters=targeted)
    assert firmware.status_code == 200 and firmware.content[:4] == b"\x7fELF"
    inputs = _request(world, contract_schema, "GET", held + "/check-inputs", **bridge_key, path_parameters=targeted, query={"count": 2})
    assert inputs.status_code == 200 and len(inputs.json()["items"]) == 2
    progress = held + "/progress"
    for stage in ("flashing", "verifying"):
        assert _request(world, contract_schema, "POST", progress, **bridge_key, path_parameters=targeted,
                        body={"stage": stage}).status_code == 200
    assert _request(world, contract_schema, "POST", progress, **bridge_key, path_parameters=targeted,
                    body={"stage": "succeeded"}).status_code == 422
    done = _request(world, contract_schema, "POST", progress, **bridge_key, path_parameters=targeted,
                    body={"stage": "succeeded", "reportedFirmwareHash": claimed.json()["firmwareHash"]})
    assert done.status_code == 200 and done.json()["status"] == "succeeded"
    assert _request(world, contract_schema, "POST", progress, **bridge_key, path_parameters=targeted,
                    body={"stage": "flashing"}).status_code == 409
    board2 = {"deviceId": world.targeted_device}
    observed = _request(world, contract_schema, "POST", devices + "/{deviceId}/observations", **bridge_key,
                        path_parameters=board2, body={"items": [{"output": [12, -7]}]})
    assert observed.status_code == 201 and observed.json()["items"][0]["label"] in ("cat", "dog")
    # Installing again is queued (no worker builds it here); a second request meanwhile is 409.
    again = _request(world, contract_schema, "POST", devices + "/{deviceId}/installs", path_parameters=board2, body=install)
    assert again.status_code == 202 and again.json()["status"] == "queued"
    assert _request(world, contract_schema, "POST", devices + "/{deviceId}/installs", path_parameters=board2, body=install).status_code == 409
    assert _request(world, contract_schema, "DELETE", bridges + "/{bridgeName}", path_parameters=targeted).status_code == 204


def test_cameras(world, contract_schema):
    devices, project = "/v1/projects/{projectId}/devices", "/v1/projects/{projectId}"
    frames, observations = devices + "/{deviceId}/frames", project + "/observations/{observationId}"
    camera = {"deviceId": world.camera_device}
    keep_every_frame = {"frameDays": 30, "onlyWithDetections": False, "similarFrameDistance": 0, "maxFrameBytes": 0}
    # The fuzzer may have changed the retention; every frame is kept again.
    kept = _request(world, contract_schema, "PATCH", project, body={"retention": keep_every_frame})
    assert kept.status_code == 200 and kept.json()["retention"] == keep_every_frame, kept.text

    # The camera's own key posts a frame; the observation and the frame read back.
    frame = png(4300, size=16)
    posted = _request(world, contract_schema, "POST", frames, credentials=world.camera_key, path_parameters=camera,
                      query={"capturedAt": "2026-12-06T04:00:00Z"}, body=frame, media_type="image/png")
    assert posted.status_code == 201, posted.text
    observation = posted.json()
    assert observation["frame"] == "stored" and observation["label"] in ("cat", "dog") and observation["output"] == []
    read = {"observationId": observation["id"]}
    assert _request(world, contract_schema, "GET", observations, path_parameters=read).json()["id"] == observation["id"]
    stored = _request(world, contract_schema, "GET", observations + "/frame", path_parameters=read)
    assert stored.status_code == 200 and stored.content == frame
    assert _request(world, contract_schema, "GET", observations, path_parameters={"observationId": "00000000-0000-4000-8000-000000000000"}).status_code == 404

    # Frames that cannot be read: none, not an image, over 16 MiB.
    assert _request(world, contract_schema, "POST", frames, path_parameters=camera, body=b"", media_type="image/jpeg").status_code == 400
    assert _request(world, contract_schema, "POST", frames, path_parameters=camera, body=b"\xff\xd8 not a frame",
                    media_type="image/jpeg").status_code == 422
    assert _too_large(world, contract_schema, "POST", frames, 16 << 20, "image/jpeg", path_parameters=camera).status_code == 413
    # A board does not post frames, nor does a camera without a deployment (409); a camera's key
    # posts only its own camera's frames and reads nothing (403); an unknown device is 404.
    assert _request(world, contract_schema, "POST", frames, body=frame, media_type="image/png").status_code == 409
    created = _request(world, contract_schema, "POST", devices, body={"name": "camera-2", "kind": "camera"})
    assert created.status_code == 201 and created.json()["kind"] == "camera", created.text
    camera2 = {"deviceId": created.json()["id"]}
    assert _request(world, contract_schema, "POST", frames, path_parameters=camera2, body=frame, media_type="image/png").status_code == 409
    assert _request(world, contract_schema, "POST", frames, credentials=world.camera_key, path_parameters=camera2,
                    body=frame, media_type="image/png").status_code == 403
    assert _request(world, contract_schema, "GET", project + "/images", credentials=world.camera_key).status_code == 403
    assert _request(world, contract_schema, "GET", project + "/sightings", credentials=world.camera_key).status_code == 403
    assert _request(world, contract_schema, "POST", frames, path_parameters={"deviceId": "00000000-0000-4000-8000-000000000000"},
                    body=frame, media_type="image/png").status_code == 404
    assert _request(world, contract_schema, "DELETE", devices + "/{deviceId}", path_parameters=camera2).status_code == 204

    # Keys with frame limits: over framesPerMinute, then over dailyFrameQuota, 429 with Retry-After.
    keys = {}
    for limit in ("framesPerMinute", "dailyFrameQuota"):
        key = _request(world, contract_schema, "POST", "/v1/api-keys", body={
            "name": limit, "projectId": world.ids["projectId"], "permissions": ["ingest"], "deviceId": world.camera_device, limit: 1})
        assert key.status_code == 201 and key.json()[limit] == 1, key.text
        keys[limit] = key.json()
        answers = [_request(world, contract_schema, "POST", frames, credentials=key.json()["key"], path_parameters=camera,
                            body=png(4400 + n, size=16), media_type="image/png") for n in range(2)]
        assert [a.status_code for a in answers] == [201, 429], answers[-1].text
        assert int(answers[-1].headers["retry-after"][0]) > 0  # lowercase keys, lists of values
        assert answers[-1].json()["error"]["code"] == ("rate_limited" if limit == "framesPerMinute" else "quota_exceeded")
    # Limits change at once: 0 removes the quota and the key posts again.
    quota = {"keyId": keys["dailyFrameQuota"]["id"]}
    changed = _request(world, contract_schema, "PATCH", "/v1/api-keys/{keyId}", path_parameters=quota, body={"dailyFrameQuota": 0})
    assert changed.status_code == 200 and "dailyFrameQuota" not in changed.json(), changed.text
    again = _request(world, contract_schema, "POST", frames, credentials=keys["dailyFrameQuota"]["key"], path_parameters=camera,
                     body=png(4410, size=16), media_type="image/png")
    assert again.status_code == 201, again.text
    assert _request(world, contract_schema, "PATCH", "/v1/api-keys/{keyId}", path_parameters=quota, body={}).status_code == 422
    assert _request(world, contract_schema, "PATCH", "/v1/api-keys/{keyId}", path_parameters=quota,
                    body={"framesPerMinute": 2_000_000_000}).status_code == 422
    assert _request(world, contract_schema, "PATCH", "/v1/api-keys/{keyId}", body={"framesPerMinute": 1},
                    path_parameters={"keyId": "00000000-0000-4000-8000-000000000000"}).status_code == 404
    for key in keys.values():
        assert _request(world, contract_schema, "DELETE", "/v1/api-keys/{keyId}", path_parameters={"keyId": key["id"]}).status_code == 204

    # A frame nearly identical to the camera's previous stored one is not kept: its frame is 404.
    similar = _request(world, contract_schema, "PATCH", project, body={"retention": {"similarFrameDistance": 64}})
    assert similar.status_code == 200 and similar.json()["retention"]["similarFrameDistance"] == 64
    skipped = _request(world, contract_schema, "POST", frames, credentials=world.camera_key, path_parameters=camera,
                       body=png(4301, size=16), media_type="image/png")
    assert skipped.status_code == 201 and skipped.json()["frame"] == "similar", skipped.text
    assert _request(world, contract_schema, "GET", observations + "/frame",
                    path_parameters={"observationId": skipped.json()["id"]}).status_code == 404
    assert _request(world, contract_schema, "PATCH", project, body={"retention": keep_every_frame}).status_code == 200

    # Sightings, newest first, paged by cursor; a cursor this server never gave is 422.
    sightings = project + "/sightings"
    labelled = _request(world, contract_schema, "GET", sightings, query={"label": observation["label"]})
    assert labelled.status_code == 200 and {s["label"] for s in labelled.json()["items"]} == {observation["label"]}, labelled.text
    first = _request(world, contract_schema, "GET", sightings, query={"deviceId": world.camera_device, "limit": 1})
    assert first.status_code == 200 and len(first.json()["items"]) == 1 and "nextCursor" in first.json(), first.text
    following = _request(world, contract_schema, "GET", sightings, query={"deviceId": world.camera_device, "limit": 1,
                                                                          "cursor": first.json()["nextCursor"]})
    assert following.status_code == 200 and following.json()["items"][0]["observationId"] != first.json()["items"][0]["observationId"]
    by_camera = _request(world, contract_schema, "GET", sightings, query={"deviceId": world.camera_device, "minScore": 0, "limit": 200})
    assert by_camera.status_code == 200 and observation["id"] in {s["observationId"] for s in by_camera.json()["items"]}
    assert _request(world, contract_schema, "GET", sightings, query={"cursor": "not-a-cursor"}).status_code == 422

    # Frames into the dataset: added once, then skipped; at most 500 at a time.
    into = project + "/images/from-observations"
    added = _request(world, contract_schema, "POST", into, body={"observationIds": [observation["id"]], "labelled": True})
    assert added.status_code == 200 and added.json()["added"] == 1, added.text
    again = _request(world, contract_schema, "POST", into, body={"observationIds": [observation["id"]]})
    assert again.status_code == 200 and again.json()["added"] == 0 and len(again.json()["skipped"]) == 1, again.text
    many = ["00000000-0000-4000-8000-%012d" % n for n in range(501)]
    assert _request(world, contract_schema, "POST", into, body={"observationIds": many}).status_code == 422
    assert _request(world, contract_schema, "POST", into, body={"limit": 0}).status_code == 422
    assert _request(world, contract_schema, "POST", into, body={"limit": 501}).status_code == 422
    assert _request(world, contract_schema, "POST", into, path_parameters={"projectId": "00000000-0000-4000-8000-000000000000"},
                    body={"limit": 1}).status_code == 404
    image = {"imageId": added.json()["images"][0]}
    assert _request(world, contract_schema, "DELETE", project + "/images/{imageId}", path_parameters=image).status_code == 204


def test_every_documented_status_was_answered(world, contract_schema, request):
    # Last in this module: what fuzzing and the targeted tests above saw, per operation.
    fuzzed = {item.name.split("[")[0] for item in request.session.items}
    if not {"test_signed_in_with_the_web_session", "test_with_an_api_key"} <= fuzzed or len(world.observed) < 10:
        pytest.skip("needs the whole module to run")
    never = {}
    for method, path, operation in _operations(contract_schema):
        missing = sorted(set(operation["responses"]) - world.observed.get((method, path), set()))
        if missing:
            never[f"{method} {path}"] = missing
    # The complete list, not the first difference (pytest -s shows it).
    for operation, codes in sorted(never.items()):
        print(f"never answered: {operation} {codes}")
    assert never == {}
