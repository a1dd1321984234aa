import APITypes
import Fluent
import Foundation
import Imaging
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Deployment handlers")
struct DeploymentHandlerTests {
    @Test func publishListChangeRotateAndUnpublish() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let stripes = try await harness.project("stripes", ownerID: ada.id)
            let project = try stripes.requireID().apiString
            let iteration = try await harness.trainedIteration(of: stripes).requireID().apiString
            // act
            let published = try await harness.call(as: ada.credentials) {
                try await $0.createDeployment(
                    .init(
                        path: .init(projectId: project), body: .json(.init(name: "stripes-v1", iterationId: iteration)))
                )
            }
            let taken = try await harness.call(as: ada.credentials) {
                try await $0.createDeployment(
                    .init(
                        path: .init(projectId: project), body: .json(.init(name: "stripes-v1", iterationId: iteration)))
                )
            }
            let listed = try await harness.call(as: ada.credentials) {
                try await $0.listDeployments(.init(path: .init(projectId: project)))
            }
            let quota = try await harness.call(as: ada.credentials) {
                try await $0.updateDeployment(
                    .init(
                        path: .init(projectId: project, deployment: "stripes-v1"), body: .json(.init(dailyQuota: 100))))
            }
            let nothing = try await harness.call(as: ada.credentials) {
                try await $0.updateDeployment(
                    .init(path: .init(projectId: project, deployment: "stripes-v1"), body: .json(.init())))
            }
            let rotated = try await harness.call(as: ada.credentials) {
                try await $0.rotateDeploymentKey(.init(path: .init(projectId: project, deployment: "stripes-v1")))
            }
            let unpublished = try await harness.call(as: ada.credentials) {
                try await $0.deleteDeployment(.init(path: .init(projectId: project, deployment: "stripes-v1")))
            }
            let afterwards = try await harness.call(as: ada.credentials) {
                try await $0.listDeployments(.init(path: .init(projectId: project)))
            }
            // check
            let created = try published.created.body.json
            #expect(created.value1.name == "stripes-v1" && created.value1.endpoint == "/v1/predict/stripes-v1")
            #expect(created.value1.iterationId == iteration && created.value1.iterationNumber == 1)
            #expect(created.value2.predictionKey.hasPrefix(APIKeySecrets.predictionMarker))
            #expect(created.value1.keyPrefix == APIKeySecrets.prefix(of: created.value2.predictionKey))
            #expect(try taken.conflict.body.json.error.message.contains("\"stripes-v1\" is taken"))
            #expect(try listed.ok.body.json.items.map(\.name) == ["stripes-v1"])
            #expect(try quota.ok.body.json.dailyQuota == 100)
            #expect(try nothing.unprocessableContent.body.json.error.message == "Give iterationId, dailyQuota or both.")
            let newKey = try rotated.ok.body.json.value2.predictionKey
            #expect(newKey != created.value2.predictionKey && newKey.hasPrefix(APIKeySecrets.predictionMarker))
            #expect(try rotated.ok.body.json.value1.keyPrefix == APIKeySecrets.prefix(of: newKey))
            _ = try unpublished.noContent
            #expect(try afterwards.ok.body.json.items.isEmpty)
        }
    }

    @Test func anotherUsersDeploymentIsNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let (alice, bob, hers, project, iteration) = try await harness.aliceWithATrainedProjectAndBob()
            _ = try await harness.deployment("hers-v1", of: hers)
            let path = Operations.RotateDeploymentKey.Input.Path(projectId: project, deployment: "hers-v1")
            // act
            let list = try await harness.call(as: bob.credentials) {
                try await $0.listDeployments(.init(path: .init(projectId: project)))
            }
            let publish = try await harness.call(as: bob.credentials) {
                try await $0.createDeployment(
                    .init(path: .init(projectId: project), body: .json(.init(name: "bobs", iterationId: iteration))))
            }
            let update = try await harness.call(as: bob.credentials) {
                try await $0.updateDeployment(
                    .init(path: .init(projectId: project, deployment: "hers-v1"), body: .json(.init(dailyQuota: 1))))
            }
            let rotate = try await harness.call(as: bob.credentials) {
                try await $0.rotateDeploymentKey(.init(path: path))
            }
            let delete = try await harness.call(as: bob.credentials) {
                try await $0.deleteDeployment(.init(path: .init(projectId: project, deployment: "hers-v1")))
            }
            let missing = try await harness.call(as: alice.credentials) {
                try await $0.rotateDeploymentKey(.init(path: .init(projectId: project, deployment: "nothing-here")))
            }
            // check
            #expect(try list.notFound.body.json.error.message == "Project not found.")
            #expect(try publish.notFound.body.json.error.message == "Project not found.")
            #expect(try update.notFound.body.json.error.message == "Deployment not found.")
            #expect(try rotate.notFound.body.json.error.message == "Deployment not found.")
            #expect(try delete.notFound.body.json.error.message == "Deployment not found.")
            #expect(try missing.notFound.body.json.error.message == "Deployment not found.")
            let stillHers = try await harness.call(as: alice.credentials) {
                try await $0.listDeployments(.init(path: .init(projectId: project)))
            }
            #expect(try stillHers.ok.body.json.items.map(\.name) == ["hers-v1"])
            #expect(try stillHers.ok.body.json.items.first?.dailyQuota == nil)
        }
    }

    @Test func keysNeedTheirPermissionAndSomeoneMustSignIn() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let stripes = try await harness.project("stripes", ownerID: ada.id)
            let project = try stripes.requireID().apiString
            let iteration = try await harness.trainedIteration(of: stripes).requireID().apiString
            _ = try await harness.deployment("stripes-v1", of: stripes)
            let reader = try await harness.key([.read], for: stripes, ownerID: ada.id)
            let writer = try await harness.key([.write], for: stripes, ownerID: ada.id)
            // act
            let readerLists = try await harness.call(as: reader) {
                try await $0.listDeployments(.init(path: .init(projectId: project)))
            }
            let readerPublishes = try await harness.call(as: reader) {
                try await $0.createDeployment(
                    .init(path: .init(projectId: project), body: .json(.init(name: "v2", iterationId: iteration))))
            }
            let readerRotates = try await harness.call(as: reader) {
                try await $0.rotateDeploymentKey(.init(path: .init(projectId: project, deployment: "stripes-v1")))
            }
            let writerLists = try await harness.call(as: writer) {
                try await $0.listDeployments(.init(path: .init(projectId: project)))
            }
            let writerPublishes = try await harness.call(as: writer) {
                try await $0.createDeployment(
                    .init(path: .init(projectId: project), body: .json(.init(name: "v2", iterationId: iteration))))
            }
            let anonymous = try await harness.call(as: nil) {
                try await $0.listDeployments(.init(path: .init(projectId: project)))
            }
            let anonymousDelete = try await harness.call(as: nil) {
                try await $0.deleteDeployment(.init(path: .init(projectId: project, deployment: "stripes-v1")))
            }
            // check
            #expect(try readerLists.ok.body.json.items.map(\.name) == ["stripes-v1"])
            #expect(
                try readerPublishes.forbidden.body.json.error.message == "This API key lacks the \"write\" permission.")
            #expect(try readerRotates.forbidden.body.json.error.code == "forbidden")
            #expect(try writerLists.forbidden.body.json.error.message == "This API key lacks the \"read\" permission.")
            #expect(try writerPublishes.created.body.json.value1.name == "v2")
            #expect(try anonymous.unauthorized.headers.wwwAuthenticate == "Bearer")
            _ = try anonymousDelete.unauthorized
        }
    }
}

extension HandlerHarness {
    static let stripeLabels = ["across", "down"]

    /// A tiny-cnn for 16x16 stripes (`StripeImages`) trained for one epoch on eight images by
    /// the worker's own `TrainingRun`: a real int8 model, not a good one (these tests check
    /// what the handlers do with it). Trained once per test process: building its model card
    /// compiles the generated C for every board, which takes seconds.
    static let stripesModel = Result {
        () throws -> (configuration: StoredTrainingConfiguration, outcome: TrainingOutcome) in
        let configuration = StoredTrainingConfiguration(
            architecture: .tinyCnn, alpha: 0.25, input: .init(width: 16, height: 16, colorMode: .grayscale),
            resizeMode: .squash,
            epochs: 1, batchSize: 4, learningRate: 1e-3, optimizer: .adam, schedule: .constant, augmentation: false,
            validationFraction: 0, earlyStoppingPatience: nil, seed: 3)
        let loader = LabeledSetLoader(input: ModelInput(configuration), labels: stripeLabels, detection: false)
        let items = (0..<8).map {
            LabeledItem(fileName: "\($0).png", label: stripeLabels[$0 % 2], boxes: [], split: .train)
        }
        let train = loader.decode(items) { StripeImages.png(horizontal: $0 % 2 == 0, seed: $0) }
        let (_, sink) = AsyncStream<JobEvents.Draft>.makeStream()
        defer { sink.finish() }
        let outcome = try TrainingRun(
            configuration: configuration, labels: stripeLabels, detection: false, train: train,
            test: loader.decode([]) { _ in nil }
        )
        .execute(iteration: 1, task: .classification, sink: sink, shouldStop: { false })
        return (configuration, outcome)
    }

    /// Alice with a project "hers" holding a trained iteration (ids as the API writes them), and
    /// Bob, who is about to reach for it.
    func aliceWithATrainedProjectAndBob() async throws -> (
        alice: (id: UUID, credentials: Credentials), bob: (id: UUID, credentials: Credentials), hers: Project,
        project: String, iteration: String
    ) {
        let alice = try await person("alice")
        let bob = try await person("bob")
        let hers = try await project("hers", ownerID: alice.id)
        let iteration = try await trainedIteration(of: hers).requireID().apiString
        return (alice, bob, hers, try hers.requireID().apiString, iteration)
    }

    /// A trained iteration of `project` (`stripesModel`), stored as the worker stores one.
    func trainedIteration(of project: Project) async throws -> Iteration {
        let (configuration, outcome) = try Self.stripesModel.get()
        let blobs = DatabaseBlobStore(database: db, references: BlobReferences.all)
        let iteration = Iteration()
        iteration.$project.id = try project.requireID()
        iteration.number = 1
        iteration.status = .succeeded
        iteration.configuration = try JSONText.encode(configuration)
        iteration.datasetSummary = try JSONText.encode(
            StoredDatasetSummary(images: 8, train: 8, test: 0, labels: Self.stripeLabels))
        iteration.results = try JSONText.encode(outcome.results)
        iteration.modelCard = try JSONText.encode(outcome.modelCard)
        iteration.checkpointBlobID = try await blobs.put(outcome.checkpoint).hex
        iteration.tfliteBlobID = try await blobs.put(outcome.tflite).hex
        iteration.finishedAt = Date()
        try await iteration.create(on: db)
        return iteration
    }

    /// `project`'s latest iteration published as `name`; returns the deployment's prediction key.
    func deployment(_ name: String, of project: Project) async throws -> String {
        let iteration = try #require(
            try await Iteration.query(on: db).filter(\.$project.$id == project.requireID()).sort(\.$number, .descending)
                .first())
        let published = try await Deployments(db: db, directory: services.deployments).publish(
            try iteration.requireID().uuidString, of: project, as: name
        ).get()
        return published.key
    }
}
