// Every URL of the web app's pages and forms, once. `path` is the link that views, form actions
// and redirects use; `pattern` is what `WebRoutes` registers (the same segments, parameters as
// `:name`), so a page cannot be linked without its route existing, nor renamed in one place
// only. Path parameters are read back here too. Not here: the JSON API's URLs (the OpenAPI
// document owns them, see `APILink`) and the assets' (`Assets`).
import Foundation
import MinnowCore
import Vapor

enum WebRoute: Hashable, Sendable {
    /// `/`: projects when signed in, else sign-in.
    case start
    case signUp, signIn, signOut
    case account, changePassword, deleteAccount
    case keys
    case revokeKey(key: String)
    case projects
    /// Redirects to the project's images.
    case project(String)
    case projectSettings(String), deleteProject(String)
    case images(String), imagesBatch(String), upload(String)
    case image(String, image: String)
    case labels(String), renameLabel(String), deleteLabel(String)
    case analysis(String)
    case train(String)
    case iterations(String), compareIterations(String)
    case iteration(String, iteration: String)
    /// The curves fragment the live page's script fetches after each epoch.
    case iterationCurves(String, iteration: String)
    case cancelIteration(String, iteration: String), deleteIteration(String, iteration: String)
    case deploy(String)
    case repointDeployment(String, name: String), rotateDeploymentKey(String, name: String), unpublishDeployment(
        String, name: String)
    case devices(String)
    case device(String, device: String)
    case installOnDevice(String, device: String), deleteDevice(String, device: String)
    case cameraDeployment(String, device: String), createCameraKey(String, device: String)
    case sightings(String), sightingsToDataset(String)

    /// The named parts of patterns; their values are ids as the API spells them (`UUID.apiString`).
    enum Parameter: String, CaseIterable, Sendable {
        case projectID, imageID, iterationID, deviceID, keyID
        /// A deployment's name.
        case name
    }

    /// One part of a path: fixed text, or a parameter's value.
    enum Segment: Hashable, ExpressibleByStringLiteral {
        case fixed(String)
        case value(Parameter, String)

        init(stringLiteral text: String) { self = .fixed(text) }
    }

    var segments: [Segment] {
        switch self {
        case .start: []
        case .signUp: ["sign-up"]
        case .signIn: ["sign-in"]
        case .signOut: ["sign-out"]
        case .account: ["account"]
        case .changePassword: ["account", "password"]
        case .deleteAccount: ["account", "delete"]
        case .keys: ["keys"]
        case .revokeKey(let key): ["keys", .value(.keyID, key), "revoke"]
        case .projects: ["projects"]
        case .project(let project): Self.inProject(project)
        case .projectSettings(let project): Self.inProject(project, "settings")
        case .deleteProject(let project): Self.inProject(project, "delete")
        case .images(let project): Self.inProject(project, "images")
        case .imagesBatch(let project): Self.inProject(project, "images", "batch")
        case .image(let project, let image): Self.inProject(project, "images", .value(.imageID, image))
        case .upload(let project): Self.inProject(project, "upload")
        case .labels(let project): Self.inProject(project, "labels")
        case .renameLabel(let project): Self.inProject(project, "labels", "rename")
        case .deleteLabel(let project): Self.inProject(project, "labels", "delete")
        case .analysis(let project): Self.inProject(project, "analysis")
        case .train(let project): Self.inProject(project, "train")
        case .iterations(let project): Self.inProject(project, "iterations")
        case .compareIterations(let project): Self.inProject(project, "iterations", "compare")
        case .iteration(let project, let iteration):
            Self.inProject(project, "iterations", .value(.iterationID, iteration))
        case .iterationCurves(let project, let iteration):
            Self.inProject(project, "iterations", .value(.iterationID, iteration), "curves")
        case .cancelIteration(let project, let iteration):
            Self.inProject(project, "iterations", .value(.iterationID, iteration), "cancel")
        case .deleteIteration(let project, let iteration):
            Self.inProject(project, "iterations", .value(.iterationID, iteration), "delete")
        case .deploy(let project): Self.inProject(project, "deploy")
        case .repointDeployment(let project, let name):
            Self.inProject(project, "deploy", .value(.name, name), "repoint")
        case .rotateDeploymentKey(let project, let name):
            Self.inProject(project, "deploy", .value(.name, name), "rotate")
        case .unpublishDeployment(let project, let name):
            Self.inProject(project, "deploy", .value(.name, name), "unpublish")
        case .devices(let project): Self.inProject(project, "devices")
        case .device(let project, let device): Self.inProject(project, "devices", .value(.deviceID, device))
        case .installOnDevice(let project, let device):
            Self.inProject(project, "devices", .value(.deviceID, device), "install")
        case .deleteDevice(let project, let device):
            Self.inProject(project, "devices", .value(.deviceID, device), "delete")
        case .cameraDeployment(let project, let device):
            Self.inProject(project, "devices", .value(.deviceID, device), "deployment")
        case .createCameraKey(let project, let device):
            Self.inProject(project, "devices", .value(.deviceID, device), "key")
        case .sightings(let project): Self.inProject(project, "sightings")
        case .sightingsToDataset(let project): Self.inProject(project, "sightings", "to-dataset")
        }
    }

    private static func inProject(_ project: String, _ rest: Segment...) -> [Segment] {
        ["projects", .value(.projectID, project)] + rest
    }

    /// The link: `/projects/<id>/images`, each value percent-encoded.
    var path: String {
        "/"
            + segments.map { segment in
                switch segment {
                case .fixed(let text): text
                case .value(_, let value): value.addingPercentEncoding(withAllowedCharacters: unreservedInSegment) ?? ""
                }
            }.joined(separator: "/")
    }

    /// The link with a query string (values percent-encoded, nil values left out).
    func with(_ query: [(String, String?)]) -> String { link(path, query) }

    /// The page with one of the fixed messages `WebRoutes.notice` knows, and the count it names.
    func notice(_ key: String, count: Int? = nil) -> String { with([("notice", key), ("n", count.map(String.init))]) }

    /// What `WebRoutes` registers: the path with `:name` in place of each value.
    var pattern: [PathComponent] {
        segments.map { segment in
            switch segment {
            case .fixed(let text): .constant(text)
            case .value(let parameter, _): .parameter(parameter.rawValue)
            }
        }
    }
}

/// What a path segment keeps as it is (RFC 3986 unreserved); the rest is percent-encoded.
let unreservedInSegment = CharacterSet(
    charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

/// Any value of a path parameter, for registering a route by its case: `routes.get(WebRoute.image)`.
protocol WebRouteValue {
    static var placeholder: Self { get }
}

extension String: WebRouteValue {
    static var placeholder: String { "_" }
}

extension RoutesBuilder {
    /// Registers the route `route` builds (its pattern does not depend on the values).
    @discardableResult
    func on<each Value: WebRouteValue>(
        _ method: HTTPMethod, _ route: (repeat each Value) -> WebRoute,
        use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(method, route(repeat (each Value).placeholder).pattern, use: handler)
    }

    @discardableResult
    func get<each Value: WebRouteValue>(
        _ route: (repeat each Value) -> WebRoute, use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(.GET, route, use: handler)
    }

    @discardableResult
    func post<each Value: WebRouteValue>(
        _ route: (repeat each Value) -> WebRoute, use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(.POST, route, use: handler)
    }

    @discardableResult
    func get(_ route: WebRoute, use handler: @Sendable @escaping (Request) async throws -> Response) -> Route {
        on(.GET, route.pattern, use: handler)
    }

    @discardableResult
    func post(_ route: WebRoute, use handler: @Sendable @escaping (Request) async throws -> Response) -> Route {
        on(.POST, route.pattern, use: handler)
    }
}

extension Request {
    /// A path parameter of the route this request matched, as it was sent.
    func parameter(_ parameter: WebRoute.Parameter) -> String? { parameters.get(parameter.rawValue) }

    /// A path parameter that must be an id: nil when it is not a UUID.
    func idParameter(_ parameter: WebRoute.Parameter) -> UUID? {
        self.parameter(parameter).flatMap(UUID.init(uuidString:))
    }
}
