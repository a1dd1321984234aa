// The folder layout shared by zip import and export:
//   <label>/<file>            label, automatic split
//   train/<label>/<file>      label, train       test/<label>/<file>   label, test
//   <file>, train/<file> ...  unlabelled (export writes `_unlabelled/` to keep files in folders)
import Foundation

package enum DatasetLayout {
    package static let unlabelledFolder = "_unlabelled"

    package struct Placement: Equatable {
        package var label: String?
        package var split: SplitChoice

        package init(label: String? = nil, split: SplitChoice) {
            self.label = label
            self.split = split
        }
    }

    /// Where an archive path puts a file, or why it cannot be imported.
    package static func placement(ofDirectories folders: [String]) -> Result<Placement, PlacementError> {
        var folders = folders
        var split = SplitChoice.auto
        if let first = folders.first, let explicit = SplitChoice(rawValue: first.lowercased()), explicit != .auto {
            split = explicit
            folders.removeFirst()
        }
        switch folders.count {
        case 0:
            return .success(Placement(label: nil, split: split))
        case 1 where folders[0] == unlabelledFolder:
            return .success(Placement(label: nil, split: split))
        case 1:
            if let problem = LabelRules.problem(with: folders[0]) { return .failure(PlacementError(reason: problem)) }
            return .success(Placement(label: folders[0], split: split))
        default:
            return .failure(
                PlacementError(reason: "folders nested too deeply; use <label>/<file> or train|test/<label>/<file>"))
        }
    }

    /// Detection archives: folders only say the split (any folder named train or test, as in
    /// YOLO's images/train/); labels come from the annotations.
    package static func detectionPlacement(ofDirectories folders: [String]) -> Placement {
        let lowered = folders.map { $0.lowercased() }
        let split: SplitChoice =
            lowered.contains("test") || lowered.contains("val") ? .test : lowered.contains("train") ? .train : .auto
        return Placement(label: nil, split: split)
    }

    /// The archive folder for an image, the inverse of `placement`.
    package static func folder(label: String?, split: ImageSplit, automatic: Bool) -> String {
        let labelFolder = label ?? unlabelledFolder
        return automatic ? labelFolder : "\(split.rawValue)/\(labelFolder)"
    }

    package struct PlacementError: Error {
        package let reason: String

        package init(reason: String) {
            self.reason = reason
        }
    }
}
