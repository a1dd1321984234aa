// `minnow images ...`: upload files and folders, list, relabel, move and delete images.
import APITypes
import ArgumentParser
import Foundation
import OpenAPIRuntime

struct Images: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upload, list, relabel, move and delete a project's images.",
        subcommands: [Upload.self, List.self, Relabel.self, Move.self, Delete.self]
    )

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload image files, or every JPEG and PNG in folders (recursively).",
            discussion: "Files go up in batches; a bad file is reported by name and never stops the others."
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Option(help: "Label for every image in this upload.") var label: String?
        @Option(help: "train, test or auto (default auto: a stable 80/20 rule by content).") var split:
            Components.Schemas.SplitChoice?
        @Option(help: "Images per request.") var batchSize = 50
        @Argument(help: "Image files or folders.") var paths: [String]

        func run() async throws {
            let files = try ImageFiles.collect(paths)
            guard !files.isEmpty else {
                throw CLIFailure("No .jpg, .jpeg or .png files found in \(paths.joined(separator: ", ")).")
            }
            let (client, projectID) = try await options.client(forProject: project)
            let progress = ProgressLine(enabled: !options.json)
            var outcomes: [Components.Schemas.FileOutcome] = []
            var sentBytes = 0
            for batch in stride(from: 0, to: files.count, by: max(1, batchSize)).map({
                Array(files[$0..<min(files.count, $0 + max(1, batchSize))])
            }) {
                var parts: [Operations.UploadImages.Input.Body.MultipartFormPayload] = []
                for file in batch {
                    let data = try Data(contentsOf: file)
                    sentBytes += data.count
                    parts.append(.files(.init(payload: .init(body: HTTPBody(data)), filename: file.lastPathComponent)))
                }
                let report = try await client.uploadImages(
                    path: .init(projectId: projectID), query: .init(label: label, split: split),
                    body: .multipartForm(MultipartBody(parts))
                ).ok.body.json
                outcomes += report.files
                let rate = Double(outcomes.count) / max(progress.elapsed, 0.001)
                progress.update(
                    "Uploaded \(outcomes.count)/\(files.count) images, \(ProgressLine.bytes(sentBytes)), \(Int(rate)) images/s"
                )
            }
            progress.finish()
            let summary = Components.Schemas.UploadReport(
                accepted: outcomes.count { $0.status == .accepted },
                duplicates: outcomes.count { $0.status == .duplicate },
                rejected: outcomes.count { $0.status == .rejected }, files: outcomes)
            if options.json { return try Output.json(summary) }
            let seconds = progress.elapsed
            print(
                "\(summary.accepted) accepted, \(summary.duplicates) duplicates, \(summary.rejected) rejected in \(String(format: "%.1f", seconds)) s (\(Int(Double(files.count) / max(seconds, 0.001))) images/s, \(String(format: "%.1f", Double(sentBytes) / 1_048_576 / max(seconds, 0.001))) MB/s)."
            )
            for rejected in outcomes where rejected.status == .rejected {
                print("  rejected \(rejected.fileName): \(rejected.reason ?? "")")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List images, newest first, with filters.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Option(help: "Only this label.") var label: String?
        @Option(help: "Only train or test.") var split: Components.Schemas.Split?
        @Flag(help: "Only images without a label.") var unlabelled = false
        @Option(help: "Page number (1-based).") var page = 1
        @Option(help: "Images per page (at most 100).") var perPage = 20

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let result = try await client.listImages(
                path: .init(projectId: projectID),
                query: .init(
                    label: label, split: split, unlabelled: unlabelled ? true : nil, page: page, perPage: perPage)
            ).ok.body.json
            if options.json { return try Output.json(result) }
            Output.table(
                ["id", "file", "label", "split", "size", "added"],
                result.items.map {
                    [
                        $0.id, $0.fileName, $0.label ?? ($0.boxes.isEmpty ? "-" : "\($0.boxes.count) boxes"),
                        $0.split.rawValue + ($0.splitAutomatic ? " (auto)" : ""),
                        "\($0.width)x\($0.height) \($0.colorMode.rawValue)", Output.date($0.createdAt),
                    ]
                })
            Output.pageFooter(page: page, perPage: perPage, total: result.metadata.total, shown: result.items.count)
        }
    }

    struct Relabel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give images a label (or --unlabel them).")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Option(help: "The new label.") var label: String?
        @Flag(help: "Remove the label instead.") var unlabel = false
        @Argument(help: "Image ids.") var images: [String]

        func validate() throws {
            guard (label != nil) != unlabel else { throw ValidationError("Give either --label NAME or --unlabel.") }
        }

        func run() async throws {
            try await BatchChange.apply(
                .init(imageIds: images, action: unlabel ? .unlabel : .relabel, label: label), project: project,
                options: options, verb: "Relabelled")
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move images to the train or test split, or back to auto.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Option(help: "train, test or auto.") var split: Components.Schemas.SplitChoice
        @Argument(help: "Image ids.") var images: [String]

        func run() async throws {
            try await BatchChange.apply(
                .init(imageIds: images, action: .move, split: split), project: project, options: options, verb: "Moved")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete images.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Image ids.") var images: [String]

        func run() async throws {
            try await BatchChange.apply(
                .init(imageIds: images, action: .delete), project: project, options: options, verb: "Deleted")
        }
    }
}

enum BatchChange {
    static func apply(
        _ batch: Components.Schemas.ImageBatch, project: ProjectOptions, options: ClientOptions, verb: String
    ) async throws {
        let (client, projectID) = try await options.client(forProject: project)
        let result = try await client.updateImages(path: .init(projectId: projectID), body: .json(batch)).ok.body.json
        if options.json {
            try Output.json(result)
        } else {
            print("\(verb) \(result.changed) of \(batch.imageIds.count) images.")
        }
    }
}

enum ImageFiles {
    static let extensions: Set<String> = ["jpg", "jpeg", "png"]

    /// The image files named, and those inside named folders (recursively), sorted by path.
    static func collect(_ paths: [String]) throws -> [URL] {
        var files: [URL] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIFailure("\(path) does not exist.")
            }
            if !isDirectory.boolValue { files.append(URL(fileURLWithPath: path)); continue }
            let enumerator = FileManager.default.enumerator(
                at: URL(fileURLWithPath: path), includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
            while let url = enumerator?.nextObject() as? URL {
                if extensions.contains(url.pathExtension.lowercased()) { files.append(url) }
            }
        }
        return files.sorted { $0.path < $1.path }
    }
}

extension Components.Schemas.SplitChoice: ExpressibleByArgument {}
extension Components.Schemas.Split: ExpressibleByArgument {}
