import Foundation
import Testing

@Suite("Browsing and curating images")
struct CurationTests {
    @Test(arguments: TestDatabase.all)
    func filtersSortingAndPagination(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            let cats = try await server.uploadImages(
                [1, 2, 3], label: "cat", split: "train", to: project, token: token)
            let dogs = try await server.uploadImages([4, 5], label: "dog", split: "test", to: project, token: token)
            let loose = try await server.uploadImages([6], label: nil, split: "train", to: project, token: token)
            func ids(_ query: String) async throws -> [String] {
                let page = try await server.request(.GET, "/v1/projects/\(project)/images\(query)", token: token)
                return (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(Set(try await ids("?label=cat")) == Set(cats))
            #expect(Set(try await ids("?split=test")) == Set(dogs))
            #expect(try await ids("?unlabelled=true") == loose)
            #expect(try await ids("?source=import").isEmpty)
            #expect(try await ids("?sort=fileName&perPage=2") == [cats[0], cats[1]])
            #expect(try await ids("?sort=fileName&perPage=2&page=3") == [dogs[1], loose[0]])
            #expect(try await ids("?sort=oldest&perPage=1") == [cats[0]])
            let page = try await server.request(.GET, "/v1/projects/\(project)/images?perPage=4", token: token)
            #expect((page["metadata"] as? [String: Any])?["total"] as? Int == 6)
        }
    }

    @Test(arguments: TestDatabase.all)
    func relabelMoveAndDeleteOneOrMany(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            let ids = try await server.uploadImages([1, 2, 3, 4], label: "cat", to: project, token: token)
            let base = "/v1/projects/\(project)/images"
            let relabel = try await server.request(
                .POST, "\(base)/batch", token: token,
                json: ["imageIds": [ids[0], ids[1]], "action": "relabel", "label": "dog"])
            let move = try await server.request(
                .POST, "\(base)/batch", token: token, json: ["imageIds": [ids[0]], "action": "move", "split": "test"])
            let single = try await server.request(
                .PATCH, "\(base)/\(ids[2])", token: token, json: ["clearLabel": true, "split": "train"])
            let delete = try await server.request(
                .POST, "\(base)/batch", token: token,
                json: ["imageIds": [ids[3], UUID().uuidString], "action": "delete"])
            #expect(relabel["changed"] as? Int == 2 && move["changed"] as? Int == 1 && delete["changed"] as? Int == 1)
            let first = try await server.request(.GET, "\(base)/\(ids[0])", token: token)
            #expect(
                first["label"] as? String == "dog" && first["split"] as? String == "test"
                    && first["splitAutomatic"] as? Bool == false)
            #expect(single["label"] == nil && single["split"] as? String == "train")
            #expect(try await server.request(.GET, "\(base)/\(ids[3])", token: token).status == 404)
            let invalid = try await server.request(
                .POST, "\(base)/batch", token: token, json: ["imageIds": [ids[0]], "action": "relabel"])
            #expect(invalid.status == 422)
            let back = try await server.request(.PATCH, "\(base)/\(ids[0])", token: token, json: ["split": "auto"])
            #expect(back["splitAutomatic"] as? Bool == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func renameMergeAndDeleteLabels(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("p", token: token)
            _ = try await server.uploadImages([1, 2], label: "kitty", split: "train", to: project, token: token)
            _ = try await server.uploadImages([3], label: "cat", split: "test", to: project, token: token)
            _ = try await server.uploadImages([4, 5], label: "dog", to: project, token: token)
            _ = try await server.uploadImages([6], label: "bird", to: project, token: token)
            let labels = "/v1/projects/\(project)/labels"
            let merged = try await server.request(.PATCH, "\(labels)/kitty", token: token, json: ["name": "cat"])
            #expect(merged["changed"] as? Int == 2)
            let list = try await server.request(.GET, labels, token: token)
            let counts = (list["items"] as? [[String: Any]] ?? []).map {
                "\($0["label"]!):\($0["train"]!)/\($0["test"]!)"
            }
            #expect(counts.first?.hasPrefix("bird:") == true && counts.contains("cat:2/1"))
            #expect(
                try await server.request(.DELETE, "\(labels)/dog?images=unlabel", token: token)["changed"] as? Int == 2)
            #expect(
                try await server.request(.DELETE, "\(labels)/bird?images=delete", token: token)["changed"] as? Int == 1)
            #expect(try await server.request(.DELETE, "\(labels)/nothing?images=delete", token: token).status == 404)
            #expect(try await server.request(.DELETE, "\(labels)/cat", token: token).status == 400)  // must choose
            #expect(try await server.count("images") == 5)
            let unlabelled = try await server.request(
                .GET, "/v1/projects/\(project)/images?unlabelled=true", token: token)
            #expect((unlabelled["items"] as? [Any])?.count == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func detectionBoxes(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("birds", token: token, task: "detection")
            let ids = try await server.uploadImages([1, 2], label: nil, to: project, token: token)
            let base = "/v1/projects/\(project)/images"
            let boxed = try await server.request(
                .PATCH, "\(base)/\(ids[0])", token: token,
                json: [
                    "boxes": [
                        ["label": "robin", "x": 0.1, "y": 0.2, "width": 0.3, "height": 0.3],
                        ["label": "wren", "x": 0.5, "y": 0.5, "width": 0.5, "height": 0.5],
                    ]
                ])
            #expect((boxed["boxes"] as? [[String: Any]])?.count == 2)
            let outside = try await server.request(
                .PATCH, "\(base)/\(ids[1])", token: token,
                json: ["boxes": [["label": "robin", "x": 0.9, "y": 0.2, "width": 0.3, "height": 0.3]]])
            #expect(outside.status == 422)
            let robins = try await server.request(.GET, "\(base)?label=robin", token: token)
            #expect((robins["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[0]])
            let unlabelled = try await server.request(.GET, "\(base)?unlabelled=true", token: token)
            #expect((unlabelled["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[1]])
            #expect(
                try await server.request(
                    .PATCH, "/v1/projects/\(project)/labels/robin", token: token, json: ["name": "bird"])["changed"]
                    as? Int == 1)
            let labels = try await server.request(.GET, "/v1/projects/\(project)/labels", token: token)
            #expect((labels["items"] as? [[String: Any]])?.compactMap { $0["label"] as? String } == ["bird", "wren"])
        }
    }
}
