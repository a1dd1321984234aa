// The web app's only stylesheet and script. Their parts are files in `Assets/` (checked by
// `scripts/lint-web-assets.py` in `make test`), bundled as SwiftPM resources and read once at
// start-up; each URL serves its parts joined in order. No build chain. Cached for an hour;
// pages link them by the same paths the routes are registered with.
import Foundation
import MinnowCore
import Vapor

enum Assets {
    /// `/assets/app.css`: the parts in `Assets/style/`, in this order.
    static let stylesheetParts = ["style/main.css", "style/models.css"]
    /// `/assets/app.js`: the parts in `Assets/script/`, in this order.
    static let scriptParts = ["script/main.js", "script/training.js", "script/try-it.js"]
    static let stylesheetPath = "/assets/app.css"
    static let scriptPath = "/assets/app.js"

    static func register(on app: Application) throws {
        let stylesheet = try load(stylesheetParts)
        let script = try load(scriptParts)
        app.get(stylesheetPath.pathComponents) { _ in asset(stylesheet, type: "text/css; charset=utf-8") }
        app.get(scriptPath.pathComponents) { _ in asset(script, type: "text/javascript; charset=utf-8") }
    }

    /// The named files of the bundle's `Assets` folder, joined in order.
    static func load(_ parts: [String]) throws -> String {
        let folder =
            Bundle.module.url(forResource: "Assets", withExtension: nil)
            ?? Bundle.module.bundleURL.appendingPathComponent("Assets")
        return try parts.map { part in
            let url = folder.appendingPathComponent(part)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw MissingWebAsset(path: url.path)
            }
            return text
        }.joined()
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: ["Content-Type": type, "Cache-Control": "public, max-age=3600"],
            body: .init(string: text))
    }
}

/// A web asset not found at start-up: the resource bundle beside the binary is incomplete.
/// (Without any bundle, SwiftPM's `Bundle.module` itself stops the process, naming the path.)
struct MissingWebAsset: Error, CustomStringConvertible {
    let path: String

    var description: String {
        "the web asset \(path) is missing: install the minnow binary with its whole Minnow_MinnowServer.resources folder"
    }
}
