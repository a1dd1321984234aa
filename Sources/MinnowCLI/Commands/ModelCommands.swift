// What to do with a trained iteration: `minnow evaluate` (on a zip or another project),
// `minnow download` (checkpoint, .tflite, C library, Arduino library, model card).
import APITypes
import ArgumentParser
import Foundation
import OpenAPIRuntime

struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Test a trained iteration on other labelled images (a zip or another project); nothing is added to any dataset."
    )
    @OptionGroup var options: ClientOptions
    @OptionGroup var project: ProjectOptions
    @Option(help: "Iteration number or id.") var iteration: String
    @Option(help: "A zip with one folder per label.") var zip: String?
    @Option(
        name: .customLong("on-project"), help: "Another project of yours (id or name) whose labelled images to use.")
    var onProject: String?
    @Option(help: "With --on-project: only train or test images.") var split: Components.Schemas.Split?

    func validate() throws {
        guard (zip == nil) != (onProject == nil) else {
            throw ValidationError("give exactly one of --zip and --on-project")
        }
    }

    func run() async throws {
        let (client, projectID) = try await options.client(forProject: project)
        let id = try await IterationReference.resolve(iteration, project: projectID, with: client)
        let body: Operations.EvaluateIteration.Input.Body
        if let zip {
            guard let data = FileManager.default.contents(atPath: zip) else {
                throw CLIFailure("\(zip) does not exist or cannot be read.")
            }
            body = .applicationZip(HTTPBody(data))
        } else {
            let other = try await ProjectReference.resolve(onProject!, with: client)
            body = .json(.init(projectId: other, split: split))
        }
        var job = try await client.evaluateIteration(path: .init(projectId: projectID, iterationId: id), body: body)
            .accepted.body.json
        let progress = ProgressLine(enabled: !options.json)
        while job.status == .queued || job.status == .running {
            progress.update("Evaluating (\(job.status.rawValue))…")
            try await Task.sleep(for: .milliseconds(300))
            job = try await client.getJob(path: .init(jobId: job.id)).ok.body.json
        }
        progress.finish()
        guard job.status == .succeeded, case .EvaluationReport(let report) = job.result else {
            throw CLIFailure(job.error ?? "The evaluation ended as \(job.status.rawValue).")
        }
        if options.json { return try Output.json(report) }
        let value = { (e: Components.Schemas.EvaluationResult) in
            String(format: "%.2f%%", (e.accuracy ?? e.f1 ?? 0) * 100)
        }
        print("Evaluated on \(report.images) images: \(value(report.float)) float, \(value(report.int8)) int8.")
        Output.table(
            ["label", "precision", "recall", "F1", "support"],
            report.int8.perClass.map {
                [
                    $0.label, String(format: "%.3f", $0.precision), String(format: "%.3f", $0.recall),
                    String(format: "%.3f", $0.f1), "\($0.support)",
                ]
            })
        for skipped in report.skipped.prefix(20) { print("  skipped \(skipped.fileName): \(skipped.reason)") }
        if report.skipped.count > 20 { print("  … and \(report.skipped.count - 20) more skipped") }
    }
}

struct DownloadModel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download what an iteration produced: tflite, c, arduino, checkpoint or card.",
        discussion: "Example: minnow download --project shoes --iteration 3 --format arduino --board pico")
    enum Format: String, ExpressibleByArgument, CaseIterable { case tflite, c, arduino, checkpoint, card }

    @OptionGroup var options: ClientOptions
    @OptionGroup var project: ProjectOptions
    @Option(help: "Iteration number or id.") var iteration: String
    @Option(
        help:
            "tflite (int8 for TFLite Micro), c (generated C library zip), arduino (Arduino library zip), checkpoint (float model) or card (model card JSON)."
    )
    var format: Format = .tflite
    @Option(help: "Board for the Arduino library: nano33ble, pico, nucleo-l4r5zi, portenta-h7 or esp32-s3.") var board:
        String?
    @Option(name: .shortAndLong, help: "File to write (default: the server's file name).") var output: String?

    func run() async throws {
        let (client, projectID) = try await options.client(forProject: project)
        let id = try await IterationReference.resolve(iteration, project: projectID, with: client)
        let kind: Operations.GetIterationArtifact.Input.Path.KindPayload =
            switch format {
            case .tflite: .tflite
            case .c: .cLibrary
            case .arduino: .arduinoLibrary
            case .checkpoint: .checkpoint
            case .card: .modelCard
            }
        let response = try await client.getIterationArtifact(
            path: .init(projectId: projectID, iterationId: id, kind: kind), query: .init(board: board)
        ).ok
        let suggested = response.headers.contentDisposition?.split(separator: "\"").dropFirst().first.map(String.init)
        let path = output ?? suggested ?? "model.\(format.rawValue)"
        let body: HTTPBody
        switch response.body {
        case .binary(let b), .applicationZip(let b): body = b
        case .json(let card):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            body = HTTPBody(try encoder.encode(card))
        }
        let written = try await Download.save(
            body, to: output ?? (format == .card ? "model-card.json" : path), showProgress: !options.json)
        let file = output ?? (format == .card ? "model-card.json" : path)
        if options.json {
            try Output.json(["file": file, "bytes": "\(written)"])
        } else {
            print("Wrote \(file) (\(ProgressLine.bytes(written))).")
        }
    }
}
