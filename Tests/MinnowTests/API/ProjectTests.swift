import Foundation
import Testing

@Suite("Projects over HTTP")
struct ProjectTests {
    @Test(arguments: TestDatabase.all)
    func createReadUpdateDelete(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            // act
            let created = try await server.request(
                .POST, "/v1/projects", token: token,
                json: [
                    "name": " Birds ", "task": "detection", "description": "feeder cam",
                    "input": ["width": 160, "height": 120, "colorMode": "rgb"],
                ])
            let id = try #require(created["id"] as? String)
            let read = try await server.request(.GET, "/v1/projects/\(id)", token: token)
            let renamed = try await server.request(
                .PATCH, "/v1/projects/\(id)", token: token, json: ["name": "Feeder birds"])
            let deleted = try await server.request(.DELETE, "/v1/projects/\(id)", token: token)
            let gone = try await server.request(.GET, "/v1/projects/\(id)", token: token)
            // check
            #expect(created.status == 201)
            #expect(read["name"] as? String == "Birds")
            #expect(read["task"] as? String == "detection")
            #expect((read["input"] as? [String: Any])?["width"] as? Int == 160)
            #expect(renamed.status == 200 && renamed["name"] as? String == "Feeder birds")
            #expect(renamed["description"] as? String == "feeder cam")
            #expect(deleted.status == 204 && gone.status == 404 && gone.errorCode == "not_found")
        }
    }

    @Test(arguments: TestDatabase.all)
    func defaultsAndValidation(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let plain = try await server.request(
                .POST, "/v1/projects", token: token, json: ["name": "plain", "task": "classification"])
            let input = try #require(plain["input"] as? [String: Any])
            #expect(input["width"] as? Int == 96 && input["colorMode"] as? String == "grayscale")
            let duplicate = try await server.request(
                .POST, "/v1/projects", token: token, json: ["name": "plain", "task": "detection"])
            let empty = try await server.request(
                .POST, "/v1/projects", token: token, json: ["name": "  ", "task": "classification"])
            let badTask = try await server.request(
                .POST, "/v1/projects", token: token, json: ["name": "x", "task": "regression"])
            let tiny = try await server.request(
                .POST, "/v1/projects", token: token,
                json: ["name": "x", "task": "classification", "input": ["width": 2, "height": 2, "colorMode": "rgb"]])
            let notUUID = try await server.request(.GET, "/v1/projects/not-a-uuid", token: token)
            #expect(duplicate.status == 409)
            #expect(empty.status == 422)
            #expect(badTask.status == 400)
            #expect(tiny.status == 422)
            #expect(notUUID.status == 404)
        }
    }

    @Test(arguments: TestDatabase.all)
    func listIsPaginatedNewestFirst(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            for index in 1...5 { _ = try await server.createProject("p\(index)", token: token) }
            let first = try await server.request(.GET, "/v1/projects?page=1&perPage=2", token: token)
            let third = try await server.request(.GET, "/v1/projects?page=3&perPage=2", token: token)
            let names = (first["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            let metadata = try #require(first["metadata"] as? [String: Any])
            #expect(metadata["total"] as? Int == 5 && metadata["perPage"] as? Int == 2)
            #expect(names?.count == 2)
            #expect((third["items"] as? [Any])?.count == 1)
            let all = try await server.request(.GET, "/v1/projects?perPage=100", token: token)
            let allNames = (all["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            #expect(allNames == ["p5", "p4", "p3", "p2", "p1"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func anotherUsersProjectIsIndistinguishableFromMissing(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let alice = try await server.signUp("alice")
            let bob = try await server.signUp("bob")
            let project = try await server.createProject("secret", token: alice)
            let missing = UUID().uuidString
            for (method, json) in [(HTTPMethodName.GET, nil), (.PATCH, ["name": "mine"]), (.DELETE, nil)]
                as [(HTTPMethodName, [String: String]?)]
            {
                let foreign = try await server.request(method.nio, "/v1/projects/\(project)", token: bob, json: json)
                let absent = try await server.request(method.nio, "/v1/projects/\(missing)", token: bob, json: json)
                #expect(foreign.status == 404)
                #expect(
                    foreign.text.replacingOccurrences(of: project, with: "")
                        == absent.text.replacingOccurrences(of: missing, with: ""))
            }
            let list = try await server.request(.GET, "/v1/projects", token: bob)
            #expect((list["items"] as? [Any])?.isEmpty == true)
            #expect(try await server.request(.GET, "/v1/projects/\(project)", token: alice).status == 200)
        }
    }

    @Test(arguments: TestDatabase.all)
    func sameNameIsFineForDifferentUsers(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            _ = try await server.createProject("cats", token: try await server.signUp("alice"))
            _ = try await server.createProject("cats", token: try await server.signUp("bob"))
        }
    }
}
