import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing
import Vapor

@Suite("Web pages: the route table")
struct WebRouteTests {
    static let project = "0b7d1f4e-5a3c-4e8b-9f21-6c0d2e4a8b13", other = "9e2c4a61-7b0d-4f3e-8a15-d2c6b0e9f471"

    /// One example of every case. Adding a case breaks `number(of:)` until it gets a number and an example.
    static let examples: [WebRoute] = [
        .start, .signUp, .signIn, .signOut, .account, .changePassword, .deleteAccount, .keys, .revokeKey(key: other),
        .projects, .project(project), .projectSettings(project), .deleteProject(project),
        .images(project), .imagesBatch(project), .upload(project), .image(project, image: other),
        .labels(project), .renameLabel(project), .deleteLabel(project), .analysis(project), .train(project),
        .iterations(project), .compareIterations(project), .iteration(project, iteration: other),
        .iterationCurves(project, iteration: other),
        .cancelIteration(project, iteration: other), .deleteIteration(project, iteration: other),
        .deploy(project), .repointDeployment(project, name: "front-door"),
        .rotateDeploymentKey(project, name: "front-door"),
        .unpublishDeployment(project, name: "front-door"),
        .devices(project), .device(project, device: other), .installOnDevice(project, device: other),
        .deleteDevice(project, device: other),
        .cameraDeployment(project, device: other), .createCameraKey(project, device: other),
        .sightings(project), .sightingsToDataset(project),
    ]

    static func number(of route: WebRoute) -> Int {
        switch route {
        case .start: 0
        case .signUp: 1
        case .signIn: 2
        case .signOut: 3
        case .account: 4
        case .changePassword: 5
        case .deleteAccount: 6
        case .keys: 7
        case .revokeKey: 8
        case .projects: 9
        case .project: 10
        case .projectSettings: 11
        case .deleteProject: 12
        case .images: 13
        case .imagesBatch: 14
        case .upload: 15
        case .image: 16
        case .labels: 17
        case .renameLabel: 18
        case .deleteLabel: 19
        case .analysis: 20
        case .train: 21
        case .iterations: 22
        case .compareIterations: 23
        case .iteration: 24
        case .iterationCurves: 25
        case .cancelIteration: 26
        case .deleteIteration: 27
        case .deploy: 28
        case .repointDeployment: 29
        case .rotateDeploymentKey: 30
        case .unpublishDeployment: 31
        case .devices: 32
        case .device: 33
        case .installOnDevice: 34
        case .deleteDevice: 35
        case .cameraDeployment: 36
        case .createCameraKey: 37
        case .sightings: 38
        case .sightingsToDataset: 39
        }
    }

    static let apiExamples: [APILink] =
        [
            .images(project), .imageImport(project), .quickTest(project, iteration: other), .jobs,
            .predict(deployment: "front door"),
            .image(project, image: other), .imageContent(project, image: other), .thumbnail(project, image: other),
            .datasetExport(project),
            .observationFrame(project, observation: other), .iterationEvents(project, iteration: other),
        ]
        + ["tflite", "c-library", "arduino-library", "checkpoint", "model-card"].map {
            .artifact(project, iteration: other, kind: $0)
        }

    /// The server's routes in Vapor's own router, as requests find them.
    private static func router(_ routes: [Route]) -> TrieRouter<Route> {
        let router = TrieRouter(Route.self)
        for route in routes { router.register(route, at: [.constant(route.method.rawValue)] + route.path) }
        return router
    }

    /// What a GET or a POST of `path` reaches, with the parameters it reads; the first of them that matches `pattern`, if any.
    private static func find(
        _ path: String, in router: TrieRouter<Route>, pattern: String? = nil
    ) -> (route: Route, parameters: Parameters)? {
        let components = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        let found = ["GET", "POST"].compactMap { method -> (route: Route, parameters: Parameters)? in
            var parameters = Parameters()
            return router.route(path: [method] + components, parameters: &parameters).map { ($0, parameters) }
        }
        return found.first { pattern == nil || $0.route.path.string == pattern }
    }

    @Test func everyCaseHasAnExample() {
        // act
        let numbers = Self.examples.map(Self.number(of:))
        // check
        #expect(numbers == Array(0..<numbers.count))
    }

    @Test func everyLinkReachesTheRouteRegisteredForItsCase() async throws {
        try await TestServer.with(.sqlite) { server in
            // setup
            let router = Self.router(server.app.routes.all)
            for route in Self.examples {
                // act
                let found = Self.find(route.path, in: router, pattern: route.pattern.string)
                // check
                #expect(found?.route.path.string == route.pattern.string, "\(route.path)")
                for case .value(let parameter, let value) in route.segments {
                    #expect(found?.parameters.get(parameter.rawValue) == value, "\(parameter) of \(route.path)")
                }
            }
        }
    }

    @Test func everyRegisteredPageIsACase() async throws {
        try await TestServer.with(.sqlite) { server in
            // setup
            let patterns = Set(Self.examples.map(\.pattern.string))
            // act
            let operations = Set([
                "healthz", "readyz", "metrics", "openapi.yaml", String(Assets.stylesheetPath.dropFirst()),
                String(Assets.scriptPath.dropFirst()),
            ])
            let pages = server.app.routes.all.map(\.path.string).filter {
                !$0.hasPrefix("v1/") && !operations.contains($0)
            }
            // check
            #expect(
                Set(pages).subtracting(patterns).isEmpty,
                "registered without a WebRoute case: \(Set(pages).subtracting(patterns).sorted())")
        }
    }

    @Test func everyAPILinkReachesAnAPIRoute() async throws {
        try await TestServer.with(.sqlite) { server in
            // setup
            let router = Self.router(server.app.routes.all)
            for link in Self.apiExamples {
                // act (scripts append a job's id to `.jobs`)
                let found = Self.find(link == .jobs ? link.path + "/" + Self.other : link.path, in: router)
                // check
                #expect(found?.route.path.first?.description == "v1", "\(link.path)")
                #expect(found?.parameters.get("projectId") == link.project, "\(link.path)")
            }
            #expect(
                Self.find(Assets.stylesheetPath, in: router) != nil && Self.find(Assets.scriptPath, in: router) != nil)
        }
    }

    @Test func linksAreEscapedAndKeepTheirQuery() {
        // act
        let image = WebRoute.image(Self.project, image: "a/b c").path
        let filtered = WebRoute.images(Self.project).with([
            ("label", "black & white"), ("split", nil), ("unlabelled", "1"),
        ])
        let notice = WebRoute.labels(Self.project).notice("label-renamed", count: 3)
        // check
        #expect(image == "/projects/\(Self.project)/images/a%2Fb%20c")
        #expect(filtered == "/projects/\(Self.project)/images?label=black%20%26%20white&unlabelled=1")
        #expect(notice == "/projects/\(Self.project)/labels?notice=label-renamed&n=3")
        #expect(WebRoute.start.path == "/" && WebRoute.start.pattern.isEmpty)
    }

    /// Views and pages link through `WebRoute`, `APILink` and `Assets`, never by a written path.
    @Test func noViewOrPageWritesAPath() throws {
        // setup
        let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/MinnowServer/Web")
        let folders = ["Views", "Pages"].map { web.appendingPathComponent($0) }
        let files = try folders.flatMap {
            try FileManager.default.contentsOfDirectory(at: $0, includingPropertiesForKeys: nil)
        }.filter { $0.pathExtension == "swift" }
        let written = [
            "href=\"/", "href=\\\"/", "action=\"/", "action=\\\"/", "src=\"/", "src=\\\"/", "=\"/v1/", "\"/projects",
            "\"/keys", "\"/sign-", "\"/account",
        ]
        // act
        var found: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where written.contains(where: line.contains) {
                found.append("\(file.lastPathComponent):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        // check
        #expect(files.count > 20)
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }
}
