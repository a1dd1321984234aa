// Durations as the pages and the worker write them (words) and as the command line's
// progress line does (compact): the values each style switches at.
@testable import MinnowCore
import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Duration text")
struct DurationTextTests {
    @Test func wordsSwitchFromTenthsToSecondsMinutesAndHours() {
        // act, check
        #expect(DurationText.words(nil) == "—")
        #expect(DurationText.words(-1) == "—")
        #expect(DurationText.words(.infinity) == "—")
        #expect(DurationText.words(0.42) == "0.4 s")
        #expect(DurationText.words(9.94) == "9.9 s")
        #expect(DurationText.words(9.96) == "10 s")
        #expect(DurationText.words(59.4) == "59 s")
        #expect(DurationText.words(185) == "3 min 5 s")
        #expect(DurationText.words(3599.4) == "59 min 59 s")
        #expect(DurationText.words(7620) == "2 h 7 min")
    }

    @Test func compactKeepsTwoDigitsAfterTheFirstUnit() {
        // act, check
        #expect(DurationText.compact(42) == "0m42s")
        #expect(DurationText.compact(185.4) == "3m05s")
        #expect(DurationText.compact(3600) == "1h00m")
        #expect(DurationText.compact(7620) == "2h07m")
        #expect(DurationText.compact(.nan) == "—")
    }
}
