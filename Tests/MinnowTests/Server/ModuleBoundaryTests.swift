// The core and the worker neither serve HTTP nor speak its wire format: no file of theirs
// imports Vapor or the generated API types. Package.swift leaves them out of their
// dependencies, but a module built earlier can still be found, so the sources are read too.
import Foundation
import Testing

@Suite("Module boundaries")
struct ModuleBoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    @Test(arguments: ["MinnowCore", "MinnowWorker"])
    func importsNeitherVaporNorTheAPITypes(module: String) throws {
        // setup
        let directory = Self.sources.appendingPathComponent(module)
        let files = try #require(
            FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?.allObjects as? [URL]
        )
        .filter { $0.pathExtension == "swift" }
        #expect(!files.isEmpty)
        // act
        let offending = try files.flatMap { file in
            try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
                .filter { line in
                    let words = line.split(separator: " ")
                    return words.contains("import")
                        && ["APITypes", "Vapor", "Fluent"].contains(words.last.map(String.init) ?? "")
                }
                .map { "\(file.lastPathComponent): \($0)" }
        }
        // check
        #expect(offending.isEmpty, "\(module) imports what it must not: \(offending)")
    }
}
