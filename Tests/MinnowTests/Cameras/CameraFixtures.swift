// A trained classifier deployed for cameras, a camera registered with its own key, and frames
// posted the way `minnow camera` posts them.
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

struct CameraWorld {
    let server: TestServer
    let token: String
    let project: String
    let iteration: String
    let deployment: String
    let predictionKey: String
    let camera: String
    let cameraKey: String
    let cameraKeyID: String

    /// The stripes classifier (`DeploymentTests.trained`) deployed as "stripes", and a camera "porch" reading with it.
    static func make(_ server: TestServer) async throws -> CameraWorld {
        let (token, project, iteration) = try await DeploymentTests.trained(server)
        let published = try await server.request(
            .POST, "/v1/projects/\(project)/deployments", token: token,
            json: ["name": "stripes", "iterationId": iteration])
        let predictionKey = try #require(published["predictionKey"] as? String, "\(published.text)")
        let (camera, key, keyID) = try await addCamera(
            "porch", to: project, deployment: "stripes", token: token, server: server)
        return CameraWorld(
            server: server, token: token, project: project, iteration: iteration, deployment: "stripes",
            predictionKey: predictionKey, camera: camera, cameraKey: key, cameraKeyID: keyID)
    }

    /// Registers a camera reading with `deployment` and makes its own key; returns (device id, key, key id).
    static func addCamera(
        _ name: String, to project: String, deployment: String?, token: String, server: TestServer,
        limits: [String: Any] = [:]
    ) async throws -> (String, String, String) {
        var body: [String: Any] = ["name": name, "kind": "camera"]
        body["deployment"] = deployment
        let device = try await server.request(.POST, "/v1/projects/\(project)/devices", token: token, json: body)
        try #require(device.status == 201, "\(device.text)")
        #expect(device["kind"] as? String == "camera" && device["deployment"] as? String == deployment)
        let id = try #require(device["id"] as? String)
        var keyBody: [String: Any] = [
            "name": "\(name) camera", "projectId": project, "permissions": ["ingest"], "deviceId": id,
        ]
        keyBody.merge(limits) { $1 }
        let key = try await server.request(.POST, "/v1/api-keys", token: token, json: keyBody)
        try #require(key.status == 201, "\(key.text)")
        #expect(key["deviceId"] as? String == id)
        return (id, try #require(key["key"] as? String), try #require(key["id"] as? String))
    }

    func post(
        _ frame: Data, capturedAt: Date? = nil, camera: String? = nil, key: String? = nil, type: String = "image/png"
    ) async throws -> TestResponse {
        var path = "/v1/projects/\(project)/devices/\(camera ?? self.camera)/frames"
        if let capturedAt { path += "?capturedAt=\(capturedAt.ISO8601Format())" }
        return try await server.request(
            .POST, path, token: key ?? cameraKey, body: frame, headers: [("Content-Type", type)])
    }

    func search(_ query: String = "") async throws -> TestResponse {
        try await server.request(
            .GET, "/v1/projects/\(project)/sightings\(query.isEmpty ? "" : "?" + query)", token: token)
    }

    func predict(_ frame: Data) async throws -> [String: Any] {
        let answer = try await server.request(
            .POST, "/v1/predict/\(deployment)", body: frame,
            headers: [("Prediction-Key", predictionKey), ("Content-Type", "image/png")])
        return try #require((answer["predictions"] as? [[String: Any]])?.first, "\(answer.text)")
    }
}

extension TestResponse {
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
}
