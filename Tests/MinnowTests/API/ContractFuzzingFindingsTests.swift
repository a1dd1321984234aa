// What the contract fuzzer (tests/contract) found, pinned down over HTTP: each was a 5xx, a
// crash or a permission hole before it was fixed.
import Foundation
import Testing

@Suite("Contract fuzzing findings")
struct ContractFuzzingFindingsTests {
    @Test(arguments: TestDatabase.all)
    func aPageFarPastTheEndIsEmptyNotACrash(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            _ = try await server.createProject("p", token: token)
            // act: (page - 1) × perPage overflowed Int and killed the process
            let far = try await server.request(.GET, "/v1/projects?page=9223372036854775807&perPage=100", token: token)
            let alive = try await server.request(.GET, "/healthz")
            // check
            #expect(far.status == 200)
            #expect((far["items"] as? [Any])?.isEmpty == true)
            #expect((far["metadata"] as? [String: Any])?["total"] as? Int == 1)
            #expect(alive.status == 200)
        }
    }

    @Test(arguments: TestDatabase.all)
    func malformedOrUnexpectedMultipartPartsAreNotServerErrors(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            // setup: an undocumented part before the image, and a part header without a colon
            var extra = MultipartForm()
            extra.addField("note", "not part of the contract")
            extra.addFile(fileName: "a.png", type: "image/png", content: TestImages.png(seed: 1))
            let boundary = "fuzz-boundary"
            let broken = Data("--\(boundary)\r\nnot a header\r\n\r\nx\r\n--\(boundary)--\r\n".utf8)
            // act
            let skipped = try await server.request(
                .POST, "/v1/projects/\(project)/images", token: token, body: extra.encoded,
                headers: [("Content-Type", extra.contentType)])
            let malformed = try await server.request(
                .POST, "/v1/projects/\(project)/images", token: token, body: broken,
                headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")])
            // check
            #expect(skipped.status == 200 && skipped["accepted"] as? Int == 1, "\(skipped.text)")
            #expect(malformed.status == 400 && malformed.errorCode == "bad_request", "\(malformed.text)")
        }
    }

    @Test(arguments: TestDatabase.all)
    func jobsNeedTheKeysReadOrWritePermission(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            let emptyZip = Data([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
            let job = try #require(
                try await server.request(
                    .POST, "/v1/projects/\(project)/images/import", token: token, body: emptyZip,
                    headers: [("Content-Type", "application/zip")])["id"] as? String)
            func key(_ permissions: [String]) async throws -> String {
                let created = try await server.request(
                    .POST, "/v1/api-keys", token: token,
                    json: ["name": permissions.joined(), "projectId": project, "permissions": permissions])
                return try #require(created["key"] as? String)
            }
            let predictOnly = try await key(["predict"]), reader = try await key(["read"]),
                writer = try await key(["write"])
            // act
            let readWithoutRead = try await server.request(.GET, "/v1/jobs/\(job)", token: predictOnly)
            let read = try await server.request(.GET, "/v1/jobs/\(job)", token: reader)
            let cancelWithoutWrite = try await server.request(.POST, "/v1/jobs/\(job)/cancel", token: reader)
            let cancel = try await server.request(.POST, "/v1/jobs/\(job)/cancel", token: writer)
            // check
            #expect(readWithoutRead.status == 403 && readWithoutRead.errorCode == "forbidden")
            #expect(read.status == 200)
            #expect(cancelWithoutWrite.status == 403)
            #expect(cancel.status == 409)  // an import cannot be canceled; the permission was enough to ask
        }
    }

    @Test(arguments: TestDatabase.all)
    func anOptionalBodyMayBeLeftOut(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            // act: no body, no Content-Type (the configuration is optional)
            let started = try await server.request(.POST, "/v1/projects/\(project)/iterations", token: token)
            // check: judged on the (empty) dataset, not refused as malformed JSON
            #expect(started.status == 422, "\(started.text)")
        }
    }
}
