// Every domain enum and its generated API twin name the same cases: each case crosses the
// API edge both ways (a rename on one side would otherwise stop at a precondition).
import APITypes
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Wire enums")
struct WireEnumTests {
    private func crossesBothWays<Wire: WireEnum>(_: Wire.Type) {
        for wire in Wire.allCases {
            #expect(Wire.Domain(rawValue: wire.rawValue) != nil, "\(Wire.Domain.self) lacks \(wire.rawValue)")
        }
        for value in Wire.Domain.allCases {
            #expect(Wire(rawValue: value.rawValue) != nil, "\(Wire.self) lacks \(value.rawValue)")
        }
    }

    @Test func everyPairNamesTheSameCases() {
        // act, check
        crossesBothWays(Components.Schemas.Split.self)
        crossesBothWays(Components.Schemas.SplitChoice.self)
        crossesBothWays(Components.Schemas.ImageSource.self)
        crossesBothWays(Components.Schemas.ColorMode.self)
        crossesBothWays(Components.Schemas.ResizeMode.self)
        crossesBothWays(Components.Schemas.Task.self)
        crossesBothWays(Components.Schemas.IterationStatus.self)
        crossesBothWays(Components.Schemas.Job.StatusPayload.self)
        crossesBothWays(Components.Schemas.Architecture.self)
        crossesBothWays(Components.Schemas.Optimizer.self)
        crossesBothWays(Components.Schemas.Schedule.self)
        crossesBothWays(Components.Schemas.IterationResults.StopReasonPayload.self)
        crossesBothWays(Components.Schemas.IterationEvent.KindPayload.self)
        crossesBothWays(Components.Schemas.FileOutcome.StatusPayload.self)
        crossesBothWays(Components.Schemas.DatasetProblem.KindPayload.self)
        crossesBothWays(Components.Schemas.ImageBatch.ActionPayload.self)
        crossesBothWays(Operations.DeleteLabel.Input.Query.ImagesPayload.self)
    }

    @Test func resizeModesCrossByTheirStrings() {
        // act, check: the engine's case names differ from the strings
        #expect(Components.Schemas.ResizeMode(.fitShorterSideCrop) == .crop)
        #expect(Components.Schemas.ResizeMode.crop.domain == .fitShorterSideCrop)
    }
}
