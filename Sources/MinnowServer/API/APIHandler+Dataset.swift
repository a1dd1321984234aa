// The dataset as a whole: zip import and export, and the analysis.
import APITypes
import BinaryFormats
import Fluent
import Foundation
import MinnowCore
import OpenAPIRuntime
import Vapor

extension APIHandler {
    func importImages(_ input: Operations.ImportImages.Input) async throws -> Operations.ImportImages.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .ingest, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            guard case .applicationZip(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            // Spool to a private file in the data directory: the archive is read by random access.
            let spool = ImportJob.spoolDirectory(dataDirectory: services.config.dataDirectory)
            try FileManager.default.createDirectory(
                at: spool, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let file = spool.appendingPathComponent("import-\(UUID().uuidString).zip")
            guard
                FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
            else {
                throw Abort(.internalServerError, reason: "cannot create a spool file")
            }
            let handle = try FileHandle(forWritingTo: file)
            do {
                for try await chunk in body { try handle.write(contentsOf: chunk) }
                try handle.close()
            } catch {
                try? handle.close()
                try? FileManager.default.removeItem(at: file)
                throw error
            }
            let job = try await ImportJob.start(
                archive: file, project: project, ownerID: principal.userID, db: db, threadPool: dependencies.threadPool)
            return .accepted(.init(body: .json(try job.api())))
        }
    }

    func exportDataset(_ input: Operations.ExportDataset.Input) async throws -> Operations.ExportDataset.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .read, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            let projectID = try project.requireID(), label = input.query.label, split = input.query.split?.domain
            @Sendable func page(_ index: Int) async throws -> [DatasetImage] {
                var query = DatasetImage.query(on: db).filter(\.$project.$id == projectID)
                if let label { query = query.filter(\.$label == label) }
                if let split { query = query.filter(\.$split == split) }
                return try await query.sort(\.$createdAt).sort(\.$id).range((index * 200)..<((index + 1) * 200)).with(
                    \.$boxes
                ).all()
            }
            let blobs = blobStore(on: db)
            let detection = project.task == .detection ? (input.query.format ?? .coco) : nil
            let classes =
                detection == nil ? [] : try await DatasetSnapshot.labelCounts(projectID: projectID, on: db).map(\.label)
            let logger = CurrentRequest.logger
            let stream = AsyncThrowingStream<ArraySlice<UInt8>, any Error> { continuation in
                let task = Task {
                    do {
                        var writer = ZipWriter()
                        var usedNames = Set<String>()
                        var cocoImages: [(path: String, width: Int, height: Int, boxes: [BoxSpec])] = []
                        var index = 0
                        while true {
                            let images = try await page(index)
                            for image in images {
                                guard let id = BlobID(hex: image.blobID), let content = try await blobs.get(id) else {
                                    continue
                                }
                                let folder =
                                    detection == nil
                                    ? DatasetLayout.folder(
                                        label: image.label, split: image.split, automatic: image.splitAutomatic)
                                    : (image.splitAutomatic ? "" : image.split.rawValue)
                                let prefix = folder.isEmpty ? "" : folder + "/"
                                var name = "\(prefix)\(image.fileName)"
                                if !usedNames.insert(name.lowercased()).inserted {
                                    let stem = (image.fileName as NSString).deletingPathExtension,
                                        ext = (image.fileName as NSString).pathExtension
                                    name = "\(prefix)\(stem)-\(image.blobID.prefix(12)).\(ext)"
                                    usedNames.insert(name.lowercased())
                                }
                                continuation.yield(ArraySlice(writer.entry(name: name, content: content)))
                                let boxes = image.boxes.map {
                                    BoxSpec(label: $0.label, x: $0.x, y: $0.y, width: $0.width, height: $0.height)
                                }
                                let stemPath = (name as NSString).deletingPathExtension
                                switch detection {
                                case .yolo:
                                    continuation.yield(
                                        ArraySlice(
                                            writer.entry(
                                                name: stemPath + ".txt",
                                                content: Data(BoxWriter.yolo(boxes, classes: classes).utf8))))
                                case .voc:
                                    continuation.yield(
                                        ArraySlice(
                                            writer.entry(
                                                name: stemPath + ".xml",
                                                content: Data(
                                                    BoxWriter.voc(
                                                        boxes, fileName: image.fileName, width: image.width,
                                                        height: image.height
                                                    ).utf8))))
                                case .coco: cocoImages.append((name, image.width, image.height, boxes))
                                case nil: break
                                }
                            }
                            if images.count < 200 { break }
                            index += 1
                        }
                        switch detection {
                        case .coco:
                            continuation.yield(
                                ArraySlice(
                                    writer.entry(
                                        name: "annotations.json",
                                        content: try BoxWriter.coco(cocoImages, classes: classes))))
                        case .yolo:
                            continuation.yield(
                                ArraySlice(
                                    writer.entry(
                                        name: "classes.txt", content: Data(classes.map { $0 + "\n" }.joined().utf8))))
                        case .voc, nil: break
                        }
                        continuation.yield(ArraySlice(writer.finish()))
                        continuation.finish()
                    } catch {
                        logger.error("dataset export failed", metadata: ["error": "\(error)"])
                        continuation.finish(throwing: error)
                    }
                }
                continuation.onTermination = { _ in task.cancel() }
            }
            let fileName = project.name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            return .ok(
                .init(
                    headers: .init(
                        contentDisposition: "attachment; filename=\"\(fileName.isEmpty ? "dataset" : fileName).zip\""),
                    body: .applicationZip(HTTPBody(stream, length: .unknown, iterationBehavior: .single))
                ))
        }
    }

    func analyzeDataset(_ input: Operations.AnalyzeDataset.Input) async throws -> Operations.AnalyzeDataset.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .read, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            let snapshot = try await DatasetSnapshot.load(projectID: project.requireID(), on: db)
            return .ok(.init(body: .json(.init(DatasetAnalyzer.analyze(snapshot, task: project.task)))))
        }
    }
}

extension Operations.ImportImages.Output: RefusableOutput {}
extension Operations.ExportDataset.Output: RefusableOutput {}
extension Operations.AnalyzeDataset.Output: RefusableOutput {}
