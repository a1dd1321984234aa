// The domain's enums at the API edge: each generated enum names its domain twin, spelled with
// the same strings (`Components.Schemas.ColorMode` and Imaging's `ColorMode`,
// `Components.Schemas.IterationStatus` and `JobStatus`, ...), and a value crosses as the case
// of the same raw value, here and nowhere else. `WireEnumTests` walks every case of every pair
// both ways, so a rename on either side fails a test, never a request.
import APITypes
import Firmware
import Imaging
import MinnowCore
import NeuralNet

package protocol WireEnum: RawRepresentable, CaseIterable where RawValue == String {
    associatedtype Domain: RawRepresentable, CaseIterable where Domain.RawValue == String
}

extension WireEnum {
    /// The wire case of a domain value.
    package init(_ value: Domain) {
        guard let wire = Self(rawValue: value.rawValue) else {
            preconditionFailure("\(Self.self) has no case \(value.rawValue)")
        }
        self = wire
    }

    /// The domain case of a wire value.
    package var domain: Domain {
        guard let value = Domain(rawValue: rawValue) else {
            preconditionFailure("\(Domain.self) has no case \(rawValue)")
        }
        return value
    }
}

extension Components.Schemas.Split: WireEnum { package typealias Domain = ImageSplit }
extension Components.Schemas.SplitChoice: WireEnum { package typealias Domain = SplitChoice }
extension Components.Schemas.ImageSource: WireEnum { package typealias Domain = ImageSource }
extension Components.Schemas.ColorMode: WireEnum { package typealias Domain = ColorMode }
extension Components.Schemas.ResizeMode: WireEnum { package typealias Domain = ResizeMode }
extension Components.Schemas.Task: WireEnum { package typealias Domain = ModelTask }
extension Components.Schemas.IterationStatus: WireEnum { package typealias Domain = JobStatus }
extension Components.Schemas.Job.StatusPayload: WireEnum { package typealias Domain = JobStatus }
extension Components.Schemas.Architecture: WireEnum {
    package typealias Domain = StoredTrainingConfiguration.Architecture
}
extension Components.Schemas.Optimizer: WireEnum { package typealias Domain = StoredTrainingConfiguration.Optimizer }
extension Components.Schemas.Schedule: WireEnum { package typealias Domain = StoredTrainingConfiguration.Schedule }
extension Components.Schemas.IterationResults.StopReasonPayload: WireEnum {
    package typealias Domain = StoredIterationResults.StopReason
}
extension Components.Schemas.IterationEvent.KindPayload: WireEnum { package typealias Domain = StoredJobEvent.Kind }
extension Components.Schemas.FileOutcome.StatusPayload: WireEnum {
    package typealias Domain = MinnowCore.FileOutcome.Status
}
extension Components.Schemas.DatasetProblem.KindPayload: WireEnum {
    package typealias Domain = MinnowCore.DatasetProblem.Kind
}
extension Components.Schemas.ImageBatch.ActionPayload: WireEnum { package typealias Domain = ImageCuration.Action }
extension Operations.DeleteLabel.Input.Query.ImagesPayload: WireEnum {
    package typealias Domain = ImageCuration.ImagesOfDeletedLabel
}

extension Components.Schemas.Job.KindPayload {
    /// Firmware builds are not in the API's list; they answer as imports, as they always have.
    package init(_ kind: JobKind) {
        switch kind {
        case .import, .firmware: self = ._import
        case .train: self = .train
        case .evaluate: self = .evaluate
        }
    }
}

extension Components.Schemas.BoardMemory.LatencyMethodPayload {
    package init(_ method: LatencyMethod) {
        switch method {
        case .emulated: self = .emulated
        case .estimated: self = .estimated
        }
    }
}
