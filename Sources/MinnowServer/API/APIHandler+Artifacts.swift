// What a trained iteration produced: the float checkpoint, the int8 .tflite, the generated
// C library and the Arduino library (both generated from the .tflite on request, so they
// always match it), and the model card.
import APITypes
import Fluent
import Firmware
import Foundation
import MinnowCore
import OpenAPIRuntime
import TFLite
import Vapor

extension APIHandler {
    func getIterationArtifact(
        _ input: Operations.GetIterationArtifact.Input
    ) async throws -> Operations.GetIterationArtifact.Output {
        try await answer { principal, db in
            guard
                let (iteration, _) = try await iteration(
                    input.path.projectId, input.path.iterationId, principal, .read, on: db),
                let project = try await Project.find(iteration.$project.id, on: db)
            else { return .notFound(.init(body: .json(.notFound("Iteration")))) }
            guard iteration.status == .succeeded, let card = iteration.modelCard,
                let checkpointID = iteration.checkpointBlobID, let tfliteID = iteration.tfliteBlobID
            else {
                return .conflict(
                    .init(
                        body: .json(
                            .conflict(
                                "Iteration \(iteration.number) is \(iteration.status.rawValue); artifacts exist once it has trained."
                            ))))
            }
            let base = "\(Self.fileStem(project.name))-iteration-\(iteration.number)"
            func blob(_ id: String) async throws -> Data {
                guard let data = try await Blob.find(id, on: db)?.content else {
                    throw Abort(.internalServerError, reason: "missing artifact blob")
                }
                return data
            }
            switch input.path.kind {
            case .modelCard:
                return .ok(
                    .init(
                        headers: .init(contentDisposition: "inline"),
                        body: .json(.init(try JSONText.decode(StoredModelCard.self, from: card)))))
            case .checkpoint:
                return .ok(
                    .init(
                        headers: .init(contentDisposition: "attachment; filename=\"\(base).mnnw\""),
                        body: .binary(HTTPBody(try await blob(checkpointID)))))
            case .tflite:
                return .ok(
                    .init(
                        headers: .init(contentDisposition: "attachment; filename=\"\(base).tflite\""),
                        body: .binary(HTTPBody(try await blob(tfliteID)))))
            case .cLibrary, .arduinoLibrary:
                let boardName = input.query.board ?? "nano33ble"
                guard let board = BoardProfile.named(boardName) else {
                    let boards = BoardProfile.all.map { $0.name }.joined(separator: ", ")
                    return .badRequest(
                        .init(body: .json(.badRequest("Unknown board \"\(boardName)\"; choose one of: \(boards)."))))
                }
                let tflite = try await blob(tfliteID)
                let name = "minnow_" + CGenerator.identifier(project.name)
                let zip = try await dependencies.threadPool.runIfActive {
                    let int8 = try TFLiteReader.read([UInt8](tflite))
                    let library = try CGenerator.generate(int8, name: name)
                    if input.path.kind == .cLibrary {
                        return Packages.cLibraryZip(
                            library, reports: (try? BoardBuild.build(library, for: board)).map { [$0] } ?? [])
                    }
                    let sample = int8.quantizeInput([Float](repeating: 0, count: int8.inputTensor.elementCount))
                    return Packages.arduinoLibraryZip(library, sampleInput: sample, sampleLabel: nil)
                }
                let suffix = input.path.kind == .cLibrary ? "c" : "arduino-\(board.name)"
                return .ok(
                    .init(
                        headers: .init(contentDisposition: "attachment; filename=\"\(base)-\(suffix).zip\""),
                        body: .applicationZip(HTTPBody(zip))))
            }
        }
    }

    /// A file-name-safe version of a project name.
    static func fileStem(_ name: String) -> String {
        let kept = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(kept).split(separator: "-").joined(separator: "-").prefix(40).description.ifEmpty("model")
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}

extension Operations.GetIterationArtifact.Output: RefusableOutput {}
