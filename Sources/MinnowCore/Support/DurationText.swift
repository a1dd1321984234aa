// How long something took or has left, written the one way each place needs: in words for
// the web pages and the worker's training summary, compact for the command line's progress
// line. Not web formatting: the worker and the CLI use it too. (The browser's live ETA in
// Web/Assets/script/training.js writes the same words in JavaScript.)
import Foundation

public enum DurationText {
    /// "4.2 s" (under ten seconds: small models train in under one), "42 s", "3 min 5 s",
    /// "2 h 7 min"; "—" when unknown, infinite or negative.
    public static func words(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "—" }
        if seconds < 9.95 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }

    /// "0m42s", "3m05s", "2h07m": minutes and seconds, or hours and minutes; "—" when infinite
    /// or negative.
    public static func compact(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "—" }
        let whole = Int(seconds.rounded())
        return whole >= 3600
            ? String(format: "%dh%02dm", whole / 3600, whole % 3600 / 60)
            : String(format: "%dm%02ds", whole / 60, whole % 60)
    }
}
