// The JSON columns as rows written before the stored types existed hold them (the API's
// wire types encoded by JSONText): each literal decodes into its stored type, and that maps
// back to the same wire value the API type itself decodes from the literal.
import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Stored records")
struct StoredRecordsTests {
    /// Decodes `json` as the stored type and as the wire type; the stored value mapped to the
    /// wire must equal the wire value.
    private func check<Stored: Decodable, Wire: Decodable & Equatable>(
        _ json: String, as stored: Stored.Type, wire: Wire.Type, _ map: (Stored) -> Wire
    ) throws -> Stored {
        let record = try JSONText.decode(Stored.self, from: json)
        #expect(map(record) == (try JSONText.decode(Wire.self, from: json)))
        return record
    }

    @Test func trainingConfigurationDecodes() throws {
        // setup
        let json = """
            {"architecture":"mobilenet-v1","alpha":0.25,"input":{"width":96,"height":64,"colorMode":"rgb"},"resizeMode":"crop",\
            "epochs":20,"batchSize":32,"learningRate":0.001,"optimizer":"adamw","schedule":"step","augmentation":true,\
            "validationFraction":0.1,"earlyStoppingPatience":4,"seed":7}
            """
        // act
        let configuration = try check(
            json, as: StoredTrainingConfiguration.self, wire: Components.Schemas.TrainingConfiguration.self,
            { .init($0) })
        // check
        #expect(configuration.architecture == .mobilenetV1 && configuration.input.colorMode == .rgb)
        #expect(
            configuration.resizeMode == .fitShorterSideCrop && configuration.optimizer == .adamw
                && configuration.schedule == .step)
        #expect(configuration.earlyStoppingPatience == 4 && configuration.seed == 7)
    }

    @Test func summaryAndProgressDecode() throws {
        // setup
        let summary = #"{"images":10,"train":8,"test":2,"labels":["cat","dog"]}"#
        let progress =
            #"{"epoch":2,"epochs":20,"step":3,"steps":10,"loss":0.5,"accuracy":0.75,"imagesPerSecond":1200.5,"etaSeconds":12}"#
        // act
        let decodedSummary = try check(
            summary, as: StoredDatasetSummary.self, wire: Components.Schemas.DatasetSummary.self, { .init($0) })
        let decodedProgress = try check(
            progress, as: StoredTrainingProgress.self, wire: Components.Schemas.TrainingProgress.self, { .init($0) })
        // check
        #expect(decodedSummary.labels == ["cat", "dog"] && decodedSummary.train == 8)
        #expect(decodedProgress.step == 3 && decodedProgress.imagesPerSecond == 1200.5)
    }

    @Test func resultsDecode() throws {
        // setup
        let json = """
            {"curves":[{"epoch":1,"trainLoss":0.9,"trainAccuracy":0.5,"validationLoss":0.8,"validationAccuracy":0.6,\
            "learningRate":0.001,"seconds":1.5,"imagesPerSecond":900},{"epoch":2,"trainLoss":0.7,"trainAccuracy":0.6,\
            "learningRate":0.0005,"seconds":1.4,"imagesPerSecond":950}],"bestEpoch":1,"stopReason":"earlyStopped",\
            "imagesPerSecond":925,"trainingSeconds":30.5,\
            "float":{"images":2,"accuracy":0.5,"confusionMatrix":[[1,0],[1,0]],"perClass":[{"label":"cat","precision":0.5,"recall":1,"f1":0.667,"support":1},{"label":"dog","precision":0,"recall":0,"f1":0,"support":1}]},\
            "int8":{"images":2,"accuracy":0.5,"confusionMatrix":[[1,0],[1,0]],"perClass":[]},\
            "misclassified":[{"imageId":"9B2F5E4C-1D2A-4A55-8C1B-3E0F6A7B8C9D","fileName":"dog.png","label":"dog","predicted":"cat",\
            "scores":[{"label":"cat","score":0.6},{"label":"dog","score":0.4}]}]}
            """
        // act
        let results = try check(
            json, as: StoredIterationResults.self, wire: Components.Schemas.IterationResults.self, { .init($0) })
        // check
        #expect(
            results.stopReason == .earlyStopped && results.curves.count == 2 && results.curves[1].validationLoss == nil)
        #expect(results.float?.perClass.count == 2 && results.misclassified?.first?.scores.first?.label == "cat")
    }

    @Test func detectionResultsWithoutOptionalPartsDecode() throws {
        // setup
        let json = """
            {"curves":[],"bestEpoch":0,"stopReason":"completed","imagesPerSecond":0,"trainingSeconds":1}
            """
        // act
        let results = try check(
            json, as: StoredIterationResults.self, wire: Components.Schemas.IterationResults.self, { .init($0) })
        // check
        #expect(results.float == nil && results.misclassified == nil && results.stopReason == .completed)
    }

    @Test func modelCardDecodes() throws {
        // setup
        let json = """
            {"iteration":3,"architecture":"fomo","task":"detection","labels":["background","bird"],\
            "input":{"width":96,"height":96,"colorMode":"grayscale","resizeMode":"letterbox","mean":[0],"std":[1]},\
            "parameters":1234,"macs":5678,"tfliteBytes":9000,"arenaBytes":4096,\
            "quantization":{"inputScale":0.0039215,"inputZeroPoint":-128,"outputScale":0.00390625,"outputZeroPoint":-128,\
            "inputFormula":"q = p","outputFormula":"score = o"},"floatAccuracy":0.9,"int8Accuracy":0.89,\
            "boards":[{"board":"nano33ble","flashBytes":100,"ramBytes":50,"arenaBytes":40,"estimatedMilliseconds":1.5,"fits":true,\
            "measured":false,"instructions":1000,"latencyMethod":"emulated","latencyNote":"instructions on an emulated core"},\
            {"board":"esp32","flashBytes":100,"ramBytes":50,"arenaBytes":40,"estimatedMilliseconds":2,"fits":false,"measured":true}]}
            """
        // act
        let card = try check(json, as: StoredModelCard.self, wire: Components.Schemas.ModelCard.self, { .init($0) })
        // check
        #expect(card.task == .detection && card.input.resizeMode == .letterbox && card.input.colorMode == .grayscale)
        #expect(card.boards[0].latencyMethod == .emulated && card.boards[1].latencyMethod == nil)
    }

    @Test func jobEventsDecode() throws {
        // setup
        let status =
            #"{"id":0,"kind":"status","time":"2026-12-05T10:00:00Z","status":"queued","message":"Iteration 1 queued."}"#
        let progress =
            #"{"id":0,"kind":"progress","time":"2026-12-05T10:00:01Z","progress":{"epoch":1,"epochs":2,"step":1,"steps":4,"loss":1.2,"accuracy":0.25,"imagesPerSecond":80,"etaSeconds":3.5}}"#
        let epoch =
            #"{"id":0,"kind":"epoch","time":"2026-12-05T10:00:02Z","message":"Epoch 1/2","epoch":{"epoch":1,"trainLoss":1.1,"trainAccuracy":0.3,"learningRate":0.001,"seconds":2,"imagesPerSecond":80}}"#
        // act
        let events = try [status, progress, epoch].map { json in
            try check(json, as: StoredJobEvent.self, wire: Components.Schemas.IterationEvent.self, { .init($0) })
        }
        // check
        #expect(events.map(\.kind) == [.status, .progress, .epoch])
        #expect(events[0].status == .queued && events[1].progress?.steps == 4 && events[2].epoch?.trainLoss == 1.1)
    }

    @Test func jobResultsDecode() throws {
        // setup
        let evaluation = """
            {"iterationId":"9B2F5E4C-1D2A-4A55-8C1B-3E0F6A7B8C9D","images":2,"skipped":[{"fileName":"x.png","reason":"unreadable"}],\
            "float":{"images":2,"f1":0.5,"perClass":[]},"int8":{"images":2,"f1":0.25,"perClass":[]}}
            """
        let imported = """
            {"accepted":1,"duplicates":1,"rejected":1,"files":[{"fileName":"a.png","status":"accepted","imageId":"9B2F5E4C-1D2A-4A55-8C1B-3E0F6A7B8C9D"},\
            {"fileName":"b.png","status":"duplicate","imageId":"9B2F5E4C-1D2A-4A55-8C1B-3E0F6A7B8C9D","reason":"same content as a.png"},\
            {"fileName":"c.txt","status":"rejected","reason":"not an image"}],"entries":3}
            """
        // act
        let report = try check(
            evaluation, as: StoredEvaluationReport.self, wire: Components.Schemas.EvaluationReport.self, { .init($0) })
        let importReport = try check(
            imported, as: StoredImportReport.self, wire: Components.Schemas.ImportReport.self, { .init($0) })
        // check
        #expect(report.skipped.first?.reason == "unreadable" && report.int8.f1 == 0.25)
        #expect(importReport.files.map(\.status) == [.accepted, .duplicate, .rejected] && importReport.entries == 3)
    }

    @Test func snapshotBoxesDecodeAsBoxSpecs() throws {
        // setup
        let json = #"[{"label":"bird","x":0.1,"y":0.2,"width":0.3,"height":0.4}]"#
        // act
        let boxes = try JSONText.decode([BoxSpec].self, from: json)
        // check
        #expect(boxes == [BoxSpec(label: "bird", x: 0.1, y: 0.2, width: 0.3, height: 0.4)])
        #expect(try JSONText.decode([Components.Schemas.Box].self, from: JSONText.encode(boxes)).first?.label == "bird")
    }
}
